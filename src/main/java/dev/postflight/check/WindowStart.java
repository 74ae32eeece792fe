package dev.postflight.check;

import dev.postflight.input.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Where a backup check's list of runs due "since" starts: an instant ({@code verify --since}, or
 * {@code window_start: 2026-11-23T02:00:00+09:00}), or a duration before the host's now.
 */
sealed interface WindowStart {
    Instant from(Instant hostNow);

    /** {@code 2026-11-23T02:00:00+09:00}, {@code 2026-11-22T17:00:00Z} or {@code 6h}. */
    static Optional<WindowStart> parse(String text) {
        String t = text.trim();
        Optional<Duration> d = Durations.parse(t);
        if (d.isPresent()) return Optional.of(new Before(d.get()));
        try {
            return Optional.of(new At(OffsetDateTime.parse(t).toInstant()));
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(new At(Instant.parse(t)));
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
    }

    record At(Instant instant) implements WindowStart {
        @Override
        public Instant from(Instant hostNow) {
            return instant;
        }
    }

    record Before(Duration duration) implements WindowStart {
        @Override
        public Instant from(Instant hostNow) {
            return hostNow.minus(duration);
        }
    }
}
