package dev.postflight.check;

import dev.postflight.input.Fields;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The load average per core (seed 004: load spikes on a fleet of ~1,700 servers). Linux and BusyBox
 * read {@code /proc/loadavg}, FreeBSD {@code sysctl -n vm.loadavg}; cores come from {@code getconf
 * _NPROCESSORS_ONLN}, {@code nproc} or {@code sysctl -n hw.ncpu}. Above {@code warn} per core
 * warns, above {@code critical} fails.
 */
record LoadCheck(int minutes, double warn, double critical) implements CheckSpec<LoadCheck.Seen> {

    static final String SCRIPT =
            """
            if [ -r /proc/loadavg ]; then read pf_a pf_b pf_c pf_rest </proc/loadavg; echo "load=$pf_a $pf_b $pf_c"
            elif pf_l=$(sysctl -n vm.loadavg 2>/dev/null); then echo "load=$pf_l"
            else echo 'no /proc/loadavg and no sysctl vm.loadavg' >&2; exit 127
            fi
            echo "cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null)"
            """;

    private static final List<Integer> AVERAGES = List.of(1, 5, 15);

    public LoadCheck {
        if (!AVERAGES.contains(minutes))
            throw new IllegalArgumentException(
                    "average must be 1m, 5m or 15m, got " + minutes + "m");
        if (critical < warn)
            throw new IllegalArgumentException(
                    "critical (" + critical + ") must not be below warn (" + warn + ")");
    }

    static Optional<LoadCheck> parse(Fields f) {
        int minutes =
                f.choice("average", List.of("1m", "5m", "15m"))
                        .map(a -> Integer.parseInt(a.substring(0, a.length() - 1)))
                        .orElse(5);
        double warn = f.decimal("warn").orElse(1.0);
        double critical = f.decimal("critical").orElse(2.0);
        return f.build(() -> new LoadCheck(minutes, warn, critical));
    }

    /** The 1, 5 and 15 minute load averages and the number of online cores. */
    record Seen(double one, double five, double fifteen, int cores) {
        double over(int minutes) {
            return minutes == 1 ? one : minutes == 5 ? five : fifteen;
        }
    }

    @Override
    public Probe<Seen> probe() {
        return Probe.host("load average", SCRIPT, LoadCheck::read);
    }

    static Seen read(ProbeOutput o) throws Probe.Unreadable {
        KeyValues kv = KeyValues.parse(o.out());
        String load = kv.text("load").orElse("").replace("{", "").replace("}", "").strip();
        String[] parts = load.split("\\s+");
        int cores;
        try {
            cores = Integer.parseInt(kv.text("cores").orElse(""));
        } catch (NumberFormatException e) {
            throw new Probe.Unreadable(
                    "load average: the number of cores is unknown ("
                            + kv.text("cores").orElse("")
                            + ")");
        }
        if (parts.length < 3 || cores < 1) {
            throw new Probe.Unreadable(
                    "load average: unreadable output: " + load + ", cores " + cores);
        }
        try {
            return new Seen(
                    Double.parseDouble(parts[0]),
                    Double.parseDouble(parts[1]),
                    Double.parseDouble(parts[2]),
                    cores);
        } catch (NumberFormatException e) {
            throw new Probe.Unreadable("load average: unreadable output: " + load);
        }
    }

    @Override
    public Verdict judge(Seen seen, Now now) {
        double load = seen.over(minutes);
        double perCore = load / seen.cores();
        String text =
                String.format(
                        Locale.ROOT,
                        "load %.2f over %dm on %d %s = %.2f per core",
                        load,
                        minutes,
                        seen.cores(),
                        seen.cores() == 1 ? "core" : "cores",
                        perCore);
        if (perCore > critical) {
            return Verdict.fail(
                    text + String.format(Locale.ROOT, " (critical above %.2f)", critical));
        }
        if (perCore > warn) {
            return Verdict.warn(text + String.format(Locale.ROOT, " (warn above %.2f)", warn));
        }
        return Verdict.pass(text);
    }

    @Override
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%dm load average per core at most %.2f (warn above %.2f)",
                minutes,
                critical,
                warn);
    }
}
