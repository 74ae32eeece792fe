package dev.postflight.check;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A backup job's 5-field cron expression, as in a crontab: minute hour day-of-month month
 * day-of-week. Its slots are computed in the host's own zone, as cron there computes them, with
 * cron-utils; daylight-saving nights follow cron (a repeated local time is one slot).
 */
record BackupSchedule(String expression, Cron cron) {
    private static final CronParser PARSER =
            new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    /** Parses; the message of a bad expression is cron-utils' own, made readable. */
    static BackupSchedule parse(String expression) {
        String e = expression.trim();
        try {
            Cron cron = PARSER.parse(e);
            cron.validate();
            return new BackupSchedule(e, cron);
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException(
                    "'"
                            + e
                            + "' is not a cron schedule (minute hour day month weekday, like"
                            + " \"41 3 * * *\"): "
                            + readable(ex.getMessage()));
        }
    }

    private static String readable(String message) {
        if (message == null || message.isBlank()) return "cannot be parsed";
        String m = message.strip().replaceFirst("^Failed to parse cron expression\\.\\s*", "");
        m = m.replaceAll("!+$", "");
        return m.isEmpty()
                ? "cannot be parsed"
                : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    private ExecutionTime executions() {
        return ExecutionTime.forCron(cron);
    }

    /**
     * The latest slot at or before {@code t}. In the repeated hour of a fall-back night a
     * fixed-time job runs once, at the first occurrence (as cron does); that is the slot given.
     */
    Optional<ZonedDateTime> lastAtOrBefore(ZonedDateTime t) {
        return executions()
                .lastExecution(t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1))
                .map(ZonedDateTime::withEarlierOffsetAtOverlap);
    }

    /** The first slot after {@code t}. */
    Optional<ZonedDateTime> nextAfter(ZonedDateTime t) {
        ExecutionTime et = executions();
        Optional<ZonedDateTime> next = et.nextExecution(t);
        // The second occurrence of a repeated local time is not a slot of its own.
        while (next.isPresent() && !next.get().withEarlierOffsetAtOverlap().isAfter(t)) {
            next = et.nextExecution(next.get());
        }
        return next.map(ZonedDateTime::withEarlierOffsetAtOverlap);
    }

    /** Every slot in [{@code from}, {@code to}], each local time once, at most {@code limit}. */
    List<ZonedDateTime> between(ZonedDateTime from, ZonedDateTime to, int limit) {
        TreeSet<ZonedDateTime> slots =
                new TreeSet<>(Comparator.comparing(ZonedDateTime::toInstant));
        ExecutionTime et = executions();
        Optional<ZonedDateTime> s = et.nextExecution(from.minusSeconds(1));
        while (s.isPresent() && !s.get().isAfter(to) && slots.size() < limit) {
            ZonedDateTime slot = s.get().withEarlierOffsetAtOverlap();
            if (!slot.isBefore(from)) slots.add(slot);
            s = et.nextExecution(s.get());
        }
        return List.copyOf(slots);
    }
}
