package dev.postflight.remedy;

import dev.postflight.input.Template;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * The shell a fix becomes on the host. Its steps and {@code finally} steps are ONE worker script,
 * written to a private state folder and started detached ({@code setsid}, no terminal, no stdin),
 * so the fix ends as written even when the runner is interrupted or the SSH connection drops: a
 * trap runs the {@code finally} steps on TERM/INT/HUP and after any failed step, and a watchdog on
 * the host ends the fix at its timeout (which runs {@code finally} too). Progress and exit codes go
 * to a state file the runner reads back. Each step's command is written to its own file ({@code
 * s1.sh}) and run from there, never passed as an argument, which {@code ps} shows to every user
 * (issue 14); the runner removes the folder once it has read the finished fix's state.
 *
 * <p>State folder: {@code ${XDG_STATE_HOME:-$HOME/.local/state}/postflight} of the login user,
 * holding the per-host lock, the fix history (for cooldowns) and one folder per fix run.
 *
 * <p>The lock belongs to the worker: its launch records the worker's PID in the lock, and the
 * worker releases it when it ends (after its {@code finally} steps, however the SSH connection
 * ended). A lock whose recorded workers are all gone is stale and taken over with a note; only a
 * live worker's lock needs {@code --break-lock} (issue 13: a dropped connection used to leave the
 * lock behind for good).
 */
final class FixScript {
    static final String STATE = "${XDG_STATE_HOME:-$HOME/.local/state}/postflight";

    private FixScript() {}

    /**
     * Shell function: prints the first live worker PID recorded in the lock ({@code pid=} lines);
     * {@code /proc} too, since a worker started with sudo cannot be signalled by the login user.
     */
    private static final String LIVE_WORKER =
            """
            pf_live() {
              for p in $(sed -n 's/^pid=//p' "$S/lock/owner" 2>/dev/null); do
                if kill -0 "$p" 2>/dev/null || [ -d "/proc/$p" ]; then echo "$p"; return 0; fi
              done
              return 1
            }
            """;

    /** A lock with no worker recorded yet is its runner's for this long (lock, then launch). */
    private static final long LAUNCH_GRACE_SECONDS = 300;

    /**
     * Takes the host's lock (or reports who holds it: exit 75, {@code locked}, its owner lines and
     * {@code worker=PID}) and prints the fix history. A stale lock (its workers gone, or none
     * launched within a grace) is taken over: {@code stale} and its owner lines come first.
     */
    static String lock(String runId, String owner, boolean breakLock) {
        return """
        S="%s"
        mkdir -p "$S" && chmod 700 "$S" || exit 70
        %s
        %s
        if ! mkdir "$S/lock" 2>/dev/null; then
          if w=$(pf_live); then
            echo locked; cat "$S/lock/owner" 2>/dev/null; echo "worker=$w"; exit 75
          fi
          pf_since=$(sed -n 's/^since=//p' "$S/lock/owner" 2>/dev/null | head -n 1)
          if ! grep -q '^pid=' "$S/lock/owner" 2>/dev/null \\
             && [ $(( $(date +%%s) - ${pf_since:-0} )) -lt %d ]; then
            echo locked; cat "$S/lock/owner" 2>/dev/null; exit 75
          fi
          echo stale; cat "$S/lock/owner" 2>/dev/null; echo end-stale
          rm -rf "$S/lock"
          mkdir "$S/lock" 2>/dev/null || { echo locked; exit 75; }
        fi
        printf 'run=%%s\\nowner=%%s\\nsince=%%s\\n' %s %s "$(date +%%s)" >"$S/lock/owner"
        echo locked-by-us
        echo "now=$(date +%%s)"
        cat "$S/history" 2>/dev/null | tail -n 200
        exit 0
        """
                .formatted(
                        STATE,
                        LIVE_WORKER,
                        breakLock ? "rm -rf \"$S/lock\"" : "",
                        LAUNCH_GRACE_SECONDS,
                        Template.shellQuote(runId),
                        Template.shellQuote(owner));
    }

    /**
     * Releases the lock if this run holds it and none of its workers still runs (a worker that
     * outlives its runner releases the lock itself when it ends).
     */
    static String unlock(String runId) {
        return """
        S="%s"
        %s
        if grep -qx %s "$S/lock/owner" 2>/dev/null && ! pf_live >/dev/null; then
          rm -rf "$S/lock"
        fi
        """
                .formatted(STATE, LIVE_WORKER, Template.shellQuote("run=" + runId));
    }

    /**
     * Writes the worker for {@code fix} into a new state folder and starts it detached. Prints
     * {@code started DIR}; exit 77 and "sudo-password" when become needs a password.
     */
    static String launch(
            String runId,
            String fixName,
            List<StepCommand> steps,
            List<StepCommand> finallySteps,
            boolean become,
            Duration timeout) {
        String dirName = "fix-" + runId + "-" + fixName;
        String eof = "PF_EOF_" + HexFormat.of().formatHex(random());
        StringBuilder w = new StringBuilder();
        w.append("# postflight fix ").append(fixName).append(" (run ").append(runId).append(")\n");
        w.append("D=\"$1\"\numask 022\necho $$ >\"$D/pid\"\n");
        w.append(
                """
                if command -v timeout >/dev/null 2>&1; then PF_TO=1; else PF_TO=; fi
                PF_CHILD=
                PF_FIN=
                pf_step() {
                  printf 'start %s %s\\n' "$1" "$(date +%s)" >>"$D/state"
                  (umask 077; printf '%s\\n' "$3" >"$D/$1.sh")
                  if [ -n "$PF_TO" ]; then
                    timeout -k 5 "$2" sh "$D/$1.sh" </dev/null >"$D/$1.out" 2>&1 &
                  else
                    sh "$D/$1.sh" </dev/null >"$D/$1.out" 2>&1 &
                  fi
                  PF_CHILD=$!
                  wait "$PF_CHILD"
                  pf_rc=$?
                  PF_CHILD=
                  printf 'end %s %s %s\\n' "$1" "$pf_rc" "$(date +%s)" >>"$D/state"
                  return $pf_rc
                }
                pf_finally() {
                  [ -n "$PF_FIN" ] && return 0
                  PF_FIN=1
                  if [ -n "$PF_CHILD" ]; then kill -TERM "$PF_CHILD" 2>/dev/null; wait "$PF_CHILD" 2>/dev/null; fi
                """);
        for (int i = 0; i < finallySteps.size(); i++) {
            StepCommand s = finallySteps.get(i);
            w.append("  pf_step f")
                    .append(i + 1)
                    .append(' ')
                    .append(seconds(s.timeout()))
                    .append(' ')
                    .append(Template.shellQuote(s.command()))
                    .append('\n');
        }
        // The worker's lock ends with it, before "done" tells the runner it may launch the next.
        w.append("  L=\"${D%/*}/lock\"\n")
                .append("  if grep -qx ")
                .append(Template.shellQuote("run=" + runId))
                .append(" \"$L/owner\" 2>/dev/null; then rm -rf \"$L\"; fi\n");
        w.append("  printf 'done %s\\n' \"$(date +%s)\" >>\"$D/state\"\n}\n");
        w.append(
                """
                trap 'printf "signal %s\\n" "$(date +%s)" >>"$D/state"; pf_finally; exit 143' TERM INT HUP
                """);
        w.append("( sleep ")
                .append(seconds(timeout))
                .append(
                        "; printf 'timeout %s\\n' \"$(date +%s)\" >>\"$D/state\"; kill -TERM $$ )"
                                + " </dev/null >/dev/null 2>&1 &\nPF_WATCHDOG=$!\nPF_RC=0\n");
        for (int i = 0; i < steps.size(); i++) {
            StepCommand s = steps.get(i);
            w.append("[ $PF_RC = 0 ] && { pf_step s")
                    .append(i + 1)
                    .append(' ')
                    .append(seconds(s.timeout()))
                    .append(' ')
                    .append(Template.shellQuote(s.command()))
                    .append(" || PF_RC=$?; }\n");
        }
        w.append("printf 'steps %s\\n' \"$PF_RC\" >>\"$D/state\"\n");
        w.append("pf_finally\nkill \"$PF_WATCHDOG\" 2>/dev/null\nexit $PF_RC\n");

        return """
        S="%s"
        D="$S/%s"
        mkdir -p "$S" && mkdir "$D" || { echo "cannot create $D" >&2; exit 70; }
        if mkdir "$S/lock" 2>/dev/null; then
          printf 'run=%%s\\nsince=%%s\\n' %s "$(date +%%s)" >"$S/lock/owner"
        elif ! grep -qx %s "$S/lock/owner" 2>/dev/null; then
          echo locked; cat "$S/lock/owner" 2>/dev/null; rm -rf "$D"; exit 75
        fi
        %s
        cat >"$D/fix.sh" <<'%s'
        %s%s
        %s
        if command -v setsid >/dev/null 2>&1; then PF_DETACH=setsid; else PF_DETACH=nohup; fi
        $PF_DETACH $PF_SUDO sh "$D/fix.sh" "$D" </dev/null >"$D/log" 2>&1 &
        echo "pid=$!" >>"$S/lock/owner"
        echo "started $D"
        """
                .formatted(
                        STATE,
                        dirName,
                        Template.shellQuote(runId),
                        Template.shellQuote("run=" + runId),
                        prune(fixName),
                        eof,
                        w,
                        eof,
                        become ? BECOME : "PF_SUDO=");
    }

    /** How many folders of one fix a host keeps: this run's and the newest before it. */
    static final int KEPT_FOLDERS = 5;

    /**
     * Removes the folders of this fix's earlier runs that a runner could not remove (its connection
     * dropped, it was killed), oldest first, keeping the {@value #KEPT_FOLDERS} newest (by
     * modification time, this run's included). A folder whose worker still runs (no {@code done} in
     * its state and its PID alive) is never removed, however old. Runs under the host's lock, so no
     * other launch adds folders meanwhile. Folder names are {@code fix-UUID-FIX}: the pattern
     * matches no other fix's folders (not those of {@code x-FIX}).
     */
    private static String prune(String fixName) {
        return """
        ls -dt "$S"/fix-????????-????-????-????-????????????-%s 2>/dev/null | {
          pf_n=0
          while IFS= read -r pf_o; do
            pf_n=$((pf_n + 1))
            [ "$pf_o" = "$D" ] || [ "$pf_n" -le %d ] && continue
            if ! grep -q '^done' "$pf_o/state" 2>/dev/null; then
              pf_p=$(cat "$pf_o/pid" 2>/dev/null)
              if [ -n "$pf_p" ] && { kill -0 "$pf_p" 2>/dev/null || [ -d "/proc/$pf_p" ]; }; then
                continue
              fi
            fi
            rm -rf "$pf_o"
          done
        }\
        """
                .formatted(Template.shellQuote(fixName), KEPT_FOLDERS);
    }

    /**
     * {@code become}: sudo -n, which fails at once instead of asking for a password; nothing when
     * the login user already is root (a root login needs no sudo, and many hosts have none).
     */
    private static final String BECOME =
            """
            if [ "$(id -u)" = 0 ]; then PF_SUDO=
            elif ! command -v sudo >/dev/null 2>&1; then echo sudo-missing; rm -rf "$D"; exit 77
            elif ! sudo -n true 2>/dev/null; then echo sudo-password; rm -rf "$D"; exit 77
            else PF_SUDO="sudo -n"; fi\
            """;

    /**
     * Waits up to {@code wait} for the fix in {@code dir} to be done, then prints the state file
     * and the tail of every step's output, each framed with {@code marker}.
     */
    static String watch(String dir, Duration wait, String marker) {
        return """
        D=%s
        pf_end=$(( $(date +%%s) + %d ))
        while ! grep -q '^done' "$D/state" 2>/dev/null && [ "$(date +%%s)" -lt "$pf_end" ]; do
          sleep 0.2 2>/dev/null || sleep 1
        done
        echo '%s state'
        cat "$D/state" 2>/dev/null
        for f in "$D"/*.out; do
          [ -f "$f" ] || continue
          echo "%s out $(basename "$f" .out)"
          tail -c 2000 "$f"
          echo
        done
        """
                .formatted(Template.shellQuote(dir), Math.max(0, wait.toSeconds()), marker, marker);
    }

    /**
     * Removes a finished fix's folder once the runner has read its state: the worker script and
     * step files hold the commands, secrets included. The audit log keeps the record.
     */
    static String remove(String dir) {
        return "rm -rf " + Template.shellQuote(dir);
    }

    /** Ends the fix early: its worker's trap runs the finally steps. */
    static String cancel(String dir, boolean become) {
        return (become ? "sudo -n " : "")
                + "kill -TERM \"$(cat "
                + Template.shellQuote(dir + "/pid")
                + ")\"";
    }

    /** Appends to the host's fix history, for cooldowns: in the host's and the runner's time. */
    static String record(String fixName, String outcome, Instant runnerTime) {
        return """
        S="%s"
        printf '%%s %%s %%s %%s\\n' %s "$(date +%%s)" %s %d >>"$S/history"
        """
                .formatted(
                        STATE,
                        Template.shellQuote(fixName),
                        Template.shellQuote(outcome),
                        runnerTime.getEpochSecond());
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }

    private static byte[] random() {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
