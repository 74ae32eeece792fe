package dev.postflight.run;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The host's clock as its probe batch printed it first thing: epoch seconds, the resolution of the
 * tool that read it, and whether it was the very first output (nothing, e.g. a login banner, came
 * before it; only then does its arrival bound when it was read).
 */
public record HostClock(Instant time, Duration resolution, String resolutionName, boolean first) {

    static Optional<HostClock> parse(String epoch, String unit, boolean first) {
        try {
            BigDecimal seconds = new BigDecimal(epoch);
            long whole = seconds.longValue();
            long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
            Instant t = Instant.ofEpochSecond(whole, nanos);
            return switch (unit) {
                case "ns" ->
                        Optional.of(
                                new HostClock(
                                        t, Duration.ofNanos(1), "nanoseconds (date +%N)", first));
                case "us" ->
                        Optional.of(
                                new HostClock(
                                        t, Duration.ofNanos(1000), "microseconds (perl)", first));
                // date +%s truncates: the true time lies in [t, t+1s), so its middle, ±0.5s.
                case "s" ->
                        Optional.of(
                                new HostClock(
                                        t.plusMillis(500),
                                        Duration.ofMillis(500),
                                        "whole seconds (date +%s)",
                                        first));

                default -> Optional.empty();
            };
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
