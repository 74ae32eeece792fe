package dev.postflight.check;

import java.time.Instant;
import java.util.List;

/**
 * What one kind of check is: the spec the user wrote (a record), what it observes ({@link
 * #probe()}, a typed value) and how it judges that value. Judging is pure: no I/O, no clock (the
 * moment comes in {@link Now}), and no "did the probe run?" test — the runner turns a probe that
 * could not run into an {@code error} before {@link #judge} is called. One check type = its own
 * file, its test and one line in {@link CheckType}.
 *
 * @param <T> what the check observes
 */
public interface CheckSpec<T> {

    /** What to observe on the host and from the runner. */
    Probe<T> probe();

    /** Judges what was observed; never throws for anything a host could send. */
    Verdict judge(T seen, Now now);

    /** One line for {@code postflight list}: what is checked and expected. */
    String describe();

    /**
     * The same check for a maintenance window that started at {@code start} ({@code verify
     * --since}); checks that do not look back in time return themselves.
     */
    default CheckSpec<T> withSince(Instant start) {
        return this;
    }

    /**
     * The same check in a run whose user approved changes to hosts ({@code verify --fix}); only
     * checks that change something while observing (refreshing package lists) differ.
     */
    default CheckSpec<T> withChangesApproved() {
        return this;
    }

    /**
     * Whether the check needs the host's connection: its probes or clock, or (overridden by
     * runner-side checks that tunnel through it) a connection the host opens.
     */
    default boolean needsConnection() {
        return !hostProbes().isEmpty() || needsHostTime();
    }

    /** The shell snippets this check needs run in the host's batch, in probe order. */
    default List<HostProbe> hostProbes() {
        return Observed.hostSnippets(probe());
    }

    /** Whether the check needs the host's clock (read at the start of the batch). */
    default boolean needsHostTime() {
        return Observed.needsClock(probe());
    }

    /** Whether part of the check runs on the runner (HTTP, TLS, TCP, NTP). */
    default boolean hasRunnerProbe() {
        return !Observed.runnerProbes(probe()).isEmpty();
    }
}
