package dev.postflight.remedy;

import dev.postflight.check.Check;
import dev.postflight.check.Status;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code --fix} would do on one host: the fixes of its failed checks, in checklist order, each
 * once even when several checks name it, with the exact commands the host would receive.
 */
public record Plan(String host, List<PlannedFix> fixes) {

    public Plan {
        fixes = List.copyOf(fixes);
    }

    /** One fix of a plan, and the failed checks it is for. */
    public record PlannedFix(
            Fix fix, List<String> checks, List<StepCommand> steps, List<StepCommand> finallySteps) {
        public PlannedFix {
            checks = List.copyOf(checks);
            steps = List.copyOf(steps);
            finallySteps = List.copyOf(finallySteps);
        }

        public String name() {
            return fix.name();
        }
    }

    /** The plan for a host from its verdicts; checks that pass, erred or were skipped get none. */
    public static Plan of(HostResult result, List<Check> checks, Map<String, Fix> fixes) {
        Map<String, List<String>> forChecks = new LinkedHashMap<>();
        for (Check c : checks) {
            if (c.fix().isEmpty()) continue;
            CheckResult r =
                    result.checks().stream()
                            .filter(x -> x.id().equals(c.id()))
                            .findFirst()
                            .orElse(null);
            if (r == null || (r.status() != Status.FAIL && r.status() != Status.WARN)) continue;
            forChecks.computeIfAbsent(c.fix().get(), k -> new ArrayList<>()).add(c.id());
        }
        List<PlannedFix> planned = new ArrayList<>();
        for (Fix f : fixes.values()) {
            List<String> ids = forChecks.get(f.name());
            if (ids == null) continue;
            planned.add(
                    new PlannedFix(
                            f,
                            ids,
                            f.steps().stream().map(s -> StepCommand.of(s, f.timeout())).toList(),
                            f.finallySteps().stream()
                                    .map(s -> StepCommand.of(s, f.timeout()))
                                    .toList()));
        }
        return new Plan(result.host(), planned);
    }

    public boolean isEmpty() {
        return fixes.isEmpty();
    }
}
