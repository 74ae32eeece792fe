package dev.postflight.report;

import dev.postflight.check.Status;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The run as TAP version 14, for prove, tap-junit and the CI plugins that read the Test Anything
 * Protocol: one test point {@code host/check} per check. Fail and error are {@code not ok}; skip is
 * {@code ok … # SKIP reason}; a warning is {@code ok} (a harness must not go red for it) with the
 * reason after {@code # warn:}. Every warn, fail and error carries a YAML diagnostic block with its
 * status, severity, reason, details, fix and, for an unreachable host, the cause. An interrupted
 * run ends with {@code Bail out!} so a harness does not read its partial results as a pass.
 */
final class TapReporter implements Reporter {

    /** Text after {@code #} that a harness would read as a SKIP or TODO directive. */
    private static final Pattern DIRECTIVE = Pattern.compile("(?i)^(skip|todo)");

    @Override
    public String render(RunReport r) {
        List<String> points = new ArrayList<>();
        for (HostResult h : r.hosts()) {
            if (h.checks().isEmpty() && h.unreachable().isPresent()) {
                points.add(unreachableHost(points.size() + 1, h));
            }
            for (CheckResult c : h.checks()) points.add(point(points.size() + 1, h, c));
            for (FixResult f : h.fixes()) points.add(fixPoint(points.size() + 1, h, f));
        }
        StringBuilder out = new StringBuilder("TAP version 14\n");
        out.append(points.isEmpty() ? "1..0 # SKIP no checks\n" : "1.." + points.size() + "\n");
        out.append("# postflight ")
                .append(oneLine(r.version()))
                .append(", checklist ")
                .append(oneLine(r.checklist()))
                .append(", run ")
                .append(oneLine(r.runId()))
                .append(", started ")
                .append(
                        DateTimeFormatter.ISO_INSTANT.format(
                                r.started().truncatedTo(ChronoUnit.SECONDS)))
                .append('\n');
        points.forEach(out::append);
        if (r.interrupted()) out.append("Bail out! run interrupted\n");
        else if (!r.verifiedAnything()) out.append("Bail out! no check was verified\n");
        return out.toString();
    }

    /** A fix's own test point: a failed fix is "not ok" even when its checks pass again. */
    private static String fixPoint(int n, HostResult h, FixResult f) {
        String name = description(h.host() + "/fix " + f.fix());
        String summary = oneLine(f.summary());
        return switch (f.outcome()) {
            case SUCCEEDED -> "ok " + n + " - " + name + comment(summary) + "\n";
            case NOT_RUN -> "ok " + n + " - " + name + " # SKIP " + summary + "\n";
            case FAILED -> {
                List<String> yaml = new ArrayList<>();
                yaml.add("status: fix failed");
                yaml.add("reason: " + yamlString(f.summary()));
                if (!f.details().isEmpty()) {
                    yaml.add("details:");
                    for (String d : f.details()) yaml.add("  - " + yamlString(d));
                }
                yield "not ok " + n + " - " + name + "\n" + block(yaml);
            }
        };
    }

    private static String point(int n, HostResult h, CheckResult c) {
        String name = description(h.host() + "/" + c.id());
        String reason = oneLine(c.verdict().reason());
        String line =
                switch (c.status()) {
                    case PASS, FIXED -> "ok " + n + " - " + name + comment(reason);
                    case SKIP ->
                            "ok "
                                    + n
                                    + " - "
                                    + name
                                    + " # SKIP"
                                    + (reason.isEmpty() ? "" : " ")
                                    + reason;
                    case WARN -> "ok " + n + " - " + name + " # warn: " + reason;
                    case FAIL, ERROR -> "not ok " + n + " - " + name;
                };
        if (c.status() == Status.PASS || c.status() == Status.FIXED || c.status() == Status.SKIP)
            return line + "\n";
        List<String> yaml = new ArrayList<>();
        yaml.add("status: " + c.status().word());
        yaml.add("severity: " + c.severity().word());
        yaml.add("reason: " + yamlString(c.verdict().reason()));
        if (!c.verdict().details().isEmpty()) {
            yaml.add("details:");
            for (String d : c.verdict().details()) yaml.add("  - " + yamlString(d));
        }
        c.fix().ifPresent(f -> yaml.add("fix: " + yamlString(f)));
        h.unreachable().ifPresent(u -> yaml.add("unreachable: " + yamlString(u)));
        return line + "\n" + block(yaml);
    }

    private static String unreachableHost(int n, HostResult h) {
        return "not ok "
                + n
                + " - "
                + description(h.host())
                + "\n"
                + block(
                        List.of(
                                "status: error",
                                "reason: " + yamlString("host unreachable"),
                                "unreachable: " + yamlString(h.unreachable().orElseThrow())));
    }

    private static String block(List<String> yaml) {
        StringBuilder b = new StringBuilder("  ---\n");
        for (String line : yaml) b.append("  ").append(line).append('\n');
        return b.append("  ...\n").toString();
    }

    /** A pass's reason as a trailing comment, unless a harness would take it for a directive. */
    private static String comment(String reason) {
        if (reason.isEmpty()) return "";
        return " # " + (DIRECTIVE.matcher(reason).find() ? "pass: " : "") + reason;
    }

    /** TAP 14 escapes {@code #} and {@code \} in a description; a line break would end it. */
    private static String description(String s) {
        return oneLine(s).replace("\\", "\\\\").replace("#", "\\#");
    }

    private static String oneLine(String s) {
        return s.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
    }

    /**
     * A YAML double-quoted scalar: quotes, backslashes and every character YAML does not allow
     * unescaped (C0 and C1 controls, DEL, U+2028/9, surrogates, U+FFFE/F) written as escapes.
     */
    static String yamlString(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints()
                .forEach(cp -> {
                    switch (cp) {
                        case '"' -> b.append("\\\"");
                        case '\\' -> b.append("\\\\");
                        case '\n' -> b.append("\\n");
                        case '\t' -> b.append("\\t");
                        default -> {
                            if (cp < 0x20
                                    || (cp >= 0x7F && cp <= 0x9F)
                                    || cp == 0x2028
                                    || cp == 0x2029
                                    || (cp >= 0xD800 && cp <= 0xDFFF)
                                    || cp == 0xFFFE
                                    || cp == 0xFFFF)
                                b.append(String.format(Locale.ROOT, "\\u%04X", cp));
                            else b.appendCodePoint(cp);
                        }
                    }
                });
        return b.append('"').toString();
    }
}
