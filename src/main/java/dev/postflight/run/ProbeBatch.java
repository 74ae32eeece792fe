package dev.postflight.run;

import dev.postflight.check.HostProbe;
import dev.postflight.check.ProbeOutput;
import dev.postflight.input.Template;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * All on-host probes of one host as ONE POSIX {@code sh} script, sent in one exec: this is what
 * makes a fleet take seconds (DESIGN §5). Probes run one after another on the host, each with its
 * own timeout (one watchdog subshell kills a probe that overruns it, and the batch at its limit),
 * with stdout and stderr captured to files; then each is framed as {@code @@PF NONCE INDEX EXIT
 * OUTLEN ERRLEN} followed by exactly that many bytes of a copy no one writes to, so binary or
 * hostile output, or a writer a probe left behind, cannot break the framing. Identical probes of
 * several checks run once. The files go to {@code /dev/shm}, {@code $XDG_RUNTIME_DIR} or {@code
 * /tmp}; when none takes a write (a full disk must not blind the checks that would report it, issue
 * 18), outputs go through {@code od} into shell variables and frames end in {@code hex}: the bytes
 * follow as lowercase hex digits.
 *
 * <p>Over 400 lines on purpose: the batch script and its parser are one protocol (framing, file and
 * in-memory capture, watchdogs, the deadline), fuzzed as a whole by ProbeBatchFuzzTest and
 * HostileHostTest; split, the writer and the reader of a frame could drift apart.
 */
public final class ProbeBatch {
    private static final Pattern BLANKS = Pattern.compile("\\s+");

    /**
     * One command with plain words (no quoting, expansion, redirection or operator): what {@link
     * #asRun} may start with {@code exec}.
     */
    private static final Pattern PLAIN_COMMAND =
            Pattern.compile("[A-Za-z0-9_./][A-Za-z0-9_./-]*( +[A-Za-z0-9_./:=,%+@-]+)*");

    /** Builtins and keywords of sh, dash, bash, BusyBox ash, posh and FreeBSD sh. */
    private static final Set<String> NOT_A_PROGRAM =
            Set.of(
                    ".",
                    ":",
                    "[",
                    "alias",
                    "bg",
                    "bind",
                    "break",
                    "builtin",
                    "caller",
                    "case",
                    "cd",
                    "chdir",
                    "command",
                    "compgen",
                    "complete",
                    "compopt",
                    "continue",
                    "coproc",
                    "declare",
                    "dirs",
                    "disown",
                    "do",
                    "done",
                    "echo",
                    "elif",
                    "else",
                    "enable",
                    "esac",
                    "eval",
                    "exec",
                    "exit",
                    "export",
                    "false",
                    "fc",
                    "fg",
                    "fi",
                    "for",
                    "function",
                    "getopts",
                    "hash",
                    "help",
                    "history",
                    "if",
                    "in",
                    "jobs",
                    "kill",
                    "let",
                    "local",
                    "logout",
                    "mapfile",
                    "popd",
                    "print",
                    "printf",
                    "pushd",
                    "pwd",
                    "read",
                    "readarray",
                    "readonly",
                    "return",
                    "select",
                    "set",
                    "setvar",
                    "shift",
                    "shopt",
                    "source",
                    "suspend",
                    "test",
                    "then",
                    "time",
                    "times",
                    "trap",
                    "true",
                    "type",
                    "typeset",
                    "ulimit",
                    "umask",
                    "unalias",
                    "unset",
                    "until",
                    "wait",
                    "whence",
                    "while");

    /**
     * How a probe's script is run in its subshell: a script that is one program with plain words
     * ({@code uname -s}, {@code id -u}) becomes {@code exec uname -s}, so that the subshell itself
     * becomes the program instead of forking it (one process fewer on the host, issue 18; a shell
     * forks for a command under {@code eval} even when it is the subshell's last). Same output,
     * same exit status, same process for the watchdog to kill. Anything else runs as written.
     */
    static String asRun(String script) {
        if (!PLAIN_COMMAND.matcher(script).matches()) return script;
        String program = script.split(" ", 2)[0];
        return NOT_A_PROGRAM.contains(program) ? script : "exec " + script;
    }

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
     * date, else microseconds from perl, else whole seconds. The script is read by a plain {@code
     * sh} (POSIX reads stdin when there is no operand), not {@code sh -s}, which posh refuses.
     */
    public String command() {
        return "sh -c 'T=$(date +%s.%N 2>/dev/null); case $T in *N*|*%*|\"\") T=$(perl"
                + " -MTime::HiRes=time -e \"printf q(%.6f us), time\" 2>/dev/null) || T=\"$(date"
                + " +%s) s\";; *) T=\"$T ns\";; esac; printf \"\\n@@PF "
                + nonce
                + " clock %s\\n\" \"$T\"; PF_NOW=${T%%[. ]*}; export PF_NOW; exec sh'";
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
        s.append("PF_NONCE=").append(nonce).append('\n');
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
                # The folder is named by this run's nonce, which no one on the host knows before
                # the script arrives: no mktemp needed. s/ takes the snapshot of the outputs.
                PF_D=
                for pf_t in /dev/shm "$XDG_RUNTIME_DIR" "${TMPDIR:-/tmp}" /tmp; do
                  [ -n "$pf_t" ] && [ -d "$pf_t" ] && [ -w "$pf_t" ] || continue
                  PF_D=$pf_t/postflight.$PF_NONCE
                  mkdir "$PF_D" "$PF_D/s" 2>/dev/null || { rmdir "$PF_D" 2>/dev/null; PF_D=; continue; }
                  printf '%8192s' '' 2>/dev/null >"$PF_D/cur" && true 2>/dev/null >"$PF_D/cur" && break
                  rm -rf "$PF_D"; PF_D=
                done
                PF_K=
                pf_p=
                # A process's children: pgrep, else /proc's stat (BusyBox has no pgrep), else ps.
                # Only ever called as $(pf_kids ...): its exec replaces that subshell, one fork less.
                pf_kids() {
                  if command -v pgrep >/dev/null 2>&1; then exec pgrep -P "$1" 2>/dev/null
                  elif [ -r /proc/self/stat ]; then
                    pf_pp=$1
                    for pf_s in /proc/[0-9]*/stat; do
                      read -r pf_l 2>/dev/null <"$pf_s" || continue
                      set -- ${pf_l##*) }
                      pf_s=${pf_s#/proc/}; [ "$2" = "$pf_pp" ] && echo "${pf_s%/stat}"
                    done
                  else ps -A -o pid= -o ppid= 2>/dev/null | while read -r pf_l pf_pp2; do
                      [ "$pf_pp2" = "$1" ] && echo "$pf_l"; done
                  fi
                }
                pf_kill() {
                  for pf_c in $(pf_kids "$1"); do pf_kill "$pf_c" "$2"; done
                  kill -"$2" "$1" 2>/dev/null
                }
                pf_end() {
                  trap '' HUP PIPE TERM INT
                  # The watchdog ends itself and its sleep on TERM: no process list needed.
                  [ -n "$PF_K" ] && kill -TERM "$PF_K" 2>/dev/null
                  [ -n "$pf_p" ] && pf_kill "$pf_p" KILL
                  [ -z "$PF_D" ] || rm -rf "$PF_D"
                }
                trap pf_end EXIT
                trap 'pf_end; trap - EXIT; exit 143' HUP PIPE TERM INT
                # ONE watchdog for the batch's limit and every probe's own timeout: it wakes each
                # second (its sleep runs in the background, so that TERM ends both at once) and
                # kills a probe that has run its timeout, or, at the limit, the whole batch.
                (
                  pf_s=
                  trap '[ -z "$pf_s" ] || kill "$pf_s" 2>/dev/null; exit 0' TERM
                  pf_nap() { sleep "$1" & pf_s=$!; wait "$pf_s"; pf_s=; }
                  pf_last=
                  pf_n=0
                  pf_all=0
                  while :; do
                    pf_nap 1
                    pf_all=$((pf_all + 1))
                    if [ "$pf_all" -ge "$PF_LIMIT" ]; then
                      kill -TERM $$ 2>/dev/null
                      pf_nap 2
                      if [ -n "$PF_D" ]; then
                        read pf_p pf_t <"$PF_D/cur" 2>/dev/null && [ -n "$pf_p" ] && pf_kill "$pf_p" KILL
                        rm -rf "$PF_D"
                      else
                        pf_me=$(exec sh -c 'echo "$PPID"')
                        for pf_c in $(pf_kids $$); do
                          [ "$pf_c" = "$pf_me" ] || pf_kill "$pf_c" KILL
                        done
                      fi
                      exit 0
                    fi
                    [ -n "$PF_D" ] || continue
                    read pf_p pf_t <"$PF_D/cur" 2>/dev/null || continue
                    [ -n "$pf_p" ] || continue
                    if [ "$pf_p" != "$pf_last" ]; then pf_last=$pf_p; pf_n=0; fi
                    pf_n=$((pf_n + 1))
                    if [ "$pf_n" -ge "$pf_t" ]; then
                      true >"$PF_D/to.$pf_p"
                      pf_kill "$pf_p" TERM
                      pf_nap 2
                      pf_all=$((pf_all + 2))
                      pf_kill "$pf_p" KILL
                    fi
                  done
                ) </dev/null >/dev/null 2>&1 &
                PF_K=$!
                pf_run() {
                  if [ -z "$PF_D" ]; then pf_mem "$@"; return; fi
                  ( eval "$3" ) </dev/null >"$PF_D/$1.o" 2>"$PF_D/$1.e" &
                  pf_p=$!
                  echo "$pf_p $2" >"$PF_D/cur"
                  wait "$pf_p"
                  pf_rc=$?
                  [ -f "$PF_D/to.$pf_p" ] && pf_rc=124
                  pf_p=
                  : >"$PF_D/cur"
                  eval "pf_rc_$1=$pf_rc"
                }
                pf_hex() { od -An -v -tx1 | tr -d ' \\n'; }
                pf_mem() {
                  pf_a=$( {
                      pf_e=$( {
                          pf_o=$( {
                              ( eval "$3" ) </dev/null 6>&- &
                              pf_q=$!
                              ( sleep "$2"; pf_kill "$pf_q" TERM; sleep 2; pf_kill "$pf_q" KILL
                              ) </dev/null >/dev/null 2>&1 6>&- &
                              pf_k=$!
                              wait "$pf_q"
                              pf_r=$?
                              pf_c=$(pf_kids "$pf_k")
                              kill -KILL "$pf_k" $pf_c 2>/dev/null
                              printf 'R%s\\n' "$pf_r" >&6
                            } | pf_hex )
                          printf 'O%s\\n' "$pf_o" >&6
                        } 2>&1 | pf_hex )
                      printf 'E%s\\n' "$pf_e"
                    } 6>&1 )
                  # Split at the newlines (field splitting is linear; patterns on long strings
                  # are not in every shell), then strip the one-letter tags.
                  pf_i=$1
                  pf_s=$IFS
                  IFS='
                '
                  set -- $pf_a
                  IFS=$pf_s
                  pf_r=?
                  pf_o=
                  pf_e=
                  case $#:$1 in 3:R[0-9]|3:R[0-9][0-9]|3:R[0-9][0-9][0-9])
                    pf_r=${1#R}; pf_o=${2#O}; pf_e=${3#E};;
                  esac
                  set --
                  pf_a=
                  eval "pf_rc_$pf_i=\\$pf_r pf_o_$pf_i=\\$pf_o pf_e_$pf_i=\\$pf_e"
                }
                pf_frame() {
                  if [ -z "$PF_D" ]; then
                    eval "pf_o=\\$pf_o_$1 pf_e=\\$pf_e_$1"
                    printf '@@PF %s %s %s %s %s hex\\n' "$PF_NONCE" "$1" "$2" "${#pf_o}" "${#pf_e}"
                    printf '%s%s' "$pf_o" "$pf_e"
                    return
                  fi
                  read -r pf_ol pf_of <&3
                  read -r pf_el pf_ef <&3
                  [ "$pf_of" = "$1.o" ] && [ "$pf_ef" = "$1.e" ] || { pf_ol=?; pf_el=?; }
                  printf '@@PF %s %s %s %s %s\\n' "$PF_NONCE" "$1" "$2" "$pf_ol" "$pf_el"
                  case $pf_ol in ""|*[!0-9]*) return;; esac
                  case $pf_el in ""|*[!0-9]*) return;; esac
                  [ "$pf_ol" -eq 0 ] || head -c "$pf_ol" "$1.o"
                  [ "$pf_el" -eq 0 ] || head -c "$pf_el" "$1.e"
                }
                # A frame's header into a file of its own, for the snapshot's one cat.
                pf_head() {
                  read -r pf_ol pf_of <&3 && read -r pf_el pf_ef <&3 || return 1
                  [ "$pf_of" = "$1.o" ] && [ "$pf_ef" = "$1.e" ] || return 1
                  case $pf_ol in ""|*[!0-9]*) return 1;; esac
                  case $pf_el in ""|*[!0-9]*) return 1;; esac
                  printf '@@PF %s %s %s %s %s\n' "$PF_NONCE" "$1" "$2" "$pf_ol" "$pf_el" >"h$1"
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
                    .append(Template.shellQuote(asRun(p.script())))
                    .append("\n");
        }
        StringBuilder files = new StringBuilder();
        StringBuilder framed = new StringBuilder();
        for (int i = 0; i < unique.size(); i++) {
            files.append(' ').append(i).append(".o ").append(i).append(".e");
            framed.append(" h")
                    .append(i)
                    .append(' ')
                    .append(i)
                    .append(".o ")
                    .append(i)
                    .append(".e");
        }
        // Framing (issue 14): a probe that left a writer behind must not shift the frames after
        // its own, so the outputs are copied first (one cp) and the copies, which no one writes
        // to, are measured (one wc) and sent with their headers (one cat): three processes for
        // any number of probes (issue 18; it was a head -c per output). When the copy cannot be
        // made (a disk that filled up during the probes), every file's size is measured (wc) and
        // exactly that many bytes are sent (head -c per output), the sizes going through a file,
        // or through a variable and a pipe when even that write fails.
        s.append("PF_SIZES=\n");
        s.append("pf_frames() {\n");
        for (int i = 0; i < unique.size(); i++)
            s.append("pf_frame ").append(i).append(" \"$pf_rc_").append(i).append("\"\n");
        s.append("printf '@@PF %s end\\n' \"$PF_NONCE\"\n}\n");
        if (!unique.isEmpty()) {
            s.append("pf_heads() {\n");
            for (int i = 0; i < unique.size(); i++)
                s.append("  pf_head ").append(i).append(" \"$pf_rc_").append(i).append("\" &&\n");
            s.append("  printf '@@PF %s end\\n' \"$PF_NONCE\" >end\n}\n");
            s.append("if [ -n \"$PF_D\" ]; then cd \"$PF_D\" || exit 125\n");
            s.append("  if cp").append(files).append(" s/ 2>/dev/null && cd s &&\n");
            s.append("    wc -c")
                    .append(files)
                    .append(" >../sizes 2>/dev/null && pf_heads 3<../sizes\n");
            s.append("  then\n");
            s.append("    printf '\\n@@PF %s frames %s\\n' \"$PF_NONCE\" ")
                    .append(unique.size())
                    .append('\n');
            s.append("    cat").append(framed).append(" end\n    exit\n  fi\n");
            s.append("  cd \"$PF_D\" || exit 125\n");
            s.append("  if wc -c").append(files).append(" >sizes 2>/dev/null; then\n");
            s.append("    printf '\\n@@PF %s frames %s\\n' \"$PF_NONCE\" ")
                    .append(unique.size())
                    .append('\n');
            s.append("    pf_frames 3<sizes\n    exit\n  fi\n");
            s.append("  PF_SIZES=$(wc -c").append(files).append(")\nfi\n");
        }
        s.append("printf '\\n@@PF %s frames %s\\n' \"$PF_NONCE\" ")
                .append(unique.size())
                .append('\n');
        s.append("printf '%s\\n' \"$PF_SIZES\" | pf_frames 3<&0\n");
        return s.toString();
    }

    /**
     * The outcome of parsing a batch's output: every probe's output when the framing was intact,
     * else none at all and {@code problem} says what was wrong. {@code truncated} is set when what
     * arrived was a clean beginning of a batch's output that ended early (a timeout, a killed
     * shell), as opposed to bytes that no batch prints.
     */
    public record Outputs(
            Map<String, ProbeOutput> byScript,
            boolean complete,
            Optional<HostClock> clock,
            Optional<String> problem,
            boolean truncated) {

        public Outputs(
                Map<String, ProbeOutput> byScript, boolean complete, Optional<HostClock> clock) {
            this(byScript, complete, clock, Optional.empty(), !complete);
        }

        /** The output of a probe, if the batch delivered it (probes are shared by script). */
        public Optional<ProbeOutput> of(HostProbe probe) {
            return Optional.ofNullable(byScript.get(probe.script()));
        }
    }

    /** The per-run secret in every marker; a host cannot know it before the exec arrives. */
    String nonce() {
        return nonce;
    }

    /** Longest frame header a batch prints: {@code @@PF NONCE INDEX EXIT OUTLEN ERRLEN}. */
    private static final int MAX_HEADER = 128;

    /**
     * Parses what the host sent back. Anything before the frames marker (a login banner, shell
     * noise) is ignored; from there every frame must be exactly where the previous one ends, carry
     * this run's nonce, its own index, an exit code and two byte counts that fit in what is left,
     * and the end marker must be the last bytes of the stream. Anything else yields no output at
     * all: a probe is never judged on another probe's bytes.
     */
    public Outputs parse(byte[] stdout) {
        Optional<HostClock> clock = clock(stdout);
        byte[] framesMarker =
                ("\n@@PF " + nonce + " frames " + unique.size() + "\n")
                        .getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(stdout, framesMarker, 0);
        if (at < 0) return broken(clock, "no frames in the output", true);
        int pos = at + framesMarker.length;
        byte[] prefix = ("@@PF " + nonce + " ").getBytes(StandardCharsets.US_ASCII);
        Map<String, ProbeOutput> byScript = new LinkedHashMap<>();
        for (int i = 0; i < unique.size(); i++) {
            String frame = "frame " + i + " of " + unique.size();
            if (!startsWith(stdout, pos, prefix)) {
                return broken(
                        clock, frame + ": no header at byte " + pos, isPrefix(stdout, pos, prefix));
            }
            int eol = indexOf(stdout, new byte[] {'\n'}, pos + prefix.length);
            if (eol < 0 || eol - pos > MAX_HEADER) {
                boolean cut = eol < 0 && stdout.length - pos <= MAX_HEADER;
                return broken(clock, frame + ": header not terminated", cut);
            }
            String[] f =
                    new String(
                                    stdout,
                                    pos + prefix.length,
                                    eol - pos - prefix.length,
                                    StandardCharsets.US_ASCII)
                            .split(" ", -1);
            boolean hex = f.length == 5 && f[4].equals("hex");
            if (f.length != 4 && !hex)
                return broken(clock, frame + ": header has no 4 fields", false);
            long index = number(f[0], 9);
            long exit = number(f[1], 3);
            long outLen = number(f[2], 18);
            long errLen = number(f[3], 18);
            if (index != i) return broken(clock, frame + ": header names frame " + f[0], false);
            if (exit < 0 || exit > 255)
                return broken(clock, frame + ": exit code '" + f[1] + "' is not 0-255", false);
            if (outLen < 0 || errLen < 0)
                return broken(
                        clock,
                        frame + ": sizes '" + f[2] + " " + f[3] + "' are not byte counts",
                        false);
            pos = eol + 1;
            long left = stdout.length - (long) pos;
            if (outLen > left || errLen > left - outLen) {
                return broken(
                        clock,
                        frame
                                + ": "
                                + outLen
                                + " + "
                                + errLen
                                + " bytes announced, "
                                + left
                                + " left in the output",
                        true);
            }
            byte[] out = Arrays.copyOfRange(stdout, pos, pos + (int) outLen);
            pos += (int) outLen;
            byte[] err = Arrays.copyOfRange(stdout, pos, pos + (int) errLen);
            pos += (int) errLen;
            if (hex) {
                Optional<byte[]> o = unhex(out);
                Optional<byte[]> e = unhex(err);
                if (o.isEmpty() || e.isEmpty())
                    return broken(clock, frame + ": hex output is not hex", false);
                out = o.get();
                err = e.get();
            }
            boolean timedOut = exit == TIMED_OUT || exit == 137 || exit == 143;
            byScript.put(unique.get(i).script(), new ProbeOutput((int) exit, out, err, timedOut));
        }
        byte[] endMarker = ("@@PF " + nonce + " end\n").getBytes(StandardCharsets.US_ASCII);
        if (!startsWith(stdout, pos, endMarker)) {
            return broken(
                    clock,
                    "no end marker after the last frame, at byte " + pos,
                    isPrefix(stdout, pos, endMarker));
        }
        if (pos + endMarker.length != stdout.length) {
            return broken(
                    clock,
                    (stdout.length - pos - endMarker.length) + " bytes after the end marker",
                    false);
        }
        return new Outputs(byScript, true, clock, Optional.empty(), false);
    }

    /**
     * The bytes of a frame sent as lowercase hex digits, two per byte: what a batch without a
     * writable file system sends (its outputs went through {@code od} into shell variables).
     */
    private static Optional<byte[]> unhex(byte[] digits) {
        if (digits.length % 2 != 0) return Optional.empty();
        byte[] bytes = new byte[digits.length / 2];
        for (int i = 0; i < bytes.length; i++) {
            int hi = Character.digit(digits[2 * i], 16);
            int lo = Character.digit(digits[2 * i + 1], 16);
            if (hi < 0
                    || lo < 0
                    || Character.isUpperCase(digits[2 * i])
                    || Character.isUpperCase(digits[2 * i + 1])) return Optional.empty();
            bytes[i] = (byte) (hi << 4 | lo);
        }
        return Optional.of(bytes);
    }

    private static Outputs broken(Optional<HostClock> clock, String why, boolean truncated) {
        return new Outputs(Map.of(), false, clock, Optional.of(why), truncated);
    }

    private Optional<HostClock> clock(byte[] stdout) {
        byte[] clockMarker = ("\n@@PF " + nonce + " clock ").getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(stdout, clockMarker, 0);
        if (at < 0) return Optional.empty();
        int eol = indexOf(stdout, new byte[] {'\n'}, at + clockMarker.length);
        if (eol < 0 || eol - at > MAX_HEADER) return Optional.empty();
        String[] c =
                BLANKS.split(
                        new String(
                                        stdout,
                                        at + clockMarker.length,
                                        eol - at - clockMarker.length,
                                        StandardCharsets.US_ASCII)
                                .trim());
        return c.length == 2 ? HostClock.parse(c[0], c[1], at == 0) : Optional.empty();
    }

    /**
     * A decimal of at most {@code digits} digits, or -1: no sign, no blanks, no leading zero, no
     * other form; one number has one spelling.
     */
    private static long number(String s, int digits) {
        if (s.isEmpty() || s.length() > digits || (s.length() > 1 && s.charAt(0) == '0')) return -1;
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') return -1;
            n = n * 10 + (ch - '0');
        }
        return n;
    }

    private static boolean startsWith(byte[] hay, int at, byte[] needle) {
        if (at < 0 || hay.length - at < needle.length) return false;
        return Arrays.equals(hay, at, at + needle.length, needle, 0, needle.length);
    }

    /** True when the bytes from {@code at} to the end are a (possibly empty) start of needle. */
    private static boolean isPrefix(byte[] hay, int at, byte[] needle) {
        int n = hay.length - at;
        return n >= 0 && n < needle.length && Arrays.equals(hay, at, hay.length, needle, 0, n);
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
