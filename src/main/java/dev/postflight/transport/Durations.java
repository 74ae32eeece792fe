package dev.postflight.transport;

import java.time.Duration;

/** Durations the way operators write them in messages: {@code 5s}, {@code 250ms}, {@code 2m}. */
final class Durations {

    private Durations() {}

    static String human(Duration d) {
        long millis = d.toMillis();
        if (millis % 60_000 == 0 && millis > 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    /** Seconds to a tenth, for how long a phase lasted: {@code 6.0s}. */
    static String tenths(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
