package dev.postflight.check;

import dev.postflight.input.Amount;
import dev.postflight.input.Durations;
import dev.postflight.input.Fields;
import dev.postflight.input.Template;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A file on the host: it exists (or not), has the expected type, owner, mode and size, was written
 * recently enough, and holds the expected content. Seed 003's backup never ran inside the
 * maintenance window: a marker file's age is how that shows. The age is measured against the host's
 * own clock ({@code date +%s} in the same probe), so a host whose clock stood still during the
 * window does not distort it.
 */
record FileCheck(
        String path,
        boolean exists,
        Optional<String> type,
        Optional<String> owner,
        Optional<Integer> mode,
        Optional<Duration> maxAge,
        Optional<String> contains,
        Optional<Pattern> matches,
        Optional<Long> minSize)
        implements CheckSpec<FileCheck.Seen> {

    /** How much of a file the content probe reads at most. */
    static final int CONTENT_LIMIT = 1 << 20;

    static final List<String> TYPES = List.of("file", "directory", "symlink");

    public FileCheck {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must be absolute, got '" + path + "'");
        }
        if (!exists
                && (type.isPresent()
                        || owner.isPresent()
                        || mode.isPresent()
                        || maxAge.isPresent()
                        || contains.isPresent()
                        || matches.isPresent()
                        || minSize.isPresent())) {
            throw new IllegalArgumentException(
                    "exists: false cannot be combined with type, owner, mode, max_age, contains,"
                            + " matches or min_size");
        }
        type.filter(t -> !TYPES.contains(t))
                .ifPresent(t -> {
                    throw new IllegalArgumentException(
                            "type must be one of " + String.join(", ", TYPES) + ", got " + t);
                });
        mode.filter(m -> m < 0 || m > 07777)
                .ifPresent(m -> {
                    throw new IllegalArgumentException("mode must be between 0000 and 7777");
                });
        maxAge.filter(d -> d.isNegative() || d.isZero())
                .ifPresent(d -> {
                    throw new IllegalArgumentException("max_age must be positive");
                });
        if ((contains.isPresent() || matches.isPresent())
                && type.filter(t -> !t.equals("file")).isPresent()) {
            throw new IllegalArgumentException(
                    "contains and matches need type: file, got type: " + type.get());
        }
    }

    static Optional<FileCheck> parse(Fields f) {
        String path = f.requiredText("path");
        boolean exists = f.bool("exists").orElse(true);
        Optional<String> type = f.choice("type", TYPES);
        Optional<String> owner = f.text("owner");
        Optional<String> modeText = f.text("mode");
        Optional<Integer> mode = Optional.empty();
        if (modeText.isPresent()) {
            mode = parseMode(modeText.get());
            if (mode.isEmpty()) {
                f.error("mode", "'" + modeText.get() + "' is not an octal mode like 0644 or 644");
            }
        }
        Optional<Duration> maxAge = f.duration("max_age");
        Optional<String> contains = f.text("contains");
        Optional<Pattern> matches = f.regex("matches");
        Optional<Amount> min = f.amount("min_size");
        if (min.filter(Amount::percent).isPresent()) {
            f.error("min_size", "must be a size like 1K or 512M, not a percentage");
            return Optional.empty();
        }
        Optional<Long> minSize = min.map(a -> (long) a.value());
        if (path.isEmpty() || (modeText.isPresent() && mode.isEmpty())) return Optional.empty();
        Optional<Integer> m = mode;
        return f.build(() ->
                new FileCheck(path, exists, type, owner, m, maxAge, contains, matches, minSize));
    }

    static Optional<Integer> parseMode(String text) {
        String t = text.trim();
        if (!t.matches("0?[0-7]{3,4}") || t.length() > 5) return Optional.empty();
        return Optional.of(Integer.parseInt(t, 8));
    }

    @Override
    public Probe<Seen> probe() {
        String p = Template.shellQuote(path);
        String stat =
                "p="
                        + p
                        + "\n"
                        + """
                        echo "now=${PF_NOW:-$(date +%s)}"
                        if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo exists=false; exit 0; fi
                        echo exists=true
                        if [ "$PF_UNAME" = Linux ] || stat -c %n / >/dev/null 2>&1; then
                          printf 'stat='; exec stat -c '%F|%U|%a|%s|%Y' -- "$p"
                        elif command -v stat >/dev/null 2>&1; then
                          printf 'stat='; exec stat -f '%HT|%Su|%Mp%Lp|%z|%m' "$p"
                        else echo 'no stat command' >&2; exit 127
                        fi
                        """;
        // The content is read only when asked for, and its read failing is judged only when
        // the file is there: a missing file's failed read is not the verdict.
        Probe<Optional<Probe.Attempted<String>>> content =
                contains.isPresent() || matches.isPresent()
                        ? Probe.attempt(
                                        Probe.host(
                                                "read " + path,
                                                ShellTools.need("head")
                                                        + "exec head -c "
                                                        + CONTENT_LIMIT
                                                        + " -- "
                                                        + p,
                                                this::readContent))
                                .map(Optional::of)
                        : Probe.known(Optional.empty());
        return Probe.both(Probe.host("stat " + path, stat, this::readStat), content, Seen::new);
    }

    /** What stat showed at the path, and the content read when the spec asks about it. */
    record Seen(Stat stat, Optional<Probe.Attempted<String>> content) {}

    /** What is at the path. */
    sealed interface Stat {}

    /** Nothing (not even a dangling symlink). */
    record Absent() implements Stat {}

    /**
     * An entry: its type ({@code file}, {@code directory}, {@code symlink} or stat's own word),
     * owner, mode as stat printed it, size in bytes, and age by the host's clock.
     */
    record Present(String type, String owner, String mode, long size, Duration age)
            implements Stat {}

    /** An entry whose size, time or the host's clock stat did not print as numbers. */
    record Unmeasured(String type, String stat) implements Stat {}

    private Stat readStat(ProbeOutput o) throws Probe.Unreadable {
        if (o.exitCode() != 0) {
            throw new Probe.Unreadable(path + ": stat failed: " + orExit(o));
        }
        KeyValues kv = KeyValues.parse(o.out());
        if (!kv.text("exists").filter("true"::equals).isPresent()) return new Absent();
        String raw = kv.text("stat").orElse("");
        String[] st = raw.split("\\|", -1);
        if (st.length != 5) {
            throw new Probe.Unreadable(
                    path + ": unexpected stat output: " + kv.text("stat").orElse("null"));
        }
        String type = normalizeType(st[0]);
        try {
            long size = Long.parseLong(st[3].trim());
            long mtime = Long.parseLong(st[4].trim());
            long now = Long.parseLong(kv.text("now").orElse("").trim());
            return new Present(type, st[1], st[2], size, Duration.ofSeconds(now - mtime));
        } catch (NumberFormatException e) {
            return new Unmeasured(type, raw);
        }
    }

    private String readContent(ProbeOutput o) throws Probe.Unreadable {
        if (o.exitCode() != 0) {
            throw new Probe.Unreadable(path + ": cannot read content: " + orExit(o));
        }
        return o.out();
    }

    @Override
    public Verdict judge(Seen seen, Now now) {
        Present found;
        switch (seen.stat()) {
            case Absent a -> {
                return exists
                        ? Verdict.fail(path + ": does not exist")
                        : Verdict.pass(path + ": absent, as expected");
            }
            case Unmeasured u -> {
                return exists
                        ? Verdict.error(path + ": unexpected stat output: " + u.stat())
                        : Verdict.fail(path + ": exists (" + u.type() + "), expected absent");
            }
            case Present p -> found = p;
        }
        String foundType = found.type();
        if (!exists) return Verdict.fail(path + ": exists (" + foundType + "), expected absent");
        String foundOwner = found.owner();
        String foundModeText = found.mode();
        Optional<Integer> foundMode = parseMode(foundModeText.length() < 3 ? "000" : foundModeText);
        long size = found.size();
        Duration age = found.age();
        List<String> problems = new ArrayList<>();
        type.filter(t -> !t.equals(foundType))
                .ifPresent(t -> problems.add("is a " + foundType + ", expected " + t));
        owner.filter(u -> !u.equals(foundOwner))
                .ifPresent(u -> problems.add("owner " + foundOwner + ", expected " + u));
        mode.filter(m -> foundMode.isEmpty() || !foundMode.get().equals(m))
                .ifPresent(m -> problems.add("mode " + foundModeText + ", expected " + octal(m)));
        minSize.filter(min -> size < min)
                .ifPresent(min ->
                        problems.add(
                                "size "
                                        + new Amount(size, false)
                                        + ", min_size "
                                        + new Amount(min, false)));
        maxAge.filter(max -> age.compareTo(max) > 0)
                .ifPresent(max ->
                        problems.add(
                                "modified "
                                        + Durations.format(age)
                                        + " ago (host clock), max_age "
                                        + Durations.format(max)));
        if (seen.content().isPresent()) {
            Probe.Attempted<String> read = seen.content().get();
            if (read.notRun().isPresent()) return read.notRun().get();
            String text = read.value().orElse("");
            String within = size > CONTENT_LIMIT ? " (in its first 1M)" : "";
            contains.filter(s -> !text.contains(s))
                    .ifPresent(s -> problems.add("does not contain '" + s + "'" + within));
            matches.filter(p -> !p.matcher(text).find())
                    .ifPresent(p -> problems.add("does not match /" + p.pattern() + "/" + within));
        }
        String facts =
                foundType
                        + ", "
                        + foundOwner
                        + " "
                        + foundModeText
                        + ", "
                        + new Amount(size, false)
                        + ", modified "
                        + (age.isNegative()
                                ? "in the future by " + Durations.format(age.negated())
                                : Durations.format(age) + " ago");
        if (problems.isEmpty()) return Verdict.pass(path + ": " + facts);
        return Verdict.fail(path + ": " + String.join("; ", problems))
                .withDetails(List.of("found: " + facts));
    }

    @Override
    public String describe() {
        if (!exists) return path + " must not exist";
        StringBuilder s = new StringBuilder(path + " exists");
        type.ifPresent(t -> s.append(", is a ").append(t));
        owner.ifPresent(u -> s.append(", owned by ").append(u));
        mode.ifPresent(m -> s.append(", mode ").append(octal(m)));
        minSize.ifPresent(m -> s.append(", at least ").append(new Amount(m, false)));
        maxAge.ifPresent(d -> s.append(", modified within ").append(Durations.format(d)));
        contains.ifPresent(c -> s.append(", contains '").append(c).append("'"));
        matches.ifPresent(p -> s.append(", matches /").append(p.pattern()).append("/"));
        return s.toString();
    }

    private static String octal(int mode) {
        return String.format(Locale.ROOT, "%04o", mode);
    }

    /** GNU says "regular file"/"regular empty file"/"symbolic link", BSD "Regular File" etc. */
    static String normalizeType(String raw) {
        String t = raw.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("regular")) return "file";
        if (t.equals("directory")) return "directory";
        if (t.startsWith("symbolic link")) return "symlink";
        return t;
    }

    private static String orExit(ProbeOutput o) {
        String e = o.err();
        return e.isEmpty() ? "exit " + o.exitCode() : ProbeOutput.lastLine(e);
    }
}
