package dev.postflight.remedy;

import dev.postflight.check.Status;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fleet guard: when more than the set share ({@code --fleet-guard}) of a fleet of 4+ fails the same
 * check, no host is fixed for it — a shared cause, such as the reference NTP server, is likelier
 * than that many broken hosts.
 */
final class FleetGuard {
    private final double share;
    private final FixListener listener;

    /** The plans left to run, and for each host whose fixes were held back, why. */
    record Guarded(Map<String, Plan> plans, Map<String, HostFixes> held) {}

    FleetGuard(double share, FixListener listener) {
        this.share = share;
        this.listener = listener;
    }

    Guarded guard(RunReport report, Map<String, Plan> planned) {
        Map<String, Plan> plans = new LinkedHashMap<>(planned);
        Map<String, Map<String, String>> notes = new LinkedHashMap<>();
        int hosts = report.hosts().size();
        if (hosts < 4) return new Guarded(plans, Map.of());
        Map<String, Integer> failing = new HashMap<>();
        for (HostResult h : report.hosts()) {
            for (CheckResult c : h.checks()) {
                if (c.status() == Status.FAIL || c.status() == Status.WARN)
                    failing.merge(c.id(), 1, Integer::sum);
            }
        }
        for (Map.Entry<String, Integer> e : failing.entrySet()) {
            if (e.getValue() <= share * hosts) continue;
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
            listener.on(new FixEvent.FleetGuarded(e.getKey(), e.getValue(), hosts, why));
            for (Map.Entry<String, Plan> p : new ArrayList<>(plans.entrySet())) {
                List<Plan.PlannedFix> kept = new ArrayList<>();
                for (Plan.PlannedFix f : p.getValue().fixes()) {
                    if (f.checks().contains(e.getKey())) {
                        notes.computeIfAbsent(p.getKey(), k -> new LinkedHashMap<>())
                                .put(e.getKey(), why);
                    } else {
                        kept.add(f);
                    }
                }
                if (kept.isEmpty()) plans.remove(p.getKey());
                else plans.put(p.getKey(), new Plan(p.getKey(), kept));
            }
        }
        Map<String, HostFixes> held = new LinkedHashMap<>();
        notes.forEach((host, n) -> held.put(host, new HostFixes(Map.of(), Map.of(), n)));
        return new Guarded(plans, held);
    }
}
