package dev.postflight.check;

import dev.postflight.input.Amount;
import dev.postflight.input.Template;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a backup check finds the evidence of a successful run on the host, the snippet that lists
 * it, and which of what it listed is the newest evidence: a marker file's mtime, the newest file in
 * a directory, or the newest matching line of a log or of a unit's journal.
 */
sealed interface BackupEvidence {

    /** How many of a directory's newest files, and of a log's newest matching lines, come back. */
    int NEWEST_LIMIT = 20;

    /** How much of one log line comes back. */
    int LINE_CHARS = 400;

    /** A file the job touches after each successful run; its mtime is the evidence. */
    record Marker(String path) implements BackupEvidence {
        public Marker {
            absolute("marker", path);
        }
    }

    /**
     * The newest regular file in a directory whose name matches a glob; a file smaller than {@code
     * minSize} (a truncated dump) is not evidence.
     */
    record NewestIn(String dir, String pattern, Optional<Long> minSize) implements BackupEvidence {
        public NewestIn {
            absolute("newest_in", dir);
            if (pattern.isEmpty() || pattern.contains("/")) {
                throw new IllegalArgumentException(
                        "pattern is a glob on the file name, like *.tar.gz, got '" + pattern + "'");
            }
        }
    }

    /** The newest line of a log file that matches a POSIX extended regex (run by grep -E). */
    record LogFile(String path, Pattern matches) implements BackupEvidence {
        public LogFile {
            absolute("log", path);
        }
    }

    /** The newest line of a systemd unit's journal that matches a POSIX extended regex. */
    record Journal(String unit, Pattern matches) implements BackupEvidence {}

    /**
     * What the snippet listed: that the file, directory or log does not exist, stat's {@code
     * MTIME|SIZE|PATH} lines (newest first) or the newest matching log lines.
     */
    record Listing(boolean missing, List<String> files, List<String> lines) {
        public Listing {
            files = List.copyOf(files);
            lines = List.copyOf(lines);
        }
    }

    /** The newest evidence found: what it is (a path, or a log line) and when it was written. */
    record Found(String where, Instant at, List<String> facts) {
        public Found {
            facts = List.copyOf(facts);
        }
    }

    /**
     * The newest evidence (or why there is none), and newer candidates that were not counted (a
     * truncated dump, an unreadable line).
     */
    record Newest(
            Optional<Found> found, String absence, List<String> rejected, List<String> notes) {
        public Newest {
            rejected = List.copyOf(rejected);
            notes = List.copyOf(notes);
        }

        static Newest of(Found f) {
            return new Newest(Optional.of(f), "", List.of(), List.of());
        }

        static Newest none(String absence) {
            return new Newest(Optional.empty(), absence, List.of(), List.of());
        }
    }

    private static void absolute(String key, String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(
                    key + " must be an absolute path, got '" + path + "'");
        }
    }

    String STAT =
            """
            if [ "$PF_UNAME" = Linux ] || stat -c %n / >/dev/null 2>&1; then sf=-c; fmt='%Y|%s|%n'
            elif command -v stat >/dev/null 2>&1; then sf=-f; fmt='%m|%z|%N'
            else echo 'no stat command' >&2; exit 127
            fi
            """;

    /** The snippet that lists the evidence. */
    default String script() {
        return switch (this) {
            case Marker m ->
                    STAT
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
                    STAT
                            + "d="
                            + Template.shellQuote(n.dir())
                            + "\npat="
                            + Template.shellQuote(n.pattern())
                            + "\n"
                            + ShellTools.need("find", "sort", "head", "sed")
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
                            + ShellTools.need("grep", "tail", "cut", "sed")
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
                            + ShellTools.need("grep", "cut", "sed")
                            + """
                            if ! command -v journalctl >/dev/null 2>&1; then
                              echo 'journalctl: command not found (log: journal needs systemd)' >&2; exit 127
                            fi
                            journalctl -u "$u" -o short-iso --no-pager -q -r \\
                              | grep -E -m %d -e "$re" | cut -c 1-%d | sed 's/^/line=/'
                            """
                                    .formatted(NEWEST_LIMIT, LINE_CHARS);
        };
    }

    /**
     * Reads the snippet's output; a failed snippet, or a marker stat printed nothing for, cannot be
     * judged. {@code what} names the check in the error.
     */
    default Listing read(String what, ProbeOutput o) throws Probe.Unreadable {
        if (o.exitCode() != 0) {
            String e = o.err();
            throw new Probe.Unreadable(
                    what + ": " + (e.isEmpty() ? "exit " + o.exitCode() : ProbeOutput.lastLine(e)));
        }
        KeyValues kv = KeyValues.parse(o.out());
        Listing l = new Listing(kv.first("missing").isPresent(), kv.all("file"), kv.all("line"));
        if (l.files().isEmpty() && !l.missing() && this instanceof Marker) {
            throw new Probe.Unreadable(what + ": unexpected stat output: " + o.out().strip());
        }
        return l;
    }

    /** The newest evidence in what was listed, its times read at the host's now and in its zone. */
    default Newest newest(Listing l, Instant now, ZoneId zone) {
        return switch (this) {
            case Marker m ->
                    l.missing()
                            ? Newest.none("marker " + m.path() + " does not exist")
                            : newestFile(l.files(), zone, Optional.empty(), "");
            case NewestIn n ->
                    l.missing()
                            ? Newest.none("directory " + n.dir() + " does not exist")
                            : newestFile(
                                    l.files(),
                                    zone,
                                    n.minSize(),
                                    "no file"
                                            + (n.pattern().equals("*")
                                                    ? ""
                                                    : " matching '" + n.pattern() + "'")
                                            + " in "
                                            + n.dir());
            case LogFile f ->
                    l.missing()
                            ? Newest.none("log " + f.path() + " does not exist")
                            : newestLine(l.lines(), now, zone, f.path(), f.matches());
            case Journal j ->
                    newestLine(l.lines(), now, zone, "the journal of " + j.unit(), j.matches());
        };
    }

    private static Newest newestFile(
            List<String> files, ZoneId zone, Optional<Long> minSize, String none) {
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
            String modified = BackupCheck.at(Instant.ofEpochSecond(mtime).atZone(zone));
            if (minSize.isPresent() && size < minSize.get()) {
                rejected.add(
                        p[2]
                                + " ("
                                + sizeText
                                + ", "
                                + modified
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
                                            + modified));
            return new Newest(Optional.of(found), "", rejected, List.of());
        }
        String absence =
                rejected.isEmpty()
                        ? none
                        : none.replaceFirst("^no file", "no file of at least min_size")
                                + (parsed.size() >= NEWEST_LIMIT
                                        ? " among its " + NEWEST_LIMIT + " newest"
                                        : "");
        return new Newest(Optional.empty(), absence, rejected, List.of());
    }

    private static Newest newestLine(
            List<String> lines, Instant now, ZoneId zone, String where, Pattern matches) {
        Optional<Found> best = Optional.empty();
        int unreadable = 0;
        for (String line : lines) {
            Optional<Instant> t = LogTimestamps.timestampOf(line, now, zone);
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
        List<String> notes = new ArrayList<>();
        if (unreadable > 0 && best.isPresent()) {
            notes.add(unreadable + " matching lines without a readable timestamp were ignored");
        }
        return new Newest(best, absence, List.of(), notes);
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

    /** The source as {@code describe} and errors name it. */
    default String source() {
        return switch (this) {
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
}
