package dev.postflight.input;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users write them ({@code 250ms}, {@code 30s}, {@code 5m}, {@code 26h}, {@code 7d}).
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {}

    /** Parses {@code 1h30m}-style text; empty when it is not a duration. */
    public static Optional<Duration> parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) return Optional.empty();
        Matcher m = PART.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) return Optional.empty();
            try {
                long n = Long.parseLong(m.group(1));
                total =
                        total.plus(
                                switch (m.group(2)) {
                                    case "ms" -> Duration.ofMillis(n);
                                    case "s" -> Duration.ofSeconds(n);
                                    case "m" -> Duration.ofMinutes(n);
                                    case "h" -> Duration.ofHours(n);
                                    default -> Duration.ofDays(n);
                                });
            } catch (NumberFormatException | ArithmeticException e) {
                return Optional.empty(); // too large to count: not a duration anyone means
            }
            end = m.end();
        }
        return end == s.length() ? Optional.of(total) : Optional.empty();
    }

    /** Formats for people: {@code 3h02m}, {@code 1.25s}, {@code 250ms}, {@code 2d4h}. */
    public static String format(Duration d) {
        boolean negative = d.isNegative();
        Duration a = d.abs();
        String s;
        if (a.compareTo(Duration.ofSeconds(1)) < 0) {
            s = a.toMillis() + "ms";
        } else if (a.compareTo(Duration.ofMinutes(1)) < 0) {
            s = String.format(Locale.ROOT, "%.2fs", a.toMillis() / 1000.0);
        } else if (a.compareTo(Duration.ofHours(1)) < 0) {
            s = String.format(Locale.ROOT, "%dm%02ds", a.toMinutes(), a.toSecondsPart());
        } else if (a.compareTo(Duration.ofDays(1)) < 0) {
            s = String.format(Locale.ROOT, "%dh%02dm", a.toHours(), a.toMinutesPart());
        } else {
            s = String.format(Locale.ROOT, "%dd%dh", a.toDays(), a.toHoursPart());
        }
        return negative ? "-" + s : s;
    }

    /**
     * A limit as it was set, in whole units where it has them: {@code 5s}, {@code 250ms}, {@code
     * 2m}.
     */
    public static String limit(Duration d) {
        long millis = d.toMillis();
        if (millis % 60_000 == 0 && millis > 0) return millis / 60_000 + "m";
        if (millis % 1000 == 0) return millis / 1000 + "s";
        return millis + "ms";
    }

    /** Seconds to a tenth, for how long a phase lasted: {@code 6.0s}. */
    public static String tenths(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
