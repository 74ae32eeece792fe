package dev.postflight.check;

import dev.postflight.input.Amount;
import dev.postflight.input.Durations;
import dev.postflight.input.Fields;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's process table as a whole (seed 004: zombie and runaway processes on a fleet of ~1,700
 * FreeBSD and Linux servers): zombies, processes that have burnt more than {@code max_cpu} of a
 * core over a life longer than {@code for}, how many processes of one name run, and how close the
 * table is to the kernel's limit. Linux and BusyBox read {@code /proc/PID/stat} directly (BusyBox's
 * ps has too few columns, procps' differ between versions); FreeBSD runs {@code ps -axo}. The
 * probe's own shell and everything it started are left out, so the probe never counts itself.
 */
public record ProcessesCheck(
        int maxZombies,
        Optional<Double> maxCpu,
        Duration runawayFor,
        Optional<NameCount> count,
        Amount maxShare)
        implements CheckSpec<ProcessesCheck.Seen> {

    static final int DEFAULT_MAX_ZOMBIES = 5;
    static final Duration DEFAULT_FOR = Duration.ofMinutes(10);
    static final Amount DEFAULT_MAX_SHARE = new Amount(80, true);

    static final String SCRIPT =
            """
            echo "self=$$"
            if [ -r /proc/self/stat ] && [ -r /proc/uptime ]; then
              echo "hz=$(getconf CLK_TCK 2>/dev/null || echo 100)"
              read pf_up pf_idle </proc/uptime; echo "uptime=$pf_up"
              echo "limit_name=kernel.pid_max"
              echo "limit=$(cat /proc/sys/kernel/pid_max 2>/dev/null)"
              cat /proc/[0-9]*/stat 2>/dev/null | sed 's/^/stat=/'
            elif command -v ps >/dev/null 2>&1; then
              echo "limit_name=kern.maxproc"
              echo "limit=$(sysctl -n kern.maxproc 2>/dev/null)"
              ps -axo pid=,ppid=,state=,etimes=,time=,comm= | sed 's/^/ps=/'
            else echo 'ps not found (and no /proc)' >&2; exit 127
            fi
            exit 0
            """;

    /**
     * {@code pid (comm) state ppid …}: comm may hold blanks and parentheses, so up to the last ')'.
     */
    private static final Pattern STAT = Pattern.compile("^(\\d+) \\((.*)\\) (\\S) (.*)$");

    private static final Pattern PS =
            Pattern.compile("^\\s*(\\d+)\\s+(\\d+)\\s+(\\S+)\\s+(\\d+)\\s+(\\S+)\\s(.*)$");

    /** How many processes of one name ({@code comm}) must run. */
    public record NameCount(String name, int min, Optional<Integer> max) {
        public NameCount {
            if (min < 0) throw new IllegalArgumentException("count: min must be 0 or more");
            if (max.isPresent() && max.get() < min)
                throw new IllegalArgumentException(
                        "count: max (" + max.get() + ") must not be below min (" + min + ")");
        }
    }

    public ProcessesCheck {
        if (maxZombies < 0)
            throw new IllegalArgumentException("max_zombies must be 0 or more, got " + maxZombies);
        if (!maxShare.percent())
            throw new IllegalArgumentException(
                    "max_share must be a percentage like 80%, got " + maxShare);
        if (runawayFor.isNegative()) throw new IllegalArgumentException("for must not be negative");
    }

    static Optional<ProcessesCheck> parse(Fields f) {
        int zombies = f.integer("max_zombies").orElse(DEFAULT_MAX_ZOMBIES);
        Optional<Double> cpu = f.decimal("max_cpu");
        Duration runawayFor = f.duration("for").orElse(DEFAULT_FOR);
        if (f.has("for") && cpu.isEmpty() && !f.has("max_cpu")) {
            f.error("for", "needs max_cpu (the CPU share a process must stay above)");
        }
        Optional<NameCount> count =
                f.mapping("count", "count")
                        .flatMap(c -> {
                            String name = c.requiredText("name");
                            int min = c.integer("min").orElse(1);
                            Optional<Integer> max = c.integer("max");
                            c.finish();
                            return c.build(() -> new NameCount(name, min, max));
                        });
        Amount share = f.amount("max_share").orElse(DEFAULT_MAX_SHARE);
        return f.build(() -> new ProcessesCheck(zombies, cpu, runawayFor, count, share));
    }

    /** One process: its age and the CPU time it has used over that age. */
    record Proc(long pid, long ppid, String name, String state, Duration elapsed, Duration cpu) {
        boolean zombie() {
            return state.startsWith("Z");
        }

        /** Its CPU time over its life, in percent of one core. */
        double cpuPercent() {
            long e = elapsed.toMillis();
            return e <= 0 ? 0 : cpu.toMillis() * 100.0 / e;
        }
    }

    /** The processes, without the probe's own, and the kernel's limit on them. */
    record Seen(List<Proc> procs, long limit, String limitName) {
        Seen {
            procs = List.copyOf(procs);
        }
    }

    @Override
    public Probe<Seen> probe() {
        return Probe.host("processes", SCRIPT, ProcessesCheck::read);
    }

    static Seen read(ProbeOutput o) throws Probe.Unreadable {
        KeyValues kv = KeyValues.parse(o.out());
        long self = kv.number("self", "processes");
        List<Proc> all = new ArrayList<>();
        if (!kv.all("stat").isEmpty()) {
            double hz =
                    Double.parseDouble(kv.text("hz").filter(s -> s.matches("\\d+")).orElse("100"));
            double uptime;
            try {
                uptime = Double.parseDouble(kv.text("uptime").orElse(""));
            } catch (NumberFormatException e) {
                throw new Probe.Unreadable(
                        "processes: /proc/uptime is unreadable ("
                                + kv.text("uptime").orElse("")
                                + ")");
            }
            for (String line : kv.all("stat")) {
                Matcher m = STAT.matcher(line.strip());
                if (!m.matches()) continue;
                String[] rest = m.group(4).split(" ");
                // after state: ppid(4) … utime(14) stime(15) … starttime(22), counted from 1
                if (rest.length < 19) continue;
                try {
                    double cpuTicks = Long.parseLong(rest[10]) + Long.parseLong(rest[11]);
                    double started = Long.parseLong(rest[18]) / hz;
                    all.add(
                            new Proc(
                                    Long.parseLong(m.group(1)),
                                    Long.parseLong(rest[0]),
                                    m.group(2),
                                    m.group(3),
                                    seconds(Math.max(0, uptime - started)),
                                    seconds(cpuTicks / hz)));
                } catch (NumberFormatException e) {
                    continue;
                }
            }
        } else {
            for (String line : kv.all("ps")) {
                Matcher m = PS.matcher(line);
                if (!m.matches()) continue;
                Optional<Duration> cpu = cpuTime(m.group(5));
                if (cpu.isEmpty()) continue;
                all.add(
                        new Proc(
                                Long.parseLong(m.group(1)),
                                Long.parseLong(m.group(2)),
                                m.group(6).strip(),
                                m.group(3),
                                Duration.ofSeconds(Long.parseLong(m.group(4))),
                                cpu.get()));
            }
        }
        if (all.isEmpty()) {
            String e = o.err();
            throw new Probe.Unreadable(
                    "processes: no process could be read" + (e.isEmpty() ? "" : ": " + e));
        }
        long limit = kv.number("limit", "processes");
        return new Seen(withoutTreeOf(self, all), limit, kv.text("limit_name").orElse("limit"));
    }

    /** Leaves out {@code root} and every process it started, however deep. */
    static List<Proc> withoutTreeOf(long root, List<Proc> all) {
        Map<Long, List<Long>> children = new HashMap<>();
        for (Proc p : all) children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p.pid());
        Set<Long> own = new HashSet<>();
        List<Long> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            long pid = todo.remove(todo.size() - 1);
            if (own.add(pid)) todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return all.stream().filter(p -> !own.contains(p.pid())).toList();
    }

    /** FreeBSD's {@code time}: {@code [[dd-]hh:]mm:ss[.hh]}. */
    static Optional<Duration> cpuTime(String text) {
        Matcher m =
                Pattern.compile("(?:(\\d+)-)?(?:(\\d+):)?(\\d+):(\\d+(?:\\.\\d+)?)").matcher(text);
        if (!m.matches()) return Optional.empty();
        double s = Double.parseDouble(m.group(4)) + 60.0 * Long.parseLong(m.group(3));
        if (m.group(2) != null) s += 3600.0 * Long.parseLong(m.group(2));
        if (m.group(1) != null) s += 86400.0 * Long.parseLong(m.group(1));
        return Optional.of(seconds(s));
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    @Override
    public Verdict judge(Seen seen, Now now) {
        List<Proc> procs = seen.procs();
        List<String> bad = new ArrayList<>();
        List<String> good = new ArrayList<>();

        double share = seen.limit() <= 0 ? 0 : procs.size() * 100.0 / seen.limit();
        String total =
                String.format(
                        Locale.ROOT,
                        "%d processes (%s of %s %d)",
                        procs.size(),
                        percent(share),
                        seen.limitName(),
                        seen.limit());
        if (share > maxShare.value()) bad.add(total + " (at most " + maxShare + ")");
        else good.add(total);

        Map<Long, String> names = new HashMap<>();
        for (Proc p : procs) names.put(p.pid(), p.name());
        List<Proc> zombies = procs.stream().filter(Proc::zombie).toList();
        String z = zombies.size() + (zombies.size() == 1 ? " zombie" : " zombies");
        if (zombies.size() > maxZombies) {
            bad.add(
                    z
                            + " (at most "
                            + maxZombies
                            + "): "
                            + list(
                                    zombies,
                                    p ->
                                            "pid "
                                                    + p.pid()
                                                    + " ("
                                                    + p.name()
                                                    + ") of parent "
                                                    + p.ppid()
                                                    + " ("
                                                    + names.getOrDefault(p.ppid(), "?")
                                                    + ")"));
        } else {
            good.add(z);
        }

        if (maxCpu.isPresent()) {
            List<Proc> runaway =
                    procs.stream()
                            .filter(p -> !p.zombie())
                            .filter(p -> p.elapsed().compareTo(runawayFor) >= 0)
                            .filter(p -> p.cpuPercent() > maxCpu.get())
                            .sorted((a, b) -> Double.compare(b.cpuPercent(), a.cpuPercent()))
                            .toList();
            String rule =
                    "above " + percent(maxCpu.get()) + " CPU for " + Durations.limit(runawayFor);
            if (runaway.isEmpty()) {
                good.add("none " + rule);
            } else {
                bad.add(
                        runaway.size()
                                + " "
                                + rule
                                + ": "
                                + list(
                                        runaway,
                                        p ->
                                                "pid "
                                                        + p.pid()
                                                        + " ("
                                                        + p.name()
                                                        + ") "
                                                        + percent(p.cpuPercent())
                                                        + " over "
                                                        + Durations.format(p.elapsed())));
            }
        }

        if (count.isPresent()) {
            NameCount c = count.get();
            long n = procs.stream().filter(p -> !p.zombie() && p.name().equals(c.name())).count();
            String line = c.name() + ": " + n;
            boolean under = n < c.min();
            boolean over = c.max().filter(m -> n > m).isPresent();
            if (under) bad.add(line + " (at least " + c.min() + ")");
            else if (over) bad.add(line + " (at most " + c.max().get() + ")");
            else good.add(line);
        }

        if (!bad.isEmpty()) return Verdict.fail(String.join("; ", bad));
        return Verdict.pass(String.join("; ", good));
    }

    private static String list(List<Proc> procs, Function<Proc, String> show) {
        List<String> shown = procs.stream().limit(5).map(show).toList();
        String more = procs.size() > 5 ? " and " + (procs.size() - 5) + " more" : "";
        return String.join(", ", shown) + more;
    }

    private static String percent(double p) {
        String s = String.format(Locale.ROOT, "%.1f", p);
        return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + "%";
    }

    @Override
    public String describe() {
        StringBuilder s =
                new StringBuilder(
                        "at most "
                                + maxZombies
                                + " zombies, at most "
                                + maxShare
                                + " of the process limit");
        maxCpu.ifPresent(c ->
                s.append(", none above ")
                        .append(percent(c))
                        .append(" CPU for ")
                        .append(Durations.limit(runawayFor)));
        count.ifPresent(c ->
                s.append(", ")
                        .append(c.name())
                        .append(": at least ")
                        .append(c.min())
                        .append(c.max().map(m -> " and at most " + m).orElse("")));
        return s.toString();
    }
}
