package dev.postflight.remedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.Problems;
import dev.postflight.inventory.Host;
import dev.postflight.remedy.FixEvent.AboutToRun;
import dev.postflight.remedy.FixEvent.Approved;
import dev.postflight.remedy.FixEvent.FinallyRan;
import dev.postflight.remedy.FixEvent.FixFinished;
import dev.postflight.remedy.FixEvent.NotApproved;
import dev.postflight.remedy.FixEvent.NotRun;
import dev.postflight.remedy.FixEvent.Reverified;
import dev.postflight.remedy.FixEvent.StepRan;
import dev.postflight.run.RunListener;
import dev.postflight.run.RunReport;
import dev.postflight.run.Runner;
import dev.postflight.testing.NtpdShimHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact ordered events of a fix, as OkHttp's EventListenerTest asserts those of a call: seed
 * 003's resync-clock (stop ntpd, ntpdate, start ntpd in finally) run by {@link Remediator} on a
 * real SSH host with ntpd/ntpdate shims, with a listener that records every event.
 */
class FixEventsTest {
    @TempDir Path dir;
    NtpdShimHost host;
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws Exception {
        assumeTrue(NtpdShimHost.available(), "needs root and unshare(1) for the shim host");
        host = NtpdShimHost.start(Files.createDirectory(dir.resolve("host")));
    }

    @AfterEach
    void stop() throws Exception {
        if (host != null) host.close();
    }

    @Test
    void aFixThatSucceedsIsApprovedAnnouncedRunStepByStepThenFinallyThenVerifiedAgain()
            throws Exception {
        fix(List.of("web1"), true);

        assertEquals(
                List.of(
                        "Approved web1 resync-clock",
                        "AboutToRun web1 resync-clock",
                        "StepRan web1 s1 exit 0",
                        "StepRan web1 s2 exit 0",
                        "FinallyRan web1 f1 exit 0",
                        "FixFinished web1 resync-clock succeeded",
                        "Reverified web1 ntpd-running pass",
                        "Reverified web1 clock-synced pass"),
                events);
        assertEquals(
                List.of(
                        "approval",
                        "about-to-run",
                        "step-result",
                        "step-result",
                        "step-result",
                        "fix-result",
                        "reverify",
                        "reverify"),
                auditEvents(),
                "the audit log writes one record per event");
    }

    @Test
    void aFailingStepStillRunsFinallyAndTheFixFinishesFailed() throws Exception {
        host.breakNtpdate();

        fix(List.of("web1"), true);

        assertEquals(
                List.of(
                        "Approved web1 resync-clock",
                        "AboutToRun web1 resync-clock",
                        "StepRan web1 s1 exit 0",
                        "StepRan web1 s2 exit 1",
                        "FinallyRan web1 f1 exit 0",
                        "FixFinished web1 resync-clock failed",
                        "Reverified web1 ntpd-running pass",
                        "Reverified web1 clock-synced fail"),
                events);
    }

    @Test
    void aFixNobodyApprovedIsOnlyDecidedOnAndNothingIsSent() throws Exception {
        fix(List.of("web1"), false);

        assertEquals(List.of("NotApproved web1 resync-clock needs_approval"), events);
        assertEquals(
                1,
                host.server().commands().size(),
                "only the probe batch: " + host.server().commands());
    }

    @Test
    void whenTheCanaryFailsTheNextHostIsApprovedButHeldBack() throws Exception {
        host.breakNtpdate();

        fix(List.of("web1", "web2"), true);

        assertEquals(
                List.of(
                        "Approved web1 resync-clock",
                        "Approved web2 resync-clock",
                        "AboutToRun web1 resync-clock",
                        "StepRan web1 s1 exit 0",
                        "StepRan web1 s2 exit 1",
                        "FinallyRan web1 f1 exit 0",
                        "FixFinished web1 resync-clock failed",
                        "Reverified web1 ntpd-running pass",
                        "Reverified web1 clock-synced fail",
                        "NotRun web2 resync-clock: fix resync-clock not run: --max-fix-failures 1"
                                + " reached (fixes failed on web1)"),
                events);
    }

    /** Verifies {@code hosts} (all the shim host) and remediates them, recording every event. */
    private RunReport fix(List<String> hosts, boolean yes) throws Exception {
        Path file = dir.resolve("time.yaml");
        Files.writeString(file, host.timeChecklist());
        Checklist cl = ChecklistLoader.load(List.of(file));
        List<Runner.Target> targets = new ArrayList<>();
        List<Remediator.Target> fixTargets = new ArrayList<>();
        for (String name : hosts) {
            Host h = Host.at(name, host.server().host());
            Problems problems = new Problems();
            ChecklistBinder.Bound bound =
                    ChecklistBinder.bind(cl, h.vars(), h.name(), h.reachAddress(), problems);
            problems.throwIfAny();
            targets.add(new Runner.Target(h, bound.checks()));
            fixTargets.add(new Remediator.Target(h, bound.checks(), bound.fixes()));
        }
        Runner runner =
                new Runner(
                        new Runner.Options(
                                4,
                                Duration.ofSeconds(30),
                                host.connector(),
                                RunListener.NONE,
                                "test"));
        RunReport report = runner.run(cl.name(), cl.files(), cl.sha256(), targets);
        Remediator.Options options =
                new Remediator.Options(
                        "run1",
                        "ops@runner",
                        new Approvals("ops@runner", yes, Set.of(), Optional.empty()),
                        false,
                        false,
                        1,
                        1,
                        0.5,
                        false,
                        Optional.empty(),
                        new AuditLog(dir.resolve("audit.jsonl"), "run1", List.of()),
                        new PrintWriter(new StringWriter()),
                        () -> false);
        return new Remediator(
                        options,
                        host.connector(),
                        runner,
                        Clock.systemUTC(),
                        Reverify.Sleeper.REAL,
                        List.of(e -> events.add(describe(e))))
                .remediate(report, fixTargets);
    }

    /** The event's type and what tells it apart in these runs. */
    private static String describe(FixEvent e) {
        String name = e.getClass().getSimpleName();
        return switch (e) {
            case Approved a -> name + " " + a.host() + " " + a.fix().name();
            case NotApproved n ->
                    name
                            + " "
                            + n.host()
                            + " "
                            + n.fix().name()
                            + " "
                            + n.approval().decision().name().toLowerCase(java.util.Locale.ROOT);
            case NotRun n -> name + " " + n.host() + " " + n.fix().name() + ": " + n.why();
            case AboutToRun r -> name + " " + r.host() + " " + r.fix().name();
            case StepRan s ->
                    name + " " + s.host() + " " + s.step().id() + " exit " + exit(s.step());
            case FinallyRan f ->
                    name + " " + f.host() + " " + f.step().id() + " exit " + exit(f.step());
            case FixFinished f ->
                    name
                            + " "
                            + f.host()
                            + " "
                            + f.fix().name()
                            + (f.outcome().succeeded() ? " succeeded" : " failed");
            case Reverified r ->
                    name
                            + " "
                            + r.host()
                            + " "
                            + r.result().id()
                            + " "
                            + r.result().status().word();
            default -> name;
        };
    }

    private static String exit(FixOutcome.StepResult s) {
        return s.exit().isPresent() ? String.valueOf(s.exit().getAsInt()) : "none";
    }

    private List<String> auditEvents() throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("audit.jsonl")))
            out.add(new ObjectMapper().readTree(line).get("event").asText());
        return out;
    }
}
