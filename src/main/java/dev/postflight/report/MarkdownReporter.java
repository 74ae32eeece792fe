package dev.postflight.report;

import dev.postflight.check.Severity;
import dev.postflight.check.Status;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run as Markdown to paste into a ticket after a maintenance window: a heading with the
 * checklist and result, a table of statuses per host, then for each host with problems a table of
 * its checks that did not pass with their details as nested lists; hosts with nothing worse than a
 * skip share one line. Text from hosts is escaped so a {@code |} cannot break a table and a
 * backtick or {@code *} cannot start formatting; line breaks and control characters become spaces
 * or escapes.
 */
final class MarkdownReporter implements Reporter {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);
    private static final List<Status> COLUMNS =
            List.of(Status.PASS, Status.WARN, Status.FAIL, Status.ERROR, Status.SKIP);

    private final boolean onlyProblems;

    MarkdownReporter() {
        this(false);
    }

    /**
     * With {@code onlyProblems} ({@code --only-problems}): no table row and no line for a host with
     * nothing worse than a skip, and no skipped check; the total row still counts every host.
     */
    MarkdownReporter(boolean onlyProblems) {
        this.onlyProblems = onlyProblems;
    }

    @Override
    public String render(RunReport r) {
        StringBuilder out = new StringBuilder();
        out.append("## postflight: ").append(text(r.checklist())).append(" — ");
        out.append(result(r)).append("\n\n");
        out.append(
                String.format(
                        Locale.ROOT,
                        "Run %s started %s, took %.1f s, postflight %s, exit code %d.%n%n",
                        text(r.runId()),
                        TIME.format(r.started()),
                        r.elapsed().toMillis() / 1000.0,
                        text(r.version()),
                        r.exitCode()));
        out.append("| Host | Pass | Warn | Fail | Error | Skip |\n");
        out.append("|------|-----:|-----:|-----:|------:|-----:|\n");
        for (HostResult h : r.hosts()) {
            if (onlyProblems && !problem(h)) continue;
            out.append("| ").append(text(h.host()));
            if (h.unreachable().isPresent()) out.append(" (unreachable)");
            for (Status s : COLUMNS) out.append(" | ").append(h.count(s));
            out.append(" |\n");
        }
        out.append("| **Total**");
        for (Status s : COLUMNS) out.append(" | ").append(r.count(s));
        out.append(" |\n");
        List<String> passing = new ArrayList<>();
        for (HostResult h : r.hosts()) {
            if (h.worst().compareTo(Status.WARN) < 0) passing.add(text(h.host()));
            else host(out, h);
        }
        if (!passing.isEmpty() && !onlyProblems)
            out.append("\n**All checks passed:** ").append(String.join(", ", passing)).append('\n');
        return out.toString();
    }

    static String result(RunReport r) {
        if (r.interrupted()) return "interrupted";
        if (r.exitCode() != RunReport.OK) return "FAILED";
        return r.count(Status.WARN) > 0 ? "passed with warnings" : "passed";
    }

    private static boolean problem(HostResult h) {
        return h.worst().compareTo(Status.WARN) >= 0 || !h.fixes().isEmpty();
    }

    private void host(StringBuilder out, HostResult h) {
        out.append("\n### ").append(text(h.host())).append("\n\n");
        h.unreachable().ifPresent(u -> out.append("Unreachable: ").append(text(u)).append("\n\n"));
        List<CheckResult> problems =
                h.checks().stream()
                        .filter(c -> c.status() != Status.PASS && c.status() != Status.FIXED)
                        .filter(c -> !onlyProblems || c.status() != Status.SKIP)
                        .toList();
        if (!h.fixes().isEmpty()) {
            out.append("| Fix | Outcome | Summary |\n");
            out.append("|-----|---------|---------|\n");
            for (FixResult f : h.fixes()) {
                out.append("| ")
                        .append(text(f.fix()))
                        .append(" | ")
                        .append(f.failsRun() ? "**failed**" : f.outcome().word())
                        .append(" | ")
                        .append(text(f.summary()))
                        .append(" |\n");
            }
            out.append('\n');
        }
        if (problems.isEmpty()) return;
        out.append("| Status | Check | Reason |\n");
        out.append("|--------|-------|--------|\n");
        for (CheckResult c : problems) {
            out.append("| ")
                    .append(c.status().word())
                    .append(c.severity() == Severity.WARNING ? " (warning)" : "")
                    .append(" | ")
                    .append(text(c.id()))
                    .append(" | ")
                    .append(text(c.verdict().reason()))
                    .append(" |\n");
        }
        boolean listed = false;
        for (CheckResult c : problems) {
            if (c.verdict().details().isEmpty() && c.fix().isEmpty()) continue;
            if (!listed) out.append('\n');
            listed = true;
            out.append("- ").append(text(c.id())).append('\n');
            for (String d : c.verdict().details()) out.append("  - ").append(text(d)).append('\n');
            c.fix().ifPresent(f -> out.append("  - fix: ").append(text(f)).append('\n'));
        }
    }

    /**
     * One line of inline Markdown that renders as the text itself: Markdown punctuation gets a
     * backslash (CommonMark lets any ASCII punctuation be escaped), line breaks become spaces and
     * other control characters their {@code \\uXXXX} escape.
     */
    static String text(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.strip()
                .codePoints()
                .forEach(cp -> {
                    if (cp == '\n' || cp == '\r' || cp == '\t') b.append(' ');
                    else if (Character.isISOControl(cp))
                        b.append(String.format(Locale.ROOT, "\\\\u%04X", cp));
                    else if ("\\`*_[]<>|&#~".indexOf(cp) >= 0) b.append('\\').appendCodePoint(cp);
                    else b.appendCodePoint(cp);
                });
        return b.toString();
    }
}
