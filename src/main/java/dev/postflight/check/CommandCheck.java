package dev.postflight.check;

import dev.postflight.input.Fields;
import dev.postflight.input.Template;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Runs a command on the host and judges its exit status and output. It runs as the login user;
 * {@code become: true} runs it with {@code sudo -n}, which fails at once instead of hanging when a
 * password would be needed (seed 000: do not become root unless you must); a root login runs it
 * directly.
 */
public record CommandCheck(
        String run,
        int exitStatus,
        Optional<String> stdoutContains,
        Optional<Pattern> stdoutMatches,
        Optional<String> stderrContains,
        Duration timeout,
        boolean become)
        implements CheckSpec<CommandCheck.Ran> {

    static Optional<CommandCheck> parse(Fields f) {
        String run = f.requiredCommand("run");
        int exit = f.integer("exit_status").orElse(0);
        Optional<String> out = f.text("stdout_contains");
        Optional<Pattern> matches = f.regex("stdout_matches");
        Optional<String> err = f.text("stderr_contains");
        Duration timeout = f.duration("timeout").orElse(HostProbe.DEFAULT_TIMEOUT);
        boolean become = f.bool("become").orElse(false);
        if (run.isBlank()) return Optional.empty();
        return f.build(() -> new CommandCheck(run, exit, out, matches, err, timeout, become));
    }

    @Override
    public Probe<Ran> probe() {
        // A root login needs no sudo (and many hosts have none). The command reaches the shell
        // on its stdin from the printf builtin, never as an argument: any local user sees the
        // arguments in ps (issue 14: a secret var in a become command did).
        String script =
                become
                        ? "printf '%s\\n' "
                                + Template.shellQuote(run)
                                + " | { if [ \"$(id -u)\" = 0 ]; then sh -s; else sudo -n sh -s; fi; }"
                        : run;
        return Probe.host(
                run, new HostProbe(script, timeout), o -> new Ran(o.exitCode(), o.out(), o.err()));
    }

    /** What the command did: its exit status, its stdout, and its stderr (stripped). */
    record Ran(int exit, String out, String err) {}

    @Override
    public Verdict judge(Ran ran, Now now) {
        if (become && ran.exit() != 0 && ran.err().contains("password is required")) {
            return Verdict.error(
                    "become: sudo needs a password on this host (sudo -n); allow this command"
                            + " without a password or drop become");
        }
        String out = ran.out();
        List<String> problems = new ArrayList<>();
        if (ran.exit() != exitStatus) {
            problems.add("exit status " + ran.exit() + ", expected " + exitStatus);
        }
        stdoutContains
                .filter(s -> !out.contains(s))
                .ifPresent(s -> problems.add("stdout does not contain '" + s + "'"));
        stdoutMatches
                .filter(p -> !p.matcher(out).find())
                .ifPresent(p -> problems.add("stdout does not match /" + p.pattern() + "/"));
        stderrContains
                .filter(s -> !ran.err().contains(s))
                .ifPresent(s -> problems.add("stderr does not contain '" + s + "'"));
        if (problems.isEmpty()) {
            String said = ProbeOutput.lastLine(out);
            return Verdict.pass(
                    said.isBlank() || said.length() > 120
                            ? firstLine(run) + ": exit " + ran.exit()
                            : said + " (exit " + ran.exit() + ")");
        }

        List<String> details = new ArrayList<>();
        if (!out.isBlank()) details.add("stdout: " + tail(out));
        if (!ran.err().isBlank()) details.add("stderr: " + tail(ran.err()));
        return Verdict.fail(firstLine(run) + ": " + String.join("; ", problems))
                .withDetails(details);
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("runs `" + run + "`");
        if (become) s.append(" with sudo -n");
        s.append(", expects exit ").append(exitStatus);
        stdoutContains.ifPresent(c -> s.append(", stdout contains '").append(c).append("'"));
        stdoutMatches.ifPresent(
                p -> s.append(", stdout matches /").append(p.pattern()).append("/"));
        stderrContains.ifPresent(c -> s.append(", stderr contains '").append(c).append("'"));
        return s.toString();
    }

    private static String firstLine(String s) {
        String t = Template.withoutValues(s).strip();
        int nl = t.indexOf('\n');
        String line = nl < 0 ? t : t.substring(0, nl) + " …";
        return line.length() > 60 ? line.substring(0, 60) + "…" : line;
    }

    static String tail(String s) {
        String t = s.strip();
        return t.length() > 400 ? "…" + t.substring(t.length() - 400) : t;
    }
}
