package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a mistyped option says: postflight's words, never picocli's internals (issue 19). */
class CommandLineMessagesTest {

    @TempDir Path dir;

    @Test
    void helpSaysThatUpTo1024HostsAreWorkedOnAtOnceByDefault() {
        Cli r = Cli.run("verify", "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Hosts worked on at once (default: 1024)."), r.out());
    }

    @Test
    void aReportWithoutFormatSaysWhatItExpectsOnce() {
        Cli r = Cli.run("verify", "--local", "-c", "checks.yaml", "--report", "report.json");
        assertEquals(2, r.exit());
        assertEquals(
                "postflight: --report: 'report.json' is not FORMAT=FILE (no '=')\n"
                        + "Run 'postflight verify --help' for usage.\n",
                r.err());
    }

    @Test
    void aQuoteInAVarIsPartOfItsValueWithoutAPicocliWarning() throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        Cli r;
        try {
            System.setErr(new PrintStream(raw, true, StandardCharsets.UTF_8));
            r =
                    Cli.run(
                            "verify",
                            "--local",
                            "-c",
                            dir.resolve("absent.yaml").toString(),
                            "--var",
                            "motto=say \"hi");
        } finally {
            System.setErr(stderr);
        }
        assertEquals(2, r.exit(), r.err());
        assertEquals("", raw.toString(StandardCharsets.UTF_8));
    }
}
