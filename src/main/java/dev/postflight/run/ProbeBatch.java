package dev.postflight.run;

import dev.postflight.check.HostProbe;
import dev.postflight.check.ProbeOutput;
import dev.postflight.checklist.Template;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * All on-host probes of one host as ONE POSIX {@code sh} script, sent in one exec: this is what
 * makes a fleet take seconds (DESIGN §5). Probes run in parallel on the host, each with its own
 * timeout (coreutils {@code timeout} where present, else a watchdog), with stdout and stderr
 * captured to files; then each is framed as {@code @@PF NONCE INDEX EXIT OUTLEN ERRLEN} followed by
 * exactly that many bytes, so binary or hostile output cannot break the framing. Identical probes
 * of several checks run once.
 */
public final class ProbeBatch {
    private static final Pattern BLANKS = Pattern.compile("\\s+");
    private static final Pattern OUTPUT_FILE = Pattern.compile("\\d+\\.[oe]");

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
                + " clock %s\\n\" \"$T\"; PF_NOW=${T%%[. ]*}; export PF_NOW; exec sh -s'";
    }

    /**
     * The script, fed to the {@link #command()} on its stdin. It ends itself once {@code limit}
     * (the runner's deadline for the exec) has passed, and on a hangup, a broken pipe or TERM/INT,
     * stopping the running probe and removing its temporary folder: sshd does not stop a command
     * whose channel closed (issue 14: after --timeout the batch ran on and left its folder, which
     * may hold copies of keys read by {@code cert_file}).
     */
    public String script(Duration limit) {
        long limitSeconds = Math.max(1, (limit.toMillis() + 999) / 1000);
        StringBuilder s = new StringBuilder();
        s.append("# postflight probe batch ").append(nonce).append('\n');
        s.append("PF_LIMIT=").append(limitSeconds).append('\n');
        // Process creation dominates a probe's cost (a few ms each on small VMs), so a probe is
        // one subshell running its snippet with eval — no sh -c, no timeout(1) — and one
        // watchdog enforces every probe's own timeout, killing the probe and its children. The
        // kernel's name and the exit codes stay in the shell (no uname on Linux, no cat).
        s.append(
                """
                umask 077
                if [ -r /proc/sys/kernel/ostype ]; then read -r PF_UNAME </proc/sys/kernel/ostype
                else PF_UNAME=$(uname -s 2>/dev/null); fi
                export PF_UNAME
                PF_D=$(mktemp -d 2>/dev/null) || { PF_D=/tmp/postflight.$$; mkdir "$PF_D" || exit 125; }
                PF_W=
                PF_K=
                pf_p=
                pf_kill() {
                  for pf_c in $(pgrep -P "$1" 2>/dev/null); do pf_kill "$pf_c" "$2"; done
                  kill -"$2" "$1" 2>/dev/null
                }
                pf_end() {
                  trap '' HUP PIPE TERM INT
                  [ -n "$PF_K" ] && pf_kill "$PF_K" KILL
                  [ -n "$PF_W" ] && pf_kill "$PF_W" KILL
                  [ -n "$pf_p" ] && pf_kill "$pf_p" KILL
                  rm -rf "$PF_D"
                }
                trap pf_end EXIT
                trap 'pf_end; trap - EXIT; exit 143' HUP PIPE TERM INT
                : >"$PF_D/cur"
                (
                  sleep "$PF_LIMIT"
                  kill -TERM $$ 2>/dev/null
                  sleep 2
                  read pf_p pf_t <"$PF_D/cur" 2>/dev/null && [ -n "$pf_p" ] && pf_kill "$pf_p" KILL
                  rm -rf "$PF_D"
                ) </dev/null >/dev/null 2>&1 &
                PF_K=$!
                PF_RCS=
                (
                  pf_last=
                  pf_n=0
                  while sleep 1; do
                    read pf_p pf_t <"$PF_D/cur" 2>/dev/null || continue
                    [ -n "$pf_p" ] || continue
                    if [ "$pf_p" != "$pf_last" ]; then pf_last=$pf_p; pf_n=0; fi
                    pf_n=$((pf_n + 1))
                    if [ "$pf_n" -ge "$pf_t" ]; then
                      : >"$PF_D/to.$pf_p"
                      pkill -TERM -P "$pf_p" 2>/dev/null
                      kill -TERM "$pf_p" 2>/dev/null
                      sleep 2
                      pkill -KILL -P "$pf_p" 2>/dev/null
                      kill -KILL "$pf_p" 2>/dev/null
                    fi
                  done
                ) </dev/null >/dev/null 2>&1 &
                PF_W=$!
                pf_run() {
                  ( eval "$3" ) </dev/null >"$PF_D/$1.o" 2>"$PF_D/$1.e" &
                  pf_p=$!
                  echo "$pf_p $2" >"$PF_D/cur"
                  wait "$pf_p"
                  pf_rc=$?
                  [ -f "$PF_D/to.$pf_p" ] && pf_rc=124
                  pf_p=
                  PF_RCS="${PF_RCS}rc $1 $pf_rc
                "
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
                    .append("\n");
        }
        StringBuilder files = new StringBuilder();
        for (int i = 0; i < unique.size(); i++)
            files.append(' ').append(i).append(".o ").append(i).append(".e");
        // Framing: every exit code and every file size first (one wc), then all outputs in that
        // order (one cat). Sizes make binary or hostile output harmless.
        s.append("kill \"$PF_W\" 2>/dev/null\nPF_W=\ncd \"$PF_D\" || exit 125\n");
        s.append("printf '\\n@@PF ").append(nonce).append(" sizes\\n'\n");
        s.append("printf '%s' \"$PF_RCS\"\n");
        if (!unique.isEmpty()) s.append("wc -c").append(files).append('\n');
        s.append("printf '@@PF ").append(nonce).append(" data\\n'\n");
        if (!unique.isEmpty()) s.append("cat").append(files).append('\n');
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
        Optional<HostClock> clock = Optional.empty();
        byte[] clockMarker = ("\n@@PF " + nonce + " clock ").getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(stdout, clockMarker, 0);
        if (at >= 0) {
            int eol = indexOf(stdout, new byte[] {'\n'}, at + clockMarker.length);
            if (eol > 0) {
                String[] c =
                        BLANKS.split(
                                new String(
                                                stdout,
                                                at + clockMarker.length,
                                                eol - at - clockMarker.length,
                                                StandardCharsets.US_ASCII)
                                        .trim());
                if (c.length == 2) clock = HostClock.parse(c[0], c[1], at == 0);
            }
        }
        byte[] sizesMarker = ("\n@@PF " + nonce + " sizes\n").getBytes(StandardCharsets.US_ASCII);
        byte[] dataMarker = ("@@PF " + nonce + " data\n").getBytes(StandardCharsets.US_ASCII);
        byte[] endMarker = ("\n@@PF " + nonce + " end\n").getBytes(StandardCharsets.US_ASCII);
        int sizes = indexOf(stdout, sizesMarker, 0);
        if (sizes < 0) return new Outputs(byScript, false, clock);
        int data = indexOf(stdout, dataMarker, sizes + sizesMarker.length);
        if (data < 0) return new Outputs(byScript, false, clock);
        Map<Integer, Integer> exits = new HashMap<>();
        Map<String, Integer> size = new HashMap<>();
        String table =
                new String(
                        stdout,
                        sizes + sizesMarker.length,
                        data - sizes - sizesMarker.length,
                        StandardCharsets.US_ASCII);
        for (String line : table.split("\n")) {
            String[] f = BLANKS.split(line.trim());
            try {
                if (f.length == 3 && f[0].equals("rc"))
                    exits.put(Integer.parseInt(f[1]), Integer.parseInt(f[2]));
                else if (f.length == 2 && OUTPUT_FILE.matcher(f[1]).matches())
                    size.put(f[1], Integer.parseInt(f[0]));
            } catch (NumberFormatException e) {
                // A malformed line: the probes it names are missing below.
            }
        }
        int pos = data + dataMarker.length;
        for (int i = 0; i < unique.size(); i++) {
            Integer outLen = size.get(i + ".o");
            Integer errLen = size.get(i + ".e");
            if (outLen == null || errLen == null || pos + outLen + errLen > stdout.length) {
                return new Outputs(byScript, false, clock);
            }
            byte[] out = Arrays.copyOfRange(stdout, pos, pos + outLen);
            byte[] err = Arrays.copyOfRange(stdout, pos + outLen, pos + outLen + errLen);
            pos += outLen + errLen;
            Integer exit = exits.get(i);
            if (exit != null) {
                boolean timedOut = exit == TIMED_OUT || exit == 137 || exit == 143;
                byScript.put(unique.get(i).script(), new ProbeOutput(exit, out, err, timedOut));
            }
        }
        boolean complete =
                pos + endMarker.length <= stdout.length
                        && Arrays.equals(
                                Arrays.copyOfRange(stdout, pos, pos + endMarker.length), endMarker);
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
