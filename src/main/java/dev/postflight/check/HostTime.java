package dev.postflight.check;

import java.time.Duration;
import java.time.Instant;

/**
 * The host's clock as read at the start of its probe batch, with what bounds the moment of reading
 * on the runner's clock: the host read it after the runner sent the command ({@code earliest}) and
 * before the runner received it ({@code latest}). The midpoint is the best estimate; half the
 * interval, plus the host clock's own resolution, is the uncertainty.
 */
public record HostTime(
        Instant host,
        Duration resolution,
        String resolutionName,
        Instant earliest,
        Instant latest) {

    /** The runner's instant that corresponds to {@link #host()}. */
    public Instant runnerMidpoint() {
        return earliest.plus(Duration.between(earliest, latest).dividedBy(2));
    }

    /** ± this much: half the bounding interval plus the clock's resolution. */
    public Duration uncertainty() {
        return Duration.between(earliest, latest).dividedBy(2).plus(resolution);
    }

    /** Host clock minus runner clock (positive: the host is ahead). */
    public Duration offsetFromRunner() {
        return Duration.between(runnerMidpoint(), host);
    }
}
