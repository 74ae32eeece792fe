package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.testing.AotTrainingHosts;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run {@code bin/aot-train} records for the AOT cache (issue 18) goes through over SSH, with
 * both an ed25519 host as OpenSSH answers (curve25519-sha256) and an ECDSA host with MINA's own key
 * exchange: a training run that failed early would leave JSch's classes out of the cache.
 */
class AotTrainingRunTest {

    @Test
    void trainingRunPassesEveryCheckOnEveryHost(@TempDir Path dir) throws Exception {
        try (AotTrainingHosts hosts = AotTrainingHosts.start(dir, 4)) {
            Cli r =
                    Cli.run(
                            "verify",
                            "-i",
                            dir.resolve("inventory.yaml").toString(),
                            "-c",
                            dir.resolve("checks.yaml").toString(),
                            "--known-hosts",
                            dir.resolve("known_hosts").toString(),
                            "--ssh-config",
                            dir.resolve("ssh_config").toString(),
                            "--no-color");
            assertTrue(
                    r.out().contains("Summary: 4 hosts · 48 checks · 48 passed"),
                    r.out() + r.err());
            assertEquals(0, r.exit(), r.out() + r.err());
        }
    }
}
