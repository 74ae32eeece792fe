package dev.postflight.remedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.testing.NtpdShimHost;
import dev.postflight.transport.HostConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 003's fix on a real SSH host with ntpd/ntpdate shims: finally survives anything. */
class FixExecutionTest {
    @TempDir Path dir;
    NtpdShimHost host;

    static final List<StepCommand> STEPS =
            List.of(
                    StepCommand.of(new Step.ServiceAction("ntpd", "stop"), Duration.ofMinutes(1)),
                    StepCommand.of(
                            new Step.Run("ntpdate -b ntp.example.net", java.util.Optional.empty()),
                            Duration.ofMinutes(1)));
    static final List<StepCommand> FINALLY =
            List.of(StepCommand.of(new Step.ServiceAction("ntpd", "start"), Duration.ofMinutes(1)));

    @BeforeEach
    void start() throws Exception {
        assumeTrue(NtpdShimHost.available(), "needs root and unshare(1) for the shim host");
        host = NtpdShimHost.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (host != null) host.close();
    }

    private FixOutcome run(List<StepCommand> steps, AtomicBoolean cancel) throws Exception {
        try (HostConnection c =
                host.connector().connect(host.host(), Instant.now().plusSeconds(30))) {
            return FixExecution.run(
                    c,
                    "run1",
                    "resync-clock",
                    steps,
                    FINALLY,
                    false,
                    Duration.ofMinutes(1),
                    cancel::get,
                    FixExecution.Events.NONE);
        }
    }

    @Test
    void stopsNtpdBeforeNtpdateAndStartsItAgain() throws Exception {
        host.startNtpd();
        FixOutcome o = run(STEPS, new AtomicBoolean());
        assertTrue(o.succeeded(), o.summary());
        assertEquals("resync-clock: all 2 steps succeeded; finally ran", o.summary());
        assertEquals("-b ntp.example.net", host.synced().orElseThrow());
        assertTrue(host.ntpdRunning());
    }

    @Test
    void startsNtpdEvenWhenNtpdateFails() throws Exception {
        host.breakNtpdate();
        FixOutcome o = run(STEPS, new AtomicBoolean());
        assertFalse(o.succeeded());
        assertEquals(
                "resync-clock: step 2 (ntpdate -b ntp.example.net) exit 1: ntpdate[4242]: no server suitable for synchronization found; finally ran",
                o.summary());
        assertTrue(host.ntpdRunning(), "finally must leave ntpd running");
    }

    @Test
    void interruptedMidFixStillRunsFinally() throws Exception {
        host.startNtpd();
        AtomicBoolean cancel = new AtomicBoolean();
        List<StepCommand> slow =
                List.of(
                        STEPS.get(0),
                        StepCommand.of(
                                new Step.Run("sleep 30", java.util.Optional.empty()),
                                Duration.ofMinutes(1)));
        Thread.ofPlatform()
                .start(() -> {
                    try {
                        Path state =
                                host.home()
                                        .resolve(
                                                ".local/state/postflight/fix-run1-resync-clock/state");
                        Instant until = Instant.now().plusSeconds(20);
                        while (Instant.now().isBefore(until)
                                && !(Files.exists(state)
                                        && Files.readString(state).contains("start s2"))) {
                            Thread.sleep(50);
                        }
                        cancel.set(true);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
        FixOutcome o = run(slow, cancel);
        assertFalse(o.succeeded());
        assertTrue(
                o.summary().contains("interrupted: asked the fix to stop; its finally steps ran"),
                o.summary());
        assertTrue(o.finallyCompleted());
        assertTrue(host.ntpdRunning(), "finally must leave ntpd running");
    }

    @Test
    void connectionDroppedMidFixStillRunsFinallyOnTheHost() throws Exception {
        host.startNtpd();
        List<StepCommand> slow =
                List.of(
                        STEPS.get(0),
                        StepCommand.of(
                                new Step.Run("sleep 2", java.util.Optional.empty()),
                                Duration.ofMinutes(1)));
        Path state = host.home().resolve(".local/state/postflight/fix-run1-resync-clock/state");
        Thread.ofPlatform()
                .start(() -> {
                    try {
                        Instant until = Instant.now().plusSeconds(20);
                        while (Instant.now().isBefore(until)
                                && !(Files.exists(state)
                                        && Files.readString(state).contains("start s2"))) {
                            Thread.sleep(50);
                        }
                        host.server().close();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
        FixOutcome o = run(slow, new AtomicBoolean());
        assertFalse(o.succeeded());
        assertTrue(o.summary().contains("connection lost during the fix"), o.summary());
        Instant until = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(until) && !Files.readString(state).contains("done"))
            Thread.sleep(100);
        assertTrue(Files.readString(state).contains("end f1 0"), Files.readString(state));
        assertTrue(host.ntpdRunning(), "finally ran on the host after the connection dropped");
    }

    @Test
    void sudoThatWantsAPasswordIsAClearErrorAndNothingRuns() throws Exception {
        // Simulated: this test logs in as root, where become needs no sudo at all; a fake id makes
        // the login look unprivileged and a fake sudo asks for a password.
        Path sudo = dir.resolve("bin/sudo");
        Files.writeString(sudo, "#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n");
        sudo.toFile().setExecutable(true);
        Path id = dir.resolve("bin/id");
        Files.writeString(id, "#!/bin/sh\necho 1000\n");
        id.toFile().setExecutable(true);
        try (HostConnection c =
                host.connector().connect(host.host(), Instant.now().plusSeconds(30))) {
            FixOutcome o =
                    FixExecution.run(
                            c,
                            "run1",
                            "resync-clock",
                            STEPS,
                            FINALLY,
                            true,
                            Duration.ofMinutes(1),
                            () -> false,
                            FixExecution.Events.NONE);
            assertFalse(o.succeeded());
            assertEquals(
                    "resync-clock: become: sudo needs a password on this host (sudo -n); the fix was not started",
                    o.summary());
        }
        assertTrue(host.synced().isEmpty());
    }

    @Test
    void becomeOnARootLoginNeedsNoSudo() throws Exception {
        // This machine's test host has no sudo at all ("sudo-missing" before this rule): a root
        // login runs the fix directly.
        Path sudo = dir.resolve("bin/sudo");
        Files.writeString(sudo, "#!/bin/sh\necho 'sudo must not be called' >&2\nexit 1\n");
        sudo.toFile().setExecutable(true);
        host.startNtpd();
        try (HostConnection c =
                host.connector().connect(host.host(), Instant.now().plusSeconds(30))) {
            FixOutcome o =
                    FixExecution.run(
                            c,
                            "run2",
                            "resync-clock",
                            STEPS,
                            FINALLY,
                            true,
                            Duration.ofMinutes(1),
                            () -> false,
                            FixExecution.Events.NONE);
            assertTrue(o.succeeded(), o.summary());
        }
        assertFalse(host.synced().isEmpty());
        assertTrue(host.ntpdRunning());
    }
}
