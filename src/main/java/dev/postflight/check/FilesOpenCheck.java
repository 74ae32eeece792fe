package dev.postflight.check;

import dev.postflight.input.Amount;
import dev.postflight.input.Fields;
import dev.postflight.input.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Open files against their limits (seed 004: file-descriptor exhaustion). System-wide from Linux's
 * {@code /proc/sys/fs/file-nr} or FreeBSD's {@code sysctl kern.openfiles kern.maxfiles}; with
 * {@code process}, each process of that name counts {@code /proc/PID/fd} against the soft "Max open
 * files" of {@code /proc/PID/limits} (Linux). Another user's {@code /proc/PID/fd} is readable by
 * root only: such a process is an error, never a pass. On FreeBSD, mbuf requests that {@code
 * netstat -m} reports as denied or delayed fail.
 */
public record FilesOpenCheck(Amount maxUsed, Optional<String> process)
        implements CheckSpec<FilesOpenCheck.Seen> {

    /** Linux keeps the first 15 bytes of a command name in {@code /proc/PID/comm}. */
    private static final int COMM = 15;

    static final String SYSTEM =
            """
            if [ -r /proc/sys/fs/file-nr ]; then
              # cat, not read: dash reads a byte at a time, and /proc/sys answers a read at an
              # offset with nothing ("6" of "6356 0 2466239").
              set -- $(cat /proc/sys/fs/file-nr); echo "open=$1 $2"; echo "max=$3"
            elif pf_o=$(sysctl -n kern.openfiles 2>/dev/null) && pf_m=$(sysctl -n kern.maxfiles 2>/dev/null); then
              echo "open=$pf_o 0"; echo "max=$pf_m"
            else echo 'no /proc/sys/fs/file-nr and no sysctl kern.openfiles' >&2; exit 127
            fi
            if [ "${PF_UNAME:-$(uname -s)}" = FreeBSD ] && command -v netstat >/dev/null 2>&1; then
              netstat -m 2>/dev/null | while IFS= read -r pf_l; do
                case $pf_l in *'requests for'*) echo "mbuf=$pf_l" ;; esac
              done
            fi
            """;

    static final String PER_PROCESS =
            """
            [ -r /proc/self/limits ] || { echo 'no /proc/PID/limits: open files per process need Linux /proc' >&2; exit 127; }
            echo "user=$(id -un 2>/dev/null)"
            for pf_d in /proc/[0-9]*; do
              if read -r pf_c 2>/dev/null <"$pf_d/comm" && [ "$pf_c" = "$pf_name" ]; then
                pf_s=$(while IFS= read -r pf_l; do
                  case $pf_l in 'Max open files'*) set -- $pf_l; echo "$4" ;; esac
                done <"$pf_d/limits" 2>/dev/null)
                if pf_f=$(ls -A "$pf_d/fd" 2>/dev/null); then
                  set -- $pf_f; echo "proc=${pf_d#/proc/} $# $pf_s"
                elif [ -d "$pf_d" ]; then echo "denied=${pf_d#/proc/}"
                fi
              fi
            done
            exit 0
            """;

    public FilesOpenCheck {
        if (!maxUsed.percent()) {
            throw new IllegalArgumentException(
                    "max_used must be a percentage like 80%, got " + maxUsed);
        }
        process.filter(p -> p.isBlank() || p.contains("/"))
                .ifPresent(p -> {
                    throw new IllegalArgumentException(
                            "process must be a command name (no '/'), got '" + p + "'");
                });
    }

    static Optional<FilesOpenCheck> parse(Fields f) {
        Amount maxUsed = f.amount("max_used").orElse(DiskCheck.DEFAULT_LIMIT);
        Optional<String> process = f.text("process");
        return f.build(() -> new FilesOpenCheck(maxUsed, process));
    }

    /** One process's open files and its soft limit (empty when unlimited or unknown). */
    record Proc(long pid, long open, Optional<Long> limit) {}

    /**
     * What the host showed: system-wide open files and limit, the FreeBSD mbuf request lines, and
     * (with {@code process}) the user the probe ran as, the processes read and the PIDs whose
     * descriptors it could not read.
     */
    record Seen(
            long open,
            long max,
            List<String> mbufs,
            String user,
            List<Proc> procs,
            List<Long> denied) {}

    @Override
    public Probe<Seen> probe() {
        Probe<Seen> system = Probe.host("open files", SYSTEM, FilesOpenCheck::readSystem);
        if (process.isEmpty()) return system;
        String name = process.get();
        String comm = name.length() > COMM ? name.substring(0, COMM) : name;
        Probe<Seen> procs =
                Probe.host(
                        "open files of " + name,
                        "pf_name=" + Template.shellQuote(comm) + "\n" + PER_PROCESS,
                        FilesOpenCheck::readProcesses);
        return Probe.both(
                system,
                procs,
                (s, p) -> new Seen(s.open(), s.max(), s.mbufs(), p.user(), p.procs(), p.denied()));
    }

    static Seen readSystem(ProbeOutput o) throws Probe.Unreadable {
        KeyValues kv = KeyValues.parse(o.out());
        String open = kv.text("open").orElse("");
        String max = kv.text("max").orElse("");
        try {
            String[] used = open.split("\\s+");
            long n = Long.parseLong(used[0]) - (used.length > 1 ? Long.parseLong(used[1]) : 0);
            long m = Long.parseLong(max);
            if (m <= 0 || n < 0) throw new NumberFormatException();
            return new Seen(
                    n,
                    m,
                    kv.all("mbuf").stream().map(String::strip).toList(),
                    "",
                    List.of(),
                    List.of());
        } catch (NumberFormatException e) {
            throw new Probe.Unreadable(
                    "open files: unreadable output: open=" + open + ", max=" + max);
        }
    }

    static Seen readProcesses(ProbeOutput o) throws Probe.Unreadable {
        KeyValues kv = KeyValues.parse(o.out());
        List<Proc> procs = new ArrayList<>();
        List<Long> denied = new ArrayList<>();
        try {
            for (String line : kv.all("proc")) {
                String[] p = line.strip().split("\\s+");
                Optional<Long> limit =
                        p.length > 2 && p[2].matches("\\d+")
                                ? Optional.of(Long.parseLong(p[2]))
                                : Optional.empty();
                procs.add(new Proc(Long.parseLong(p[0]), Long.parseLong(p[1]), limit));
            }
            for (String pid : kv.all("denied")) denied.add(Long.parseLong(pid.strip()));
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new Probe.Unreadable(
                    "open files per process: unreadable output: " + o.out().strip());
        }
        return new Seen(0, 1, List.of(), kv.text("user").orElse("?"), procs, denied);
    }

    @Override
    public Verdict judge(Seen seen, Now now) {
        List<Verdict> parts = new ArrayList<>();
        parts.add(share("system", seen.open(), seen.max()));
        for (String mbuf : seen.mbufs()) {
            String counts = mbuf.split("\\s+")[0];
            boolean any = counts.chars().anyMatch(c -> c >= '1' && c <= '9');
            if (any) parts.add(Verdict.fail("netstat -m: " + mbuf));
        }
        process.ifPresent(name -> {
            if (seen.procs().isEmpty() && seen.denied().isEmpty()) {
                parts.add(Verdict.fail("no process named " + name));
            }
            for (Proc p : seen.procs()) {
                String who = name + " pid " + p.pid();
                parts.add(
                        p.limit().isPresent()
                                ? share(who, p.open(), p.limit().get())
                                : Verdict.pass(who + ": " + p.open() + " files open (no limit)"));
            }
            for (long pid : seen.denied()) {
                parts.add(
                        Verdict.error(
                                name
                                        + " pid "
                                        + pid
                                        + ": /proc/"
                                        + pid
                                        + "/fd is not readable as "
                                        + seen.user()
                                        + " (another user's descriptors need root)"));
            }
        });
        Status worst = parts.stream().map(Verdict::status).reduce(Status.PASS, Status::worse);
        List<String> shown =
                parts.stream()
                        .filter(v -> worst == Status.PASS || v.status() != Status.PASS)
                        .map(Verdict::reason)
                        .toList();
        List<String> all = parts.stream().map(Verdict::reason).toList();
        return new Verdict(
                worst, String.join("; ", shown), all.size() > shown.size() ? all : List.of());
    }

    private Verdict share(String who, long open, long limit) {
        double used = open * 100.0 / limit;
        String text =
                String.format(
                        Locale.ROOT, "%s: %d of %d files open (%.1f%%", who, open, limit, used);
        return used > maxUsed.value()
                ? Verdict.fail(text + ", fail above " + maxUsed + ")")
                : Verdict.pass(text + ")");
    }

    @Override
    public String describe() {
        return "open files at most "
                + maxUsed
                + " of the limit"
                + process.map(p -> ", system-wide and for each " + p + " process").orElse("");
    }
}
