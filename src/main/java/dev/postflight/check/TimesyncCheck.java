package dev.postflight.check;

import dev.postflight.check.TimeDaemons.Section;
import dev.postflight.check.TimeDaemons.State;
import dev.postflight.input.Durations;
import dev.postflight.input.Fields;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A time daemon is running and says it is synchronised, optionally with its own offset estimate
 * within {@code max_offset}. Seed 003: after the provider paused the VM, ntpd had stopped and the
 * clock was three hours behind while the site answered again; "ntpd installed but not running" is
 * the line that check must print.
 *
 * <p>One probe lists the running time daemons ({@code ps -A -o comm=}), which daemon binaries are
 * installed, and asks each running daemon's own tool — {@code chronyc}, {@code ntpq}, {@code
 * timedatectl}, {@code ntpctl} — in labelled sections ({@code @@ name} … {@code @@ exit N}). The
 * readers in {@link TimeDaemons} turn those into a state; this class picks the daemon and judges.
 */
record TimesyncCheck(String daemon, Optional<Duration> maxOffset)
        implements CheckSpec<TimesyncCheck.Seen> {

    /** The daemons this check knows, in the order {@code auto} prefers a running one. */
    static final List<String> DAEMONS =
            List.of("chrony", "ntpd", "ntpsec", "openntpd", "systemd-timesyncd");

    static final String SCRIPT =
            """
            PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin:/usr/local/bin"; export PATH
            command -v ps >/dev/null 2>&1 || { echo 'no ps command' >&2; exit 127; }
            NEED_TOOLS
            pf_sec() {
              echo "@@ $1"; shift
              pf_o=$("$@" 2>&1); pf_e=$?
              if [ -n "$pf_o" ]; then printf '%s\\n' "$pf_o"; fi
              echo "@@ exit $pf_e"
            }
            pf_ps=$(ps -A -o comm= 2>&1); pf_e=$?
            pf_p=$(printf '%s\\n' "$pf_ps" | awk '{ sub(/^.*\\//, "") }
              /^(chronyd|ntpd|ntpsec|openntpd)$/ || /^systemd-timesyn/ { print }' | sort -u)
            echo '@@ procs'
            if [ "$pf_e" -ne 0 ]; then printf '%s\\n' "$pf_ps"; elif [ -n "$pf_p" ]; then printf '%s\\n' "$pf_p"; fi
            echo "@@ exit $pf_e"
            echo '@@ installed'
            for pf_b in chronyd chronyc ntpd ntpq ntpctl timedatectl; do
              if pf_w=$(command -v "$pf_b" 2>/dev/null); then echo "$pf_b $pf_w"; fi
            done
            for pf_b in /lib/systemd/systemd-timesyncd /usr/lib/systemd/systemd-timesyncd; do
              if [ -x "$pf_b" ]; then echo "systemd-timesyncd $pf_b"; break; fi
            done
            if pf_q=$(command -v ntpq 2>/dev/null) && head -n 1 "$pf_q" 2>/dev/null | grep -q python
            then echo 'ntpq-flavor ntpsec'; fi
            echo '@@ exit 0'
            pf_runs() { printf '%s\\n' "$pf_p" | grep -q "^$1"; }
            pf_tool() { command -v "$1" >/dev/null 2>&1; }
            if pf_runs chronyd && pf_tool chronyc; then
              pf_sec chronyc chronyc -n -c tracking
              pf_sec chronyc-sources chronyc -n -c sources
            fi
            if pf_runs ntpd && pf_tool ntpq; then pf_sec ntpq ntpq -pn; fi
            if pf_runs ntpd && pf_tool ntpctl; then pf_sec ntpctl ntpctl -s all; fi
            if pf_runs systemd-timesyn && pf_tool timedatectl; then
              pf_sec timedatectl timedatectl show -p NTPSynchronized -p NTP
              pf_sec timesync-status timedatectl timesync-status
            fi
            exit 0
            """
                    .replace("NEED_TOOLS", ShellTools.need("awk", "sort", "grep", "head").strip());

    /** chronyc and ntpq retry for a few seconds each when the daemon does not answer. */
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    public TimesyncCheck {
        if (!daemon.equals("auto") && !DAEMONS.contains(daemon)) {
            throw new IllegalArgumentException(
                    "daemon must be auto or one of "
                            + String.join(", ", DAEMONS)
                            + ", got "
                            + daemon);
        }
        maxOffset
                .filter(d -> d.isZero() || d.isNegative())
                .ifPresent(d -> {
                    throw new IllegalArgumentException("max_offset must be more than 0");
                });
    }

    static Optional<TimesyncCheck> parse(Fields f) {
        List<String> allowed = new ArrayList<>(List.of("auto"));
        allowed.addAll(DAEMONS);
        Optional<String> daemon = f.choice("daemon", allowed);
        Optional<Duration> maxOffset = f.duration("max_offset");
        if (f.has("daemon") && daemon.isEmpty()) return Optional.empty();
        return f.build(() -> new TimesyncCheck(daemon.orElse("auto"), maxOffset));
    }

    @Override
    public Probe<Seen> probe() {
        return Probe.host("time daemons", new HostProbe(SCRIPT, TIMEOUT), TimesyncCheck::read);
    }

    /**
     * What the probe found: the time daemons running and those installed (each in {@link #DAEMONS}
     * order), and the sections their tools printed, by name ({@code chronyc}, {@code ntpq}…).
     */
    record Seen(List<String> running, List<String> installed, Map<String, Section> tools) {}

    static Seen read(ProbeOutput o) throws Probe.Unreadable {
        Map<String, Section> s = TimeDaemons.sections(o.out());
        Section procs = s.get("procs");
        if (o.exitCode() != 0 || procs == null) {
            String e = o.err();
            throw new Probe.Unreadable(
                    "time daemon probe failed: "
                            + (e.isEmpty() ? "exit " + o.exitCode() : ProbeOutput.lastLine(e)));
        }
        if (procs.exit() != 0) throw new Probe.Unreadable("ps failed: " + procs.lastLine());

        Map<String, String> bins = new HashMap<>();
        for (String line : s.getOrDefault("installed", new Section("", 0)).lines()) {
            String[] kv = line.strip().split("\\s+", 2);
            bins.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        boolean ntpsec =
                "ntpsec".equals(bins.get("ntpq-flavor"))
                        || (s.containsKey("ntpq")
                                && TimeDaemons.isNtpsecHeader(s.get("ntpq").output()));
        String ntpdFlavor = bins.containsKey("ntpctl") ? "openntpd" : ntpsec ? "ntpsec" : "ntpd";

        Set<String> running = new LinkedHashSet<>();
        for (String line : procs.lines()) {
            String comm = line.strip();
            if (comm.equals("chronyd")) running.add("chrony");
            if (comm.equals("ntpd") || comm.equals("ntpsec")) running.add(ntpdFlavor);
            if (comm.equals("openntpd")) running.add("openntpd");
            if (comm.startsWith("systemd-timesyn")) running.add("systemd-timesyncd");
        }
        Set<String> installed = new LinkedHashSet<>();
        if (bins.containsKey("chronyd")) installed.add("chrony");
        if (bins.containsKey("ntpd")) installed.add(ntpdFlavor);
        if (bins.containsKey("ntpctl")) installed.add("openntpd");
        if (bins.containsKey("systemd-timesyncd")) installed.add("systemd-timesyncd");
        return new Seen(inOrder(running), inOrder(installed), s);
    }

    @Override
    public Verdict judge(Seen seen, Now now) {
        List<String> up = seen.running();
        List<String> present = seen.installed();
        String chosen;
        if (daemon.equals("auto")) {
            if (up.isEmpty()) {
                return present.isEmpty()
                        ? Verdict.fail("no time daemon installed")
                                .withDetails(
                                        List.of(
                                                "looked for chronyd, ntpd, ntpctl and systemd-timesyncd"))
                        : Verdict.fail(String.join(", ", present) + " installed but not running");
            }
            chosen = up.get(0);
        } else {
            if (!up.contains(daemon)) {
                return Verdict.fail(
                        daemon
                                + (present.contains(daemon)
                                        ? " installed but not running"
                                        : " not installed")
                                + (up.isEmpty()
                                        ? ""
                                        : "; running instead: " + String.join(", ", up)));
            }
            chosen = daemon;
        }
        List<String> others = up.stream().filter(d -> !d.equals(chosen)).toList();
        List<String> details =
                others.isEmpty()
                        ? List.of()
                        : List.of("also running: " + String.join(", ", others));
        return judgeState(chosen, seen.tools(), details);
    }

    private Verdict judgeState(String chosen, Map<String, Section> s, List<String> details) {
        String tool =
                switch (chosen) {
                    case "chrony" -> "chronyc";
                    case "openntpd" -> "ntpctl";
                    case "systemd-timesyncd" -> "timedatectl";
                    default -> "ntpq";
                };
        Section out = s.get(tool);
        if (out == null) {
            return Verdict.error(
                            chosen
                                    + ": running, but "
                                    + tool
                                    + " was not found, so whether it is synchronised is unknown")
                    .withDetails(details);
        }
        State st =
                switch (chosen) {
                    case "chrony" ->
                            TimeDaemons.chrony(out, Optional.ofNullable(s.get("chronyc-sources")));
                    case "openntpd" -> TimeDaemons.openntpd(out);
                    case "systemd-timesyncd" ->
                            TimeDaemons.timesyncd(
                                    out, Optional.ofNullable(s.get("timesync-status")));
                    default -> TimeDaemons.ntpq(chosen, out);
                };
        List<String> all = new ArrayList<>(details);
        if (st.sync() != TimeDaemons.Sync.SYNCHRONISED) {
            all.addAll(out.lines().stream().limit(12).toList());
            return Verdict.fail(st.summary()).withDetails(all);
        }
        if (maxOffset.isEmpty()) return Verdict.pass(st.summary()).withDetails(all);
        String max = Durations.format(maxOffset.get());
        if (st.offset().isEmpty()) {
            return Verdict.error(
                            st.summary()
                                    + "; "
                                    + tool
                                    + " gave no offset estimate to compare with max_offset "
                                    + max)
                    .withDetails(all);
        }
        if (st.offset().get().abs().compareTo(maxOffset.get()) > 0) {
            return Verdict.fail(st.summary() + " exceeds max_offset " + max).withDetails(all);
        }
        return Verdict.pass(st.summary() + " (max_offset " + max + ")").withDetails(all);
    }

    private static List<String> inOrder(Set<String> daemons) {
        return DAEMONS.stream().filter(daemons::contains).toList();
    }

    @Override
    public String describe() {
        return (daemon.equals("auto") ? "a time daemon" : daemon)
                + " running and synchronised"
                + maxOffset.map(d -> ", offset within " + Durations.format(d)).orElse("");
    }
}
