package dev.postflight.remedy;

import dev.postflight.check.Check;
import dev.postflight.check.Status;
import dev.postflight.check.Verdict;
import dev.postflight.inventory.Host;
import dev.postflight.run.CheckResult;
import dev.postflight.run.Connector;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.run.Runner;
import dev.postflight.transport.ExecResult;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

/**
 * {@code verify --fix}: turns a run's failed checks into plans, guards the fleet, asks for
 * approval, runs approved fixes host by host (the first host alone, as a canary) under a per-host
 * lock and a cooldown, verifies the fixed checks again, and returns the run with verdicts {@code
 * fixed} or still failing. Never a forced reboot or a provider API call: those are {@code approval:
 * never} manual actions (seed 001).
 */
public final class Remediator {

    /** How to remediate. */
    public record Options(
            String runId,
            String operator,
            Approvals approvals,
            boolean dryRun,
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

    private final Options options;
    private final Connector connector;
    private final Runner runner;

    public Remediator(Options options, Connector connector, Runner runner) {
        this.options = options;
        this.connector = connector;
        this.runner = runner;
    }

    public RunReport remediate(RunReport report, List<Target> targets) throws InterruptedException {
        Map<String, Target> byHost = new LinkedHashMap<>();
        targets.forEach(t -> byHost.put(t.host().name(), t));
        Map<String, Plan> plans = new LinkedHashMap<>();
        // Written from the fix workers' threads (--fix-concurrency).
        Map<String, Map<String, String>> notes = new ConcurrentHashMap<>();
        for (HostResult h : report.hosts()) {
            Target t = byHost.get(h.host());
            if (t == null || h.unreachable().isPresent()) continue;
            Plan p = Plan.of(h, t.checks(), t.fixes());
            if (!p.isEmpty()) plans.put(h.host(), p);
        }
        Map<String, Plan> planned = new LinkedHashMap<>(plans);
        guardFleet(report, plans, notes);
        if (plans.isEmpty()) {
            return withNotes(report, notes, Map.of(), planned);
        }
        if (options.dryRun()) {
            printPlans(plans);
            options.audit().write("dry-run", Map.of("hosts", List.copyOf(plans.keySet())));
            plans.values()
                    .forEach(p ->
                            p.fixes()
                                    .forEach(f ->
                                            note(
                                                    notes,
                                                    p.host(),
                                                    f,
                                                    "fix "
                                                            + f.name()
                                                            + " not run: --dry-run sends"
                                                            + " nothing")));
            return withNotes(report, notes, Map.of(), planned);
        }

        Map<String, List<Approved>> approved = new LinkedHashMap<>();
        for (Plan p : plans.values()) {
            List<Approved> run = new ArrayList<>();
            for (Plan.PlannedFix f : p.fixes()) {
                Approvals.Approval a = options.approvals().decide(p.host(), f);
                options.audit()
                        .write(
                                "approval",
                                auditFields(
                                        p.host(),
                                        f,
                                        Map.of(
                                                "level",
                                                f.fix().approval().word(),
                                                "decision",
                                                a.decision()
                                                        .name()
                                                        .toLowerCase(java.util.Locale.ROOT),
                                                "by",
                                                a.by(),
                                                "how",
                                                a.how())));
                switch (a.decision()) {
                    case RUN -> run.add(new Approved(f, a));
                    case NEEDS_APPROVAL, DECLINED ->
                            note(notes, p.host(), f, "fix " + f.name() + " not run: " + a.how());
                    case MANUAL ->
                            note(
                                    notes,
                                    p.host(),
                                    f,
                                    "manual action (fix "
                                            + f.name()
                                            + ", approval: never): "
                                            + String.join(
                                                    "; ",
                                                    f.steps().stream()
                                                            .map(StepCommand::label)
                                                            .toList()));
                }
            }
            if (!run.isEmpty()) approved.put(p.host(), run);
        }

        Map<String, HostFixes> done = new LinkedHashMap<>();
        List<String> failedHosts = new CopyOnWriteArrayList<>();
        List<String> order = new ArrayList<>(approved.keySet());
        if (!order.isEmpty()) {
            String canary = order.remove(0);
            HostFixes first = fixHost(byHost.get(canary), approved.get(canary), notes);
            done.put(canary, first);
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
                                    if (failedHosts.size() >= options.maxFixFailures()) {
                                        for (Approved a : approved.get(host)) {
                                            note(
                                                    notes,
                                                    host,
                                                    a.fix(),
                                                    "fix "
                                                            + a.fix().name()
                                                            + " not run: --max-fix-failures "
                                                            + options.maxFixFailures()
                                                            + " reached (fixes failed on "
                                                            + String.join(", ", failedHosts)
                                                            + ")");
                                        }
                                        return null;
                                    }
                                    if (options.cancelled().getAsBoolean()) return null;
                                    HostFixes r =
                                            fixHost(byHost.get(host), approved.get(host), notes);
                                    if (!r.allSucceeded()) failedHosts.add(host);
                                    return r;
                                } finally {
                                    slots.release();
                                }
                            }));
                }
                for (Map.Entry<String, Future<HostFixes>> e : running.entrySet()) {
                    try {
                        HostFixes r = e.getValue().get();
                        if (r != null) done.put(e.getKey(), r);
                    } catch (java.util.concurrent.ExecutionException ex) {
                        for (Approved a : approved.get(e.getKey()))
                            note(
                                    notes,
                                    e.getKey(),
                                    a.fix(),
                                    "fix not run: internal error " + ex.getCause());
                    }
                }
            }
        }
        return withNotes(report, notes, done, planned);
    }

    private record Approved(Plan.PlannedFix fix, Approvals.Approval approval) {}

    /** What happened on one host: each fix's outcome and the checks verified again. */
    private record HostFixes(
            Map<String, FixOutcome> outcomes, Map<String, CheckResult> reverified) {
        boolean allSucceeded() {
            return outcomes.values().stream().allMatch(FixOutcome::succeeded);
        }
    }

    private HostFixes fixHost(
            Target t, List<Approved> fixes, Map<String, Map<String, String>> notes)
            throws InterruptedException {
        String host = t.host().name();
        Map<String, FixOutcome> outcomes = new LinkedHashMap<>();
        List<Approved> ran = new ArrayList<>();
        try (HostConnection c =
                connector.connect(t.host(), Instant.now().plus(Duration.ofMinutes(2)))) {
            String lock =
                    FixScript.lock(
                            options.runId(), options.operator(), options.breakLock().isPresent());
            options.breakLock()
                    .ifPresent(why ->
                            options.audit()
                                    .write("break-lock", Map.of("host", host, "reason", why)));
            ExecResult l = exec(c, lock);
            String out = new String(l.stdout(), StandardCharsets.UTF_8);
            if (l.exitStatus().orElse(-1) == 75) {
                String holder = LockHolder.parse(out).describe();
                for (Approved a : fixes)
                    note(
                            notes,
                            host,
                            a.fix(),
                            "fix "
                                    + a.fix().name()
                                    + " not run: "
                                    + host
                                    + " is locked by another postflight ("
                                    + holder
                                    + "); wait, or --break-lock REASON");
                options.audit().write("locked", Map.of("host", host, "holder", holder));
                return new HostFixes(outcomes, Map.of());
            }
            if (l.exitStatus().orElse(-1) != 0) {
                for (Approved a : fixes)
                    note(
                            notes,
                            host,
                            a.fix(),
                            "fix "
                                    + a.fix().name()
                                    + " not run: cannot take the host's lock: "
                                    + new String(l.stderr(), StandardCharsets.UTF_8).strip());
                return new HostFixes(outcomes, Map.of());
            }
            Optional<LockHolder> stale = LockHolder.staleIn(out);
            if (stale.isPresent()) {
                options.out()
                        .println(
                                host
                                        + ": took over a stale lock ("
                                        + stale.get().describe()
                                        + "): its worker is gone");
                options.audit()
                        .write(
                                "stale-lock",
                                Map.of("host", host, "holder", stale.get().describe()));
            }
            FixHistory history = FixHistory.parse(out, Instant.now());
            try {
                for (Approved a : fixes) {
                    if (options.cancelled().getAsBoolean()) {
                        note(
                                notes,
                                host,
                                a.fix(),
                                "fix " + a.fix().name() + " not run: interrupted");
                        continue;
                    }
                    Optional<String> cooling =
                            history.cooldown(a.fix().name(), a.fix().fix().cooldown());
                    if (cooling.isPresent() && !options.force()) {
                        note(
                                notes,
                                host,
                                a.fix(),
                                "fix " + a.fix().name() + " not run: " + cooling.get());
                        continue;
                    }
                    history.clockNote(a.fix().name(), a.fix().fix().cooldown())
                            .ifPresent(n -> options.out().println(host + ": " + n));
                    FixOutcome o = runFix(c, t, a);
                    outcomes.put(a.fix().name(), o);
                    ran.add(a);
                    exec(
                            c,
                            FixScript.record(
                                    a.fix().name(),
                                    o.succeeded() ? "ok" : "failed",
                                    Instant.now()));
                    options.out().println(host + ": " + o.summary());
                    options.out().flush();
                }
            } finally {
                try {
                    exec(c, FixScript.unlock(options.runId()));
                } catch (HostUnreachable e) {
                    options.out()
                            .println(
                                    host + ": could not release the lock (" + e.getMessage() + ")");
                }
            }
        } catch (HostUnreachable e) {
            for (Approved a : fixes) {
                if (!outcomes.containsKey(a.fix().name()))
                    note(
                            notes,
                            host,
                            a.fix(),
                            "fix " + a.fix().name() + " not run: " + e.getMessage());
            }
        }
        return new HostFixes(outcomes, reverify(t, ran));
    }

    private FixOutcome runFix(HostConnection c, Target t, Approved a) throws InterruptedException {
        String host = t.host().name();
        Plan.PlannedFix f = a.fix();
        List<String> commands = new ArrayList<>();
        f.steps().forEach(s -> commands.add("step: " + s.command()));
        f.finallySteps().forEach(s -> commands.add("finally: " + s.command()));
        options.audit()
                .write(
                        "about-to-run",
                        auditFields(
                                host,
                                f,
                                Map.of(
                                        "host_key",
                                        c.hostKeyFingerprint().orElse(""),
                                        "become",
                                        f.fix().become(),
                                        "approved_by",
                                        a.approval().by(),
                                        "approved_how",
                                        a.approval().how(),
                                        "commands",
                                        commands)));
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
        List<FixOutcome.StepResult> all = new ArrayList<>(o.steps());
        all.addAll(o.finallySteps());
        for (FixOutcome.StepResult s : all) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("step", s.id());
            fields.put("command", s.command().command());
            fields.put("started", s.started());
            if (s.exit().isPresent()) fields.put("exit", s.exit().getAsInt());
            fields.put("output_tail", tail(s.output()));
            fields.put("output_sha256", AuditLog.digest(s.output()));
            options.audit().write("step-result", auditFields(host, f, fields));
        }
        options.audit()
                .write(
                        "fix-result",
                        auditFields(
                                host,
                                f,
                                Map.of(
                                        "succeeded",
                                        o.succeeded(),
                                        "summary",
                                        o.summary(),
                                        "finally_completed",
                                        o.finallyCompleted(),
                                        "state_dir",
                                        o.stateDir())));
        return o;
    }

    /** Runs the checks the fixes were for again, after the fix's settle time, with retries. */
    private Map<String, CheckResult> reverify(Target t, List<Approved> ran)
            throws InterruptedException {
        if (ran.isEmpty()) return Map.of();
        Set<String> ids = new java.util.LinkedHashSet<>();
        Duration settle = Duration.ZERO;
        int retries = 0;
        for (Approved a : ran) {
            ids.addAll(a.fix().checks());
            if (a.fix().fix().settle().compareTo(settle) > 0) settle = a.fix().fix().settle();
            retries = Math.max(retries, a.fix().fix().retries());
        }
        List<Check> checks = t.checks().stream().filter(c -> ids.contains(c.id())).toList();
        Map<String, CheckResult> latest = new LinkedHashMap<>();
        for (int attempt = 0; attempt <= retries; attempt++) {
            Thread.sleep(settle.toMillis());
            RunReport again =
                    runner.run(
                            "reverify",
                            List.of(),
                            "",
                            List.of(new Runner.Target(t.host(), checks)));
            for (CheckResult r : again.hosts().get(0).checks()) latest.put(r.id(), r);
            if (latest.values().stream().noneMatch(CheckResult::failsRun)
                    || options.cancelled().getAsBoolean()) break;
        }
        latest.values()
                .forEach(r ->
                        options.audit()
                                .write(
                                        "reverify",
                                        Map.of(
                                                "host",
                                                t.host().name(),
                                                "check",
                                                r.id(),
                                                "status",
                                                r.status().word(),
                                                "reason",
                                                r.verdict().reason())));
        return latest;
    }

    private ExecResult exec(HostConnection c, String script)
            throws HostUnreachable, InterruptedException {
        return c.exec("sh -s", script.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
    }

    /**
     * Fleet guard: when more than the set share of a fleet of 4+ fails the same check, fix none.
     */
    private void guardFleet(
            RunReport report, Map<String, Plan> plans, Map<String, Map<String, String>> notes) {
        int hosts = report.hosts().size();
        if (hosts < 4) return;
        Map<String, Integer> failing = new HashMap<>();
        for (HostResult h : report.hosts()) {
            for (CheckResult c : h.checks()) {
                if (c.status() == Status.FAIL || c.status() == Status.WARN)
                    failing.merge(c.id(), 1, Integer::sum);
            }
        }
        for (Map.Entry<String, Integer> e : failing.entrySet()) {
            if (e.getValue() <= options.fleetGuard() * hosts) continue;
            String why =
                    "fleet guard: "
                            + e.getKey()
                            + " fails on "
                            + e.getValue()
                            + " of "
                            + hosts
                            + " hosts — a shared cause (e.g. the reference server) is likelier than "
                            + e.getValue()
                            + " broken hosts, so no host is fixed for it (--fleet-guard 1.0 to override)";
            options.out().println(why);
            options.audit()
                    .write(
                            "fleet-guard",
                            Map.of("check", e.getKey(), "failing", e.getValue(), "hosts", hosts));
            for (Map.Entry<String, Plan> p : new ArrayList<>(plans.entrySet())) {
                List<Plan.PlannedFix> kept = new ArrayList<>();
                for (Plan.PlannedFix f : p.getValue().fixes()) {
                    if (f.checks().contains(e.getKey())) {
                        notes.computeIfAbsent(p.getKey(), k -> new ConcurrentHashMap<>())
                                .put(e.getKey(), why);
                    } else {
                        kept.add(f);
                    }
                }
                if (kept.isEmpty()) plans.remove(p.getKey());
                else plans.put(p.getKey(), new Plan(p.getKey(), kept));
            }
        }
    }

    private void printPlans(Map<String, Plan> plans) {
        PrintWriter out = options.out();
        out.println("Plan (dry run: nothing is sent to any host):");
        for (Plan p : plans.values()) {
            out.println(p.host() + ":");
            for (Plan.PlannedFix f : p.fixes()) {
                out.println(
                        "  fix "
                                + f.name()
                                + " for "
                                + String.join(", ", f.checks())
                                + " [approval: "
                                + f.fix().approval().word()
                                + (f.fix().become() ? ", as root with sudo -n" : "")
                                + ", timeout "
                                + f.fix().timeout().toSeconds()
                                + "s]");
                int i = 1;
                for (StepCommand s : f.steps()) print(out, "step " + i++, s);
                i = 1;
                for (StepCommand s : f.finallySteps()) print(out, "finally " + i++, s);
            }
        }
        out.flush();
    }

    private void print(PrintWriter out, String what, StepCommand s) {
        out.println("    " + what + ": " + s.label());
        for (String line : options.audit().redact(s.command()).split("\n"))
            out.println("      | " + line);
    }

    private static void note(
            Map<String, Map<String, String>> notes, String host, Plan.PlannedFix f, String text) {
        for (String check : f.checks())
            notes.computeIfAbsent(host, k -> new ConcurrentHashMap<>()).put(check, text);
    }

    private Map<String, Object> auditFields(String host, Plan.PlannedFix f, Map<String, ?> more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host);
        m.put("fix", f.name());
        m.put("checks", f.checks());
        m.putAll(more);
        return m;
    }

    private static String tail(String s) {
        return s.length() > 1000 ? "…" + s.substring(s.length() - 1000) : s;
    }

    /**
     * The run with fixed / still-failing verdicts, notes on checks whose fix did not run, and each
     * host's planned fixes with what became of them.
     */
    private static RunReport withNotes(
            RunReport report,
            Map<String, Map<String, String>> notes,
            Map<String, HostFixes> done,
            Map<String, Plan> planned) {
        List<HostResult> hosts = new ArrayList<>();
        for (HostResult h : report.hosts()) {
            Map<String, String> hostNotes = notes.getOrDefault(h.host(), Map.of());
            HostFixes fixes = done.get(h.host());
            List<CheckResult> checks = new ArrayList<>();
            for (CheckResult c : h.checks()) {
                CheckResult again = fixes == null ? null : fixes.reverified().get(c.id());
                if (again != null) {
                    FixOutcome o = c.fix().map(fixes.outcomes()::get).orElse(null);
                    String by = o == null ? "its fix" : o.fix();
                    boolean passes = !again.failsRun() && again.status() != Status.WARN;
                    Verdict v =
                            passes && (o == null || !o.succeeded())
                                    // Its fix failed: whatever made it pass (a finally step, the
                                    // host itself), the fix did not; the fix's result says so.
                                    ? new Verdict(
                                            again.status(),
                                            "passes again, but fix "
                                                    + by
                                                    + " failed: "
                                                    + again.verdict().reason(),
                                            o == null
                                                    ? List.of("was: " + c.verdict().reason())
                                                    : List.of(
                                                            "was: " + c.verdict().reason(),
                                                            o.summary()))
                                    : !passes
                                            ? new Verdict(
                                                    again.status(),
                                                    "still failing after fix "
                                                            + by
                                                            + ": "
                                                            + again.verdict().reason(),
                                                    o == null
                                                            ? again.verdict().details()
                                                            : append(
                                                                    again.verdict().details(),
                                                                    o.summary()))
                                            : new Verdict(
                                                    Status.FIXED,
                                                    "fixed by "
                                                            + by
                                                            + ": "
                                                            + again.verdict().reason(),
                                                    List.of("was: " + c.verdict().reason()));
                    checks.add(new CheckResult(c.id(), c.type(), c.severity(), v, c.fix()));
                } else if (hostNotes.containsKey(c.id())) {
                    checks.add(
                            new CheckResult(
                                    c.id(),
                                    c.type(),
                                    c.severity(),
                                    c.verdict()
                                            .withDetails(
                                                    append(
                                                            c.verdict().details(),
                                                            hostNotes.get(c.id()))),
                                    c.fix()));
                } else {
                    checks.add(c);
                }
            }
            hosts.add(
                    new HostResult(
                            h.host(),
                            h.via(),
                            h.hostKey(),
                            h.unreachable(),
                            checks,
                            h.elapsed(),
                            h.execs(),
                            fixResults(planned.get(h.host()), hostNotes, fixes)));
        }
        return new RunReport(
                report.runId(),
                report.version(),
                report.started(),
                report.elapsed(),
                report.checklist(),
                report.files(),
                report.checklistSha256(),
                hosts,
                report.interrupted());
    }

    /** Each fix planned for a host, with its outcome, or why it did not run. */
    private static List<FixResult> fixResults(
            Plan plan, Map<String, String> hostNotes, HostFixes fixes) {
        if (plan == null) return List.of();
        List<FixResult> out = new ArrayList<>();
        for (Plan.PlannedFix f : plan.fixes()) {
            FixOutcome o = fixes == null ? null : fixes.outcomes().get(f.name());
            if (o == null) {
                String why =
                        f.checks().stream()
                                .map(hostNotes::get)
                                .filter(java.util.Objects::nonNull)
                                .findFirst()
                                .orElse("fix " + f.name() + " not run");
                out.add(
                        new FixResult(
                                f.name(), f.checks(), FixResult.Outcome.NOT_RUN, why, List.of()));
                continue;
            }
            List<String> details = new ArrayList<>();
            o.failedStep()
                    .ifPresent(s -> {
                        for (String line : tailLines(s.output(), 5))
                            details.add(s.id() + " output: " + line);
                    });
            out.add(
                    new FixResult(
                            f.name(),
                            f.checks(),
                            o.succeeded() ? FixResult.Outcome.SUCCEEDED : FixResult.Outcome.FAILED,
                            o.summary(),
                            details));
        }
        return out;
    }

    private static List<String> tailLines(String output, int n) {
        List<String> lines = output.strip().lines().filter(l -> !l.isBlank()).toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    private static List<String> append(List<String> list, String more) {
        List<String> out = new ArrayList<>(list);
        out.add(more);
        return out;
    }
}
