package dev.postflight.remedy;

import dev.postflight.check.Check;
import dev.postflight.check.HostChange;
import dev.postflight.inventory.Host;
import dev.postflight.remedy.FixEvent.AboutToRun;
import dev.postflight.remedy.FixEvent.CooldownNotApplied;
import dev.postflight.remedy.FixEvent.FinallyRan;
import dev.postflight.remedy.FixEvent.FixFinished;
import dev.postflight.remedy.FixEvent.LockBroken;
import dev.postflight.remedy.FixEvent.LockNotReleased;
import dev.postflight.remedy.FixEvent.Locked;
import dev.postflight.remedy.FixEvent.NotApproved;
import dev.postflight.remedy.FixEvent.NotRun;
import dev.postflight.remedy.FixEvent.Reverified;
import dev.postflight.remedy.FixEvent.StaleLockTakenOver;
import dev.postflight.remedy.FixEvent.StepRan;
import dev.postflight.run.CheckResult;
import dev.postflight.run.Connector;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.run.Runner;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

/**
 * {@code verify --fix}: turns a run's failed checks into plans, guards the fleet ({@link
 * FleetGuard}), asks for approval, runs approved fixes host by host (the first host alone, as a
 * canary) under the host's lock and cooldown ({@link HostLock}), verifies the fixed checks again
 * ({@link Reverify}), and returns the run with verdicts {@code fixed} or still failing ({@link
 * FixedRun}). What it does is told as {@link FixEvent}s to the audit log, the progress line and any
 * other listener; what became of each host's fixes is returned by the code that fixed it, as a
 * value. Never a forced reboot or a provider API call: those are {@code approval: never} manual
 * actions (seed 001).
 */
public final class Remediator {

    /** How to remediate. */
    public record Options(
            String runId,
            String operator,
            Approvals approvals,
            boolean dryRun,
            boolean showScripts,
            int fixConcurrency,
            int maxFixFailures,
            double fleetGuard,
            boolean force,
            Optional<String> breakLock,
            AuditLog audit,
            PrintWriter out,
            BooleanSupplier cancelled) {}

    /** A host to remediate: its verified result, its checks and the fixes bound to it. */
    public record Target(Host host, List<Check> checks, Map<String, Fix> fixes) {}

    private record Approval(Plan.PlannedFix fix, Approvals.Approval approval) {}

    private final Options options;
    private final Connector connector;
    private final FixListener listener;
    private final Reverify reverify;
    private final Clock clock;

    public Remediator(Options options, Connector connector, Runner runner) {
        this(options, connector, runner, Clock.systemUTC(), Reverify.Sleeper.REAL, List.of());
    }

    /** With the clock and sleeper re-verification waits by, and listeners besides the built-in. */
    Remediator(
            Options options,
            Connector connector,
            Runner runner,
            Clock clock,
            Reverify.Sleeper sleeper,
            List<FixListener> listeners) {
        this.options = options;
        this.connector = connector;
        this.clock = clock;
        List<FixListener> all = new ArrayList<>();
        all.add(new FixProgress(options.out(), options.audit()::redact, options.showScripts()));
        all.add(new AuditTrail(options.audit()));
        all.addAll(listeners);
        this.listener = FixListener.all(all);
        this.reverify =
                new Reverify(
                        (host, checks) -> {
                            HostResult again =
                                    runner.run(
                                                    "reverify",
                                                    List.of(),
                                                    "",
                                                    List.of(new Runner.Target(host, checks)))
                                            .hosts()
                                            .get(0);
                            announceChanges(again);
                            return again.checks();
                        },
                        clock,
                        sleeper,
                        options.cancelled());
    }

    public RunReport remediate(RunReport report, List<Target> targets) throws InterruptedException {
        report.hosts().forEach(this::announceChanges);
        Map<String, Target> byHost = new LinkedHashMap<>();
        targets.forEach(t -> byHost.put(t.host().name(), t));
        Map<String, Plan> planned = new LinkedHashMap<>();
        for (HostResult h : report.hosts()) {
            Target t = byHost.get(h.host());
            if (t == null || h.unreachable().isPresent()) continue;
            Plan p = Plan.of(h, t.checks(), t.fixes());
            if (!p.isEmpty()) planned.put(h.host(), p);
        }
        FleetGuard.Guarded guarded =
                new FleetGuard(options.fleetGuard(), listener).guard(report, planned);
        Map<String, Plan> plans = guarded.plans();
        Map<String, HostFixes> results = new LinkedHashMap<>(guarded.held());
        if (plans.isEmpty()) return FixedRun.merge(report, planned, results);
        if (options.dryRun()) {
            listener.on(new FixEvent.DryRun(List.copyOf(plans.values())));
            for (Plan p : plans.values())
                for (Plan.PlannedFix f : p.fixes())
                    results.merge(
                            p.host(),
                            HostFixes.notRun(
                                    f, "fix " + f.name() + " not run: --dry-run runs no fix"),
                            HostFixes::and);
            return FixedRun.merge(report, planned, results);
        }
        Map<String, List<Approval>> approved = approve(plans, results);
        fix(byHost, approved, results);
        return FixedRun.merge(report, planned, results);
    }

    /** The changes {@code h}'s checks made while it was verified, for the audit log. */
    private void announceChanges(HostResult h) {
        for (CheckResult c : h.checks())
            for (HostChange change : c.verdict().changes())
                listener.on(new FixEvent.HostChanged(h.host(), c.id(), change, options.operator()));
    }

    /** Each planned fix's approval; the fixes that will not run are noted in {@code results}. */
    private Map<String, List<Approval>> approve(
            Map<String, Plan> plans, Map<String, HostFixes> results) throws InterruptedException {
        Map<String, List<Approval>> approved = new LinkedHashMap<>();
        for (Plan p : plans.values()) {
            List<Approval> run = new ArrayList<>();
            for (Plan.PlannedFix f : p.fixes()) {
                Approvals.Approval a = options.approvals().decide(p.host(), f);
                String why =
                        switch (a.decision()) {
                            case RUN -> null;
                            case NEEDS_APPROVAL, DECLINED ->
                                    "fix " + f.name() + " not run: " + a.how();
                            case MANUAL ->
                                    "manual action (fix "
                                            + f.name()
                                            + ", approval: never): "
                                            + String.join(
                                                    "; ",
                                                    f.steps().stream()
                                                            .map(StepCommand::label)
                                                            .toList());
                        };
                if (why == null) {
                    listener.on(new FixEvent.Approved(p.host(), f, a));
                    run.add(new Approval(f, a));
                } else {
                    listener.on(new NotApproved(p.host(), f, a));
                    results.merge(p.host(), HostFixes.notRun(f, why), HostFixes::and);
                }
            }
            if (!run.isEmpty()) approved.put(p.host(), run);
        }
        return approved;
    }

    /**
     * Fixes the first host alone (the canary), then the others {@code --fix-concurrency} at a time
     * until fixes failed on {@code --max-fix-failures} hosts; each host's result goes to {@code
     * results}.
     */
    private void fix(
            Map<String, Target> byHost,
            Map<String, List<Approval>> approved,
            Map<String, HostFixes> results)
            throws InterruptedException {
        List<String> order = new ArrayList<>(approved.keySet());
        if (order.isEmpty()) return;
        List<String> failedHosts = new CopyOnWriteArrayList<>();
        String canary = order.remove(0);
        HostFixes first = fixHost(byHost.get(canary), approved.get(canary));
        results.merge(canary, first, HostFixes::and);
        if (!first.allSucceeded()) failedHosts.add(canary);
        Semaphore slots = new Semaphore(Math.max(1, options.fixConcurrency()));
        Map<String, Future<HostFixes>> running = new LinkedHashMap<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String host : order) {
                running.put(
                        host,
                        pool.submit(() -> {
                            slots.acquire();
                            try {
                                if (failedHosts.size() >= options.maxFixFailures())
                                    return heldBack(host, approved.get(host), failedHosts);
                                if (options.cancelled().getAsBoolean()) return HostFixes.NONE;
                                HostFixes r = fixHost(byHost.get(host), approved.get(host));
                                if (!r.allSucceeded()) failedHosts.add(host);
                                return r;
                            } finally {
                                slots.release();
                            }
                        }));
            }
            for (Map.Entry<String, Future<HostFixes>> e : running.entrySet()) {
                HostFixes r;
                try {
                    r = e.getValue().get();
                } catch (ExecutionException ex) {
                    r = HostFixes.NONE;
                    for (Approval a : approved.get(e.getKey()))
                        r =
                                r.and(
                                        notRun(
                                                e.getKey(),
                                                a,
                                                "fix not run: internal error " + ex.getCause()));
                }
                results.merge(e.getKey(), r, HostFixes::and);
            }
        }
    }

    /** {@code --max-fix-failures} reached: the host's fixes are not run. */
    private HostFixes heldBack(String host, List<Approval> fixes, List<String> failedHosts) {
        return notRun(
                host,
                fixes,
                "--max-fix-failures "
                        + options.maxFixFailures()
                        + " reached (fixes failed on "
                        + String.join(", ", failedHosts)
                        + ")");
    }

    /** One host: its lock, each approved fix in turn, the lock released, its checks again. */
    private HostFixes fixHost(Target t, List<Approval> fixes) throws InterruptedException {
        String host = t.host().name();
        Map<String, FixOutcome> outcomes = new LinkedHashMap<>();
        HostFixes notes = HostFixes.NONE;
        List<Plan.PlannedFix> ran = new ArrayList<>();
        try (HostConnection c =
                connector.connect(t.host(), Instant.now().plus(Duration.ofMinutes(2)))) {
            options.breakLock().ifPresent(why -> listener.on(new LockBroken(host, why)));
            HostLock.Attempt attempt =
                    HostLock.take(
                            c,
                            options.runId(),
                            options.operator(),
                            options.breakLock().isPresent(),
                            clock);
            switch (attempt) {
                case HostLock.Attempt.HeldBy h -> {
                    listener.on(new Locked(host, h.holder()));
                    return notRun(
                            host,
                            fixes,
                            host
                                    + " is locked by another postflight ("
                                    + h.holder()
                                    + "); wait, or --break-lock REASON");
                }
                case HostLock.Attempt.Refused r -> {
                    return notRun(host, fixes, "cannot take the host's lock: " + r.why());
                }
                case HostLock.Attempt.Taken taken -> {
                    taken.stale()
                            .ifPresent(
                                    s -> listener.on(new StaleLockTakenOver(host, s.describe())));
                    HostLock lock = taken.lock();
                    try {
                        for (Approval a : fixes) {
                            String name = a.fix().name();
                            if (options.cancelled().getAsBoolean()) {
                                notes = notes.and(notRun(host, List.of(a), "interrupted"));
                                continue;
                            }
                            Optional<String> cooling = lock.cooldown(a.fix());
                            if (cooling.isPresent() && !options.force()) {
                                notes = notes.and(notRun(host, List.of(a), cooling.get()));
                                continue;
                            }
                            lock.clockNote(a.fix())
                                    .ifPresent(n -> listener.on(new CooldownNotApplied(host, n)));
                            FixOutcome o = runFix(c, host, a);
                            outcomes.put(name, o);
                            ran.add(a.fix());
                            lock.record(a.fix(), o);
                        }
                    } finally {
                        try {
                            lock.release();
                        } catch (HostUnreachable e) {
                            listener.on(new LockNotReleased(host, e.getMessage()));
                        }
                    }
                }
            }
        } catch (HostUnreachable e) {
            List<Approval> notStarted =
                    fixes.stream().filter(a -> !outcomes.containsKey(a.fix().name())).toList();
            notes = notes.and(notRun(host, notStarted, e.getMessage()));
        }
        Map<String, CheckResult> again = reverify.after(clock.instant(), t.host(), t.checks(), ran);
        again.values().forEach(r -> listener.on(new Reverified(host, r)));
        return new HostFixes(outcomes, again, Map.of()).and(notes);
    }

    private FixOutcome runFix(HostConnection c, String host, Approval a)
            throws InterruptedException {
        Plan.PlannedFix f = a.fix();
        listener.on(new AboutToRun(host, f, a.approval(), c.hostKeyFingerprint().orElse("")));
        FixOutcome o =
                FixExecution.run(
                        c,
                        options.runId(),
                        f.name(),
                        f.steps(),
                        f.finallySteps(),
                        f.fix().become(),
                        f.fix().timeout(),
                        options.cancelled(),
                        FixExecution.Events.NONE);
        o.steps().forEach(s -> listener.on(new StepRan(host, f, s)));
        o.finallySteps().forEach(s -> listener.on(new FinallyRan(host, f, s)));
        listener.on(new FixFinished(host, f, o));
        return o;
    }

    private HostFixes notRun(String host, Approval a, String why) {
        listener.on(new NotRun(host, a.fix(), why));
        return HostFixes.notRun(a.fix(), why);
    }

    /** None of {@code fixes} runs on the host: "fix NAME not run: REASON". */
    private HostFixes notRun(String host, List<Approval> fixes, String reason) {
        HostFixes r = HostFixes.NONE;
        for (Approval a : fixes)
            r = r.and(notRun(host, a, "fix " + a.fix().name() + " not run: " + reason));
        return r;
    }
}
