package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.testing.SshTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: after {@code --timeout} the probe batch on the host must not run on, and its private
 * temporary folder (which may hold copies of keys read by {@code cert_file}) must go. The test host
 * closes a channel the way sshd does, by closing the command's pipes, without killing it.
 */
class ProbeBatchAfterTimeoutTest {
    @TempDir Path dir;
    SshTestServer host;
    final String marker = "pf-orphan-" + UUID.randomUUID();

    @AfterEach
    void stop() throws Exception {
        // Only what this test started: the processes carrying its marker, and their children.
        markedProcesses()
                .forEach(p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                });
        if (host != null) host.close();
    }

    private List<ProcessHandle> markedProcesses() {
        return ProcessHandle.allProcesses()
                .filter(p ->
                        p.info()
                                .arguments()
                                .map(a -> String.join(" ", a))
                                .orElse("")
                                .contains(marker))
                .toList();
    }

    @Test
    void aProbePastTheTimeoutIsStoppedAndItsTemporaryFolderRemoved() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("host-tmp"));
        host =
                SshTestServer.start(
                                Files.createDirectories(dir.resolve("host")),
                                Map.of("TMPDIR", tmp.toString()),
                                false)
                        .closingChannelsLikeOpenSsh();
        Path knownHosts = host.writeKnownHosts(dir.resolve("known_hosts"));
        Path inventory =
                Files.writeString(
                        dir.resolve("inv.yaml"),
                        "hosts:\n  web1: { address: 127.0.0.1, port: "
                                + host.port()
                                + ", user: ops, identity: "
                                + host.clientKey()
                                + " }\n");
        Path checks =
                Files.writeString(
                        dir.resolve("checks.yaml"),
                        "checks:\n  - id: slow\n    command: { run: \"sh -c 'sleep 120' "
                                + marker
                                + "\", timeout: 100s }\n");

        Cli r =
                Cli.run(
                        "verify",
                        "-i",
                        inventory.toString(),
                        "-c",
                        checks.toString(),
                        "--known-hosts",
                        knownHosts.toString(),
                        "--ssh-config",
                        dir.resolve("no-config").toString(),
                        "--timeout",
                        "3s",
                        "--no-color");

        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals(1, host.commands().size(), "the batch was sent");
        assertTrue(
                r.out().contains("ERROR slow  exec did not finish within --timeout 3.00s"),
                r.out());
        pollUntil(
                Duration.ofSeconds(10),
                () -> markedProcesses().isEmpty() && isEmpty(tmp) && newBatchFolders().isEmpty());
        assertEquals(List.of(), markedProcesses(), "probe left running on the host");
        assertTrue(isEmpty(tmp), "temporary folder left on the host");
        assertEquals(List.of(), newBatchFolders(), "batch folder left in /dev/shm");
    }

    /**
     * The same with {@code --local}: the batch was killed outright at the deadline (SIGKILL to the
     * whole tree), which left its folder in /dev/shm; it now gets TERM first and cleans up.
     */
    @Test
    void aLocalProbePastTheTimeoutIsStoppedAndItsFolderRemoved() throws Exception {
        Path checks =
                Files.writeString(
                        dir.resolve("checks.yaml"),
                        "checks:\n  - id: slow\n    command: { run: \"sh -c 'sleep 120' "
                                + marker
                                + "\", timeout: 100s }\n");

        Cli r =
                Cli.run(
                        "verify",
                        "--local",
                        "-c",
                        checks.toString(),
                        "--timeout",
                        "3s",
                        "--no-color");

        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("ERROR slow  exec did not finish within --timeout"), r.out());
        pollUntil(
                Duration.ofSeconds(10),
                () -> markedProcesses().isEmpty() && newBatchFolders().isEmpty());
        assertEquals(List.of(), markedProcesses(), "probe left running");
        assertEquals(List.of(), newBatchFolders(), "batch folder left in /dev/shm");
    }

    /** Batch folders (named by a 16-hex-digit nonce) in /dev/shm that were not there before. */
    private List<Path> newBatchFolders() {
        return batchFolders().stream().filter(f -> !shmBefore.contains(f)).toList();
    }

    private final List<Path> shmBefore = batchFolders();

    private static List<Path> batchFolders() {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) return List.of();
        try (var s = Files.list(shm)) {
            return s.filter(f -> f.getFileName().toString().matches("postflight\\.[0-9a-f]{16}"))
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean isEmpty(Path folder) {
        try (var s = Files.list(folder)) {
            return s.findAny().isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void pollUntil(Duration limit, BooleanSupplier done)
            throws InterruptedException {
        Instant until = Instant.now().plus(limit);
        while (!done.getAsBoolean() && Instant.now().isBefore(until)) Thread.sleep(50);
    }
}
