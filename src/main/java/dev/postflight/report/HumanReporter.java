package dev.postflight.report;

import dev.postflight.check.Status;
import dev.postflight.input.Durations;
import dev.postflight.input.Plural;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report a person reads at 3 a.m.: per host, problems first with their one-line reason; for a
 * fleet, only hosts' problems plus a summary that ranks hosts and checks worst first (seed 004:
 * with 1,700 servers, a list is not a report). Colour only on a terminal.
 */
final class HumanReporter implements Reporter {
    private static final String RESET = "\u001b[0m";
    private final boolean color;
    private final boolean showPasses;

    HumanReporter(boolean color) {
        this(color, false);
    }

    HumanReporter(boolean color, boolean showPasses) {
        this.color = color;
        this.showPasses = showPasses;
    }

    /** A human reporter that lists passing checks of every host, not only of a single one. */
    static Reporter verbose(boolean color) {
        return new HumanReporter(color, true);
    }

    @Override
    public String render(RunReport r) {
        StringBuilder out = new StringBuilder();
        out.append("postflight ")
                .append(safe(r.version()))
                .append(" · checklist ")
                .append(safe(r.checklist()))
                .append(" · ")
                .append(plural(r.hosts().size(), "host"))
                .append(r.shard().map(s -> " · shard " + s.label()).orElse(""))
                .append(" · ")
                .append(Durations.format(r.elapsed()))
                .append("\n");
        boolean single = r.hosts().size() == 1;
        List<HostResult> hosts = new ArrayList<>(r.hosts());
        hosts.sort(Comparator.comparing(HostResult::worst).reversed());
        for (HostResult h : hosts) {
            out.append("\n");
            host(out, h, single || showPasses);
        }
        if (!single && !showPasses) skips(out, r);
        out.append("\n");
        summary(out, r);
        return out.toString();
    }

    private void host(StringBuilder out, HostResult h, boolean listPasses) {
        out.append(paint(h.worst(), safe(h.host())));
        if (!h.via().isEmpty() && !h.via().equals(h.host()))
            out.append(" (").append(safe(h.via())).append(")");
        out.append("  ")
                .append(counts(h))
                .append(" · ")
                .append(Durations.format(h.elapsed()))
                .append("\n");
        h.unreachable()
                .ifPresent(u ->
                        out.append("  ")
                                .append(paint(Status.ERROR, "UNREACHABLE"))
                                .append(" ")
                                .append(safe(u))
                                .append("\n"));
        List<CheckResult> checks = new ArrayList<>(h.checks());
        checks.sort(Comparator.comparing(CheckResult::status).reversed());
        int width = checks.stream().mapToInt(c -> safe(c.id()).length()).max().orElse(0);
        int hidden = 0;
        int notRun = 0;
        for (CheckResult c : checks) {
            if (neverRan(h, c)) {
                notRun++;
                continue;
            }
            if (c.status() == Status.PASS && !listPasses) {
                hidden++;
                continue;
            }
            // A fleet's skips are folded into one line per check below the hosts.
            if (c.status() == Status.SKIP && !listPasses) continue;
            out.append("  ")
                    .append(paint(c.status(), pad(label(c.status()), 5)))
                    .append(" ")
                    .append(pad(safe(c.id()), width))
                    .append("  ")
                    .append(safe(c.verdict().reason()));
            if (c.fix().isPresent() && (c.status() == Status.FAIL || c.status() == Status.WARN)) {
                out.append("  [fix: ").append(safe(c.fix().get())).append("]");
            }
            out.append("\n");
            indented(out, "  " + " ".repeat(6 + width + 2), c.verdict().details());
        }
        if (notRun > 0)
            out.append("  ").append(plural(notRun, "on-host check")).append(" not run\n");
        if (hidden > 0) out.append("  ").append(hidden).append(" passed\n");
        for (FixResult f : h.fixes()) {
            Status shade = f.outcome().shade();
            out.append("  ")
                    .append(paint(shade, "fix " + f.outcome().word().toUpperCase(Locale.ROOT)))
                    .append(" ")
                    .append(safe(f.summary()))
                    .append("\n");
            indented(out, "      ", f.details());
        }
    }

    /** A check of an unreachable host that errored only because the host was never reached. */
    private static boolean neverRan(HostResult h, CheckResult c) {
        return h.unreachable().isPresent()
                && c.status() == Status.ERROR
                && c.verdict().reason().endsWith(h.unreachable().get());
    }

    /**
     * "Skipped: certificate on 3 hosts (no TLS on this role)": one line per skipped check of a
     * fleet, the reason only when every host gave the same one (issue 19: 1,700 hosts printed 1,700
     * identical skip lines).
     */
    private void skips(StringBuilder out, RunReport r) {
        Map<String, List<String>> reasons = new LinkedHashMap<>();
        for (HostResult h : r.hosts())
            for (CheckResult c : h.checks())
                if (c.status() == Status.SKIP)
                    reasons.computeIfAbsent(c.id(), k -> new ArrayList<>())
                            .add(c.verdict().reason());
        if (reasons.isEmpty()) return;
        out.append("\n");
        reasons.forEach((id, why) -> {
            out.append(paint(Status.SKIP, "Skipped:"))
                    .append(" ")
                    .append(safe(id))
                    .append(" on ")
                    .append(plural(why.size(), "host"));
            if (why.stream().distinct().count() == 1)
                out.append(" (").append(safe(why.get(0))).append(")");
            out.append("\n");
        });
    }

    private void summary(StringBuilder out, RunReport r) {
        long unreachable = r.hosts().stream().filter(h -> h.unreachable().isPresent()).count();
        out.append("Summary: ")
                .append(plural(r.hosts().size(), "host"))
                .append(unreachable > 0 ? " (" + unreachable + " unreachable)" : "")
                .append(" · ")
                .append(plural((int) r.checkCount(), "check"))
                .append(" · ")
                .append(r.count(Status.PASS))
                .append(" passed · ")
                .append(plural((int) r.count(Status.WARN), "warning"))
                .append(" · ")
                .append(r.count(Status.FAIL))
                .append(" failed · ")
                .append(plural((int) r.count(Status.ERROR), "error"))
                .append(" · ")
                .append(r.count(Status.SKIP))
                .append(" skipped")
                .append(r.count(Status.FIXED) > 0 ? " · " + r.count(Status.FIXED) + " fixed" : "")
                .append(fixCounts(r))
                .append("\n");
        if (r.hosts().size() > 1) ranking(out, r);
        int code = r.exitCode();
        String verdict =
                switch (code) {
                    case RunReport.OK ->
                            paint(Status.PASS, "OK")
                                    + (r.hosts().isEmpty() && r.shard().isPresent()
                                            ? ": shard "
                                                    + r.shard().get().label()
                                                    + " has no host (of "
                                                    + r.shard().get().selected().size()
                                                    + " selected): nothing to verify"
                                            : ": every critical check passed");
                    case RunReport.INTERRUPTED ->
                            paint(Status.ERROR, "INTERRUPTED") + ": partial results above";
                    default -> {
                        long failing = r.hosts().stream().filter(HostResult::failsRun).count();
                        yield paint(Status.FAIL, "FAILED")
                                + ": "
                                + (failing == 0
                                        ? "no check was verified"
                                        : plural((int) failing, "host")
                                                + (r.hosts().stream()
                                                                .flatMap(h -> h.fixes().stream())
                                                                .anyMatch(FixResult::failsRun)
                                                        ? " with a failed critical check, a failed"
                                                                + " fix or unreachable"
                                                        : " with a failed critical check or"
                                                                + " unreachable"));
                    }
                };
        out.append(verdict).append(" (exit ").append(code).append(")\n");
    }

    /** " · fixes: 1 succeeded, 1 failed, 2 not run" after a --fix run, else nothing. */
    private static String fixCounts(RunReport r) {
        List<String> parts = new ArrayList<>();
        for (FixResult.Outcome o : FixResult.Outcome.values()) {
            long n =
                    r.hosts().stream()
                            .flatMap(h -> h.fixes().stream())
                            .filter(f -> f.outcome() == o)
                            .count();
            if (n > 0) parts.add(n + " " + o.word());
        }
        return parts.isEmpty() ? "" : " · fixes: " + String.join(", ", parts);
    }

    private void ranking(StringBuilder out, RunReport r) {
        List<HostResult> bad =
                r.hosts().stream()
                        .filter(h -> h.worst().compareTo(Status.WARN) >= 0)
                        .sorted(
                                Comparator.comparing(HostResult::worst)
                                        .reversed()
                                        .thenComparing(h ->
                                                -(h.count(Status.FAIL) + h.count(Status.ERROR))))
                        .toList();
        if (!bad.isEmpty()) {
            out.append("Worst hosts: ");
            List<String> parts = new ArrayList<>();
            for (HostResult h : bad.subList(0, Math.min(5, bad.size()))) {
                parts.add(
                        safe(h.host())
                                + " ("
                                + (h.unreachable().isPresent() ? "unreachable" : counts(h))
                                + ")");
            }
            out.append(String.join(", ", parts));
            if (bad.size() > 5) out.append(", and ").append(bad.size() - 5).append(" more");
            out.append("\n");
        }
        // Per check: how many hosts it was off on, and its worst status there. A check that never
        // ran (its host unreachable) is not a check that failed.
        Map<String, Integer> hostsOff = new LinkedHashMap<>();
        Map<String, Status> worst = new LinkedHashMap<>();
        for (HostResult h : r.hosts()) {
            for (CheckResult c : h.checks()) {
                if (c.status().compareTo(Status.WARN) >= 0 && !neverRan(h, c)) {
                    hostsOff.merge(c.id(), 1, Integer::sum);
                    worst.merge(c.id(), c.status(), Status::worse);
                }
            }
        }
        if (!hostsOff.isEmpty()) {
            out.append("Worst checks: ");
            List<String> parts = new ArrayList<>();
            hostsOff.keySet().stream()
                    .sorted(
                            Comparator.comparing((String id) -> worst.get(id))
                                    .reversed()
                                    .thenComparing(id -> -hostsOff.get(id)))
                    .limit(5)
                    .forEach(id ->
                            parts.add(
                                    safe(id)
                                            + " on "
                                            + hostsOff.get(id)
                                            + "/"
                                            + r.hosts().size()
                                            + " hosts ("
                                            + switch (worst.get(id)) {
                                                case ERROR -> "error";
                                                case FAIL -> "failed";
                                                default -> "warning";
                                            }
                                            + ")"));
            out.append(String.join(", ", parts)).append("\n");
        }
    }

    static String counts(HostResult h) {
        List<String> parts = new ArrayList<>();
        if (h.count(Status.FAIL) > 0) parts.add(h.count(Status.FAIL) + " failed");
        if (h.count(Status.ERROR) > 0) parts.add(plural((int) h.count(Status.ERROR), "error"));
        if (h.count(Status.WARN) > 0) parts.add(plural((int) h.count(Status.WARN), "warning"));

        if (h.count(Status.SKIP) > 0) parts.add(h.count(Status.SKIP) + " skipped");
        if (h.count(Status.FIXED) > 0) parts.add(h.count(Status.FIXED) + " fixed");
        parts.add(h.count(Status.PASS) + " passed");
        return String.join(", ", parts);
    }

    private static String label(Status s) {
        return s == Status.PASS || s == Status.SKIP ? s.word() : s.word().toUpperCase(Locale.ROOT);
    }

    private String paint(Status s, String text) {
        if (!color) return text;
        String code =
                switch (s) {
                    case PASS, FIXED -> "\u001b[32m";
                    case SKIP -> "\u001b[2m";
                    case WARN -> "\u001b[33m";
                    case FAIL, ERROR -> "\u001b[1;31m";
                };
        return code + text + RESET;
    }

    /**
     * Details, one line each and every line of a multi-line detail at the same indent, so that no
     * detail can start a line of its own at the margin.
     */
    private static void indented(StringBuilder out, String indent, List<String> details) {
        for (String d : details) {
            for (String line : d.split("\n")) out.append(indent).append(safe(line)).append("\n");
        }
    }

    /**
     * Text a host (or a check file) chose, made inert on a terminal: every control character (C0,
     * DEL, C1), line and paragraph separator and bidirectional override is written as a visible
     * escape ({@code \e}, {@code \r}, {@code \x07}, {@code \u202E}). A host once drew a fake
     * passing host, changed the window title and moved the cursor through a reason (issue 14).
     */
    static String safe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints()
                .forEach(cp -> {
                    switch (cp) {
                        case '\n' -> b.append("\\n");
                        case '\r' -> b.append("\\r");
                        case '\t' -> b.append("\\t");
                        case '\b' -> b.append("\\b");
                        case 0x1b -> b.append("\\e");
                        default -> {
                            if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
                                b.append(String.format(Locale.ROOT, "\\x%02x", cp));
                            else if (cp == 0x2028
                                    || cp == 0x2029
                                    || cp == 0x200e
                                    || cp == 0x200f
                                    || (cp >= 0x202a && cp <= 0x202e)
                                    || (cp >= 0x2066 && cp <= 0x2069))
                                b.append(String.format(Locale.ROOT, "\\u%04X", cp));
                            else b.appendCodePoint(cp);
                        }
                    }
                });
        return b.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String plural(int n, String word) {
        return Plural.of(n, word);
    }
}
