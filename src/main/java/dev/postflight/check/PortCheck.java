package dev.postflight.check;

import dev.postflight.input.Durations;
import dev.postflight.input.Fields;
import dev.postflight.transport.TcpProber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A port on the host: something listens on it (or must not), owned by the expected process, and —
 * with {@code reachable} — a TCP connect from the runner gets through, which tells a service bound
 * to loopback or a firewall that drops traffic apart from a healthy one (seed 000: {@code ss -lnt},
 * {@code lsof -i:80}, the firewall).
 *
 * <p>The host side lists listening sockets with {@code ss} (Linux), {@code sockstat} (FreeBSD, seed
 * 004: there is no ss) or {@code netstat}, and says which it used. The listing is the same for
 * every port check, so a host's port checks share one probe: one listing with the owning processes
 * for the checks that name a {@code process}, one without for the others.
 */
record PortCheck(
        int port, String proto, boolean listening, Optional<String> process, boolean reachable)
        implements CheckSpec<PortCheck.Seen> {

    /**
     * The listing with the owning processes, for checks that name a {@code process}: {@code ss -p}
     * and {@code netstat -p} read every file descriptor of every process, which makes them several
     * times dearer than the plain listing on a busy host, so checks that need no owner use {@link
     * #SCRIPT}. Whether the owners are visible depends on being root, hence the uid.
     */
    static final String SCRIPT_WITH_OWNERS = listing(true);

    /** The listing alone (sockstat shows owners anyway). */
    static final String SCRIPT = listing(false);

    private static String listing(boolean owners) {
        String flags = owners ? "-lntup" : "-lntu";
        return (owners ? "echo \"uid=$(id -u)\"\n" : "")
                + """
                if command -v ss >/dev/null 2>&1; then
                  echo tool=ss; exec ss %1$s
                elif command -v sockstat >/dev/null 2>&1; then
                  echo tool=sockstat; sockstat -l -4 -6
                elif command -v netstat >/dev/null 2>&1; then
                  if out=$(netstat %1$s 2>/dev/null); then echo tool=netstat; echo "$out"
                  else echo tool=netstat-an; netstat -an; fi
                else
                  echo 'no ss, sockstat or netstat' >&2; exit 127
                fi
                """
                        .formatted(flags);
    }

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public PortCheck {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port (" + port + ") must be between 1 and 65535");
        }
        if (!proto.equals("tcp") && !proto.equals("udp")) {
            throw new IllegalArgumentException("proto must be tcp or udp, got " + proto);
        }
        if (!listening && process.isPresent()) {
            throw new IllegalArgumentException("process needs listening: true");
        }
        if (!listening && reachable) {
            throw new IllegalArgumentException("reachable: true needs listening: true");
        }
        if (reachable && proto.equals("udp")) {
            throw new IllegalArgumentException(
                    "reachable works for tcp only (UDP has no connection to test)");
        }
    }

    static Optional<PortCheck> parse(Fields f) {
        Optional<Integer> port = f.integer("port");
        if (port.isEmpty() && !f.has("port")) f.error("missing required key 'port'");
        String proto = f.choice("proto", List.of("tcp", "udp")).orElse("tcp");
        boolean listening = f.bool("listening").orElse(true);
        Optional<String> process = f.text("process");
        boolean reachable = f.bool("reachable").orElse(false);
        if (port.isEmpty()) return Optional.empty();
        return f.build(() -> new PortCheck(port.get(), proto, listening, process, reachable));
    }

    @Override
    public Probe<Seen> probe() {
        // An attempt: a listing that could not be made is still combined with the connect's
        // result, so that an error names both what the host and what the runner could not do.
        Probe<Probe.Attempted<Listing>> listing =
                Probe.attempt(
                        Probe.host(
                                "listening sockets",
                                process.isPresent() ? SCRIPT_WITH_OWNERS : SCRIPT,
                                PortCheck::readListing));
        Probe<Optional<TcpProber.Outcome>> connect =
                reachable
                        ? Probe.runner(ctx ->
                                        ctx.tcp()
                                                .connect(
                                                        ctx.hostAddress(),
                                                        port,
                                                        CONNECT_TIMEOUT.compareTo(ctx.timeout()) < 0
                                                                ? CONNECT_TIMEOUT
                                                                : ctx.timeout()))
                                .map(Optional::of)
                        : Probe.known(Optional.empty());
        return Probe.both(listing, connect, Seen::new);
    }

    /** One listening socket: the local address, the port, and its owners if visible. */
    record Socket(String proto, String address, int port, List<String> owners) {}

    /** What the listing tool showed: which tool, and the sockets it could parse. */
    record Listing(String tool, boolean root, List<Socket> sockets) {}

    /** The host's listening sockets, and the runner's TCP connect when {@code reachable}. */
    record Seen(Probe.Attempted<Listing> listing, Optional<TcpProber.Outcome> connect) {}

    static Listing readListing(ProbeOutput o) throws Probe.Unreadable {
        Listing l = parseListing(o.out());
        if (o.exitCode() != 0 || l.tool().isEmpty()) {
            String e = o.err();
            throw new Probe.Unreadable(
                    "listing sockets failed"
                            + (l.tool().isEmpty() ? "" : " (" + l.tool() + ")")
                            + ": "
                            + (e.isEmpty() ? "exit " + o.exitCode() : ProbeOutput.lastLine(e)));
        }
        return l;
    }

    @Override
    public Verdict judge(Seen seen, Now now) {
        Verdict host =
                seen.listing()
                        .value()
                        .map(this::judgeListing)
                        .orElseGet(() -> seen.listing().notRun().orElseThrow());
        return seen.connect().map(c -> host.combine(judgeRunner(c))).orElse(host);
    }

    private String label() {
        return proto + "/" + port;
    }

    private Verdict judgeListing(Listing l) {
        List<Socket> mine =
                l.sockets().stream()
                        .filter(s -> s.port() == port && s.proto().equals(proto))
                        .toList();
        String via = " (" + l.tool() + ")";
        if (mine.isEmpty()) {
            return listening
                    ? Verdict.fail(label() + ": nothing listening" + via)
                    : Verdict.pass(label() + ": not listening, as expected" + via);
        }
        Set<String> addresses = new LinkedHashSet<>();
        Set<String> owners = new LinkedHashSet<>();
        boolean ownerUnknown = false;
        for (Socket s : mine) {
            addresses.add(s.address());
            if (s.owners().isEmpty()) ownerUnknown = true;
            owners.addAll(s.owners());
        }
        String on =
                label()
                        + ": listening on "
                        + String.join(", ", addresses)
                        + (owners.isEmpty() ? "" : " by " + String.join(", ", owners));
        if (!listening) return Verdict.fail(on + ", expected not listening" + via);
        if (process.isEmpty()) return Verdict.pass(on + via);
        String want = process.get();
        if (owners.stream().anyMatch(n -> sameProcess(want, n))) return Verdict.pass(on + via);
        if (owners.isEmpty() || ownerUnknown) {
            if (!l.root()) {
                return Verdict.warn(
                        on
                                + "; owner not visible without root, cannot confirm it is "
                                + want
                                + via);
            }
            if (owners.isEmpty()) {
                return Verdict.error(
                        on + "; " + l.tool() + " shows no owning process, expected " + want + via);
            }
        }
        return Verdict.fail(on + ", expected " + want + via);
    }

    private static boolean sameProcess(String want, String shown) {
        if (want.equals(shown)) return true;
        // Linux truncates command names to 15 characters, FreeBSD sockstat to 10 or so.
        return shown.length() >= 9 && want.length() > shown.length() && want.startsWith(shown);
    }

    private Verdict judgeRunner(TcpProber.Outcome outcome) {
        return switch (outcome) {
            case TcpProber.Outcome.Connected c ->
                    Verdict.pass("reachable from the runner in " + Durations.format(c.latency()));
            case TcpProber.Outcome.Refused r ->
                    Verdict.fail("not reachable from the runner: " + r.message());
            case TcpProber.Outcome.TimedOut t ->
                    Verdict.fail("not reachable from the runner: " + t.message());
            case TcpProber.Outcome.Unresolved u ->
                    Verdict.error("runner cannot connect: " + u.message());
            case TcpProber.Outcome.Failed f ->
                    Verdict.fail("not reachable from the runner: " + f.message());
        };
    }

    @Override
    public String describe() {
        if (!listening) return "nothing listens on " + label();
        return label()
                + " listening"
                + process.map(p -> " by " + p).orElse("")
                + (reachable ? ", reachable from the runner" : "");
    }

    private static final Pattern BLANKS = Pattern.compile("\\s+");

    private static final Pattern SS_USER =
            Pattern.compile("\\(\"((?:[^\"\\\\]|\\\\.)*)\",pid=(\\d+)");

    /** Parses the probe output of any of the listing tools. */
    static Listing parseListing(String out) {
        String tool = "";
        boolean root = false;
        List<Socket> sockets = new ArrayList<>();
        for (String raw : out.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("tool=")) {
                tool = line.substring(5);
                continue;
            }
            if (line.startsWith("uid=")) {
                root = line.equals("uid=0");
                continue;
            }
            if (line.isEmpty()) continue;
            String[] c = BLANKS.split(line);
            switch (tool) {
                case "ss" -> {
                    // Netid State Recv-Q Send-Q Local Peer [Process]
                    if (c.length < 6 || c[0].equals("Netid")) continue;
                    String p = c[0].startsWith("tcp") ? "tcp" : c[0].startsWith("udp") ? "udp" : "";
                    List<String> owners = new ArrayList<>();
                    Matcher m = SS_USER.matcher(line);
                    while (m.find()) {
                        if (!owners.contains(m.group(1))) owners.add(m.group(1));
                    }
                    addSocket(sockets, p, c[4], owners, false);
                }
                case "sockstat" -> {
                    // USER COMMAND PID FD PROTO LOCAL FOREIGN
                    if (c.length < 7 || c[0].equals("USER")) continue;
                    String p = c[4].startsWith("tcp") ? "tcp" : c[4].startsWith("udp") ? "udp" : "";
                    List<String> owners = c[1].equals("?") ? List.of() : List.of(c[1]);
                    addSocket(sockets, p, c[5], owners, false);
                }
                case "netstat", "netstat-an" -> {
                    // Proto Recv-Q Send-Q Local Foreign [State] [PID/Program name]
                    if (c.length < 5 || !(c[0].startsWith("tcp") || c[0].startsWith("udp"))) {
                        continue;
                    }
                    String p = c[0].startsWith("tcp") ? "tcp" : "udp";
                    boolean listen = c.length > 5 && c[5].equals("LISTEN");
                    if (p.equals("tcp") && !listen) continue;
                    if (p.equals("udp") && !(c[4].endsWith("*") && c.length < 7)) continue;
                    List<String> owners = new ArrayList<>();
                    int idx = listen ? 6 : 5;
                    if (tool.equals("netstat") && c.length > idx) {
                        int sl = c[idx].indexOf('/');
                        if (sl > 0) owners.add(c[idx].substring(sl + 1).replaceAll(":$", ""));
                    }
                    addSocket(sockets, p, c[3], owners, tool.equals("netstat-an"));
                }
                default -> {}
            }
        }
        return new Listing(tool, root, sockets);
    }

    /**
     * Adds a socket from its local address as the tools print it: {@code 0.0.0.0:22}, {@code
     * [::]:80}, {@code *:22}, {@code :::22}, {@code ::1:25} (sockstat), {@code 127.0.0.53%lo:53},
     * or BSD netstat's {@code *.22} and {@code 192.0.2.10.80}.
     */
    private static void addSocket(
            List<Socket> sockets, String proto, String local, List<String> owners, boolean dot) {
        if (proto.isEmpty()) return;
        int sep;
        if (dot || local.indexOf(':') < 0) {
            sep = local.lastIndexOf('.');
        } else if (local.startsWith("[")) {
            sep = local.indexOf("]:") + 1;
        } else {
            sep = local.lastIndexOf(':');
        }
        if (sep <= 0 || sep == local.length() - 1) return;
        String portText = local.substring(sep + 1);
        if (portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) return;
        String addr = local.substring(0, sep);
        if (addr.startsWith("[") && addr.endsWith("]")) addr = addr.substring(1, addr.length() - 1);
        int zone = addr.indexOf('%');
        if (zone > 0) addr = addr.substring(0, zone);
        if (addr.toLowerCase(Locale.ROOT).startsWith("::ffff:") && addr.contains(".")) {
            addr = addr.substring(7); // an IPv4-mapped address, as Java's dual-stack sockets show
        }
        if (addr.contains(":")) addr = "[" + addr + "]";
        sockets.add(new Socket(proto, addr, Integer.parseInt(portText), List.copyOf(owners)));
    }
}
