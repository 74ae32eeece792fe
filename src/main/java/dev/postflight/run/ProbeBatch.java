package dev.postflight.run;

import dev.postflight.check.HostProbe;
import dev.postflight.check.ProbeOutput;
import dev.postflight.checklist.Template;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All on-host probes of one host as ONE POSIX {@code sh} script, sent in one exec: this is what
 * makes a fleet take seconds (DESIGN §5). Probes run in parallel on the host, each with its own
 * timeout (coreutils {@code timeout} where present, else a watchdog), with stdout and stderr
 * captured to files; then each is framed as {@code @@PF NONCE INDEX EXIT OUTLEN ERRLEN} followed by
 * exactly that many bytes, so binary or hostile output cannot break the framing. Identical probes
 * of several checks run once.
 */
public final class ProbeBatch {
    /** Exit code the script uses when a probe was killed at its timeout. */
    static final int TIMED_OUT = 124;

    private final List<HostProbe> unique;
    private final String nonce;

    public ProbeBatch(List<HostProbe> probes) {
        Map<String, HostProbe> byScript = new LinkedHashMap<>();
        for (HostProbe p : probes) {
            byScript.merge(
                    p.script(), p, (a, b) -> a.timeout().compareTo(b.timeout()) >= 0 ? a : b);
        }
        this.unique = List.copyOf(byScript.values());
        byte[] r = new byte[8];
        new SecureRandom().nextBytes(r);
        this.nonce = HexFormat.of().formatHex(r);
    }

    public boolean isEmpty() {
        return unique.isEmpty();
    }

    public int size() {
        return unique.size();
    }

    /** The longest probe timeout, so the exec's own deadline can leave room for it. */
    public Duration longestTimeout() {
        return unique.stream()
                .map(HostProbe::timeout)
                .max(Duration::compareTo)
                .orElse(Duration.ZERO);
    }

    /**
     * The command to exec: it reads the host's clock first thing, before the script is even read,
     * so that the arrival of that first line bounds the reading by little more than the remote
     * shell's start; then it runs the script from stdin. Written for any login shell (sh, bash, csh
     * on FreeBSD): one single-quoted {@code sh -c} argument without {@code !}. Nanoseconds from GNU
     * date, else microseconds from perl, else whole seconds.
     */
    public String command() {
        return "sh -c 'T=$(date +%s.%N 2>/dev/null); case $T in *N*|*%*|\"\") T=$(perl"
                + " -MTime::HiRes=time -e \"printf q(%.6f us), time\" 2>/dev/null) || T=\"$(date"
                + " +%s) s\";; *) T=\"$T ns\";; esac; printf \"\\n@@PF "
                + nonce
                + " clock %s\\n\" \"$T\"; exec sh -s'";
    }

    /** The script, fed to the {@link #command()} on its stdin. */
    public String script() {
        StringBuilder s = new StringBuilder();
        s.append("# postflight probe batch ").append(nonce).append('\n');
        s.append(
                """
                umask 077
                PF_D=$(mktemp -d 2>/dev/null) || { PF_D=/tmp/postflight.$$; mkdir "$PF_D" || exit 125; }
                trap 'rm -rf "$PF_D"' EXIT
                if command -v timeout >/dev/null 2>&1; then PF_TO=1; else PF_TO=; fi
                pf_run() {
                  if [ -n "$PF_TO" ]; then
                    timeout -k 2 "$2" sh -c "$3" </dev/null >"$PF_D/$1.o" 2>"$PF_D/$1.e"
                    echo $? >"$PF_D/$1.rc"
                  else
                    sh -c "$3" </dev/null >"$PF_D/$1.o" 2>"$PF_D/$1.e" &
                    pf_p=$!
                    ( sleep "$2"; kill -TERM $pf_p && echo x >"$PF_D/$1.to"; sleep 2; kill -KILL $pf_p ) </dev/null >/dev/null 2>&1 &
                    pf_w=$!
                    wait $pf_p
                    pf_rc=$?
                    kill $pf_w 2>/dev/null
                    if [ -f "$PF_D/$1.to" ]; then pf_rc=124; fi
                    echo $pf_rc >"$PF_D/$1.rc"
                  fi
                }
                """);
        for (int i = 0; i < unique.size(); i++) {
            HostProbe p = unique.get(i);
            long seconds = Math.max(1, (p.timeout().toMillis() + 999) / 1000);
            s.append("pf_run ")
                    .append(i)
                    .append(' ')
                    .append(seconds)
                    .append(' ')
                    .append(Template.shellQuote(p.script()))
                    .append(" &\n");
        }
        s.append("wait\n");
        s.append("for pf_i in");
        for (int i = 0; i < unique.size(); i++) s.append(' ').append(i);
        s.append("; do\n")
                .append(
                        """
                          pf_rc=125
                          read pf_rc 2>/dev/null <"$PF_D/$pf_i.rc"
                          set -- $(wc -c "$PF_D/$pf_i.o" "$PF_D/$pf_i.e")
                        """)
                .append("  printf '\\n@@PF ")
                .append(nonce)
                .append(
                        """
                         %s %s %s %s\\n' "$pf_i" "$pf_rc" "$1" "$3"
                          cat "$PF_D/$pf_i.o" "$PF_D/$pf_i.e"
                        done
                        """);
        s.append("printf '\\n@@PF ").append(nonce).append(" end\\n'\n");
        return s.toString();
    }

    /** The outcome of parsing a batch's output. */
    public record Outputs(
            Map<String, ProbeOutput> byScript, boolean complete, Optional<HostClock> clock) {
        /** The output of a probe, if the batch delivered it (probes are shared by script). */
        public Optional<ProbeOutput> of(HostProbe probe) {
            return Optional.ofNullable(byScript.get(probe.script()));
        }
    }

    /**
     * Parses what the host sent back; anything before the first frame (a login banner, shell noise)
     * is ignored. Probes with no frame are absent and {@code complete} is false.
     */
    public Outputs parse(byte[] stdout) {
        Map<String, ProbeOutput> byScript = new LinkedHashMap<>();
        byte[] marker = ("\n@@PF " + nonce + " ").getBytes(StandardCharsets.US_ASCII);
        int pos = 0;
        boolean complete = false;
        Optional<HostClock> clock = Optional.empty();
        while (true) {
            int at = indexOf(stdout, marker, pos);
            if (at < 0) break;
            int headerStart = at + marker.length;
            int eol = indexOf(stdout, new byte[] {'\n'}, headerStart);
            if (eol < 0) break;
            String[] header =
                    new String(stdout, headerStart, eol - headerStart, StandardCharsets.US_ASCII)
                            .trim()
                            .split("\\s+");
            if (header.length == 1 && header[0].equals("end")) {
                complete = true;
                break;
            }
            if (header.length == 3 && header[0].equals("clock")) {
                clock = HostClock.parse(header[1], header[2], at == 0);
                pos = eol;
                continue;
            }
            if (header.length != 4) break;
            try {
                int index = Integer.parseInt(header[0]);
                int exit = Integer.parseInt(header[1]);
                int outLen = Integer.parseInt(header[2]);
                int errLen = Integer.parseInt(header[3]);
                int bodyStart = eol + 1;
                if (index < 0
                        || index >= unique.size()
                        || bodyStart + outLen + errLen > stdout.length) break;
                byte[] out = Arrays.copyOfRange(stdout, bodyStart, bodyStart + outLen);
                byte[] err =
                        Arrays.copyOfRange(stdout, bodyStart + outLen, bodyStart + outLen + errLen);
                boolean timedOut = exit == TIMED_OUT || exit == 137;
                byScript.put(unique.get(index).script(), new ProbeOutput(exit, out, err, timedOut));
                pos = bodyStart + outLen + errLen;
            } catch (NumberFormatException e) {
                break;
            }
        }
        return new Outputs(byScript, complete && byScript.size() == unique.size(), clock);
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
