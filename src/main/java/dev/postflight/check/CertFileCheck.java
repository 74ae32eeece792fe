package dev.postflight.check;

import dev.postflight.checklist.Fields;
import dev.postflight.checklist.Template;
import dev.postflight.transport.CertificateNames;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A certificate file on the host, and the files nginx needs: the PEM parses, its private key
 * matches it, it covers the names it must, it is not close to expiry, and (with {@code nginx_refs})
 * every {@code ssl_certificate} and {@code ssl_certificate_key} file the nginx configuration names
 * exists. Seed 002: after a redeploy the Let's Encrypt files were missing and nginx would not
 * start; certificate files and the service that needs them are checked together.
 *
 * <p>Files are read with the probe's own rights first and with {@code sudo -n} only when permission
 * is denied ({@code /etc/letsencrypt/live} is root's alone); parsing happens here, so the host
 * needs no openssl. Days left are counted on the runner's clock, which is the clients' time, not on
 * a host clock that may have stood still in the maintenance window (seed 003).
 */
public record CertFileCheck(
        String path,
        Optional<String> key,
        List<String> names,
        int warnDays,
        int criticalDays,
        boolean nginxRefs)
        implements LegacySpec {

    /** How much of a PEM file is read at most: a long chain is a few kilobytes. */
    static final int READ_LIMIT = 256 * 1024;

    static final int MISSING = 3;
    static final int DENIED = 4;

    public CertFileCheck {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must be absolute, got '" + path + "'");
        }
        key.filter(k -> !k.startsWith("/"))
                .ifPresent(k -> {
                    throw new IllegalArgumentException(
                            "key must be an absolute path, got '" + k + "'");
                });
        if (warnDays < 0) throw new IllegalArgumentException("warn_days must not be negative");
        if (criticalDays < 0) {
            throw new IllegalArgumentException("critical_days must not be negative");
        }
        if (criticalDays > warnDays) {
            throw new IllegalArgumentException(
                    "critical_days ("
                            + criticalDays
                            + ") must not exceed warn_days ("
                            + warnDays
                            + ")");
        }
        names = List.copyOf(names);
    }

    static Optional<CertFileCheck> parse(Fields f) {
        String path = f.requiredText("path");
        Optional<String> key = f.text("key");
        List<String> names = f.textList("names");
        int warn = f.integer("warn_days").orElse(21);
        int critical = f.integer("critical_days").orElse(7);
        boolean nginx = f.bool("nginx_refs").orElse(false);
        if (path.isEmpty()) return Optional.empty();
        return f.build(() -> new CertFileCheck(path, key, names, warn, critical, nginx));
    }

    @Override
    public List<HostProbe> hostProbes() {
        List<HostProbe> probes = new ArrayList<>();
        probes.add(HostProbe.of(readFile(path)));
        key.ifPresent(k -> probes.add(HostProbe.of(readFile(k))));
        if (nginxRefs) probes.add(HostProbe.of(NGINX_REFS));
        return List.copyOf(probes);
    }

    /**
     * Prints the file (bounded); exit 3 when it does not exist, 4 when it cannot be read even with
     * {@code sudo -n}. A path under a directory the probe cannot search is tried with sudo.
     */
    static String readFile(String file) {
        return "p="
                + Template.shellQuote(file)
                + "\nn="
                + READ_LIMIT
                + "\n"
                + """
                if [ -r "$p" ]; then head -c "$n" -- "$p"; exit $?; fi
                d=${p%/*}
                while [ -n "$d" ] && [ ! -e "$d" ]; do d=${d%/*}; done
                if [ -e "$p" ] || { [ -n "$d" ] && [ ! -x "$d" ]; }; then
                  if sudo -n head -c "$n" -- "$p" 2>/dev/null; then exit 0; fi
                  if sudo -n true 2>/dev/null; then echo "no such file" >&2; exit 3; fi
                  echo "permission denied, and sudo -n is not allowed" >&2; exit 4
                fi
                echo "no such file" >&2; exit 3
                """;
    }

    /**
     * Lists the certificate files nginx's configuration names, each with whether it is there. The
     * configuration comes from {@code nginx -T}; when that fails (which it does exactly when a
     * certificate file is missing) the main file and its includes are read instead.
     */
    static final String NGINX_REFS =
            """
            n=$(command -v nginx 2>/dev/null)
            if [ -z "$n" ]; then
              for d in /usr/sbin /usr/local/sbin /usr/local/nginx/sbin /opt/nginx/sbin; do
                if [ -x "$d/nginx" ]; then n="$d/nginx"; break; fi
              done
            fi
            if [ -z "$n" ]; then echo 'nginx not found' >&2; exit 127; fi
            conf=$("$n" -V 2>&1 | awk '{ for (i = 1; i <= NF; i++) if (index($i, "--conf-path=") == 1) print substr($i, 13) }')
            [ -n "$conf" ] || conf=/etc/nginx/nginx.conf
            prefix=${conf%/*}
            dump=$("$n" -T 2>&1); rc=$?
            if [ $rc -ne 0 ] && printf '%s\\n' "$dump" | grep -qi 'permission denied' && sudo -n true 2>/dev/null; then
              dump=$(sudo -n "$n" -T 2>&1); rc=$?
            fi
            if [ $rc -eq 0 ]; then
              echo "source\tnginx -T"
            else
              printf '%s\\n' "$dump" | grep -e emerg -e crit | head -n 3 | sed 's/^/failed\t/'
              echo "source\t$conf and its includes (nginx -T failed)"
              todo=$conf; seen=
              while [ -n "$todo" ]; do
                set -- $todo; f=$1; shift; todo=$*
                case " $seen " in *" $f "*) continue ;; esac
                seen="$seen $f"
                for pat in $(awk '$1 == "include" { v = $2; sub(/;.*/, "", v); gsub(/["\\047]/, "", v); print v }' "$f" 2>/dev/null); do
                  case $pat in /*) ;; *) pat="$prefix/$pat" ;; esac
                  for g in $pat; do if [ -f "$g" ]; then todo="$todo $g"; fi; done
                done
              done
              dump=$(cat $seen 2>/dev/null)
            fi
            printf '%s\\n' "$dump" | awk '$1 == "ssl_certificate" || $1 == "ssl_certificate_key" { v = $2; sub(/;.*/, "", v); gsub(/["\\047]/, "", v); print $1, v }' |
            while read -r dir p; do
              case $p in
                *'$'*|data:*|engine:*|store:*) echo "ref\tskip\t$dir\t$p"; continue ;;
                /*) ;;
                *) p="$prefix/$p" ;;
              esac
              if [ -r "$p" ]; then s=ok
              elif [ -e "$p" ]; then s=unreadable
              else
                d=${p%/*}
                while [ -n "$d" ] && [ ! -e "$d" ]; do d=${d%/*}; done
                if [ -z "$d" ] || [ -x "$d" ]; then s=missing
                elif sudo -n test -e "$p" 2>/dev/null; then s=ok
                elif sudo -n true 2>/dev/null; then s=missing
                else s=hidden
                fi
              fi
              echo "ref\t$s\t$dir\t$p"
            done
            """;

    @Override
    public Verdict judge(Observation observation) {
        Instant now = Instant.now();
        Verdict cert = judgeCertificate(observation, now);
        if (!nginxRefs) return cert;
        int index = key.isPresent() ? 2 : 1;
        return cert.combine(judgeNginx(observation.host(index)));
    }

    private Verdict judgeCertificate(Observation observation, Instant now) {
        ProbeOutput o = observation.host(0);
        Optional<Verdict> notRun = o.didNotRun("read " + path);
        if (notRun.isPresent()) return notRun.get();
        if (o.exitCode() == MISSING) return Verdict.fail(path + ": does not exist");
        if (o.exitCode() != 0) return Verdict.error(path + ": cannot read: " + orExit(o));
        List<X509Certificate> chain;
        try {
            chain = parseChain(o.stdout());
        } catch (CertificateException e) {
            return Verdict.fail(path + ": not a PEM certificate (" + e.getMessage() + ")");
        }
        if (chain.isEmpty()) return Verdict.fail(path + ": holds no PEM certificate");
        X509Certificate leaf = chain.get(0);
        List<CertificateFacts.Finding> findings = new ArrayList<>();
        List<String> details = new ArrayList<>();
        key.ifPresent(
                k -> keyFinding(k, observation.host(1), leaf, details).ifPresent(findings::add));
        List<String> uncovered =
                names.stream().filter(n -> !CertificateNames.covers(leaf, n)).toList();
        if (!uncovered.isEmpty()) {
            List<String> sans = CertificateNames.all(leaf);
            findings.add(
                    new CertificateFacts.Finding(
                            Status.FAIL,
                            "does not cover "
                                    + String.join(", ", uncovered)
                                    + " ("
                                    + (sans.isEmpty()
                                            ? "no subjectAltName"
                                            : "valid for " + String.join(", ", sans))
                                    + ")"));
        }
        findings.addAll(CertificateFacts.chainExpiry(chain, now, warnDays));
        findings.addAll(CertificateFacts.weaknesses(chain));
        findings.add(CertificateFacts.validity(leaf, now, warnDays, criticalDays));
        details.addAll(CertificateFacts.details(chain));
        return CertificateFacts.verdict(
                path + " (" + CertificateFacts.name(leaf) + ")", findings, details);
    }

    private static Optional<CertificateFacts.Finding> keyFinding(
            String k, ProbeOutput o, X509Certificate leaf, List<String> details) {
        Optional<Verdict> notRun = o.didNotRun("read " + k);
        if (notRun.isPresent()) {
            return Optional.of(new CertificateFacts.Finding(Status.ERROR, notRun.get().reason()));
        }
        if (o.exitCode() == MISSING) {
            return Optional.of(
                    new CertificateFacts.Finding(Status.FAIL, "key " + k + " does not exist"));
        }
        if (o.exitCode() != 0) {
            return Optional.of(
                    new CertificateFacts.Finding(
                            Status.ERROR, "cannot read key " + k + ": " + orExit(o)));
        }
        return switch (PemPrivateKey.against(o.out(), leaf)) {
            case PemPrivateKey.Match.Matches m -> {
                details.add("key: " + k + " matches the certificate");
                yield Optional.empty();
            }
            case PemPrivateKey.Match.DoesNotMatch m ->
                    Optional.of(
                            new CertificateFacts.Finding(
                                    Status.FAIL,
                                    "key "
                                            + k
                                            + " does not match the certificate ("
                                            + m.why()
                                            + ")"));
            case PemPrivateKey.Match.Unreadable m ->
                    Optional.of(
                            new CertificateFacts.Finding(
                                    Status.FAIL, "key " + k + " unusable: " + m.why()));
        };
    }

    /** The nginx part: every certificate file its configuration names must be there. */
    private Verdict judgeNginx(ProbeOutput o) {
        Optional<Verdict> notRun = o.didNotRun("nginx");
        if (notRun.isPresent()) return notRun.get();
        if (o.exitCode() != 0) return Verdict.error("nginx configuration: " + orExit(o));
        Map<String, String> status = new LinkedHashMap<>();
        List<String> details = new ArrayList<>();
        for (String line : o.out().split("\n")) {
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "source" -> details.add("configuration: " + f[1]);
                case "failed" -> details.add("nginx -T: " + f[1].strip());
                case "ref" -> {
                    if (f.length == 4 && !f[1].equals("skip")) status.putIfAbsent(f[3], f[1]);
                    if (f.length == 4) details.add(f[2] + " " + f[3] + ": " + f[1]);
                }
                default -> {}
            }
        }
        if (!status.containsKey(path)) details.add("nginx does not reference " + path);
        List<String> missing = having(status, "missing");
        List<String> unreadable = having(status, "unreadable");
        List<String> hidden = having(status, "hidden");
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add(
                    "nginx references "
                            + count(missing.size(), "missing file")
                            + ": "
                            + String.join(", ", missing)
                            + " (nginx will not start)");
        }
        if (!unreadable.isEmpty()) {
            problems.add(
                    "nginx references "
                            + count(unreadable.size(), "unreadable file")
                            + ": "
                            + String.join(", ", unreadable));
        }
        if (!problems.isEmpty()) {
            return Verdict.fail(String.join("; ", problems)).withDetails(details);
        }
        if (!hidden.isEmpty()) {
            return Verdict.error(
                            "cannot tell whether nginx's files exist (permission denied, sudo -n"
                                    + " not allowed): "
                                    + String.join(", ", hidden))
                    .withDetails(details);
        }
        if (status.isEmpty()) {
            return Verdict.warn("nginx configuration names no ssl_certificate file")
                    .withDetails(details);
        }
        return Verdict.pass("nginx: all " + count(status.size(), "referenced file") + " present")
                .withDetails(details);
    }

    private static List<String> having(Map<String, String> status, String wanted) {
        return status.entrySet().stream()
                .filter(e -> e.getValue().equals(wanted))
                .map(Map.Entry::getKey)
                .toList();
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    static List<X509Certificate> parseChain(byte[] pem) throws CertificateException {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) return List.of();
        List<X509Certificate> out = new ArrayList<>();
        for (var c :
                CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(pem))) {
            out.add((X509Certificate) c);
        }
        return List.copyOf(out);
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder(path + " is a certificate");
        key.ifPresent(k -> s.append(" matching ").append(k));
        if (!names.isEmpty()) s.append(", covers ").append(String.join(", ", names));
        s.append(", more than ")
                .append(CertificateFacts.days(warnDays))
                .append(" left (fail at ")
                .append(criticalDays)
                .append(")");
        if (nginxRefs) s.append("; every certificate file nginx names exists");
        return s.toString();
    }

    private static String orExit(ProbeOutput o) {
        String e = o.err();
        return e.isEmpty() ? "exit " + o.exitCode() : ProbeOutput.lastLine(e);
    }
}
