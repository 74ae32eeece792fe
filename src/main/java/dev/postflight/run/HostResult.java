package dev.postflight.run;

import dev.postflight.check.Status;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything about one host in a run: how it was reached (or why not, and what kind of failure that
 * was), each check's verdict, how long it took, how many commands were sent to it and, after {@code
 * --fix}, what became of each fix planned for it.
 */
public record HostResult(
        String host,
        String via,
        Optional<String> hostKey,
        Optional<String> unreachable,
        List<CheckResult> checks,
        Duration elapsed,
        int execs,
        List<FixResult> fixes,
        Optional<UnreachableKind> unreachableKind) {

    /** An unreachable host's kind of failure is {@link UnreachableKind#UNKNOWN} unless given. */
    public HostResult {
        checks = List.copyOf(checks);
        fixes = List.copyOf(fixes);
        if (unreachable.isEmpty() && unreachableKind.isPresent())
            throw new IllegalArgumentException(
                    "unreachableKind " + unreachableKind.get() + " of a host that was reached");
        if (unreachable.isPresent() && unreachableKind.isEmpty())
            unreachableKind = Optional.of(UnreachableKind.UNKNOWN);
    }

    /** A host whose kind of failure, if unreachable, was not recorded. */
    public HostResult(
            String host,
            String via,
            Optional<String> hostKey,
            Optional<String> unreachable,
            List<CheckResult> checks,
            Duration elapsed,
            int execs,
            List<FixResult> fixes) {
        this(host, via, hostKey, unreachable, checks, elapsed, execs, fixes, Optional.empty());
    }

    /** A host of a run without {@code --fix}. */
    public HostResult(
            String host,
            String via,
            Optional<String> hostKey,
            Optional<String> unreachable,
            List<CheckResult> checks,
            Duration elapsed,
            int execs) {
        this(host, via, hostKey, unreachable, checks, elapsed, execs, List.of());
    }

    /** The same host, its failure to be reached of kind {@code kind}. */
    public HostResult unreachableAs(UnreachableKind kind) {
        return new HostResult(
                host, via, hostKey, unreachable, checks, elapsed, execs, fixes, Optional.of(kind));
    }

    /** The same host with {@code checks} and {@code fixes} instead of its own. */
    public HostResult with(List<CheckResult> checks, List<FixResult> fixes) {
        return new HostResult(
                host, via, hostKey, unreachable, checks, elapsed, execs, fixes, unreachableKind);
    }

    public long count(Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }

    /** The worst status of this host; unreachable counts as error, a failed fix as fail. */
    public Status worst() {
        Status w = unreachable.isPresent() ? Status.ERROR : Status.PASS;
        for (CheckResult c : checks) w = w.worse(c.status());
        if (fixes.stream().anyMatch(FixResult::failsRun)) w = w.worse(Status.FAIL);
        return w;
    }

    /** Unreachable, a critical check failed or could not be judged, or an approved fix failed. */
    public boolean failsRun() {
        return unreachable.isPresent()
                || checks.stream().anyMatch(CheckResult::failsRun)
                || fixes.stream().anyMatch(FixResult::failsRun);
    }
}
