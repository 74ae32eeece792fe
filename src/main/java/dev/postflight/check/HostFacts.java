package dev.postflight.check;

import dev.postflight.input.Template;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a host looked like at one moment, for "what changed since before the maintenance": seed
 * 002's host came back from a redeploy with a new SSH host key and a newer OS, and nobody noticed.
 * Ports are {@code proto/port}, sorted by number, without the kernel's ephemeral range (a port-0
 * listener gets a new number on every start, so it would always look changed); the package list is
 * kept as its count and the SHA-256 of its sorted lines; certificates as the SHA-256 of the file.
 */
public record HostFacts(
        Optional<String> hostKey,
        String os,
        String kernel,
        String bootId,
        List<String> ports,
        List<String> services,
        Optional<Packages> packages,
        Map<String, String> certs) {

    /** The installed packages as one package manager lists them. */
    public record Packages(String manager, int count, String sha256) {}

    /** Names the facts probe in "could not run" errors. */
    static final String WHAT = "host facts";

    /**
     * The facts probe: OS, kernel, boot id, ephemeral port range, services enabled at boot, the
     * package list's count and hash, certificate hashes, then the listening sockets.
     */
    static final String SCRIPT =
            """
            pf_sha() {
              if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d' ' -f1
              elif command -v sha256 >/dev/null 2>&1; then sha256 -q
              elif command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r | cut -d' ' -f1
              elif command -v shasum >/dev/null 2>&1; then shasum -a 256 | cut -d' ' -f1
              else cat >/dev/null; fi
            }
            if [ -r /etc/os-release ]; then
              (. /etc/os-release; echo "os=${PRETTY_NAME:-$NAME $VERSION}")
            elif command -v freebsd-version >/dev/null 2>&1; then echo "os=FreeBSD $(freebsd-version -u)"
            else echo "os=$(uname -sr)"; fi
            echo "kernel=$(uname -sr)"
            if [ -r /proc/sys/kernel/random/boot_id ]; then
              echo "boot_id=$(cat /proc/sys/kernel/random/boot_id)"
            else echo "boot_id=$(sysctl -n kern.boottime 2>/dev/null)"; fi
            if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
              echo "ephemeral=$(cat /proc/sys/net/ipv4/ip_local_port_range)"
            elif pf_f=$(sysctl -n net.inet.ip.portrange.first 2>/dev/null); then
              echo "ephemeral=$pf_f-$(sysctl -n net.inet.ip.portrange.last 2>/dev/null)"
            fi
            if command -v systemctl >/dev/null 2>&1 \\
               && pf_s=$(systemctl list-unit-files --state=enabled --no-legend --no-pager 2>/dev/null)
            then printf '%s\\n' "$pf_s" | awk 'NF { print "service=" $1 }'
            elif [ "$(uname -s)" = FreeBSD ] && command -v sysrc >/dev/null 2>&1; then
              sysrc -a 2>/dev/null | sed -n 's/^\\(.*\\)_enable: *[Yy][Ee][Ss]$/service=\\1/p'
            elif command -v rc-update >/dev/null 2>&1; then
              rc-update show 2>/dev/null | awk 'NF { print "service=" $1 }'
            else
              for pf_f in /etc/rc[2345].d/S* /etc/rc.d/rc[2345].d/S*; do
                [ -e "$pf_f" ] && echo "service=$(basename "$pf_f" | sed 's/^S[0-9]*//')"
              done
            fi
            pf_pm=
            if command -v dpkg-query >/dev/null 2>&1; then pf_pm=dpkg
              pf_pk=$(dpkg-query -W -f='${Status}|${Package} ${Version}\\n' 2>/dev/null \\
                | sed -n 's/^install ok installed|//p')
            elif command -v rpm >/dev/null 2>&1; then pf_pm=rpm; pf_pk=$(rpm -qa 2>/dev/null)
            elif command -v pkg >/dev/null 2>&1; then pf_pm=pkg; pf_pk=$(pkg query '%n-%v' 2>/dev/null)
            elif command -v apk >/dev/null 2>&1; then pf_pm=apk; pf_pk=$(apk info -v 2>/dev/null)
            fi
            if [ -n "$pf_pm" ]; then
              echo "pkg_manager=$pf_pm"
              pf_pk=$(printf '%s\\n' "$pf_pk" | grep -v '^$' | LC_ALL=C sort)
              if [ -z "$pf_pk" ]; then echo pkg_count=0
              else
                echo "pkg_count=$(printf '%s\\n' "$pf_pk" | wc -l | tr -d ' ')"
                pf_h=$(printf '%s\\n' "$pf_pk" | pf_sha)
                if [ -n "$pf_h" ]; then echo "pkg_sha256=$pf_h"
                else printf '%s\\n' "$pf_pk" | sed 's/^/pkg=/'; fi
              fi
            fi
            for pf_c in /etc/letsencrypt/live/*/cert.pem CERT_FILES; do
              case "$pf_c" in *'*'*) continue ;; esac
              if [ ! -e "$pf_c" ]; then echo "cert=$pf_c missing"
              elif [ ! -r "$pf_c" ]; then echo "cert=$pf_c unreadable"
              else echo "cert=$pf_c $(pf_sha < "$pf_c")"; fi
            done
            echo @ports
            (
            PORT_SCRIPT)
            exit 0
            """;

    /**
     * Observes a host's facts, with these certificate files besides Let's Encrypt's, and the SSH
     * host key the connection saw ({@code postflight snapshot} and {@code verify --baseline}).
     */
    static Probe<HostFacts> probe(List<String> certFiles) {
        return Probe.both(
                Probe.host(WHAT, snippet(certFiles), HostFacts::read),
                Probe.hostKey(),
                HostFacts::withHostKey);
    }

    static HostProbe snippet(List<String> certFiles) {
        String certs =
                certFiles.stream()
                        .filter(f -> !f.matches("/etc/letsencrypt/live/[^/]+/cert\\.pem"))
                        .map(Template::shellQuote)
                        .collect(Collectors.joining(" "));
        return new HostProbe(
                SCRIPT.replace("CERT_FILES", certs).replace("PORT_SCRIPT", PortCheck.SCRIPT),
                Duration.ofSeconds(30));
    }

    /** The probe's facts; with neither OS nor kernel, the probe failed and there are none. */
    static HostFacts read(ProbeOutput o) throws Probe.Unreadable {
        HostFacts f = parse(o.out());
        if (f.os().isEmpty() && f.kernel().isEmpty()) {
            String e = o.err();
            throw new Probe.Unreadable(
                    "host facts probe failed: "
                            + (e.isEmpty() ? "exit " + o.exitCode() : ProbeOutput.lastLine(e)));
        }
        return f;
    }

    /** The line after which the probe prints the listening sockets, as {@link PortCheck} does. */
    static final String PORTS_MARKER = "@ports";

    private static final Comparator<String> BY_PORT =
            Comparator.comparing((String p) -> p.substring(0, p.indexOf('/')))
                    .thenComparingInt(p -> Integer.parseInt(p.substring(p.indexOf('/') + 1)));

    public HostFacts {
        for (String port : ports) {
            if (!port.matches("(tcp|udp)/[0-9]{1,5}")) {
                throw new IllegalArgumentException(
                        "ports: '" + port + "' is not proto/port (e.g. tcp/22, udp/123)");
            }
        }
        TreeSet<String> p = new TreeSet<>(BY_PORT);
        p.addAll(ports);
        ports = List.copyOf(p);
        services = List.copyOf(new TreeSet<>(services));
        certs = Collections.unmodifiableMap(new TreeMap<>(certs));
    }

    public HostFacts withHostKey(Optional<String> key) {
        return new HostFacts(key, os, kernel, bootId, ports, services, packages, certs);
    }

    /**
     * Parses the facts probe's output, or the {@link #lines()} of recorded facts: {@code key=value}
     * lines ({@code service=}, {@code port=}, {@code cert=PATH SHA256} and {@code pkg=} repeat),
     * then, after {@value #PORTS_MARKER}, a socket listing in any format {@link PortCheck} reads.
     */
    static HostFacts parse(String out) {
        Map<String, String> one = new HashMap<>();
        List<String> ports = new ArrayList<>();
        List<String> services = new ArrayList<>();
        List<String> pkgs = new ArrayList<>();
        Map<String, String> certs = new TreeMap<>();
        StringBuilder listing = new StringBuilder();
        boolean inPorts = false;
        for (String line : out.split("\n")) {
            if (inPorts) {
                listing.append(line).append('\n');
                continue;
            }
            if (line.strip().equals(PORTS_MARKER)) {
                inPorts = true;
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) continue;
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1);
            switch (key) {
                case "port" -> {
                    if (value.strip().matches("(tcp|udp)/[0-9]{1,5}")) ports.add(value.strip());
                }
                case "service" -> {
                    if (!value.isBlank()) services.add(value.strip());
                }
                case "pkg" -> pkgs.add(value);
                case "cert" -> {
                    String v = value.strip();
                    int sp = v.lastIndexOf(' ');
                    if (sp > 0) certs.putIfAbsent(v.substring(0, sp), v.substring(sp + 1));
                }
                default -> one.putIfAbsent(key, value.strip());
            }
        }
        if (inPorts) ports.addAll(listeningPorts(listing.toString(), one.get("ephemeral")));
        Optional<Packages> packages = Optional.empty();
        String manager = one.getOrDefault("pkg_manager", "");
        if (!manager.isEmpty()) {
            int count = parseInt(one.get("pkg_count")).orElse(pkgs.size());
            String sha = one.getOrDefault("pkg_sha256", "");
            if (sha.isEmpty()) sha = sha256(pkgs);
            packages = Optional.of(new Packages(manager, count, sha));
        }
        String key = one.getOrDefault("host_key", "");
        return new HostFacts(
                key.isEmpty() ? Optional.empty() : Optional.of(key),
                one.getOrDefault("os", ""),
                one.getOrDefault("kernel", ""),
                one.getOrDefault("boot_id", ""),
                ports,
                services,
                packages,
                certs);
    }

    /** The facts as {@code key=value} lines that {@link #parse} reads back. */
    public List<String> lines() {
        List<String> l = new ArrayList<>();
        hostKey.ifPresent(k -> l.add("host_key=" + k));
        l.add("os=" + os);
        l.add("kernel=" + kernel);
        l.add("boot_id=" + bootId);
        ports.forEach(p -> l.add("port=" + p));
        services.forEach(s -> l.add("service=" + s));
        packages.ifPresent(p -> {
            l.add("pkg_manager=" + p.manager());
            l.add("pkg_count=" + p.count());
            l.add("pkg_sha256=" + p.sha256());
        });
        certs.forEach((path, sha) -> l.add("cert=" + path + " " + sha));
        return l;
    }

    /** One line for a person: what was recorded. */
    public String summary() {
        return (os.isEmpty() ? "OS unknown" : os)
                + ", "
                + kernel
                + ", "
                + count(ports.size(), "port")
                + ", "
                + count(services.size(), "service")
                + ", "
                + packages.map(p -> count(p.count(), "package") + " (" + p.manager() + ")")
                        .orElse("packages unknown")
                + ", "
                + count(certs.size(), "certificate");
    }

    static String count(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    private static List<String> listeningPorts(String listing, String ephemeral) {
        int low = Integer.MAX_VALUE;
        int high = -1;
        if (ephemeral != null) {
            String[] r = ephemeral.strip().split("[-\\s]+");
            if (r.length == 2) {
                low = parseInt(r[0]).orElse(low);
                high = parseInt(r[1]).orElse(high);
            }
        }
        List<String> ports = new ArrayList<>();
        for (PortCheck.Socket s : PortCheck.parseListing(listing).sockets()) {
            if (s.port() >= low && s.port() <= high) continue;
            ports.add(s.proto() + "/" + s.port());
        }
        return ports;
    }

    private static Optional<Integer> parseInt(String s) {
        if (s == null) return Optional.empty();
        try {
            return Optional.of(Integer.parseInt(s.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The SHA-256 of the lines as the host's sha256sum would hash them, each ending in \n. */
    static String sha256(List<String> lines) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String l : lines) d.update((l + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
