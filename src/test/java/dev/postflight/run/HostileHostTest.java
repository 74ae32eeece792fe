package dev.postflight.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.check.Check;
import dev.postflight.check.Status;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.Problems;
import dev.postflight.inventory.Host;
import dev.postflight.testing.LocalRun;
import dev.postflight.testing.SshTestServer;
import dev.postflight.transport.LocalConnection;
import dev.postflight.transport.SshConnector;
import dev.postflight.transport.SshOptions;
import dev.postflight.transport.SshTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compromised host answers the probe batch with whatever it likes (a ForceCommand printing
 * hostile output): its on-host checks become errors that say why, the runner stays within its
 * memory, and the other hosts of the run keep their verdicts (issue 14).
 */
class HostileHostTest {
    @TempDir Path dir;

    private static final String CHECKS =
            """
            checks:
              - id: health
                command: { run: "echo ok", stdout_contains: ok }
              - id: no-backdoor
                file: { path: /nonexistent-postflight-backdoor, exists: false }
            """;

    /** The exec's nonce, taken from the command as a ForceCommand sees it ($1 here). */
    private static final String NONCE =
            "n=$(printf '%s' \"$1\" | sed -n 's/.*@@PF \\([0-9a-f]*\\) clock.*/\\1/p'); ";

    /** Runs {@link #CHECKS} on "good" (this machine) and "evil" (a server answering {@code sh}). */
    private RunReport fleet(String hostile, long maxOutput) throws Exception {
        return fleet(hostile, maxOutput, CHECKS);
    }

    private RunReport fleet(String hostile, long maxOutput, String yaml) throws Exception {
        Path home = Files.createDirectories(dir.resolve("evil"));
        try (SshTestServer evil =
                SshTestServer.start(
                        home, Map.of(), false, List.of("/bin/sh", "-c", hostile, "sh"))) {
            Path knownHosts = evil.writeKnownHosts(dir.resolve("known_hosts"));
            SshConnector ssh =
                    new SshConnector(
                            new SshOptions(
                                            knownHosts,
                                            dir.resolve("no-config"),
                                            false,
                                            Duration.ofSeconds(5),
                                            false)
                                    .withMaxOutput(maxOutput));
            SshTarget t =
                    SshTarget.named("evil")
                            .withAddress(evil.host())
                            .withPort(evil.port())
                            .withUser(evil.user())
                            .withIdentity(evil.clientKey());
            Connector connector =
                    (h, deadline) ->
                            h.name().equals("evil")
                                    ? ssh.connect(t, deadline)
                                    : new LocalConnection(maxOutput);
            Runner runner =
                    new Runner(
                            new Runner.Options(
                                    4, Duration.ofSeconds(20), connector, RunListener.NONE, "t"));
            return runner.run(
                    "t",
                    List.of(),
                    "",
                    List.of(
                            new Runner.Target(Host.at("good", "127.0.0.1"), checks(yaml)),
                            new Runner.Target(Host.at("evil", "127.0.0.1"), checks(yaml))));
        }
    }

    private List<Check> checks(String yaml) throws Exception {
        Path f = LocalRun.write(dir, "checks.yaml", yaml);
        Problems p = new Problems();
        ChecklistBinder.Bound b =
                ChecklistBinder.bind(
                        ChecklistLoader.load(List.of(f)), Map.of(), "h", "127.0.0.1", p);
        p.throwIfAny();
        return b.checks();
    }

    /**
     * Asserts "good" passed everything and every check of "evil" is an error saying {@code why}.
     */
    private static void onlyEvilErrs(RunReport r, String why) {
        HostResult good = r.hosts().get(0);
        HostResult evil = r.hosts().get(1);
        for (CheckResult c : good.checks())
            assertEquals(Status.PASS, c.status(), c.id() + ": " + c.verdict().reason());
        assertEquals(2, evil.checks().size());
        for (CheckResult c : evil.checks()) {
            assertEquals(Status.ERROR, c.status(), c.id() + ": " + c.verdict().reason());
            assertEquals(why, c.verdict().reason(), c.id());
        }
    }

    @Test
    void aNegativeSizeInAFrameIsAnErrorOfThatHostNotAnInternalError() throws Exception {
        RunReport r =
                fleet(
                        NONCE + "printf '\\n@@PF %s frames 2\\n@@PF %s 0 0 -5 0\\nok\\n' $n $n",
                        1 << 20);
        onlyEvilErrs(
                r, "probe output framing broken: frame 0 of 2: sizes '-5 0' are not byte counts");
    }

    @Test
    void hugeSizesInAFewBytesOfReplyAllocateNothing() throws Exception {
        RunReport r =
                fleet(
                        NONCE
                                + "printf '\\n@@PF %s frames 2\\n@@PF %s 0 0 2000000000"
                                + " 2000000000\\n' $n $n; head -c 200 /dev/zero",
                        1 << 20);
        onlyEvilErrs(
                r,
                "probe output framing broken: frame 0 of 2: 2000000000 + 2000000000 bytes"
                        + " announced, 200 left in the output");
    }

    @Test
    void aFrameThatDoesNotEndWhereTheNextBeginsLeavesNoCheckJudged() throws Exception {
        // Frame 0 announces 3 bytes but carries a forged frame 1 saying the file is absent: the
        // shape of a probe whose file grew after it was measured.
        RunReport r =
                fleet(
                        NONCE
                                + "printf '\\n@@PF %s frames 2\\n@@PF %s 0 0 3 0\\nok\\n"
                                + "exists=false\\n@@PF %s 1 0 13 0\\nexists=false\\n@@PF %s end\\n'"
                                + " $n $n $n $n",
                        1 << 20);
        onlyEvilErrs(r, "probe output framing broken: frame 1 of 2: no header at byte 65");
    }

    @Test
    void bytesAfterTheEndMarkerLeaveNoCheckJudged() throws Exception {
        RunReport r =
                fleet(
                        NONCE
                                + "printf '\\n@@PF %s frames 2\\n@@PF %s 0 0 3 0\\nok\\n"
                                + "@@PF %s 1 0 13 0\\nexists=false\\n@@PF %s end\\nmore' $n $n $n $n",
                        1 << 20);
        onlyEvilErrs(r, "probe output framing broken: 4 bytes after the end marker");
    }

    @Test
    void aHostThatNeverStopsPrintingIsCutOffAtTheCapAndTheOthersKeepTheirVerdicts()
            throws Exception {
        long t0 = System.nanoTime();
        RunReport r = fleet("cat /dev/zero", 1 << 20);
        onlyEvilErrs(r, "output over 1 MiB");
        assertTrue(
                Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 15,
                "cut off at the cap, not at the timeout");
    }

    @Test
    void aClockLineBeforeBrokenFramesIsNotBelievedEither() throws Exception {
        RunReport r =
                fleet(
                        NONCE
                                + "printf '\\n@@PF %s clock %s s\\n' $n $(date +%s);"
                                + " printf '\\n@@PF %s frames 0\\n@@PF %s end\\nextra' $n $n",
                        1 << 20,
                        """
                        checks:
                          - id: clock
                            clock: { reference: runner, warn: 5s, critical: 10s }
                        """);
        CheckResult good = r.hosts().get(0).checks().get(0);
        assertEquals(Status.PASS, good.status(), good.verdict().reason());
        CheckResult evil = r.hosts().get(1).checks().get(0);
        assertEquals(Status.ERROR, evil.status(), evil.verdict().reason());
        assertEquals(
                "the host's clock could not be read: probe output framing broken: 5 bytes after"
                        + " the end marker",
                evil.verdict().reason());
    }
}
