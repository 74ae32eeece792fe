package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --max-output}: what one host may print per command before its checks become errors. */
class MaxOutputTest {
    @TempDir Path dir;

    private Path checks() throws Exception {
        return Files.writeString(
                dir.resolve("c.yaml"),
                """
                checks:
                  - id: chatty
                    command: { run: "head -c 300000 /dev/zero; echo ok", stdout_contains: ok }
                  - id: quiet
                    command: { run: "true" }
                """);
    }

    @Test
    void aHostPrintingMoreThanTheCapHasEveryOnHostCheckInError() throws Exception {
        Cli r =
                Cli.run(
                        "verify",
                        "--local",
                        "-c",
                        checks().toString(),
                        "--no-color",
                        "--max-output",
                        "256K");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("ERROR chatty  output over 256 KiB"), r.out());
        assertTrue(r.out().contains("ERROR quiet   output over 256 KiB"), r.out());
    }

    @Test
    void theDefaultCapOf16MiBLetsOrdinaryOutputThrough() throws Exception {
        Cli r = Cli.run("verify", "--local", "-c", checks().toString(), "--no-color");
        assertEquals(0, r.exit(), r.out() + r.err());
    }

    @Test
    void aCapThatIsNotASizeIsAUsageError() throws Exception {
        Cli r = Cli.run("verify", "--local", "-c", checks().toString(), "--max-output", "lots");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(
                r.err().contains("--max-output: 'lots' is not a size (e.g. 16MiB, 512K)"), r.err());
    }
}
