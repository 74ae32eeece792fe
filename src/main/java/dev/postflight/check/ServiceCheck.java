package dev.postflight.check;

import dev.postflight.input.Fields;
import dev.postflight.input.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A service on the host is running (or stopped) and enabled at boot (or not). Seed 003's ntpd had
 * stopped after the VM was paused while the site answered again. The probe finds the host's service
 * manager — systemd (only when it is PID 1's manager: {@code /run/systemd/system}), FreeBSD {@code
 * service}, OpenRC, or SysV init scripts — and the verdict names the one it used, because "stopped"
 * means something different to each.
 *
 * <p>{@code time-daemon} names whichever time daemon the host has (chronyd/chrony, ntpd/ntp,
 * ntpsec, systemd-timesyncd, openntpd), a running one first, so one checklist fits RHEL, Debian and
 * FreeBSD hosts; the verdict names what it resolved to ({@code time-daemon = ntpd: inactive}).
 */
record ServiceCheck(String name, Optional<String> state, Optional<Boolean> enabled)
        implements CheckSpec<ServiceCheck.Seen> {

    static final String NAME_RULE = "[A-Za-z0-9][A-Za-z0-9@._:+-]*";

    /** systemd's is-enabled answers that mean the unit starts at boot. */
    private static final Set<String> SYSTEMD_ENABLED =
            Set.of("enabled", "enabled-runtime", "alias", "generated");

    /**
     * What {@code time-daemon} may be called, in the order a stopped one is preferred when none
     * runs: chrony (RHEL: chronyd, Debian: chrony), ntpd (RHEL, FreeBSD: ntpd, Debian: ntp),
     * ntpsec, systemd-timesyncd and OpenNTPD.
     */
    static final List<String> TIME_DAEMONS =
            List.of("chronyd", "chrony", "ntpd", "ntp", "ntpsec", "systemd-timesyncd", "openntpd");

    private static final String SCRIPT =
            """
            pf_probe() {
            if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
              echo manager=systemd
              systemctl show -p LoadState -- "$n" 2>/dev/null | head -n 1
              echo "active=$(systemctl is-active -- "$n" 2>/dev/null)"
              echo "enabled=$(systemctl is-enabled -- "$n" 2>/dev/null)"
              exit 0
            fi
            pf_status() {
              echo "cmd=$*"
              pf_out=$("$@" 2>&1); echo "status_exit=$?"
              echo "status=$(printf '%s\\n' "$pf_out" | grep -v '^[[:space:]]*$' | tail -n 1)"
            }
            if [ "${PF_UNAME:-$(uname -s 2>/dev/null)}" = FreeBSD ]; then
              echo manager=freebsd
              if [ -x "/etc/rc.d/$n" ] || [ -x "/usr/local/etc/rc.d/$n" ]; then echo exists=yes
              else echo exists=no; exit 0; fi
              pf_status service "$n" onestatus
              if service "$n" enabled >/dev/null 2>&1; then echo enabled=yes; else echo enabled=no; fi
              exit 0
            fi
            if command -v rc-service >/dev/null 2>&1; then
              echo manager=openrc
              if rc-service --exists "$n" >/dev/null 2>&1; then echo exists=yes
              else echo exists=no; exit 0; fi
              pf_status rc-service "$n" status
              if rc-update show 2>/dev/null | awk -v n="$n" '$1 == n { f = 1 } END { exit !f }'
              then echo enabled=yes; else echo enabled=no; fi
              exit 0
            fi
            if [ -d /etc/init.d ] || [ -d /etc/rc.d/init.d ]; then
              echo manager=sysv
              pf_s=
              for pf_d in /etc/init.d /etc/rc.d/init.d; do
                if [ -x "$pf_d/$n" ]; then pf_s="$pf_d/$n"; break; fi
              done
              if [ -z "$pf_s" ]; then echo exists=no; exit 0; fi
              echo exists=yes
              pf_status "$pf_s" status
              pf_en=no
              for pf_l in /etc/rc[2345].d/S??"$n" /etc/rc.d/rc[2345].d/S??"$n"; do
                if [ -e "$pf_l" ]; then pf_en=yes; fi
              done
              if [ "$pf_en" = no ] && command -v chkconfig >/dev/null 2>&1 \\
                 && chkconfig --list "$n" 2>/dev/null | grep -q ':on'; then pf_en=yes; fi
              echo "enabled=$pf_en"
              exit 0
            fi
            echo 'no service manager found (no systemd, FreeBSD service, rc-service or /etc/init.d)' >&2
            exit 127
            }
            if [ "$n" != time-daemon ]; then pf_probe; exit $?; fi
            pf_best=; pf_best_out=; pf_none=
            for n in TIME_DAEMONS; do
              pf_out=$(pf_probe) || exit $?
              pf_none=$pf_out
              case "$pf_out" in *exists=no*|*LoadState=not-found*) continue ;; esac
              case "$pf_out" in manager=systemd*)
                case "$pf_out" in *LoadState=*) ;; *) continue ;; esac ;; esac
              case "$pf_out" in *active=active*|*active=reloading*|*status_exit=0*)
                echo "resolved=$n"; printf '%s\\n' "$pf_out"; exit 0 ;; esac
              if [ -z "$pf_best" ]; then pf_best=$n; pf_best_out=$pf_out; fi
            done
            if [ -n "$pf_best" ]; then echo "resolved=$pf_best"; printf '%s\\n' "$pf_best_out"; exit 0; fi
            echo resolved=
            printf '%s\\n' "$pf_none"
            """
                    .replace("TIME_DAEMONS", String.join(" ", TIME_DAEMONS));

    public ServiceCheck {
        if (!name.matches(NAME_RULE)) {
            throw new IllegalArgumentException(
                    "name must be a service name (letters, digits, @ . _ : + -), got '"
                            + name
                            + "'");
        }
        state.filter(s -> !s.equals("running") && !s.equals("stopped"))
                .ifPresent(s -> {
                    throw new IllegalArgumentException(
                            "state must be running or stopped, got " + s);
                });
        if (state.isEmpty() && enabled.isEmpty()) {
            throw new IllegalArgumentException("set state, enabled, or both");
        }
    }

    static Optional<ServiceCheck> parse(Fields f) {
        String name = f.requiredText("name");
        Optional<String> state = f.choice("state", List.of("running", "stopped"));
        Optional<Boolean> enabled = f.bool("enabled");
        if (name.isEmpty() || (f.has("state") && state.isEmpty())) return Optional.empty();
        Optional<String> s = state.isEmpty() && enabled.isEmpty() ? Optional.of("running") : state;
        return f.build(() -> new ServiceCheck(name, s, enabled));
    }

    @Override
    public Probe<Seen> probe() {
        return Probe.host(name, "n=" + Template.shellQuote(name) + "\n" + SCRIPT, this::read);
    }

    /**
     * What the probe found: the service manager it used; for {@code time-daemon}, the daemon it
     * resolved to (empty text when none is installed; absent for any other name); and the manager's
     * answers as the probe printed them (systemd's load state, active state and is-enabled answer;
     * another manager's script existence, status command, its exit and last line, and {@code
     * yes}/{@code no} for enabled at boot).
     */
    record Seen(
            String manager,
            Optional<String> resolved,
            String loadState,
            String active,
            String enabled,
            boolean exists,
            String statusCommand,
            String statusExit,
            String status) {}

    private Seen read(ProbeOutput o) throws Probe.Unreadable {
        KeyValues kv = KeyValues.parse(o.out());
        String manager = kv.text("manager").orElse("");
        if (o.exitCode() != 0 || manager.isEmpty()) {
            String e = o.err();
            throw new Probe.Unreadable(
                    name
                            + ": service probe failed: "
                            + (e.isEmpty() ? "exit " + o.exitCode() : ProbeOutput.lastLine(e)));
        }
        return new Seen(
                manager,
                kv.text("resolved"),
                kv.text("LoadState").orElse(""),
                kv.text("active").orElse("unknown"),
                kv.text("enabled").orElse(""),
                kv.text("exists").filter("yes"::equals).isPresent(),
                kv.text("cmd").orElse("status"),
                kv.text("status_exit").orElse("?"),
                kv.text("status").orElse(""));
    }

    @Override
    public Verdict judge(Seen seen, Now now) {
        String manager = seen.manager();
        String label = name;
        if (seen.resolved().isPresent()) {
            String resolved = seen.resolved().get();
            if (resolved.isEmpty()) {
                return Verdict.fail(
                        name
                                + ": none of "
                                + String.join(", ", TIME_DAEMONS)
                                + " is a service "
                                + manager
                                + " knows"); // not "installed": a binary may be, without a unit
            }
            label = name + " = " + resolved;
        }
        boolean running;
        boolean atBoot;
        String stateWord;
        String bootWord;
        String how;
        if (manager.equals("systemd")) {
            String load = seen.loadState();
            if (load.equals("not-found") || load.isEmpty()) {
                return notInstalled(label, "systemd");
            }
            String active = seen.active();
            String en = seen.enabled();
            running = active.equals("active") || active.equals("reloading");
            atBoot = SYSTEMD_ENABLED.contains(en);
            stateWord = active.isEmpty() ? "unknown" : active;
            bootWord = en.isEmpty() ? "enabled state unknown" : en;
            how = "systemd";
        } else {
            if (!seen.exists()) {
                return notInstalled(
                        label,
                        switch (manager) {
                            case "sysv" -> "sysv: no /etc/init.d/" + name;
                            case "freebsd" -> "freebsd: no rc.d script " + name;
                            default -> manager;
                        });
            }
            String exit = seen.statusExit();
            running = exit.equals("0");
            atBoot = seen.enabled().equals("yes");
            stateWord = running ? "running" : "not running";
            bootWord = atBoot ? "enabled at boot" : "disabled at boot";
            String status = seen.status();
            how =
                    manager
                            + ": "
                            + seen.statusCommand()
                            + " exit "
                            + exit
                            + (running || status.isEmpty() ? "" : ": " + status);
        }
        List<String> problems = new ArrayList<>();
        if (state.isPresent() && state.get().equals("running") != running) {
            problems.add(stateWord);
        }
        if (enabled.isPresent() && enabled.get() != atBoot) {
            problems.add(bootWord);
        }
        if (!problems.isEmpty()) {
            String expected =
                    state.map(s -> s).orElse("")
                            + (state.isPresent() && enabled.isPresent() ? ", " : "")
                            + enabled.map(e -> e ? "enabled" : "disabled").orElse("");
            return Verdict.fail(
                    label
                            + ": "
                            + String.join(", ", problems)
                            + " ("
                            + how
                            + "), expected "
                            + expected);
        }
        List<String> facts = new ArrayList<>();
        if (state.isPresent()) facts.add(stateWord);
        if (enabled.isPresent()) facts.add(bootWord);
        return Verdict.pass(label + ": " + String.join(", ", facts) + " (" + how + ")");
    }

    private static Verdict notInstalled(String label, String how) {
        return Verdict.fail(label + ": not installed/unknown unit (" + how + ")");
    }

    @Override
    public String describe() {
        List<String> want = new ArrayList<>();
        state.ifPresent(want::add);
        enabled.ifPresent(e -> want.add(e ? "enabled at boot" : "disabled at boot"));
        return "service " + name + " " + String.join(", ", want);
    }
}
