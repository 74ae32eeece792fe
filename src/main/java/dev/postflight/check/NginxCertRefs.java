package dev.postflight.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The certificate files nginx's configuration names, each with whether it is there: what {@code
 * cert_file} with {@code nginx_refs} observes beside the certificate itself (seed 002: after a
 * redeploy the Let's Encrypt files were missing and nginx would not start). The probe's lines are
 * kept in the order it printed them, as the verdict's details list them.
 */
record NginxCertRefs(List<Line> lines) {

    NginxCertRefs {
        lines = List.copyOf(lines);
    }

    /** One line of the probe's output. */
    sealed interface Line {}

    /** Where the configuration was read from. */
    record Source(String what) implements Line {}

    /** A line of nginx -T's complaint, when it failed. */
    record Failed(String message) implements Line {}

    /**
     * A file a directive names, with its state: {@code ok}, {@code missing}, {@code unreadable},
     * {@code hidden} (sudo -n not allowed to look) or {@code skip} (a variable, not a file).
     */
    record Ref(String directive, String path, String state) implements Line {}

    /**
     * Lists the certificate files nginx's configuration names, each with whether it is there. The
     * configuration comes from {@code nginx -T}; when that fails (which it does exactly when a
     * certificate file is missing) the main file and its includes are read instead.
     */
    static final String SCRIPT =
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

    static Probe<NginxCertRefs> probe() {
        return Probe.host("nginx", SCRIPT, NginxCertRefs::read);
    }

    /**
     * The probe's lines; a failure other than "nginx not found" is output that cannot be judged.
     */
    static NginxCertRefs read(ProbeOutput o) throws Probe.Unreadable {
        if (o.exitCode() != 0) {
            throw new Probe.Unreadable("nginx configuration: " + CertFileCheck.orExit(o));
        }
        List<Line> lines = new ArrayList<>();
        for (String line : o.out().split("\n")) {
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "source" -> lines.add(new Source(field(f, line)));
                case "failed" -> lines.add(new Failed(field(f, line).strip()));
                case "ref" -> {
                    if (f.length == 4) lines.add(new Ref(f[2], f[3], f[1]));
                }
                default -> {}
            }
        }
        return new NginxCertRefs(lines);
    }

    private static String field(String[] f, String line) throws Probe.Unreadable {
        if (f.length < 2) throw new Probe.Unreadable("nginx: unreadable probe output: " + line);
        return f[1];
    }

    /**
     * Every certificate file the configuration names must be there; {@code path} is the check's.
     */
    Verdict judge(String path) {
        Map<String, String> status = new LinkedHashMap<>();
        List<String> details = new ArrayList<>();
        for (Line line : lines) {
            switch (line) {
                case Source s -> details.add("configuration: " + s.what());
                case Failed f -> details.add("nginx -T: " + f.message());
                case Ref r -> {
                    if (!r.state().equals("skip")) status.putIfAbsent(r.path(), r.state());
                    details.add(r.directive() + " " + r.path() + ": " + r.state());
                }
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
}
