package dev.postflight.check;

import dev.postflight.check.BackupEvidence.Found;
import dev.postflight.check.BackupEvidence.Journal;
import dev.postflight.check.BackupEvidence.LogFile;
import dev.postflight.check.BackupEvidence.Marker;
import dev.postflight.check.BackupEvidence.Newest;
import dev.postflight.check.BackupEvidence.NewestIn;
import dev.postflight.input.Amount;
import dev.postflight.input.Durations;
import dev.postflight.input.Fields;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A backup job ran when it was due. Seed 003: a cron backup due inside the provider's 02:00–05:00
 * window never ran, and nothing said so; seed 004 ran nightly rsyncs at 03:41 and 05:41. The
 * evidence of a successful run ({@link BackupEvidence}) is a marker file, the newest file in a
 * backup directory, or the newest matching line of a log. Its time is compared with the host's own
 * clock and, with a {@code schedule}, with the cron slots computed in the host's own time zone
 * ({@link HostZone}), so a clock that stood still during the window or a runner in another zone
 * does not distort the verdict.
 */
record BackupCheck(
        BackupEvidence evidence,
        Optional<Duration> maxAge,
        Optional<BackupSchedule> schedule,
        Duration grace,
        Optional<WindowStart> windowStart)
        implements CheckSpec<BackupCheck.Seen> {

    static final Duration DEFAULT_GRACE = Duration.ofHours(1);

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

    /**
     * The same check, listing every run due since {@code start} (e.g. the maintenance window's).
     */
    @Override
    public BackupCheck withSince(Instant start) {
        return since(start);
    }

    public BackupCheck since(Instant start) {
        if (schedule.isEmpty()) return this;
        return new BackupCheck(
                evidence, maxAge, schedule, grace, Optional.of(new WindowStart.At(start)));
    }

    /** What the probe saw: the host's time zone and the evidence its snippet listed. */
    record Seen(HostZone zone, BackupEvidence.Listing listing) {}

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
        Optional<BackupSchedule> schedule = Optional.empty();
        if (scheduleText.isPresent()) {
            try {
                schedule = Optional.of(BackupSchedule.parse(scheduleText.get()));
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
        Optional<BackupSchedule> s = schedule;
        return f.build(() -> {
            BackupEvidence e;
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

    @Override
    public Probe<Seen> probe() {
        return Probe.both(
                HostZone.PROBE,
                Probe.host(what(), evidence.script(), o -> evidence.read(what(), o)),
                Seen::new);
    }

    private String what() {
        return "backup " + evidence.source();
    }

    /**
     * Judges what was seen at the host's now, to the second as the host's {@code date +%s} gives it
     * (so ages read as before), in the host's zone.
     */
    @Override
    public Verdict judge(Seen seen, Now now) {
        Instant hostNow = now.host().truncatedTo(ChronoUnit.SECONDS);
        List<String> notes = new ArrayList<>();
        Optional<ZoneId> zone = seen.zone().at(hostNow, notes);
        if (zone.isEmpty()) {
            return Verdict.error(
                    what()
                            + ": cannot tell the host's time zone (date +%z gave '"
                            + seen.zone().offset()
                            + "')");
        }
        Newest n = evidence.newest(seen.listing(), hostNow, zone.get());
        notes.addAll(n.notes());
        return judge(new Newest(n.found(), n.absence(), n.rejected(), notes), hostNow, zone.get());
    }

    /** The pure judgement of the newest evidence at the host's now in its zone. */
    Verdict judge(Newest seen, Instant now, ZoneId zone) {
        List<String> details = new ArrayList<>();
        seen.rejected().forEach(r -> details.add("not counted: " + r));
        details.addAll(seen.notes());
        if (seen.found().isEmpty()) {
            String due =
                    schedule.flatMap(s -> s.lastAtOrBefore(now.minus(grace).atZone(zone)))
                            .map(slot -> " (a run was due at " + at(slot) + ")")
                            .orElse("");
            return Verdict.fail("no evidence of a successful backup: " + seen.absence() + due)
                    .withDetails(details);
        }
        Found f = seen.found().get();
        details.addAll(0, f.facts());
        Duration age = Duration.between(f.at(), now);
        String ageText =
                age.isNegative()
                        ? "in the future by " + Durations.format(age.negated()) + " (host clock?)"
                        : Durations.format(age) + " ago";
        List<String> problems = new ArrayList<>();
        Optional<ZonedDateTime> pending = Optional.empty();
        if (schedule.isPresent()) {
            BackupSchedule s = schedule.get();
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

    static String at(ZonedDateTime t) {
        return t.format(MINUTE) + " (" + t.getZone().getId() + ")";
    }

    private static String at(Instant t, ZoneId zone) {
        return at(t.atZone(zone));
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("backup evidence from " + evidence.source());
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
                            case WindowStart.At a -> ", every run since " + a.instant();
                            case WindowStart.Before b ->
                                    ", every run in the last " + Durations.format(b.duration());
                        }));
        return s.toString();
    }
}
