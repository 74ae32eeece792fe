package dev.postflight.cli;

import dev.postflight.check.BootCheck;
import dev.postflight.check.Check;
import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.input.Problems;
import dev.postflight.input.Secrets;
import dev.postflight.inventory.Host;
import dev.postflight.remedy.Remediator;
import dev.postflight.run.Runner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The checklist bound to each selected host: its checks (with the baseline's and the window's
 * start), its fixes, what a plan records of it, and the secret values to keep out of every output.
 */
record RunTargets(
        Checklist checklist,
        List<Runner.Target> targets,
        List<Remediator.Target> fixTargets,
        Map<String, PlanFile.HostInputs> planInputs,
        Secrets secrets) {

    /**
     * Binds {@code checklist} to every host; binding problems go to {@code problems}. {@code
     * checksOf} adds per-host checks (the baseline's), {@code windowStart} is a host's --since.
     */
    static RunTargets bind(
            Checklist checklist,
            List<Host> hosts,
            Map<String, String> overrides,
            Function<String, Optional<Instant>> windowStart,
            Optional<BaselineFile> baseline,
            List<String> notificationSecrets,
            Problems problems) {
        List<Runner.Target> targets = new ArrayList<>();
        List<Remediator.Target> fixTargets = new ArrayList<>();
        List<String> secretValues = new ArrayList<>();
        Map<String, PlanFile.HostInputs> planInputs = new LinkedHashMap<>();
        for (Host h : hosts) {
            Map<String, String> hostVars = new LinkedHashMap<>(h.vars());
            hostVars.putAll(overrides);
            ChecklistBinder.Bound bound =
                    ChecklistBinder.bind(checklist, hostVars, h.name(), h.reachAddress(), problems);
            List<Check> hostChecks =
                    baseline.map(b -> b.appendTo(h.name(), bound.checks())).orElse(bound.checks());
            Optional<Instant> hostStart = windowStart.apply(h.name());
            if (hostStart.isPresent()) {
                Instant start = hostStart.get();
                hostChecks = hostChecks.stream().map(c -> c.withSince(start)).toList();
            }
            hostChecks.stream()
                    .filter(c -> c.spec() instanceof BootCheck b && b.needsWindowStart())
                    .forEach(c ->
                            problems.add(
                                    c.location(),
                                    "boot check '"
                                            + c.id()
                                            + "': rebooted: needs the window's start: run verify with"
                                            + " --since or --windows-ended-within"));
            targets.add(new Runner.Target(h, hostChecks));
            fixTargets.add(new Remediator.Target(h, hostChecks, bound.fixes()));
            planInputs.put(h.name(), new PlanFile.HostInputs(h, bound.vars(), bound.fixes()));
            checklist.vars().values().stream()
                    .filter(Checklist.Var::secret)
                    .forEach(v ->
                            bound.vars()
                                    .getOrDefault(v.name(), Optional.empty())
                                    .ifPresent(secretValues::add));
        }
        return new RunTargets(
                checklist,
                List.copyOf(targets),
                List.copyOf(fixTargets),
                planInputs,
                Secrets.of(secretValues).and(notificationSecrets));
    }

    /** The same targets in a run that may change hosts (verify --fix, not a dry run or plan). */
    RunTargets withChangesApproved() {
        return new RunTargets(
                checklist,
                targets.stream()
                        .map(t ->
                                new Runner.Target(
                                        t.host(),
                                        t.checks().stream()
                                                .map(Check::withChangesApproved)
                                                .toList()))
                        .toList(),
                fixTargets.stream()
                        .map(t ->
                                new Remediator.Target(
                                        t.host(),
                                        t.checks().stream()
                                                .map(Check::withChangesApproved)
                                                .toList(),
                                        t.fixes()))
                        .toList(),
                planInputs,
                secrets);
    }
}
