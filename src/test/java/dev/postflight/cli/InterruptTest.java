package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.testing.Tarpit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real SIGINT to a real postflight process: it stops, reports what finished, exits 130. */
class InterruptTest {
    @TempDir Path dir;

    /** postflight in its own JVM, output to {@code out} and {@code err} in the test folder. */
    private Process postflight(String... args) throws java.io.IOException {
        List<String> command =
                new java.util.ArrayList<>(
                        List.of(
                                ProcessHandle.current().info().command().orElse("java"),
                                "-cp",
                                System.getProperty("java.class.path"),
                                "dev.postflight.cli.Main"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectError(dir.resolve("err").toFile())
                .redirectOutput(dir.resolve("out").toFile())
                .start();
    }

    @Test
    void ctrlCReportsWhatFinishedAndExits130() throws Exception {
        Path marker = dir.resolve("started");
        Path checks = dir.resolve("c.yaml");
        Files.writeString(
                checks,
                "checks:\n"
                        + "  - { id: quick, command: { run: \"true\" } }\n"
                        + "  - { id: hang, command: { run: \"touch "
                        + marker
                        + "; sleep 60\", timeout: 60s } }\n");
        Process p = postflight("verify", "--local", "-c", checks.toString());
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (!Files.exists(marker) && Instant.now().isBefore(deadline)) Thread.sleep(50);
        assertTrue(Files.exists(marker), "the probe never started");
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "postflight did not stop after SIGINT");
        String out = Files.readString(dir.resolve("out"));
        assertEquals(130, p.exitValue(), out + Files.readString(dir.resolve("err")));
        assertTrue(out.contains("INTERRUPTED: partial results above (exit 130)"), out);
        assertTrue(out.contains("interrupted"), out);
        assertTrue(Files.readString(dir.resolve("err")).contains("interrupted; stopping"));
        assertEquals(List.of(), p.descendants().filter(ProcessHandle::isAlive).toList());
    }

    @Test
    void ctrlCWhileAHostIsStillConnectingExits130AtOnce() throws Exception {
        try (Tarpit tarpit = Tarpit.start()) {
            Path checks = dir.resolve("c.yaml");
            Files.writeString(checks, "checks:\n  - { id: up, command: { run: \"true\" } }\n");
            Process p =
                    postflight(
                            "verify",
                            "--known-hosts",
                            dir.resolve("known_hosts").toString(),
                            "--ssh-config",
                            dir.resolve("ssh_config").toString(),
                            "-c",
                            checks.toString(),
                            "ops@127.0.0.1:" + tarpit.port());
            try {
                assertTrue(
                        tarpit.awaitConnection(Duration.ofSeconds(20)),
                        "postflight never connected");
                Thread.sleep(500);
                Instant sent = Instant.now();
                new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "postflight did not stop");
                // A correctness bound, not a benchmark: the connector's own limit is 10 s.
                Duration took = Duration.between(sent, Instant.now());
                String out = Files.readString(dir.resolve("out"));
                assertEquals(130, p.exitValue(), out + Files.readString(dir.resolve("err")));
                assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "took " + took);
                assertTrue(out.contains("INTERRUPTED: partial results above (exit 130)"), out);
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
