package dev.postflight.check;

import dev.postflight.input.Durations;
import dev.postflight.input.Fields;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the last boot left behind (seed 001): whether the host rebooted during the maintenance
 * window, OOM kills since the window's start (or since boot), systemd units that failed, and
 * whether an fsck ran at boot. The window's start comes from {@code verify --since}.
 *
 * <p>The probe reads the boot time from {@code /proc/stat} ({@code btime}), FreeBSD's {@code sysctl
 * -n kern.boottime} or {@code uptime -s}; kernel messages from {@code journalctl -k} or else {@code
 * dmesg} (Linux's OOM killer, and FreeBSD's page daemon: "pid N (name), …, was killed: out of swap
 * space"); failed units from {@code systemctl --failed}; fsck lines from the boot's journal or
 * {@code /var/log/boot.log}.
 */
public record BootCheck(
        Optional<Boolean> rebooted,
        int maxOomKills,
        boolean failedServices,
        boolean fsck,
        Optional<Instant> since)
        implements CheckSpec<BootCheck.Seen> {

    private static final String SCRIPT =
            ShellTools.need("date", "grep", "awk", "tail", "head", "sed")
                    + """
                    echo "tz=$(date +%z)"
                    if [ -r /proc/stat ] && grep -q '^btime ' /proc/stat; then
                      awk '/^btime / { print "btime=" $2 }' /proc/stat
                    elif pf_bt=$(sysctl -n kern.boottime 2>/dev/null); then
                      echo "kern_boottime=$pf_bt"
                    elif pf_bt=$(uptime -s 2>/dev/null); then
                      echo "uptime_s=$pf_bt"
                    fi
                    pf_oom='Out of memory|oom-kill|Killed process|was killed: '
                    if command -v journalctl >/dev/null 2>&1 \\
                       && pf_k=$(journalctl -k -q --no-pager -o short-unix $pf_range 2>&1) \\
                       && [ -n "$pf_k" ] && ! printf '%s' "$pf_k" | grep -q 'insufficient permissions'; then
                      echo oom_source=journal
                      printf '%s\\n' "$pf_k" | grep -E "$pf_oom" | tail -n 50 | sed 's/^/oom=/'
                    elif pf_k=$(dmesg 2>&1); then
                      echo oom_source=dmesg
                      printf '%s\\n' "$pf_k" | grep -E "$pf_oom" | tail -n 50 | sed 's/^/oom=/'
                    else
                      echo "oom_source=none"
                      echo "oom_err=$(printf '%s\\n' "$pf_k" | tail -n 1)"
                    fi
                    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
                      echo services=systemd
                      systemctl --failed --no-legend --plain 2>/dev/null | awk '{ print "failed=" $1 }'
                    else
                      echo services=none
                    fi
                    if [ "$pf_fsck" = 1 ]; then
                      if command -v journalctl >/dev/null 2>&1 \\
                         && pf_j=$(journalctl -b -q --no-pager -o cat 2>/dev/null) && [ -n "$pf_j" ]; then
                        echo fsck_source=journal
                        printf '%s\\n' "$pf_j" | grep -iE 'fsck' | head -n 5 | sed 's/^/fsck=/'
                      elif [ -r /var/log/boot.log ]; then
                        echo fsck_source=boot.log
                        grep -iE 'fsck' /var/log/boot.log | head -n 5 | sed 's/^/fsck=/'
                      else
                        echo fsck_source=none
                      fi
                    fi
                    """;

    private static final Pattern KILLED = Pattern.compile("Killed process (\\d+) \\(([^)]*)\\)");

    /**
     * FreeBSD's page daemon (vm_pageout.c): "pid 41872 (java), jid 0, uid 80, was killed: failed to
     * reclaim memory"; before 12 without the jid.
     */
    private static final Pattern BSD_KILLED =
            Pattern.compile("pid (\\d+) \\(([^)]*)\\),.* was killed: (.*)$");

    private static final Pattern JOURNAL_TIME = Pattern.compile("^(\\d+)(?:\\.\\d+)?\\s");
    private static final Pattern DMESG_TIME = Pattern.compile("^\\[\\s*(\\d+)(?:\\.\\d+)?\\]");
    private static final Pattern FREEBSD_BOOTTIME = Pattern.compile("sec = (\\d+)");
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm");

    public BootCheck {
        if (maxOomKills < 0)
            throw new IllegalArgumentException(
                    "max_oom_kills must be 0 or more, got " + maxOomKills);
    }

    static Optional<BootCheck> parse(Fields f) {
        Optional<Boolean> rebooted = f.bool("rebooted");
        Optional<Integer> max = f.integer("max_oom_kills");
        boolean failed = f.bool("failed_services").orElse(true);
        boolean fsck = f.bool("fsck").orElse(false);
        return f.build(
                () -> new BootCheck(rebooted, max.orElse(0), failed, fsck, Optional.empty()));
    }

    /** {@code rebooted:} is set but no window start is known: the check could not be judged. */
    public boolean needsWindowStart() {
        return rebooted.isPresent() && since.isEmpty();
    }

    @Override
    public BootCheck withSince(Instant start) {
        return new BootCheck(rebooted, maxOomKills, failedServices, fsck, Optional.of(start));
    }

    @Override
    public Probe<Seen> probe() {
        String range = since.map(s -> "--since @" + s.getEpochSecond()).orElse("-b");
        return Probe.host(
                "boot",
                "pf_range='" + range + "'\npf_fsck=" + (fsck ? 1 : 0) + "\n" + SCRIPT,
                o -> Seen.of(o.out()));
    }

    /**
     * What the probe saw: the host's offset, when it booted, its OOM-killer lines and where they
     * came from ({@code journal}, {@code dmesg} or {@code none} with why), the failed units under
     * systemd, and the fsck lines of this boot and where they came from.
     */
    record Seen(
            ZoneOffset zone,
            Instant boot,
            String oomSource,
            String oomError,
            List<String> oom,
            boolean systemd,
            List<String> failed,
            String fsckSource,
            List<String> fsck) {
        Seen {
            oom = List.copyOf(oom);
            failed = List.copyOf(failed);
            fsck = List.copyOf(fsck);
        }

        /** Reads the probe's output; without a boot time there is nothing to judge. */
        static Seen of(String out) throws Probe.Unreadable {
            KeyValues kv = KeyValues.parse(out);
            ZoneOffset zone = zone(value(kv, "tz").orElse("+0000"));
            Instant boot =
                    bootTime(kv, zone)
                            .orElseThrow(() ->
                                    new Probe.Unreadable(
                                            "boot: boot time not found (no /proc/stat btime,"
                                                    + " kern.boottime or uptime -s)"));
            return new Seen(
                    zone,
                    boot,
                    value(kv, "oom_source").orElse("none"),
                    value(kv, "oom_err").orElse("no output"),
                    strip(kv.all("oom")),
                    value(kv, "services").filter("systemd"::equals).isPresent(),
                    strip(kv.all("failed")).stream().filter(f -> !f.isEmpty()).toList(),
                    value(kv, "fsck_source").orElse("none"),
                    strip(kv.all("fsck")));
        }

        /** The last line with this key, stripped, as the probe prints each once. */
        private static Optional<String> value(KeyValues kv, String key) {
            List<String> all = kv.all(key);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast().strip());
        }

        private static List<String> strip(List<String> values) {
            return values.stream().map(String::strip).toList();
        }

        private static ZoneOffset zone(String tz) {
            try {
                return ZoneOffset.of(tz);
            } catch (DateTimeException e) {
                return ZoneOffset.UTC;
            }
        }

        private static Optional<Instant> bootTime(KeyValues kv, ZoneOffset zone) {
            try {
                Optional<String> btime = value(kv, "btime");
                if (btime.isPresent())
                    return Optional.of(Instant.ofEpochSecond(Long.parseLong(btime.get())));
                Optional<String> bsd = value(kv, "kern_boottime");
                if (bsd.isPresent()) {
                    Matcher m = FREEBSD_BOOTTIME.matcher(bsd.get());
                    if (m.find())
                        return Optional.of(Instant.ofEpochSecond(Long.parseLong(m.group(1))));
                }
                Optional<String> uptime = value(kv, "uptime_s");
                if (uptime.isPresent()) {
                    return Optional.of(
                            LocalDateTime.parse(uptime.get().replace(' ', 'T')).toInstant(zone));
                }
            } catch (NumberFormatException | DateTimeParseException e) {
                return Optional.empty();
            }
            return Optional.empty();
        }

        /**
         * The processes the OOM killer ended since {@code from}, once each: journal lines carry
         * their time, dmesg lines seconds since boot (FreeBSD's none: all of this boot count).
         */
        List<String> oomKills(Optional<Instant> from) {
            Map<String, String> kills = new LinkedHashMap<>();
            boolean journal = "journal".equals(oomSource);
            for (String line : oom) {
                Matcher k = KILLED.matcher(line);
                Matcher bsd = BSD_KILLED.matcher(line);
                if (!k.find()) {
                    if (bsd.find())
                        kills.putIfAbsent(
                                bsd.group(1),
                                "pid "
                                        + bsd.group(1)
                                        + " ("
                                        + bsd.group(2)
                                        + ") was killed: "
                                        + bsd.group(3).strip());
                    continue;
                }
                Optional<Instant> at = Optional.empty();
                Matcher t = (journal ? JOURNAL_TIME : DMESG_TIME).matcher(line);
                if (t.find()) {
                    long n = Long.parseLong(t.group(1));
                    at =
                            journal
                                    ? Optional.of(Instant.ofEpochSecond(n))
                                    : Optional.of(boot.plusSeconds(n));
                }
                if (from.isPresent() && at.isPresent() && at.get().isBefore(from.get())) continue;
                kills.putIfAbsent(
                        k.group(1), "Killed process " + k.group(1) + " (" + k.group(2) + ")");
            }
            return List.copyOf(kills.values());
        }
    }

    /** Judges at the host's now, to the second as its {@code date +%s} gives it. */
    @Override
    public Verdict judge(Seen seen, Now now) {
        Instant hostNow = now.host().truncatedTo(ChronoUnit.SECONDS);
        ZoneOffset zone = seen.zone();
        Instant boot = seen.boot();
        List<String> problems = new ArrayList<>();
        List<String> facts = new ArrayList<>();
        String bootAt = boot.atOffset(zone).format(MINUTE);
        if (since.isPresent()) {
            boolean during = boot.isAfter(since.get());
            String window = since.get().atOffset(zone).format(CLOCK);
            facts.add(
                    during
                            ? "rebooted during the window at " + bootAt + " (since " + window + ")"
                            : "not rebooted during the window: up since "
                                    + bootAt
                                    + " (window since "
                                    + window
                                    + ")");
            if (rebooted.isPresent() && rebooted.get() != during)
                problems.add(during ? "expected no reboot" : "expected a reboot");
        } else {
            facts.add(
                    "booted "
                            + Durations.format(Duration.between(boot, hostNow))
                            + " ago at "
                            + bootAt);
            if (rebooted.isPresent())
                return Verdict.error(
                        "boot: rebooted: "
                                + rebooted.get()
                                + " needs the window's start: run verify with --since");
        }

        String source = seen.oomSource();
        String sinceWord =
                since.map(s -> "since " + s.atOffset(zone).format(CLOCK)).orElse("since boot");
        if (source.equals("none")) {
            problems.add(
                    "OOM kills not readable (journalctl -k and dmesg: " + seen.oomError() + ")");
        } else {
            List<String> kills = seen.oomKills(since.or(() -> Optional.of(boot)));
            String oom =
                    kills.size()
                            + " OOM kill"
                            + (kills.size() == 1 ? "" : "s")
                            + " "
                            + sinceWord
                            + (kills.isEmpty() ? "" : ": " + String.join(", ", kills))
                            + " ("
                            + source
                            + ")";
            facts.add(oom);
            if (kills.size() > maxOomKills) problems.add("more than " + maxOomKills + " OOM kills");
        }

        if (failedServices) {
            if (seen.systemd()) {
                if (seen.failed().isEmpty()) facts.add("no failed units");
                else {
                    facts.add("failed: " + String.join(", ", seen.failed()));
                    problems.add("failed units");
                }
            } else {
                facts.add("failed units: skipped (no systemd)");
            }
        }

        if (fsck) {
            String from = seen.fsckSource();
            if (from.equals("none")) facts.add("fsck: no boot log readable");
            else if (seen.fsck().isEmpty()) facts.add("no fsck at this boot (" + from + ")");
            else facts.add("fsck at this boot: " + seen.fsck().get(0) + " (" + from + ")");
        }

        String reason = String.join("; ", facts);
        if (!problems.isEmpty()) return Verdict.fail(reason + " — " + String.join(", ", problems));
        return Verdict.pass(reason);
    }

    @Override
    public String describe() {
        List<String> want = new ArrayList<>();
        rebooted.ifPresent(
                r -> want.add(r ? "rebooted in the window" : "not rebooted in the window"));
        want.add("at most " + maxOomKills + " OOM kills");
        if (failedServices) want.add("no failed units");
        if (fsck) want.add("report fsck");
        return "boot: " + String.join(", ", want);
    }
}
