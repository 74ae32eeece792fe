package dev.postflight.check;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time a log line was written, as the host's logs write it: ISO-8601 (journalctl's {@code
 * short-iso} included) or syslog's {@code Nov 23 03:41:02}, which has no year and no zone.
 */
final class LogTimestamps {
    private LogTimestamps() {}

    private static final Pattern ISO =
            Pattern.compile(
                    "(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2}(?::\\d{2}(?:[.,](\\d{1,9}))?)?)"
                            + "(Z|[+-]\\d{2}(?::?\\d{2})?)?");
    private static final Pattern SYSLOG =
            Pattern.compile(
                    "\\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\\d{1,2})"
                            + " (\\d{2}):(\\d{2}):(\\d{2})\\b");

    /**
     * The first timestamp in a log line: ISO-8601 ({@code 2026-11-23T03:41:02+09:00}, journalctl's
     * {@code +0900}, or none: host zone) or syslog's {@code Nov 23 03:41:02}, whose year is the one
     * that puts it no more than a day after the host's now, in the host's zone.
     */
    static Optional<Instant> timestampOf(String line, Instant now, ZoneId zone) {
        Matcher iso = ISO.matcher(line);
        Matcher sys = SYSLOG.matcher(line);
        boolean hasIso = iso.find();
        boolean hasSys = sys.find();
        try {
            if (hasIso && (!hasSys || iso.start() <= sys.start())) {
                // ISO-8601 lets a writer leave out zero seconds (Java's OffsetDateTime does).
                String time = iso.group(2).replace(',', '.');
                LocalDateTime ldt = LocalDateTime.parse(iso.group(1) + "T" + time);
                if (iso.group(4) == null) return Optional.of(ldt.atZone(zone).toInstant());
                return Optional.of(ldt.atOffset(ZoneOffset.of(iso.group(4))).toInstant());
            }
            if (hasSys) {
                Month month = monthOf(sys.group(1));
                int day = Integer.parseInt(sys.group(2));
                int year = now.atZone(zone).getYear();
                Instant latest = now.plus(Duration.ofDays(1));
                for (int y = year; y >= year - 4; y--) {
                    try {
                        Instant t =
                                LocalDateTime.of(
                                                y,
                                                month,
                                                day,
                                                Integer.parseInt(sys.group(3)),
                                                Integer.parseInt(sys.group(4)),
                                                Integer.parseInt(sys.group(5)))
                                        .atZone(zone)
                                        .toInstant();
                        if (!t.isAfter(latest)) return Optional.of(t);
                    } catch (DateTimeException e) {
                        // Feb 29 in a year that has none: try the year before.
                    }
                }
            }
        } catch (DateTimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Month monthOf(String abbreviation) {
        for (Month m : Month.values()) {
            if (m.getDisplayName(TextStyle.SHORT, Locale.ROOT).equals(abbreviation)) return m;
        }
        throw new DateTimeException("no month " + abbreviation);
    }
}
