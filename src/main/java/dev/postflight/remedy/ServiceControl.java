package dev.postflight.remedy;

import dev.postflight.input.Template;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tells and changes a service's state on systemd, FreeBSD {@code service}, OpenRC and SysV {@code
 * /etc/init.d}, names the manager it used, and reads the state back after the action, because what
 * an init script prints is not what happened: seed 003's {@code service ntpd restart} printed
 * "stop: FAILED, start: OK". {@code time-daemon} stands for whichever time daemon is installed (a
 * running one first). The script's exit code is 0 only when the action succeeded AND the service
 * ended in the state the action promises.
 */
final class ServiceControl {
    /** The names {@code time-daemon} resolves to, in order of preference among installed ones. */
    public static final List<String> TIME_DAEMONS =
            List.of("chronyd", "chrony", "ntpd", "ntp", "ntpsec", "systemd-timesyncd", "openntpd");

    private ServiceControl() {}

    private static final String SCRIPT =
            """
            if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then pf_m=systemd
            elif [ "$(uname -s 2>/dev/null)" = FreeBSD ]; then pf_m=freebsd
            elif command -v rc-service >/dev/null 2>&1; then pf_m=openrc
            elif [ -d /etc/init.d ] || [ -d /etc/rc.d/init.d ]; then pf_m=sysv
            else echo 'no service manager found (no systemd, FreeBSD service, rc-service or /etc/init.d)' >&2; exit 127
            fi
            echo "manager=$pf_m"
            pf_script() {
              for pf_d in /etc/init.d /etc/rc.d/init.d /etc/rc.d /usr/local/etc/rc.d; do
                if [ -x "$pf_d/$1" ] && [ -f "$pf_d/$1" ]; then echo "$pf_d/$1"; return 0; fi
              done
              return 1
            }
            pf_exists() {
              case $pf_m in
                systemd) [ "$(systemctl show -p LoadState --value -- "$1" 2>/dev/null)" = loaded ] ;;
                openrc) rc-service --exists "$1" >/dev/null 2>&1 ;;
                *) pf_script "$1" >/dev/null ;;
              esac
            }
            pf_state() {
              case $pf_m in
                systemd) [ "$(systemctl is-active -- "$1" 2>/dev/null)" = active ] ;;
                freebsd) service "$1" onestatus >/dev/null 2>&1 ;;
                openrc) rc-service "$1" status >/dev/null 2>&1 ;;
                sysv) "$(pf_script "$1")" status >/dev/null 2>&1 ;;
              esac && echo running || echo stopped
            }
            if [ "$n" = time-daemon ]; then
              pf_r=
              for pf_c in %s; do
                if pf_exists "$pf_c"; then
                  [ -z "$pf_r" ] && pf_r=$pf_c
                  if [ "$(pf_state "$pf_c")" = running ]; then pf_r=$pf_c; break; fi
                fi
              done
              if [ -z "$pf_r" ]; then echo "no time daemon installed (tried %s)" >&2; exit 1; fi
              echo "resolved=$pf_r"
              n=$pf_r
            fi
            if ! pf_exists "$n"; then echo "service $n is not installed ($pf_m)" >&2; exit 1; fi
            if [ "$a" = status ]; then [ "$(pf_state "$n")" = running ]; exit $?; fi
            pf_before=$(pf_state "$n")
            echo "before=$pf_before"
            if { [ "$a" = stop ] && [ "$pf_before" = stopped ]; } || { [ "$a" = start ] && [ "$pf_before" = running ]; }; then
              echo "cmd=none (already $pf_before)"; echo action_exit=0; echo "after=$pf_before"; echo "want=$pf_before"
              echo '@@output'; echo "$n was already $pf_before"
              exit 0
            fi

            case $pf_m in
              systemd) set -- systemctl "$a" -- "$n" ;;
              freebsd) set -- service "$n" "one$a" ;;
              openrc) set -- rc-service "$n" "$a" ;;
              sysv) set -- "$(pf_script "$n")" "$a" ;;
            esac
            echo "cmd=$*"
            pf_out=$("$@" 2>&1 </dev/null); pf_rc=$?
            echo "action_exit=$pf_rc"
            case $a in stop) pf_want=stopped ;; *) pf_want=running ;; esac
            pf_i=0
            pf_now=$(pf_state "$n")
            while [ "$pf_now" != "$pf_want" ] && [ $pf_i -lt 5 ]; do
              sleep 1; pf_i=$((pf_i + 1)); pf_now=$(pf_state "$n")
            done
            echo "after=$pf_now"
            echo "want=$pf_want"
            echo '@@output'
            printf '%%s\\n' "$pf_out" | tail -n 20
            [ "$pf_rc" = 0 ] && [ "$pf_now" = "$pf_want" ]
            """;

    /** The shell that performs {@code action} on {@code name} and reads the state back. */
    public static String script(String name, String action) {
        if (!Step.ACTIONS.contains(action) && !action.equals("status"))
            throw new IllegalArgumentException("unknown action " + action);
        String candidates = String.join(" ", TIME_DAEMONS);
        return "n="
                + Template.shellQuote(name)
                + "\na="
                + action
                + "\n"
                + SCRIPT.formatted(candidates, candidates);
    }

    /** What happened, read from the script's output. */
    public record Outcome(
            String service,
            String manager,
            Optional<String> command,
            Optional<Integer> actionExit,
            String before,
            String after,
            String wanted,
            String output) {

        public boolean succeeded() {
            return actionExit.orElse(-1) == 0 && after.equals(wanted);
        }

        /** One line: {@code ntpd: stop via sysv: exit 1, now running (wanted stopped)}. */
        public String summary(String action) {
            StringBuilder s = new StringBuilder(service + ": " + action + " via " + manager);
            actionExit.ifPresent(e -> s.append(": exit ").append(e));
            s.append(", now ").append(after);
            if (!after.equals(wanted)) s.append(" (wanted ").append(wanted).append(")");
            String last = output.strip();
            if (!last.isEmpty() && (!succeeded() || last.contains("FAIL"))) {
                s.append(" — ").append(last.replace('\n', ' '));
            }
            return s.toString();
        }
    }

    /** Parses the script's stdout; {@code stderr} explains a script that stopped early. */
    public static Outcome parse(String name, String stdout, String stderr) {
        Map<String, String> kv = new LinkedHashMap<>();
        StringBuilder output = new StringBuilder();
        boolean inOutput = false;
        for (String line : stdout.split("\n", -1)) {
            if (inOutput) {
                output.append(line).append('\n');
            } else if (line.equals("@@output")) {
                inOutput = true;
            } else {
                int eq = line.indexOf('=');
                if (eq > 0) kv.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String service = kv.getOrDefault("resolved", name);
        if (!kv.containsKey("action_exit")) {
            return new Outcome(
                    service,
                    kv.getOrDefault("manager", "unknown"),
                    Optional.empty(),
                    Optional.empty(),
                    kv.getOrDefault("before", "unknown"),
                    "unknown",
                    "unknown",
                    stderr.strip());
        }
        return new Outcome(
                service,
                kv.getOrDefault("manager", "unknown"),
                Optional.ofNullable(kv.get("cmd")),
                Optional.of(Integer.parseInt(kv.get("action_exit").trim())),
                kv.getOrDefault("before", "unknown"),
                kv.getOrDefault("after", "unknown"),
                kv.getOrDefault("want", "unknown"),
                output.toString().strip());
    }
}
