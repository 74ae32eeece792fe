package dev.postflight.remedy;

import dev.postflight.check.Check;
import dev.postflight.inventory.Host;
import dev.postflight.run.CheckResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Verifies again the checks a host's fixes were for: once the fixes' longest {@code settle} has
 * passed since the last fix finished, and again after each further {@code settle} while a check
 * still fails, up to the fixes' largest {@code retries}. The clock and the sleeper are injected, so
 * the schedule is tested without waiting.
 */
final class Reverify {

    /** Waits; {@link #REAL} is {@link Thread#sleep(Duration)}. */
    @FunctionalInterface
    interface Sleeper {
        Sleeper REAL = Thread::sleep;

        void sleep(Duration d) throws InterruptedException;
    }

    /** Runs checks on a host and returns their results (the runner, in production). */
    @FunctionalInterface
    interface Checks {
        List<CheckResult> run(Host host, List<Check> checks) throws InterruptedException;
    }

    private final Checks run;
    private final Clock clock;
    private final Sleeper sleeper;
    private final BooleanSupplier cancelled;

    Reverify(Checks run, Clock clock, Sleeper sleeper, BooleanSupplier cancelled) {
        this.run = run;
        this.clock = clock;
        this.sleeper = sleeper;
        this.cancelled = cancelled;
    }

    /**
     * The latest result of each check {@code ran} was for, by check id; empty when no fix ran.
     * {@code finished}: when the last of them finished.
     */
    Map<String, CheckResult> after(
            Instant finished, Host host, List<Check> checks, List<Plan.PlannedFix> ran)
            throws InterruptedException {
        if (ran.isEmpty()) return Map.of();
        Set<String> ids = new LinkedHashSet<>();
        Duration settle = Duration.ZERO;
        int retries = 0;
        for (Plan.PlannedFix f : ran) {
            ids.addAll(f.checks());
            if (f.fix().settle().compareTo(settle) > 0) settle = f.fix().settle();
            retries = Math.max(retries, f.fix().retries());
        }
        List<Check> again = checks.stream().filter(c -> ids.contains(c.id())).toList();
        Map<String, CheckResult> latest = new LinkedHashMap<>();
        Instant due = finished.plus(settle);
        for (int attempt = 0; attempt <= retries; attempt++) {
            Duration wait = Duration.between(clock.instant(), due);
            if (wait.isPositive()) sleeper.sleep(wait);
            for (CheckResult r : run.run(host, again)) latest.put(r.id(), r);
            if (latest.values().stream().noneMatch(CheckResult::failsRun)
                    || cancelled.getAsBoolean()) break;
            due = clock.instant().plus(settle);
        }
        return latest;
    }
}
