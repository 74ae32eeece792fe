package dev.postflight.remedy;

import dev.postflight.input.Template;
import java.time.Duration;

/** One step as the host will receive it: a label for reports, the exact shell, its timeout. */
public record StepCommand(String label, String command, Duration timeout) {

    /** The exact command of a step: what {@code list}, {@code --dry-run} and the audit show. */
    public static StepCommand of(Step step, Duration fixTimeout) {
        return switch (step) {
            case Step.ServiceAction a ->
                    new StepCommand(
                            "service " + a.name() + " " + a.action(),
                            ServiceControl.script(a.name(), a.action()),
                            Duration.ofSeconds(90));
            case Step.Run r ->
                    new StepCommand(
                            firstLine(r.command()), r.command(), r.timeout().orElse(fixTimeout));
            case Step.Wait w ->
                    new StepCommand(
                            "wait for " + w.kind() + " " + w.target(),
                            waitScript(w),
                            w.timeout().plusSeconds(5));
        };
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
        String t = Template.withoutValues(s).strip();
        int nl = t.indexOf('\n');
        String line = nl < 0 ? t : t.substring(0, nl) + " …";
        return line.length() > 70 ? line.substring(0, 70) + "…" : line;
    }
}
