package dev.postflight.check;

import java.time.Instant;
import java.util.Optional;

/**
 * The moment a check is judged at, read once per host by the runner: the runner's clock, and the
 * host's clock as its probe batch read it (absent for runner-only checks and when it could not be
 * read). Checks never read a clock themselves, so a judgement is a pure function of what was seen
 * and this.
 */
public record Now(Instant runner, Optional<HostTime> hostClock) {

    public static Now at(Instant runner) {
        return new Now(runner, Optional.empty());
    }

    /** The host's idea of now: its batch's clock reading, else the runner's clock. */
    public Instant host() {
        return hostClock.map(HostTime::host).orElse(runner);
    }
}
