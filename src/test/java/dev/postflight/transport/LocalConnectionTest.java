package dev.postflight.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalConnectionTest {

    @TempDir Path dir;

    @Test
    void runsThroughShellWithStdinAndBothOutputs() throws Exception {
        try (LocalConnection local = new LocalConnection()) {
            ExecResult r =
                    local.exec(
                            "tr a-z A-Z; echo oops >&2; exit 4",
                            "hello".getBytes(UTF_8),
                            Duration.ofSeconds(3));

            assertEquals(OptionalInt.of(4), r.exitStatus());
            assertEquals("HELLO", new String(r.stdout(), UTF_8));
            assertEquals("oops\n", new String(r.stderr(), UTF_8));
            assertFalse(r.timedOut());
            assertEquals("local", local.describe());
            assertEquals(Optional.empty(), local.hostKeyFingerprint());
        }
    }

    @Test
    void outputPastTheCapIsNotKeptAndEndsTheCommandLongBeforeItsTimeout() throws Exception {
        try (LocalConnection local = new LocalConnection(1 << 20)) {
            Instant start = Instant.now();
            ExecResult r =
                    local.exec(
                            "cat /dev/zero & cat /dev/zero >&2",
                            new byte[0],
                            Duration.ofSeconds(20));

            assertEquals(java.util.OptionalLong.of(1 << 20), r.cutOffAt());
            assertTrue(r.stdout().length + r.stderr().length <= 1 << 20);
            assertFalse(r.timedOut());
            assertTrue(Duration.between(start, Instant.now()).toSeconds() < 10);
        }
    }

    @Test
    void timeoutKillsTheCommandAndItsChildren() throws Exception {
        Path pidFile = dir.resolve("child.pid");
        try (LocalConnection local = new LocalConnection()) {
            Instant start = Instant.now();
            ExecResult r =
                    local.exec(
                            "sleep 30 & echo $! > " + pidFile + "; wait",
                            new byte[0],
                            Duration.ofSeconds(1));

            assertTrue(r.timedOut());
            assertEquals(OptionalInt.empty(), r.exitStatus());
            assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(5)) < 0);
            long child = Long.parseLong(Files.readString(pidFile).trim());
            Optional<ProcessHandle> handle = ProcessHandle.of(child);
            Instant until = Instant.now().plusSeconds(5);
            while (handle.isPresent() && handle.get().isAlive() && Instant.now().isBefore(until)) {
                Thread.onSpinWait();
            }
            assertFalse(handle.map(ProcessHandle::isAlive).orElse(false), "child still alive");
        }
    }
}
