package dev.postflight.remedy;

import dev.postflight.transport.ExecResult;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A host's fix lock ({@code ~/.local/state/postflight/lock}) and the fix history it prints, which
 * decides cooldowns: taken before a host's first fix, each fix's outcome recorded in it, released
 * after the last. See {@link FixScript#lock} for the lock's rules on the host.
 */
final class HostLock {
    private static final int LOCKED = 75;

    private final HostConnection connection;
    private final String runId;
    private final FixHistory history;
    private final Clock clock;

    /** What trying to take the lock came to. */
    sealed interface Attempt {
        /** The lock is this run's; {@code stale} names the holder whose dead lock it took over. */
        record Taken(HostLock lock, Optional<LockHolder> stale) implements Attempt {}

        /** Another postflight's live worker holds it. */
        record HeldBy(String holder) implements Attempt {}

        /** The lock script failed (e.g. the state folder cannot be created). */
        record Refused(String why) implements Attempt {}
    }

    private HostLock(HostConnection connection, String runId, FixHistory history, Clock clock) {
        this.connection = connection;
        this.runId = runId;
        this.history = history;
        this.clock = clock;
    }

    static Attempt take(
            HostConnection c, String runId, String operator, boolean breakLock, Clock clock)
            throws HostUnreachable, InterruptedException {
        ExecResult l = exec(c, FixScript.lock(runId, operator, breakLock));
        String out = new String(l.stdout(), StandardCharsets.UTF_8);
        int exit = l.exitStatus().orElse(-1);
        if (exit == LOCKED) return new Attempt.HeldBy(LockHolder.parse(out).describe());
        if (exit != 0)
            return new Attempt.Refused(new String(l.stderr(), StandardCharsets.UTF_8).strip());
        return new Attempt.Taken(
                new HostLock(c, runId, FixHistory.parse(out, clock.instant()), clock),
                LockHolder.staleIn(out));
    }

    /** Why the fix may not run yet, if it ran within its cooldown. */
    Optional<String> cooldown(Plan.PlannedFix f) {
        return history.cooldown(f.name(), f.fix().cooldown());
    }

    /** Why the cooldown was not applied, if the host's and the runner's clocks disagree. */
    Optional<String> clockNote(Plan.PlannedFix f) {
        return history.clockNote(f.name(), f.fix().cooldown());
    }

    /** Appends the fix's outcome to the host's history, in the host's and the runner's time. */
    void record(Plan.PlannedFix f, FixOutcome o) throws HostUnreachable, InterruptedException {
        exec(
                connection,
                FixScript.record(f.name(), o.succeeded() ? "ok" : "failed", clock.instant()));
    }

    /** Releases the lock unless a worker of this run still holds it (it releases it itself). */
    void release() throws HostUnreachable, InterruptedException {
        exec(connection, FixScript.unlock(runId));
    }

    private static ExecResult exec(HostConnection c, String script)
            throws HostUnreachable, InterruptedException {
        return c.exec(
                FixExecution.SHELL,
                script.getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(30));
    }
}
