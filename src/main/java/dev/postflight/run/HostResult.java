package dev.postflight.run;

import dev.postflight.check.Status;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything about one host in a run: how it was reached (or why not), each check's verdict, how
 * long it took and how many commands were sent to it.
 */
public record HostResult(
        String host,
        String via,
        Optional<String> hostKey,
        Optional<String> unreachable,
        List<CheckResult> checks,
        Duration elapsed,
        int execs) {

    public HostResult {
        checks = List.copyOf(checks);
    }

    public long count(Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }

    /** The worst status of this host; unreachable counts as error. */
    public Status worst() {
        Status w = unreachable.isPresent() ? Status.ERROR : Status.PASS;
        for (CheckResult c : checks) w = w.worse(c.status());
        return w;
    }

    public boolean failsRun() {
        return unreachable.isPresent() || checks.stream().anyMatch(CheckResult::failsRun);
    }
}
