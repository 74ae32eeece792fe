package dev.postflight.remedy;

import dev.postflight.run.CheckResult;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What became of one host's fixes, returned by whoever handled them (the fleet guard, the
 * approvals, the host's fix worker): each fix's outcome by name, the checks verified again by id,
 * and for checks whose fix did not run, why (by check id).
 */
record HostFixes(
        Map<String, FixOutcome> outcomes,
        Map<String, CheckResult> reverified,
        Map<String, String> notes) {

    static final HostFixes NONE = new HostFixes(Map.of(), Map.of(), Map.of());

    HostFixes {
        outcomes = Collections.unmodifiableMap(new LinkedHashMap<>(outcomes));
        reverified = Collections.unmodifiableMap(new LinkedHashMap<>(reverified));
        notes = Collections.unmodifiableMap(new LinkedHashMap<>(notes));
    }

    /** The fix did not run: each of its checks says why. */
    static HostFixes notRun(Plan.PlannedFix f, String why) {
        Map<String, String> notes = new LinkedHashMap<>();
        for (String check : f.checks()) notes.put(check, why);
        return new HostFixes(Map.of(), Map.of(), notes);
    }

    /** This, then {@code later}: where both say something of the same fix or check, the later. */
    HostFixes and(HostFixes later) {
        Map<String, FixOutcome> o = new LinkedHashMap<>(outcomes);
        o.putAll(later.outcomes);
        Map<String, CheckResult> r = new LinkedHashMap<>(reverified);
        r.putAll(later.reverified);
        Map<String, String> n = new LinkedHashMap<>(notes);
        n.putAll(later.notes);
        return new HostFixes(o, r, n);
    }

    boolean allSucceeded() {
        return outcomes.values().stream().allMatch(FixOutcome::succeeded);
    }
}
