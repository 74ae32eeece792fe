package dev.postflight.remedy;

import dev.postflight.input.Template;
import java.time.Duration;

/**
 * One step as people read it and as the host will receive it: {@code written} is the step as the
 * check file has it (a {@code run:} with its templates unexpanded, {@code ntpdate -b {{ ntp_server
 * }}}; {@code service ntpd stop}), which {@code --dry-run}, the audit log's step records and every
 * report show, {@code label} its first line for one-line summaries and prompts; {@code command} is
 * the exact shell (values assigned to {@code pf_v1}…, see input/ShellTemplate), which only {@code
 * --dry-run -v}, {@code list} and the audit's "about to run" record show, redacted.
 */
public record StepCommand(String label, String written, String command, Duration timeout) {

    /** A step as written, and the exact command the host receives for it. */
    public static StepCommand of(Step step, Duration fixTimeout) {
        return switch (step) {
            case Step.ServiceAction a ->
                    shown(
                            "service " + a.name() + " " + a.action(),
                            ServiceControl.script(a.name(), a.action()),
                            Duration.ofSeconds(90));
            case Step.Run r ->
                    new StepCommand(
                            firstLine(r.written()),
                            r.written().strip(),
                            r.command(),
                            r.timeout().orElse(fixTimeout));
            case Step.Wait w ->
                    shown(
                            "wait for " + w.kind() + " " + w.target(),
                            waitScript(w),
                            w.timeout().plusSeconds(5));
        };
    }

    private static StepCommand shown(String written, String command, Duration timeout) {
        return new StepCommand(written, written, command, timeout);
    }

    private static String waitScript(Step.Wait w) {
        String test =
                switch (w.kind()) {
                    case "port" ->
                            "{ ss -H -lnt 2>/dev/null || netstat -an 2>/dev/null; } | grep -Eq '[.:]"
                                    + w.target().replaceAll("[^0-9]", "")
                                    + "[[:space:]]'";
                    case "file" -> "[ -e " + Template.shellQuote(w.target()) + " ]";
                    default ->
                            "{ "
                                    + ServiceControl.script(w.target(), "status")
                                            .replace("\n", "\n  ")
                                    + "\n} >/dev/null 2>&1";
                };
        long seconds = Math.max(1, w.timeout().toSeconds());
        return "pf_end=$(( $(date +%s) + "
                + seconds
                + " ))\nuntil "
                + test
                + "; do\n  if [ \"$(date +%s)\" -ge \"$pf_end\" ]; then echo 'still not ready after "
                + seconds
                + "s' >&2; exit 1; fi\n  sleep 1\ndone";
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        String line = nl < 0 ? t : t.substring(0, nl) + " …";
        return line.length() > 70 ? line.substring(0, 70) + "…" : line;
    }
}
