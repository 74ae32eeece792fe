package dev.postflight.check;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.postflight.checklist.Amount;
import dev.postflight.checklist.Durations;
import dev.postflight.checklist.Fields;
import dev.postflight.checklist.Template;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A backup job ran when it was due. Seed 003: a cron backup due inside the provider's 02:00–05:00
 * window never ran, and nothing said so; seed 004 ran nightly rsyncs at 03:41 and 05:41. The
 * evidence of a successful run is a marker file, the newest file in a backup directory, or the
 * newest matching line of a log. Its time is compared with the host's own clock and, with a {@code
 * schedule}, with the cron slots computed in the host's own time zone, so a clock that stood still
 * during the window or a runner in another zone does not distort the verdict.
 */
public record BackupCheck(
        Evidence evidence,
        Optional<Duration> maxAge,
        Optional<Schedule> schedule,
        Duration grace,
        Optional<WindowStart> windowStart)
        implements LegacySpec {

    static final Duration DEFAULT_GRACE = Duration.ofHours(1);

    /** How many of a directory's newest files, and of a log's newest matching lines, come back. */
    static final int NEWEST_LIMIT = 20;

    /** How much of one log line comes back. */
    static final int LINE_CHARS = 400;

    /** How many missed slots are named at most. */
    static final int MISSED_LIMIT = 50;

    static final List<String> SOURCES = List.of("marker", "newest_in", "log");

    private static final DateTimeFormatter MINUTE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    public BackupCheck {
        if (maxAge.isEmpty() && schedule.isEmpty()) {
            throw new IllegalArgumentException(
                    "needs max_age, schedule or both: how old may the last backup be, or when is"
                            + " it due (a cron expression like \"41 3 * * *\")");
        }
        maxAge.filter(d -> d.isNegative() || d.isZero())
                .ifPresent(d -> {
                    throw new IllegalArgumentException("max_age must be positive");
                });
        if (grace.isNegative()) throw new IllegalArgumentException("grace must not be negative");
        if (windowStart.isPresent() && schedule.isEmpty()) {
            throw new IllegalArgumentException(
                    "window_start needs a schedule: it lists the scheduled runs since then");
        }
    }

    /** Where the evidence of a successful run is found on the host. */
    public sealed interface Evidence permits Marker, NewestIn, LogFile, Journal {}

    /** A file the job touches after each successful run; its mtime is the evidence. */
    public record Marker(String path) implements Evidence {
        public Marker {
            absolute("marker", path);
        }
    }

    /**
     * The newest regular file in a directory whose name matches a glob; a file smaller than {@code
     * minSize} (a truncated dump) is not evidence.
     */
    public record NewestIn(String dir, String pattern, Optional<Long> minSize) implements Evidence {
        public NewestIn {
            absolute("newest_in", dir);
            if (pattern.isEmpty() || pattern.contains("/")) {
                throw new IllegalArgumentException(
                        "pattern is a glob on the file name, like *.tar.gz, got '" + pattern + "'");
            }
        }
    }

    /** The newest line of a log file that matches a POSIX extended regex (run by grep -E). */
    public record LogFile(String path, Pattern matches) implements Evidence {
        public LogFile {
            absolute("log", path);
        }
    }

    /** The newest line of a systemd unit's journal that matches a POSIX extended regex. */
    public record Journal(String unit, Pattern matches) implements Evidence {}

    /** A 5-field cron expression, as in a crontab: minute hour day-of-month month day-of-week. */
    public record Schedule(String expression, Cron cron) {
        private static final CronParser PARSER =
                new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

        /** Parses; the message of a bad expression is cron-utils' own, made readable. */
        public static Schedule parse(String expression) {
            String e = expression.trim();
            try {
                Cron cron = PARSER.parse(e);
                cron.validate();
                return new Schedule(e, cron);
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

        ExecutionTime executions() {
            return ExecutionTime.forCron(cron);
        }

        /**
         * The latest slot at or before {@code t}. In the repeated hour of a fall-back night a
         * fixed-time job runs once, at the first occurrence (as cron does); that is the slot given.
         */
        public Optional<ZonedDateTime> lastAtOrBefore(ZonedDateTime t) {
            return executions()
                    .lastExecution(t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1))
                    .map(ZonedDateTime::withEarlierOffsetAtOverlap);
        }

        /** The first slot after {@code t}. */
        public Optional<ZonedDateTime> nextAfter(ZonedDateTime t) {
            ExecutionTime et = executions();
            Optional<ZonedDateTime> next = et.nextExecution(t);
            // The second occurrence of a repeated local time is not a slot of its own.
            while (next.isPresent() && !next.get().withEarlierOffsetAtOverlap().isAfter(t)) {
                next = et.nextExecution(next.get());
            }
            return next.map(ZonedDateTime::withEarlierOffsetAtOverlap);
        }

        /**
         * Every slot in [{@code from}, {@code to}], each local time once, at most {@code limit}.
         */
        public List<ZonedDateTime> between(ZonedDateTime from, ZonedDateTime to, int limit) {
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

    /**
     * Where the list of runs due "since" starts: an instant, or a duration before the host's now.
     */
    public sealed interface WindowStart permits At, Before {
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
    }

    public record At(Instant instant) implements WindowStart {
        @Override
        public Instant from(Instant hostNow) {
            return instant;
        }
    }

    public record Before(Duration duration) implements WindowStart {
        @Override
        public Instant from(Instant hostNow) {
            return hostNow.minus(duration);
        }
    }

    /**
     * The same check, listing every run due since {@code start} (e.g. the maintenance window's).
     */
    @Override
    public BackupCheck withSince(Instant start) {
        return since(start);
    }

    public BackupCheck since(Instant start) {
        if (schedule.isEmpty()) return this;
        return new BackupCheck(evidence, maxAge, schedule, grace, Optional.of(new At(start)));
    }

    /** The newest evidence found: what it is (a path, or a log line) and when it was written. */
    record Found(String where, Instant at, List<String> facts) {
        Found {
            facts = List.copyOf(facts);
        }
    }

    /**
     * What the probe saw, typed: the host's clock and zone, the newest evidence (or why there is
     * none), and newer candidates that were not counted (a truncated dump, an unreadable line).
     */
    record Seen(
            Instant now,
            ZoneId zone,
            Optional<Found> newest,
            String absence,
            List<String> rejected,
            List<String> notes) {
        Seen {
            rejected = List.copyOf(rejected);
            notes = List.copyOf(notes);
        }

        static Seen found(Instant now, ZoneId zone, Found f) {
            return new Seen(now, zone, Optional.of(f), "", List.of(), List.of());
        }
    }

    static Optional<BackupCheck> parse(Fields f) {
        Optional<String> marker = f.text("marker");
        Optional<String> newestIn = f.text("newest_in");
        Optional<String> log = f.text("log");
        Optional<String> pattern = f.text("pattern");
        Optional<Amount> min = f.amount("min_size");
        Optional<Pattern> matches = f.regex("matches");
        Optional<String> unit = f.text("unit");
        Optional<Duration> maxAge = f.duration("max_age");
        Optional<String> scheduleText = f.text("schedule");
        Duration grace = f.duration("grace").orElse(DEFAULT_GRACE);
        Optional<String> windowText = f.text("window_start");

        List<String> given = SOURCES.stream().filter(f::has).toList();
        if (given.isEmpty()) {
            f.error(
                    "needs one evidence source: marker (a file touched after each successful"
                            + " run), newest_in (a directory of backup files) or log (a log file,"
                            + " or journal with unit)");
            return Optional.empty();
        }
        if (given.size() > 1) {
            f.error(
                    given.get(1),
                    given.get(0)
                            + " is set too; a backup check reads one evidence source (marker,"
                            + " newest_in or log)");
            return Optional.empty();
        }
        if (newestIn.isEmpty()) {
            if (pattern.isPresent()) f.error("pattern", "applies only to newest_in");
            if (min.isPresent()) f.error("min_size", "applies only to newest_in");
        }
        if (log.isEmpty() && matches.isPresent()) f.error("matches", "applies only to log");
        boolean journal = log.filter("journal"::equals).isPresent();
        if (!journal && unit.isPresent()) f.error("unit", "applies only to log: journal");
        if (journal && unit.isEmpty() && f.has("log")) {
            f.error("log", "journal needs unit: NAME (the systemd unit that runs the backup)");
        }
        if (log.isPresent() && matches.isEmpty() && !f.has("matches")) {
            f.error(
                    "log",
                    "needs matches: REGEX, the line a successful run writes (e.g. \"backup"
                            + " (done|finished)\")");
        }
        matches.map(p -> ereProblem(p.pattern()))
                .flatMap(x -> x)
                .ifPresent(problem -> f.error("matches", problem));
        if (min.filter(Amount::percent).isPresent()) {
            f.error("min_size", "must be a size like 1K or 512M, not a percentage");
        }
        Optional<Schedule> schedule = Optional.empty();
        if (scheduleText.isPresent()) {
            try {
                schedule = Optional.of(Schedule.parse(scheduleText.get()));
            } catch (IllegalArgumentException e) {
                f.error("schedule", e.getMessage());
            }
        }
        Optional<WindowStart> window = windowText.flatMap(WindowStart::parse);
        if (windowText.isPresent() && window.isEmpty()) {
            f.error(
                    "window_start",
                    "'"
                            + windowText.get()
                            + "' is neither an ISO-8601 time like 2026-11-23T02:00:00+09:00 nor a"
                            + " duration before now like 6h");
        }
        Optional<Long> minSize = min.map(a -> (long) a.value());
        Optional<Schedule> s = schedule;
        return f.build(() -> {
            Evidence e;
            if (marker.isPresent()) {
                e = new Marker(marker.get());
            } else if (newestIn.isPresent()) {
                e = new NewestIn(newestIn.get(), pattern.orElse("*"), minSize);
            } else if (journal) {
                e = new Journal(unit.orElseThrow(), matches.orElseThrow());
            } else {
                e = new LogFile(log.orElseThrow(), matches.orElseThrow());
            }
            return new BackupCheck(e, maxAge, s, grace, window);
        });
    }

    /** Java-only regex syntax that grep -E on the host would read differently. */
    static Optional<String> ereProblem(String regex) {
        if (regex.contains("\\d")) {
            return Optional.of(
                    "is run by grep -E on the host, which has no \\d: write [0-9] instead");
        }
        if (regex.contains("(?")) {
            return Optional.of(
                    "is run by grep -E on the host, which has no (?...) groups or lookaround");
        }
        return Optional.empty();
    }

    private static void absolute(String key, String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(
                    key + " must be an absolute path, got '" + path + "'");
        }
    }

    @Override
    public List<HostProbe> hostProbes() {
        String clock =
                """
                echo "now=${PF_NOW:-$(date +%s)}"
                echo "offset=$(date +%z)"
                if [ -L /etc/localtime ]; then echo "zone_localtime=$(readlink /etc/localtime)"; fi
                if [ -r /etc/timezone ]; then echo "zone_timezone=$(head -n 1 /etc/timezone)"; fi
                if [ -r /var/db/zoneinfo ]; then echo "zone_zoneinfo=$(head -n 1 /var/db/zoneinfo)"; fi
                if [ -n "${TZ:-}" ]; then echo "zone_tz=$TZ"; fi
                """;
        String stat =
                """
                if [ "$PF_UNAME" = Linux ] || stat -c %n / >/dev/null 2>&1; then sf=-c; fmt='%Y|%s|%n'
                elif command -v stat >/dev/null 2>&1; then sf=-f; fmt='%m|%z|%N'
                else echo 'no stat command' >&2; exit 127
                fi
                """;
        String body =
                switch (evidence) {
                    case Marker m ->
                            stat
                                    + "p="
                                    + Template.shellQuote(m.path())
                                    + "\n"
                                    + """
                                    if [ ! -e "$p" ]; then
                                      d=$(dirname "$p")
                                      if [ -d "$d" ] && [ ! -x "$d" ]; then echo "$d: permission denied" >&2; exit 2; fi
                                      echo missing=1; exit 0
                                    fi
                                    printf 'file='; stat "$sf" "$fmt" "$p" || exit 2
                                    """;
                    case NewestIn n ->
                            stat
                                    + "d="
                                    + Template.shellQuote(n.dir())
                                    + "\npat="
                                    + Template.shellQuote(n.pattern())
                                    + "\n"
                                    + """
                                    if [ ! -d "$d" ]; then echo missing=1; exit 0; fi
                                    if [ ! -r "$d" ] || [ ! -x "$d" ]; then echo "$d: permission denied" >&2; exit 2; fi
                                    find -H "$d" -mindepth 1 -maxdepth 1 -type f -name "$pat" -exec stat "$sf" "$fmt" {} + \\
                                      | sort -t '|' -k1,1nr | head -n %d | sed 's/^/file=/'
                                    """
                                            .formatted(NEWEST_LIMIT);
                    case LogFile l ->
                            "p="
                                    + Template.shellQuote(l.path())
                                    + "\nre="
                                    + Template.shellQuote(l.matches().pattern())
                                    + "\n"
                                    + """
                                    if [ ! -e "$p" ]; then echo missing=1; exit 0; fi
                                    if [ ! -r "$p" ]; then echo "$p: permission denied" >&2; exit 2; fi
                                    grep -E -e "$re" "$p" | tail -n %d | cut -c 1-%d | sed 's/^/line=/'
                                    """
                                            .formatted(NEWEST_LIMIT, LINE_CHARS);
                    case Journal j ->
                            "u="
                                    + Template.shellQuote(j.unit())
                                    + "\nre="
                                    + Template.shellQuote(j.matches().pattern())
                                    + "\n"
                                    + """
                                    if ! command -v journalctl >/dev/null 2>&1; then
                                      echo 'journalctl: command not found (log: journal needs systemd)' >&2; exit 127
                                    fi
                                    journalctl -u "$u" -o short-iso --no-pager -q -r \\
                                      | grep -E -m %d -e "$re" | cut -c 1-%d | sed 's/^/line=/'
                                    """
                                            .formatted(NEWEST_LIMIT, LINE_CHARS);
                };
        return List.of(HostProbe.of(clock + body));
    }

    @Override
    public Verdict judge(Observation observation) {
        ProbeOutput o = observation.host(0);
        String what = "backup " + source();
        Optional<Verdict> notRun = o.didNotRun(what);
        if (notRun.isPresent()) return notRun.get();
        if (o.exitCode() != 0) {
            String e = o.err();
            return Verdict.error(
                    what + ": " + (e.isEmpty() ? "exit " + o.exitCode() : ProbeOutput.lastLine(e)));
        }
        Map<String, String> kv = new HashMap<>();
        List<String> files = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (String line : o.out().split("\n")) {
            if (line.startsWith("file=")) {
                files.add(line.substring(5));
            } else if (line.startsWith("line=")) {
                lines.add(line.substring(5));
            } else {
                int eq = line.indexOf('=');
                if (eq > 0) kv.putIfAbsent(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        Instant now;
        try {
            now = Instant.ofEpochSecond(Long.parseLong(kv.getOrDefault("now", "").trim()));
        } catch (NumberFormatException e) {
            return Verdict.error(what + ": the host's date +%s gave '" + kv.get("now") + "'");
        }
        List<String> notes = new ArrayList<>();
        Optional<ZoneId> zone = hostZone(kv, now, notes);
        if (zone.isEmpty()) {
            return Verdict.error(
                    what
                            + ": cannot tell the host's time zone (date +%z gave '"
                            + kv.getOrDefault("offset", "")
                            + "')");
        }
        ZoneId z = zone.get();
        boolean missing = kv.containsKey("missing");
        if (files.isEmpty() && !missing && evidence instanceof Marker) {
            return Verdict.error(what + ": unexpected stat output: " + o.out().strip());
        }
        Seen seen =
                switch (evidence) {
                    case Marker m ->
                            missing
                                    ? new Seen(
                                            now,
                                            z,
                                            Optional.empty(),
                                            "marker " + m.path() + " does not exist",
                                            List.of(),
                                            notes)
                                    : newestFile(files, now, z, Optional.empty(), "", notes);
                    case NewestIn n ->
                            missing
                                    ? new Seen(
                                            now,
                                            z,
                                            Optional.empty(),
                                            "directory " + n.dir() + " does not exist",
                                            List.of(),
                                            notes)
                                    : newestFile(
                                            files,
                                            now,
                                            z,
                                            n.minSize(),
                                            "no file"
                                                    + (n.pattern().equals("*")
                                                            ? ""
                                                            : " matching '" + n.pattern() + "'")
                                                    + " in "
                                                    + n.dir(),
                                            notes);
                    case LogFile l ->
                            missing
                                    ? new Seen(
                                            now,
                                            z,
                                            Optional.empty(),
                                            "log " + l.path() + " does not exist",
                                            List.of(),
                                            notes)
                                    : newestLine(lines, now, z, l.path(), l.matches(), notes);
                    case Journal j ->
                            newestLine(
                                    lines,
                                    now,
                                    z,
                                    "the journal of " + j.unit(),
                                    j.matches(),
                                    notes);
                };
        return judge(seen);
    }

    private Seen newestFile(
            List<String> files,
            Instant now,
            ZoneId zone,
            Optional<Long> minSize,
            String none,
            List<String> notes) {
        List<String> rejected = new ArrayList<>();
        List<String[]> parsed = new ArrayList<>();
        for (String f : files) {
            String[] p = f.split("\\|", 3);
            if (p.length == 3) parsed.add(p);
        }
        parsed.sort(Comparator.comparingLong((String[] p) -> parseLong(p[0])).reversed());
        for (String[] p : parsed) {
            long mtime = parseLong(p[0]);
            long size = parseLong(p[1]);
            if (mtime == Long.MIN_VALUE || size == Long.MIN_VALUE) continue;
            Amount sizeText = new Amount(size, false);
            if (minSize.isPresent() && size < minSize.get()) {
                rejected.add(
                        p[2]
                                + " ("
                                + sizeText
                                + ", "
                                + at(Instant.ofEpochSecond(mtime), zone)
                                + ") is below min_size "
                                + new Amount(minSize.get(), false));
                continue;
            }
            Found found =
                    new Found(
                            p[2],
                            Instant.ofEpochSecond(mtime),
                            List.of(
                                    "evidence: "
                                            + p[2]
                                            + ", "
                                            + sizeText
                                            + ", modified "
                                            + at(Instant.ofEpochSecond(mtime), zone)));
            return new Seen(now, zone, Optional.of(found), "", rejected, notes);
        }
        String absence =
                rejected.isEmpty()
                        ? none
                        : none.replaceFirst("^no file", "no file of at least min_size")
                                + (parsed.size() >= NEWEST_LIMIT
                                        ? " among its " + NEWEST_LIMIT + " newest"
                                        : "");
        return new Seen(now, zone, Optional.empty(), absence, rejected, notes);
    }

    private static Seen newestLine(
            List<String> lines,
            Instant now,
            ZoneId zone,
            String where,
            Pattern matches,
            List<String> notes) {
        Optional<Found> best = Optional.empty();
        int unreadable = 0;
        for (String line : lines) {
            Optional<Instant> t = timestampOf(line, now, zone);
            if (t.isEmpty()) {
                unreadable++;
                continue;
            }
            if (best.isEmpty() || t.get().isAfter(best.get().at())) {
                best =
                        Optional.of(
                                new Found(
                                        where + ": \"" + shorten(line.strip(), 120) + "\"",
                                        t.get(),
                                        List.of("newest matching line: " + line.strip())));
            }
        }
        String absence =
                lines.isEmpty()
                        ? "no line matching /" + matches.pattern() + "/ in " + where
                        : lines.size()
                                + " lines match /"
                                + matches.pattern()
                                + "/ in "
                                + where
                                + " but none has a timestamp postflight can read (syslog"
                                + " 'Nov 23 03:41:02' or ISO-8601)";
        List<String> n = new ArrayList<>(notes);
        if (unreadable > 0 && best.isPresent()) {
            n.add(unreadable + " matching lines without a readable timestamp were ignored");
        }
        return new Seen(now, zone, best, absence, List.of(), n);
    }

    private static final Pattern ISO =
            Pattern.compile(
                    "(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2}:\\d{2})(?:[.,](\\d{1,9}))?"
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
                String frac = iso.group(3) == null ? "" : "." + iso.group(3);
                LocalDateTime ldt = LocalDateTime.parse(iso.group(1) + "T" + iso.group(2) + frac);
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

    /**
     * The host's zone: the first name it gives (/etc/localtime's link, /etc/timezone, FreeBSD's
     * /var/db/zoneinfo, TZ) that agrees with its {@code date +%z}; otherwise that fixed offset.
     */
    static Optional<ZoneId> hostZone(Map<String, String> kv, Instant now, List<String> notes) {
        Optional<ZoneOffset> offset = Optional.empty();
        String off = kv.getOrDefault("offset", "").trim();
        try {
            if (!off.isEmpty()) offset = Optional.of(ZoneOffset.of(off));
        } catch (DateTimeException e) {
            offset = Optional.empty();
        }
        List<String> names = new ArrayList<>();
        String link = kv.getOrDefault("zone_localtime", "");
        int at = link.indexOf("zoneinfo/");
        if (at >= 0) names.add(link.substring(at + "zoneinfo/".length()));
        names.add(kv.getOrDefault("zone_timezone", ""));
        names.add(kv.getOrDefault("zone_zoneinfo", ""));
        names.add(kv.getOrDefault("zone_tz", "").replaceFirst("^:", ""));
        for (String name : names) {
            String n = name.trim().replaceFirst("^posix/", "").replaceFirst("^right/", "");
            if (n.isEmpty()) continue;
            try {
                ZoneId z = ZoneId.of(n);
                if (offset.isEmpty() || z.getRules().getOffset(now).equals(offset.get())) {
                    return Optional.of(z);
                }
            } catch (DateTimeException e) {
                // Not a region name (e.g. TZ=JST-9): try the next source.
            }
        }
        if (offset.isPresent()) {
            notes.add(
                    "the host's zone name is unknown; its current offset "
                            + offset.get()
                            + " is used, so a DST change is not followed");
        }
        return offset.map(ZoneId.class::cast);
    }

    /** The pure judgement of what was seen; used directly by tests with fixed instants. */
    Verdict judge(Seen seen) {
        Instant now = seen.now();
        ZoneId zone = seen.zone();
        List<String> details = new ArrayList<>();
        seen.rejected().forEach(r -> details.add("not counted: " + r));
        details.addAll(seen.notes());
        if (seen.newest().isEmpty()) {
            String due =
                    schedule.flatMap(s -> s.lastAtOrBefore(now.minus(grace).atZone(zone)))
                            .map(slot -> " (a run was due at " + at(slot) + ")")
                            .orElse("");
            return Verdict.fail("no evidence of a successful backup: " + seen.absence() + due)
                    .withDetails(details);
        }
        Found f = seen.newest().get();
        details.addAll(0, f.facts());
        Duration age = Duration.between(f.at(), now);
        String ageText =
                age.isNegative()
                        ? "in the future by " + Durations.format(age.negated()) + " (host clock?)"
                        : Durations.format(age) + " ago";
        List<String> problems = new ArrayList<>();
        Optional<ZonedDateTime> pending = Optional.empty();
        if (schedule.isPresent()) {
            Schedule s = schedule.get();
            ZonedDateTime hostNow = now.atZone(zone);
            ZonedDateTime dueBy = now.minus(grace).atZone(zone);
            TreeSet<ZonedDateTime> missed =
                    new TreeSet<>(Comparator.comparing(ZonedDateTime::toInstant));
            s.lastAtOrBefore(dueBy)
                    .filter(slot -> slot.toInstant().isAfter(f.at()))
                    .ifPresent(missed::add);
            if (windowStart.isPresent()) {
                ZonedDateTime from = windowStart.get().from(now).atZone(zone);
                List<ZonedDateTime> inWindow = s.between(from, hostNow, MISSED_LIMIT);
                for (ZonedDateTime slot : inWindow) {
                    if (!slot.isAfter(dueBy)) {
                        if (slot.toInstant().isAfter(f.at())) missed.add(slot);
                    } else {
                        details.add(
                                "not yet due: "
                                        + at(slot)
                                        + " (grace "
                                        + Durations.format(grace)
                                        + ")");
                    }
                }
                details.add(
                        "runs due since "
                                + at(from)
                                + ": "
                                + (inWindow.isEmpty()
                                        ? "none"
                                        : inWindow.stream()
                                                .map(x -> x.format(MINUTE))
                                                .toList()
                                                .toString()));
            }
            if (!missed.isEmpty()) {
                List<ZonedDateTime> m = List.copyOf(missed);
                String slots =
                        m.size() == 1
                                ? "backup due at " + at(m.get(0)) + " did not run"
                                : m.size()
                                        + " backups due did not run: "
                                        + String.join(
                                                ", ",
                                                m.stream()
                                                        .limit(5)
                                                        .map(x -> x.format(MINUTE))
                                                        .toList())
                                        + (m.size() > 5 ? " and " + (m.size() - 5) + " more" : "")
                                        + " ("
                                        + zone.getId()
                                        + ")";
                problems.add(
                        slots
                                + ": newest evidence "
                                + f.where()
                                + " from "
                                + f.at().atZone(zone).format(MINUTE)
                                + " ("
                                + ageText
                                + ")");
                if (m.size() > 1) m.forEach(x -> details.add("missed: " + at(x)));
            } else {
                pending =
                        s.lastAtOrBefore(hostNow).filter(slot -> slot.toInstant().isAfter(f.at()));
            }
        }
        Optional<Duration> tooOld = maxAge.filter(max -> age.compareTo(max) > 0);
        if (tooOld.isPresent()) {
            String ageProblem =
                    problems.isEmpty()
                            ? "last backup "
                                    + ageText
                                    + " ("
                                    + f.where()
                                    + ", "
                                    + at(f.at(), zone)
                                    + "), max_age "
                                    + Durations.format(tooOld.get())
                            : "older than max_age " + Durations.format(tooOld.get());
            problems.add(ageProblem);
        }
        if (!problems.isEmpty()) {
            return Verdict.fail(String.join("; ", problems)).withDetails(details);
        }
        StringBuilder reason = new StringBuilder("last backup " + ageText + " (" + f.where() + ")");
        if (pending.isPresent()) {
            reason.append(", run due at ")
                    .append(at(pending.get()))
                    .append(" is within its ")
                    .append(Durations.format(grace))
                    .append(" grace");
        } else {
            schedule.flatMap(s -> s.nextAfter(now.atZone(zone)))
                    .ifPresent(next -> reason.append(", next due ").append(at(next)));
        }
        if (!seen.rejected().isEmpty()) {
            reason.append("; newer file not counted: ").append(seen.rejected().get(0));
            return Verdict.warn(reason.toString()).withDetails(details);
        }
        return Verdict.pass(reason.toString()).withDetails(details);
    }

    private static String at(ZonedDateTime t) {
        return t.format(MINUTE) + " (" + t.getZone().getId() + ")";
    }

    private static String at(Instant t, ZoneId zone) {
        return at(t.atZone(zone));
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    private String source() {
        return switch (evidence) {
            case Marker m -> "marker " + m.path();
            case NewestIn n ->
                    "newest_in "
                            + n.dir()
                            + (n.pattern().equals("*") ? "" : "/" + n.pattern())
                            + n.minSize()
                                    .map(x -> " (min_size " + new Amount(x, false) + ")")
                                    .orElse("");
            case LogFile l -> "log " + l.path() + " /" + l.matches().pattern() + "/";
            case Journal j -> "journal of " + j.unit() + " /" + j.matches().pattern() + "/";
        };
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("backup evidence from " + source());
        schedule.ifPresent(c ->
                s.append(", ran after each slot of '")
                        .append(c.expression())
                        .append("' (grace ")
                        .append(Durations.format(grace))
                        .append(")"));
        maxAge.ifPresent(d -> s.append(", at most ").append(Durations.format(d)).append(" old"));
        windowStart.ifPresent(w ->
                s.append(
                        switch (w) {
                            case At a -> ", every run since " + a.instant();
                            case Before b ->
                                    ", every run in the last " + Durations.format(b.duration());
                        }));
        return s.toString();
    }
}
