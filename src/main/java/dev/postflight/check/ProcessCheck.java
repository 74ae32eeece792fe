package dev.postflight.check;

import dev.postflight.input.Fields;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Processes on the host, found by exact command name or by a pattern over the full command line,
 * optionally of one user, counted against {@code min} and {@code max}. Seed 000 looks for the
 * daemons with {@code ps}; seed 004 met runaway processes, which is what {@code max} is for.
 *
 * <p>The probe lists processes twice: {@code pid ppid user args} with ps (args last, so spaces in
 * it are harmless), and {@code pid comm} (comm last: on Linux a command name may contain spaces).
 * On Linux the second list is read from {@code /proc/PID/comm} by the shell itself: ps reads every
 * process's files and is the most expensive program a probe batch runs, dearer still on a host with
 * many processes, so it runs once. Elsewhere (FreeBSD) ps runs twice; both forms work with Linux
 * procps and FreeBSD ps. The probe's own processes (the batch script, its wrappers, its {@code ps})
 * are excluded, found by the process tree alone, so a pattern never counts itself.
 */
record ProcessCheck(
        Optional<String> name,
        Optional<Pattern> pattern,
        Optional<String> user,
        int min,
        Optional<Integer> max)
        implements CheckSpec<List<ProcessCheck.Proc>> {

    /** Labels the probe's script; it says nothing about which processes are the probe's. */
    static final String MARKER = "postflight-process-probe";

    /** The probe batch's shell ({@code sh -s}), whose descendants are the probe's own. */
    private static final Pattern BATCH_SHELL = Pattern.compile("(\\S*/)?sh -s");

    static final String SCRIPT =
            ": "
                    + MARKER
                    + "\n"
                    + """
                    command -v ps >/dev/null 2>&1 || { echo 'no ps command' >&2; exit 127; }
                    echo "self=$$"
                    echo @@comm
                    if [ -r /proc/self/comm ]; then
                      for pf_d in /proc/[0-9]*; do
                        # A process may exit between the glob and the read: skip it (an if, so
                        # the last one gone does not become the probe's exit status).
                        if read -r pf_c 2>/dev/null <"$pf_d/comm"; then
                          echo "${pf_d#/proc/} $pf_c"
                        fi
                      done
                    else
                      ps -A -o pid=,comm= || exit 2
                    fi
                    echo @@args
                    exec ps -A -o pid=,ppid=,user=,args=
                    """;

    public ProcessCheck {
        if (name.isPresent() == pattern.isPresent()) {
            throw new IllegalArgumentException("set exactly one of name or pattern");
        }
        name.filter(String::isBlank)
                .ifPresent(n -> {
                    throw new IllegalArgumentException("name must not be empty");
                });
        if (min < 0) throw new IllegalArgumentException("min (" + min + ") must not be negative");
        if (max.isPresent() && max.get() < 0) {
            throw new IllegalArgumentException("max (" + max.get() + ") must not be negative");
        }
        if (max.isPresent() && min > max.get()) {
            throw new IllegalArgumentException(
                    "min (" + min + ") must not exceed max (" + max.get() + ")");
        }
    }

    static Optional<ProcessCheck> parse(Fields f) {
        Optional<String> name = f.text("name");
        Optional<Pattern> pattern = f.regex("pattern");
        Optional<String> user = f.text("user");
        Optional<Integer> max = f.integer("max");
        int min = f.integer("min").orElse(max.filter(m -> m == 0).isPresent() ? 0 : 1);
        if (f.has("pattern") && pattern.isEmpty()) return Optional.empty();
        return f.build(() -> new ProcessCheck(name, pattern, user, min, max));
    }

    @Override
    public Probe<List<Proc>> probe() {
        return Probe.host("ps", SCRIPT, ProcessCheck::read);
    }

    /** One line of the process table. */
    record Proc(int pid, int ppid, String user, String comm, String args) {}

    /** The host's processes, the probe's own left out; an empty table cannot be judged. */
    static List<Proc> read(ProbeOutput o) throws Probe.Unreadable {
        if (o.exitCode() != 0) {
            String e = o.err();
            throw new Probe.Unreadable(
                    "ps failed: "
                            + (e.isEmpty() ? "exit " + o.exitCode() : ProbeOutput.lastLine(e)));
        }
        List<Proc> all = parseTable(o.out());
        if (all.isEmpty()) throw new Probe.Unreadable("ps listed no processes");
        Set<Integer> own = probeOwn(all, selfPid(o.out()));
        return all.stream().filter(p -> !own.contains(p.pid())).toList();
    }

    @Override
    public Verdict judge(List<Proc> all, Now now) {
        List<Proc> found = new ArrayList<>();
        for (Proc p : all) {
            if (name.isPresent() && !name.get().equals(p.comm()) && !truncatedMatch(p.comm()))
                continue;
            if (pattern.isPresent() && !pattern.get().matcher(p.args()).find()) continue;
            if (user.isPresent() && !userMatches(user.get(), p.user())) continue;
            found.add(p);
        }
        int n = found.size();
        String what = target();
        String pids =
                found.isEmpty()
                        ? ""
                        : " (pid "
                                + String.join(
                                        ", ",
                                        found.stream()
                                                .limit(3)
                                                .map(p -> String.valueOf(p.pid()))
                                                .toList())
                                + (n > 3 ? ", …" : "")
                                + ")";
        String counted = what + ": " + n + (n == 1 ? " process" : " processes") + pids;
        List<String> details =
                found.stream()
                        .limit(3)
                        .map(p -> p.pid() + " " + p.user() + " " + p.args())
                        .toList();
        if (n < min) {
            return Verdict.fail(counted + ", expected at least " + min).withDetails(details);
        }
        if (max.isPresent() && n > max.get()) {
            return Verdict.fail(counted + ", expected at most " + max.get()).withDetails(details);
        }
        return Verdict.pass(counted);
    }

    @Override
    public String describe() {
        String range =
                max.map(m -> m == min ? "exactly " + m : min + " to " + m)
                        .orElse("at least " + min);
        return range + " of " + target();
    }

    private String target() {
        String t =
                name.map(n -> "process " + n)
                        .orElseGet(() -> "processes matching /" + pattern.get().pattern() + "/");
        return t + user.map(u -> " of user " + u).orElse("");
    }

    /** Linux truncates comm to 15 characters: a long name matches its own first 15. */
    private boolean truncatedMatch(String comm) {
        String n = name.orElse("");
        return n.length() > 15 && comm.length() == 15 && n.startsWith(comm);
    }

    /** procps shortens long user names to 7 characters and a '+'. */
    private static boolean userMatches(String expected, String shown) {
        if (expected.equals(shown)) return true;
        return shown.endsWith("+") && expected.startsWith(shown.substring(0, shown.length() - 1));
    }

    /**
     * Parses both tables. A host has hundreds of processes and a fleet run parses one table per
     * host, mostly before the JIT has compiled anything, so this splits fields by hand rather than
     * with a regex per line.
     */
    static List<Proc> parseTable(String out) {
        Map<Integer, String> comms = new HashMap<>();
        List<String[]> rows = new ArrayList<>();
        boolean inArgs = false;
        boolean inComm = false;
        int at = 0;
        int n = out.length();
        while (at < n) {
            int eol = out.indexOf('\n', at);
            if (eol < 0) eol = n;
            String t = out.substring(at, eol).strip();
            at = eol + 1;
            if (t.startsWith("@@")) {
                inArgs = t.equals("@@args");
                inComm = t.equals("@@comm");
                continue;
            }
            if (t.isEmpty()) continue;
            if (inArgs) {
                String[] parts = fields(t, 4);
                if (parts.length >= 3) rows.add(parts);
            } else if (inComm) {
                String[] parts = fields(t, 2);
                if (parts.length == 2 && isNumber(parts[0])) {
                    comms.put(Integer.parseInt(parts[0]), parts[1]);
                }
            }
        }
        List<Proc> procs = new ArrayList<>(rows.size());
        for (String[] r : rows) {
            if (!isNumber(r[0]) || !isNumber(r[1])) continue;
            int pid = Integer.parseInt(r[0]);
            String args = r.length > 3 ? r[3] : "";
            String comm = comms.get(pid);
            if (comm == null) comm = firstWordBasename(args);
            procs.add(new Proc(pid, Integer.parseInt(r[1]), r[2], comm, args));
        }
        return procs;
    }

    /**
     * A stripped line split at runs of blanks into at most {@code limit} fields, the last keeping
     * the rest of the line as it is (like {@code String.split("\\s+", limit)}).
     */
    static String[] fields(String line, int limit) {
        List<String> out = new ArrayList<>(limit);
        int i = 0;
        int n = line.length();
        while (i < n) {
            if (out.size() == limit - 1) {
                out.add(line.substring(i));
                break;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(line.charAt(i))) i++;
            out.add(line.substring(start, i));
            while (i < n && Character.isWhitespace(line.charAt(i))) i++;
        }
        return out.toArray(String[]::new);
    }

    private static int selfPid(String out) {
        for (String line : out.split("\n")) {
            if (line.startsWith("self=") && isNumber(line.substring(5).strip())) {
                return Integer.parseInt(line.substring(5).strip());
            }
        }
        return -1;
    }

    /**
     * The probe's own processes: everything under the batch script ({@code sh -s}, an ancestor of
     * the probe) when it can be found, else the probe's shell and its descendants. Only the process
     * tree says what is the probe's: a command line is whatever its owner chose, and one that
     * merely mentioned the probe once hid a miner from {@code max: 0} (issue 14).
     */
    static Set<Integer> probeOwn(List<Proc> all, int self) {
        Map<Integer, Proc> byPid = new HashMap<>();
        Map<Integer, List<Integer>> children = new HashMap<>();
        for (Proc p : all) {
            byPid.put(p.pid(), p);
            children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p.pid());
        }
        int root = self;
        Set<Integer> seen = new HashSet<>();
        for (Proc p = byPid.get(self); p != null && seen.add(p.pid()); p = byPid.get(p.ppid())) {
            if (BATCH_SHELL.matcher(p.args()).matches()) {
                root = p.pid();
                break;
            }
        }
        Set<Integer> own = new HashSet<>();
        Set<Integer> visited = new HashSet<>();
        Deque<Integer> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            int pid = todo.pop();
            if (!visited.add(pid)) continue;
            own.add(pid);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return own;
    }

    private static String firstWordBasename(String args) {
        String[] f = fields(args.strip(), 2);
        String first = f.length == 0 ? "" : f[0];
        int slash = first.lastIndexOf('/');
        return slash < 0 ? first : first.substring(slash + 1);
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() >= 10) return false;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }
}
