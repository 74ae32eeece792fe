package dev.postflight.check;

import dev.postflight.input.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Readers for what each time daemon's own tool says about its synchronisation: {@code chronyc -c
 * tracking}/{@code sources}, {@code ntpq -pn} (ntpd, ntpsec, FreeBSD's ntpd), {@code timedatectl}
 * (systemd-timesyncd) and {@code ntpctl -s all} (OpenNTPD). Each reader turns one tool's output
 * into a {@link State}; {@link TimesyncCheck} decides which daemon to ask and judges the state.
 *
 * <p>Offsets follow the NTP convention all four tools share: reference time minus the local clock,
 * so a positive offset means the local clock is behind (chrony's "slow").
 *
 * <p>Over 400 lines on purpose: one table of the time daemons (ntpd, chronyd, systemd-timesyncd,
 * openntpd) per init system and their query tools, with the one shell probe that reads them all;
 * the timesync check and the fixes both read it.
 */
final class TimeDaemons {
    private TimeDaemons() {}

    /** Whether the daemon answered and, if so, whether it says it is synchronised. */
    enum Sync {
        SYNCHRONISED,
        UNSYNCHRONISED,
        NOT_ANSWERING
    }

    /**
     * What one daemon said: the selected peer and its stratum, the daemon's own offset estimate,
     * and a note (why it is not synchronised, or the tool's error text).
     */
    record State(
            String daemon,
            Sync sync,
            Optional<String> peer,
            OptionalInt peerStratum,
            Optional<Duration> offset,
            String note,
            String stratumLabel) {

        /** A state whose stratum is the one its tool shows for the selected peer. */
        State(
                String daemon,
                Sync sync,
                Optional<String> peer,
                OptionalInt peerStratum,
                Optional<Duration> offset,
                String note) {
            this(daemon, sync, peer, peerStratum, offset, note, "peer stratum");
        }

        static State notAnswering(String daemon, String note) {
            return new State(
                    daemon,
                    Sync.NOT_ANSWERING,
                    Optional.empty(),
                    OptionalInt.empty(),
                    Optional.empty(),
                    note);
        }

        static State unsynchronised(String daemon, String note) {
            return new State(
                    daemon,
                    Sync.UNSYNCHRONISED,
                    Optional.empty(),
                    OptionalInt.empty(),
                    Optional.empty(),
                    note);
        }

        /** The one line an operator reads, e.g. {@code chrony: synchronised to 192.0.2.1 ...}. */
        String summary() {
            return switch (sync) {
                case NOT_ANSWERING -> daemon + ": running but not answering: " + note;
                case UNSYNCHRONISED -> daemon + ": running but not synchronised (" + note + ")";
                case SYNCHRONISED ->
                        daemon
                                + ": synchronised"
                                + peer.map(p -> " to " + p).orElse("")
                                + (peerStratum.isPresent()
                                        ? " (" + stratumLabel + " " + peerStratum.getAsInt() + ")"
                                        : "")
                                + (note.isEmpty() ? "" : ", " + note)
                                + offset.map(o -> ", offset " + offsetText(o)).orElse("");
            };
        }
    }

    /** One labelled section of the probe's output: what the command printed and its exit code. */
    record Section(String output, int exit) {
        List<String> lines() {
            List<String> out = new ArrayList<>();
            for (String l : output.split("\n")) if (!l.isBlank()) out.add(l);
            return out;
        }

        /** The last non-empty line, the usual place of a tool's error message. */
        String lastLine() {
            List<String> l = lines();
            return l.isEmpty() ? "exit " + exit : l.get(l.size() - 1).strip();
        }
    }

    /**
     * Splits the probe output at {@code @@ name} headers; each section ends with {@code @@ exit N}.
     */
    static Map<String, Section> sections(String out) {
        Map<String, Section> all = new LinkedHashMap<>();
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : out.split("\n", -1)) {
            if (line.startsWith("@@ exit ") && name != null) {
                int exit;
                try {
                    exit = Integer.parseInt(line.substring(8).strip());
                } catch (NumberFormatException e) {
                    exit = -1;
                }
                all.put(name, new Section(body.toString(), exit));
                name = null;
            } else if (line.startsWith("@@ ")) {
                name = line.substring(3).strip();
                body.setLength(0);
            } else if (name != null) {
                body.append(line).append('\n');
            }
        }
        return all;
    }

    /** {@code +0.812ms}, {@code -1.234ms}, {@code +2.50s}, {@code -3h00m}. */
    static String offsetText(Duration d) {
        if (d.abs().compareTo(Duration.ofSeconds(1)) < 0) {
            return String.format(Locale.ROOT, "%+.3fms", d.toNanos() / 1e6);
        }
        return (d.isNegative() ? "" : "+") + Durations.format(d);
    }

    private static Optional<Duration> seconds(String s) {
        try {
            return Optional.of(Duration.ofNanos(Math.round(Double.parseDouble(s.strip()) * 1e9)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> millis(String s) {
        try {
            return Optional.of(Duration.ofNanos(Math.round(Double.parseDouble(s.strip()) * 1e6)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static OptionalInt integer(String s) {
        try {
            return OptionalInt.of(Integer.parseInt(s.strip()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** chrony: {@code chronyc -n -c tracking}, with {@code chronyc -n -c sources} when present. */
    static State chrony(Section tracking, Optional<Section> sources) {
        String[] f = tracking.output().strip().split(",", -1);
        if (tracking.exit() != 0 || f.length < 14) {
            return State.notAnswering("chrony", tracking.lastLine());
        }
        String refId = f[0];
        String address = f[1];
        OptionalInt stratum = integer(f[2]);
        String leap = f[13];
        int total = 0;
        int reachable = 0;
        OptionalInt selectedStratum = OptionalInt.empty();
        boolean listed = sources.isPresent() && sources.get().exit() == 0;
        if (listed) {
            for (String line : sources.get().lines()) {
                String[] s = line.split(",", -1);
                if (s.length < 6) continue;
                total++;
                if (!s[5].strip().equals("0")) reachable++;
                if (s[1].equals("*")) selectedStratum = integer(s[3]);
            }
        }
        String sourcesSeen = listed ? "; " + reachable + " of " + total + " sources reachable" : "";
        if (leap.equals("Not synchronised") || refId.equals("00000000")) {
            return State.unsynchronised(
                    "chrony", "leap status " + leap + ", stratum " + f[2] + sourcesSeen);
        }
        // chronyd serving its own clock ('local stratum N' in chrony.conf) says "Normal" with the
        // reference 7F7F0101 (127.127.1.1): it is not synchronised to any real time source.
        if (refId.equalsIgnoreCase("7F7F0101")
                || address.startsWith("127.127.1.")
                || refId.equalsIgnoreCase("LOCAL")) {
            return State.unsynchronised(
                    "chrony",
                    "local clock only (reference " + refId + "), stratum " + f[2] + sourcesSeen);
        }
        if (stratum.isPresent() && stratum.getAsInt() >= 16) {
            return State.unsynchronised("chrony", "stratum " + f[2] + sourcesSeen);
        }
        if (listed && selectedStratum.isEmpty()) {
            return State.unsynchronised(
                    "chrony",
                    "no selected source (no * in chronyc sources)"
                            + "; "
                            + reachable
                            + " of "
                            + total
                            + " sources reachable");
        }
        return new State(
                "chrony",
                Sync.SYNCHRONISED,
                Optional.of(address.isEmpty() ? refId : address),
                stratum,
                seconds(f[4]),
                leap.equals("Normal") ? "" : "leap status " + leap,
                "stratum");
    }

    /** One row of {@code ntpq -pn}: the tally code and the ten columns after it. */
    record NtpqPeer(
            char tally,
            String remote,
            String refid,
            int stratum,
            String type,
            String reach,
            String offset) {}

    /** ntpsec prints a wider remote column than classic ntpq: "refid" starts far to the right. */
    static boolean isNtpsecHeader(String ntpqOutput) {
        for (String line : ntpqOutput.split("\n")) {
            if (line.contains("remote") && line.contains("refid")) {
                return line.indexOf("refid") > 30;
            }
        }
        return false;
    }

    /** ntpd, ntpsec and FreeBSD's ntpd: {@code ntpq -pn}; a {@code *} or {@code o} peer is sync. */
    static State ntpq(String daemon, Section s) {
        List<String> lines = s.lines();
        boolean header = lines.stream().anyMatch(l -> l.contains("remote") && l.contains("refid"));
        if (s.exit() != 0 || !header) {
            if (s.output().contains("No association ID")) {
                return State.unsynchronised(daemon, "no peers configured");
            }
            return State.notAnswering(daemon, s.lastLine());
        }
        List<NtpqPeer> peers = new ArrayList<>();
        boolean table = false;
        for (String line : lines) {
            if (line.startsWith("===")) {
                table = true;
                continue;
            }
            if (!table || line.length() < 2) continue;
            String[] c = line.substring(1).strip().split("\\s+");
            if (c.length < 10) continue;
            OptionalInt st = integer(c[2]);
            peers.add(new NtpqPeer(line.charAt(0), c[0], c[1], st.orElse(16), c[3], c[6], c[8]));
        }
        for (NtpqPeer p : peers) {
            if (p.tally() == '*' || p.tally() == 'o') {
                // ntpd's undisciplined local clock driver: LOCAL(0), 127.127.1.x, refid .LOCL.
                if (p.remote().startsWith("127.127.1.")
                        || p.remote().startsWith("LOCAL(")
                        || p.refid().equals(".LOCL.")) {
                    return State.unsynchronised(
                            daemon, "the * peer is the local clock (" + p.remote() + ")");
                }
                if (p.reach().equals("0")) {
                    return State.unsynchronised(
                            daemon, "the * peer " + p.remote() + " is unreachable (reach 0)");
                }
                if (p.stratum() >= 16) {
                    return State.unsynchronised(
                            daemon, "the * peer " + p.remote() + " is at stratum 16");
                }
                return new State(
                        daemon,
                        Sync.SYNCHRONISED,
                        Optional.of(p.remote()),
                        OptionalInt.of(p.stratum()),
                        millis(p.offset()),
                        "");
            }
        }
        List<NtpqPeer> real =
                peers.stream()
                        .filter(p -> !p.type().equals("p") && !p.refid().equals(".POOL."))
                        .toList();
        long reachable = real.stream().filter(p -> !p.reach().equals("0")).count();
        String why =
                real.isEmpty()
                        ? "no * peer; no peers yet"
                        : reachable == 0
                                ? "no * peer; reach 0"
                                : "no * peer; "
                                        + reachable
                                        + " of "
                                        + real.size()
                                        + " peers reachable";
        return State.unsynchronised(daemon, why);
    }

    /**
     * systemd-timesyncd: {@code timedatectl show -p NTPSynchronized -p NTP}, and {@code timedatectl
     * timesync-status} (systemd 239+) for the server and offset.
     */
    static State timesyncd(Section show, Optional<Section> status) {
        String daemon = "systemd-timesyncd";
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : show.lines()) {
            int eq = line.indexOf('=');
            if (eq > 0) kv.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        if (show.exit() != 0 || !kv.containsKey("NTPSynchronized")) {
            return State.notAnswering(daemon, show.lastLine());
        }
        Map<String, String> st = new LinkedHashMap<>();
        if (status.isPresent() && status.get().exit() == 0) {
            for (String line : status.get().lines()) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    st.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
        }
        Optional<String> server =
                Optional.ofNullable(st.get("Server"))
                        .filter(v -> !v.isEmpty() && !v.startsWith("n/a"))
                        .map(v -> v.split("\\s+")[0]);
        if (!kv.get("NTPSynchronized").equals("yes")) {
            String why =
                    "NTPSynchronized=no"
                            + ("no".equals(kv.get("NTP")) ? ", NTP=no (time sync disabled)" : "")
                            + server.map(v -> ", server " + v).orElse("");
            return State.unsynchronised(daemon, why);
        }
        return new State(
                daemon,
                Sync.SYNCHRONISED,
                server,
                Optional.ofNullable(st.get("Stratum"))
                        .map(TimeDaemons::integer)
                        .orElse(OptionalInt.empty()),
                Optional.ofNullable(st.get("Offset")).flatMap(TimeDaemons::systemdTimespan),
                "",
                "server stratum");
    }

    private static final Pattern TIMESPAN_PART =
            Pattern.compile("(\\d+(?:\\.\\d+)?)(us|µs|ms|s|min|h|d)");

    /** systemd's signed timespans as timedatectl prints them: {@code -1.234ms}, {@code 1s 20ms}. */
    static Optional<Duration> systemdTimespan(String text) {
        String t = text.strip();
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) t = t.substring(1);
        String compact = t.replace(" ", "");
        Matcher m = TIMESPAN_PART.matcher(compact);
        double nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) return Optional.empty();
            double v = Double.parseDouble(m.group(1));
            nanos +=
                    v
                            * switch (m.group(2)) {
                                case "us", "µs" -> 1e3;
                                case "ms" -> 1e6;
                                case "s" -> 1e9;
                                case "min" -> 60e9;
                                case "h" -> 3600e9;
                                default -> 86400e9;
                            };
            end = m.end();
        }
        if (end == 0 || end != compact.length()) return Optional.empty();
        long n = Math.round(nanos);
        return Optional.of(Duration.ofNanos(negative ? -n : n));
    }

    private static final Pattern NTPCTL_STATUS =
            Pattern.compile(
                    "(\\d+)/(\\d+) peers valid,.*clock (synced|unsynced)(?:, stratum (\\d+))?");

    private static final Pattern NTPCTL_PEER =
            Pattern.compile(
                    "^\\s*(\\*)?\\s*\\d+\\s+\\d+\\s+(\\d+)\\s+\\S+\\s+\\S+\\s+(-?[\\d.]+)ms\\s");

    /** OpenNTPD: {@code ntpctl -s all} (or {@code -s status}): status line, then the peers. */
    static State openntpd(Section s) {
        String daemon = "openntpd";
        List<String> lines = s.lines();
        Matcher status = null;
        for (String line : lines) {
            Matcher m = NTPCTL_STATUS.matcher(line);
            if (m.find()) {
                status = m;
                break;
            }
        }
        if (s.exit() != 0 || status == null) return State.notAnswering(daemon, s.lastLine());
        String valid = status.group(1) + "/" + status.group(2) + " peers valid";
        if (status.group(3).equals("unsynced")) {
            return State.unsynchronised(daemon, valid + ", clock unsynced");
        }
        String previous = "";
        for (String line : lines) {
            Matcher p = NTPCTL_PEER.matcher(line);
            if (p.find() && p.group(1) != null) {
                return new State(
                        daemon,
                        Sync.SYNCHRONISED,
                        Optional.of(previous.strip().split("\\s+")[0]),
                        integer(p.group(2)),
                        millis(p.group(3)),
                        "");
            }
            previous = line;
        }
        return new State(
                daemon,
                Sync.SYNCHRONISED,
                Optional.empty(),
                OptionalInt.empty(),
                Optional.empty(),
                valid + (status.group(4) == null ? "" : ", stratum " + status.group(4)));
    }
}
