package dev.postflight.check;

import dev.postflight.checklist.Template;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What changed on a host since {@code postflight snapshot} recorded it before the window: seed
 * 002's host came back from a redeploy with a new SSH host key and a newer OS, unnoticed. One probe
 * gathers the host's facts (OS, kernel, boot id, listening ports, services enabled at boot, the
 * package list's count and hash, certificate hashes); the verdict lists every change at once.
 *
 * <p>A changed host key, OS or kernel, a port that no longer listens, a service no longer enabled
 * or a certificate gone fails; a new port or service, a changed package list or certificate warns;
 * a reboot (new boot id) is only mentioned. Without a baseline the check records: it passes with
 * the facts as its details, which {@code snapshot} saves.
 */
public record BaselineCheck(
        Optional<Baseline> against, List<String> certFiles, Optional<String> missing)
        implements LegacySpec {

    /** A host's facts as recorded at {@code taken}. */
    public record Baseline(Instant taken, HostFacts facts) {}

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

    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

    public BaselineCheck {
        certFiles = List.copyOf(new LinkedHashSet<>(certFiles));
        for (String f : certFiles) {
            if (!f.startsWith("/")) {
                throw new IllegalArgumentException(
                        "certificate file must be an absolute path, got '" + f + "'");
            }
        }
    }

    /** Records the facts (for {@code postflight snapshot}), with these extra certificate files. */
    public static BaselineCheck recording(List<String> certFiles) {
        return new BaselineCheck(Optional.empty(), certFiles, Optional.empty());
    }

    /**
     * A host that {@code --baseline} names no facts for: an error saying why (the host is still
     * reached, so that a host that is down is reported as down), never a silent skip.
     */
    public static BaselineCheck missing(String why) {
        return new BaselineCheck(Optional.empty(), List.of(), Optional.of(why));
    }

    /** Compares with a recorded baseline, looking again at every certificate it recorded. */
    public static BaselineCheck against(Baseline baseline) {
        return new BaselineCheck(
                Optional.of(baseline),
                List.copyOf(baseline.facts().certs().keySet()),
                Optional.empty());
    }

    @Override
    public List<HostProbe> hostProbes() {
        String certs =
                certFiles.stream()
                        .filter(f -> !f.matches("/etc/letsencrypt/live/[^/]+/cert\\.pem"))
                        .map(Template::shellQuote)
                        .collect(Collectors.joining(" "));
        return List.of(
                new HostProbe(
                        SCRIPT.replace("CERT_FILES", certs)
                                .replace("PORT_SCRIPT", PortCheck.SCRIPT),
                        Duration.ofSeconds(30)));
    }

    @Override
    public Verdict judge(Observation observation) {
        ProbeOutput o = observation.host(0);
        Optional<Verdict> notRun = o.didNotRun("host facts");
        if (notRun.isPresent()) return notRun.get();
        if (missing.isPresent()) return Verdict.error(missing.get());
        HostFacts now = HostFacts.parse(o.out()).withHostKey(observation.hostKey());
        if (now.os().isEmpty() && now.kernel().isEmpty()) {
            String e = o.err();
            return Verdict.error(
                    "host facts probe failed: "
                            + (e.isEmpty() ? "exit " + o.exitCode() : ProbeOutput.lastLine(e)));
        }
        if (against.isEmpty()) {
            return Verdict.pass("recorded: " + now.summary()).withDetails(now.lines());
        }
        return compare(against.get(), now);
    }

    /** The facts a recording verdict carries as its details. */
    public static HostFacts recorded(Verdict recording) {
        return HostFacts.parse(String.join("\n", recording.details()));
    }

    /** One difference and how much it matters; {@link Status#PASS} only mentions it. */
    private record Change(Status status, String text) {}

    static Verdict compare(Baseline baseline, HostFacts now) {
        HostFacts was = baseline.facts();
        List<Change> changes = new ArrayList<>();
        if (!was.os().equals(now.os())) {
            changes.add(new Change(Status.FAIL, "OS " + was.os() + " → " + now.os()));
        }
        if (!was.kernel().equals(now.kernel())) {
            changes.add(new Change(Status.FAIL, "kernel " + was.kernel() + " → " + now.kernel()));
        }
        if (was.hostKey().isPresent()
                && now.hostKey().isPresent()
                && !was.hostKey().equals(now.hostKey())) {
            changes.add(
                    new Change(
                            Status.FAIL,
                            "host key " + was.hostKey().get() + " → " + now.hostKey().get()));
        }
        listChange(changes, Status.FAIL, "port", was.ports(), now.ports(), "no longer listen");
        listChange(changes, Status.WARN, "port", now.ports(), was.ports(), "now listen");
        listChange(
                changes,
                Status.FAIL,
                "service",
                was.services(),
                now.services(),
                "no longer enabled at boot");
        listChange(
                changes,
                Status.WARN,
                "service",
                now.services(),
                was.services(),
                "newly enabled at boot");
        if (was.packages().isPresent()) {
            HostFacts.Packages a = was.packages().get();
            if (now.packages().isEmpty()) {
                changes.add(
                        new Change(
                                Status.WARN,
                                "package list not readable (was "
                                        + a.count()
                                        + " "
                                        + a.manager()
                                        + ")"));
            } else {
                HostFacts.Packages b = now.packages().get();
                if (!a.sha256().equals(b.sha256()) || a.count() != b.count()) {
                    changes.add(
                            new Change(
                                    Status.WARN,
                                    "packages changed (count "
                                            + a.count()
                                            + " → "
                                            + b.count()
                                            + (a.manager().equals(b.manager())
                                                    ? ""
                                                    : ", " + a.manager() + " → " + b.manager())
                                            + ")"));
                }
            }
        }
        was.certs()
                .forEach((path, sha) -> {
                    String current = now.certs().getOrDefault(path, "missing");
                    if (current.equals(sha)) return;
                    if (current.equals("missing") || current.equals("unreadable")) {
                        changes.add(new Change(Status.FAIL, "certificate " + path + " " + current));
                    } else if (!sha.equals("missing") && !sha.equals("unreadable")) {
                        changes.add(new Change(Status.WARN, "certificate " + path + " replaced"));
                    }
                });
        if (!was.bootId().isEmpty() && !was.bootId().equals(now.bootId())) {
            changes.add(new Change(Status.PASS, "rebooted since (new boot id)"));
        }

        String since = "baseline " + WHEN.format(baseline.taken());
        Status worst = Status.PASS;
        for (Change c : changes) worst = worst.worse(c.status());
        String all = changes.stream().map(Change::text).collect(Collectors.joining("; "));
        if (worst == Status.PASS) {
            return Verdict.pass("unchanged since " + since + (all.isEmpty() ? "" : "; " + all));
        }
        return new Verdict(worst, "changed since " + since + ": " + all, List.of());
    }

    /** Adds one change naming the items of {@code from} missing in {@code in}, if any. */
    private static void listChange(
            List<Change> changes,
            Status status,
            String word,
            List<String> from,
            List<String> in,
            String what) {
        Set<String> present = Set.copyOf(in);
        List<String> missing = from.stream().filter(x -> !present.contains(x)).toList();
        if (missing.isEmpty()) return;
        boolean one = missing.size() == 1;
        String verb = one ? what.replaceFirst("^(no longer |now )?listen$", "$1listens") : what;
        changes.add(
                new Change(
                        status,
                        word + (one ? " " : "s ") + String.join(", ", missing) + " " + verb));
    }

    @Override
    public String describe() {
        return against.map(b -> "unchanged since baseline " + WHEN.format(b.taken()))
                .orElse("record the host's facts");
    }
}
