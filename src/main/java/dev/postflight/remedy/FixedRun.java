package dev.postflight.remedy;

import dev.postflight.check.Status;
import dev.postflight.check.Verdict;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The run after its fixes, from the values each host's fixing returned: checks verified again
 * become {@code fixed} or still failing, checks whose fix did not run say why, and each host lists
 * its planned fixes with what became of them.
 */
final class FixedRun {
    private FixedRun() {}

    /**
     * The run with fixed / still-failing verdicts, notes on checks whose fix did not run, and each
     * host's planned fixes with what became of them.
     */
    static RunReport merge(
            RunReport report, Map<String, Plan> planned, Map<String, HostFixes> results) {
        List<HostResult> hosts = new ArrayList<>();
        for (HostResult h : report.hosts()) {
            HostFixes fixes = results.getOrDefault(h.host(), HostFixes.NONE);
            Map<String, String> hostNotes = fixes.notes();
            List<CheckResult> checks = new ArrayList<>();
            for (CheckResult c : h.checks()) {
                CheckResult again = fixes.reverified().get(c.id());
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
            hosts.add(h.with(checks, fixResults(planned.get(h.host()), hostNotes, fixes)));
        }
        return report.withHosts(hosts);
    }

    /** Each fix planned for a host, with its outcome, or why it did not run. */
    private static List<FixResult> fixResults(
            Plan plan, Map<String, String> hostNotes, HostFixes fixes) {
        if (plan == null) return List.of();
        List<FixResult> out = new ArrayList<>();
        for (Plan.PlannedFix f : plan.fixes()) {
            FixOutcome o = fixes.outcomes().get(f.name());
            if (o == null) {
                String why =
                        f.checks().stream()
                                .map(hostNotes::get)
                                .filter(Objects::nonNull)
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
