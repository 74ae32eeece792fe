package dev.postflight.report;

import dev.postflight.check.Severity;
import dev.postflight.check.Status;
import dev.postflight.input.Durations;
import dev.postflight.input.Plural;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The run as one self-contained HTML file to open after a maintenance window or attach to a mail
 * (issue 19): the run header, the fleet ranking (worst hosts and checks first), a hosts × checks
 * heat map whose cells carry a glyph as well as a colour, filters by status, host and check, and
 * each host's details with its fixes. CSS and script are inline and a Content-Security-Policy
 * allows nothing else, so the file works offline and loads nothing. Every text a host, a check file
 * or an inventory chose is made inert twice: control and bidirectional characters become visible
 * escapes (as on a terminal) and then {@code <&>"'} become entities, so that a hostile host cannot
 * add an element or a script to the page. With thousands of hosts the script shows the heat map and
 * the host details a page at a time; without script everything is shown.
 *
 * <p>Over 400 lines on purpose: one self-contained page whose structure and escaping live together,
 * so that HtmlEscapingPropertyTest covers every place host text lands.
 */
final class HtmlReporter implements Reporter {

    /** Heat map rows and host details shown before "Show more" (also hidden before the script). */
    static final int MAP_PAGE = 250;

    static final int DETAIL_PAGE = 50;

    /** A cell's title keeps this much of a reason; the host details have all of it. */
    private static final int TITLE_REASON = 300;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);
    private static final List<Status> ORDER =
            List.of(Status.ERROR, Status.FAIL, Status.WARN, Status.FIXED, Status.SKIP, Status.PASS);
    private static final String CSS = resource("html-report.css");
    private static final String SCRIPT = resource("html-report.js");

    /** Marks the page as scripted before anything is laid out, so later pages start hidden. */
    private static final String HEAD_SCRIPT = "document.documentElement.className='js';";

    private final RunContext context;

    HtmlReporter(RunContext context) {
        this.context = context;
    }

    @Override
    public String render(RunReport r) {
        List<HostResult> hosts = ranked(r.hosts());
        List<CheckRank> checks = checkRanking(r.hosts());
        StringBuilder out = new StringBuilder(4096 + r.hosts().size() * 2048);
        head(out, r);
        out.append("<body>\n<header>\n");
        header(out, r);
        out.append("</header>\n<main>\n");
        if (r.hosts().size() > 1) ranking(out, hosts, checks);
        heatMap(out, hosts, checks);
        details(out, hosts);
        out.append("</main>\n<footer>postflight ")
                .append(text(r.version()))
                .append(
                        " · one self-contained file: no part of it is loaded from"
                                + " elsewhere</footer>\n");
        out.append("<script>").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return out.toString();
    }

    private void head(StringBuilder out, RunReport r) {
        out.append("<!DOCTYPE html>\n<html lang=\"en\" class=\"nojs\">\n<head>\n");
        out.append("<meta charset=\"utf-8\">\n");
        out.append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
                .append(" style-src '")
                .append(sha256(CSS))
                .append("'; script-src '")
                .append(sha256(HEAD_SCRIPT))
                .append("' '")
                .append(sha256(SCRIPT))
                .append("'; base-uri 'none'; form-action 'none'\">\n");
        out.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        out.append("<title>postflight: ")
                .append(text(r.checklist()))
                .append(" — ")
                .append(MarkdownReporter.result(r))
                .append("</title>\n");
        out.append("<style>").append(CSS).append("</style>\n");
        out.append("<script>").append(HEAD_SCRIPT).append("</script>\n</head>\n");
    }

    private void header(StringBuilder out, RunReport r) {
        Status shade =
                r.exitCode() != RunReport.OK
                        ? Status.FAIL
                        : r.count(Status.WARN) > 0 ? Status.WARN : Status.PASS;
        out.append("<h1>postflight: <span id=\"checklist\">")
                .append(text(r.checklist()))
                .append("</span> — <span id=\"result\" class=\"")
                .append(shade.word())
                .append("\">")
                .append(MarkdownReporter.result(r))
                .append("</span></h1>\n<dl id=\"run\">\n");
        List<String> files =
                r.files().stream().map(Path::toString).map(HtmlReporter::text).toList();
        item(
                out,
                "Checklist",
                text(r.checklist())
                        + (files.isEmpty() ? "" : " · " + String.join(", ", files))
                        + " · sha256 <code>"
                        + text(r.checklistSha256())
                        + "</code>");
        item(out, "Started", time(r.started()) + ", took " + text(Durations.format(r.elapsed())));
        item(out, "postflight", text(r.version()));
        context.runner().ifPresent(u -> item(out, "Runner", text(u)));
        item(out, "Run", text(r.runId()) + " · exit code " + r.exitCode());
        context.since()
                .ifPresent(s -> item(out, "Since", time(s) + " (start of the maintenance window)"));
        if (!context.windows().isEmpty()) {
            StringBuilder w = new StringBuilder("<ul>");
            for (RunContext.Window win : context.windows()) {
                w.append("<li>").append(window(win)).append(" (");
                w.append(
                                win.hosts().size() <= 5
                                        ? text(String.join(", ", win.hosts()))
                                        : Plural.of(win.hosts().size(), "host"))
                        .append(")</li>");
            }
            item(out, "Maintenance windows", w.append("</ul>").toString());
        }
        out.append("</dl>\n<ul id=\"totals\">\n");
        long unreachable = r.hosts().stream().filter(h -> h.unreachable().isPresent()).count();
        out.append("<li data-count=\"hosts\"><b>")
                .append(r.hosts().size())
                .append("</b> ")
                .append(r.hosts().size() == 1 ? "host" : "hosts")
                .append(unreachable > 0 ? " (" + unreachable + " unreachable)" : "")
                .append("</li>\n<li data-count=\"checks\"><b>")
                .append(r.checkCount())
                .append("</b> ")
                .append(r.checkCount() == 1 ? "check" : "checks")
                .append("</li>\n");
        for (Status s : ORDER) {
            long n = r.count(s);
            if (n == 0 && s == Status.FIXED) continue;
            out.append("<li class=\"")
                    .append(s.word())
                    .append("\" data-count=\"")
                    .append(s.word())
                    .append("\">")
                    .append(badge(s))
                    .append(" <b>")
                    .append(n)
                    .append("</b> ")
                    .append(s.word())
                    .append("</li>\n");
        }
        for (FixResult.Outcome o : FixResult.Outcome.values()) {
            long n = r.fixCount(o);
            if (n > 0)
                out.append("<li data-count=\"fixes-")
                        .append(o.name().toLowerCase(Locale.ROOT))
                        .append("\"><b>")
                        .append(n)
                        .append("</b> ")
                        .append(n == 1 ? "fix " : "fixes ")
                        .append(o.word())
                        .append("</li>\n");
        }
        out.append("</ul>\n");
    }

    private static void item(StringBuilder out, String term, String html) {
        out.append("<dt>").append(term).append("</dt><dd>").append(html).append("</dd>\n");
    }

    private static String window(RunContext.Window w) {
        return w.name().map(n -> text(n) + ": ").orElse("")
                + time(w.start())
                + " – "
                + time(w.end());
    }

    private static void ranking(StringBuilder out, List<HostResult> hosts, List<CheckRank> checks) {
        List<HostResult> bad = hosts.stream().filter(h -> tier(h.worst()) > 0).toList();
        List<CheckRank> badChecks = checks.stream().filter(CheckRank::bad).toList();
        out.append("<section id=\"ranking\">\n<h2>Worst hosts</h2>\n");
        if (bad.isEmpty()) out.append("<p>No host has a warning, a failure or an error.</p>\n");
        else {
            out.append("<ol id=\"worst-hosts\">\n");
            for (int i = 0; i < Math.min(10, bad.size()); i++) {
                HostResult h = bad.get(i);
                out.append("<li data-host=\"")
                        .append(text(h.host()))
                        .append("\">")
                        .append(badge(h.worst()))
                        .append(" <a href=\"#h-")
                        .append(hosts.indexOf(h) + 1)
                        .append("\">")
                        .append(text(h.host()))
                        .append("</a> — ")
                        .append(
                                h.unreachable().isPresent()
                                        ? "unreachable"
                                        : HumanReporter.counts(h))
                        .append("</li>\n");
            }
            out.append("</ol>\n");
            if (bad.size() > 10)
                out.append("<p>and ")
                        .append(Plural.of(bad.size() - 10, "more host"))
                        .append("</p>\n");
        }
        out.append("<h2>Worst checks</h2>\n");
        if (badChecks.isEmpty())
            out.append("<p>No check that ran warned, failed or had an error.</p>\n");
        else {
            out.append("<ol id=\"worst-checks\">\n");
            for (CheckRank c : badChecks.subList(0, Math.min(10, badChecks.size()))) {
                out.append("<li data-check=\"")
                        .append(text(c.id()))
                        .append("\">")
                        .append(badge(c.worst()))
                        .append(" <button type=\"button\" class=\"check-filter\" data-check=\"")
                        .append(text(c.id()))
                        .append("\">")
                        .append(text(c.id()))
                        .append("</button> — ");
                List<String> parts = new ArrayList<>();
                if (c.failed() > 0) parts.add("failed on " + c.failed());
                if (c.errors() > 0) parts.add("error on " + c.errors());
                if (c.warned() > 0) parts.add("warned on " + c.warned());
                out.append(String.join(", ", parts))
                        .append(" of ")
                        .append(Plural.of(c.ran(), "host"))
                        .append(" where it ran");
                if (c.ran() < c.on())
                    out.append(" (not run on ").append(c.on() - c.ran()).append(": unreachable)");
                out.append("</li>\n");
            }
            out.append("</ol>\n");
            if (badChecks.size() > 10)
                out.append("<p>and ")
                        .append(Plural.of(badChecks.size() - 10, "more check"))
                        .append("</p>\n");
        }
        out.append("</section>\n");
    }

    private static void heatMap(StringBuilder out, List<HostResult> hosts, List<CheckRank> checks) {
        out.append("<section id=\"map\">\n<h2>Hosts × checks</h2>\n");
        out.append("<div id=\"filters\" class=\"js-only\">\n<fieldset><legend>Status</legend>");
        for (Status s : ORDER) {
            out.append("<label><input type=\"checkbox\" name=\"status\" value=\"")
                    .append(s.word())
                    .append("\"> ")
                    .append(badge(s))
                    .append(' ')
                    .append(s.word())
                    .append("</label> ");
        }
        out.append(
                "</fieldset>\n<label>Host <input type=\"search\" id=\"f-host\""
                        + " autocomplete=\"off\"></label>\n<label>Check <input type=\"search\""
                        + " id=\"f-check\" autocomplete=\"off\"></label>\n<button type=\"button\""
                        + " id=\"f-clear\">Show all</button>\n</div>\n");
        out.append("<p id=\"legend\">");
        for (Status s : ORDER) out.append(badge(s)).append(' ').append(s.word()).append(" · ");
        out.append("<span class=\"cell none\">&nbsp;</span> not in the host's checklist · ")
                .append("a host's row is ranked by its worst status</p>\n");
        out.append("<p id=\"shown\" class=\"js-only\" aria-live=\"polite\"></p>\n");
        out.append("<div class=\"scroll\"><table id=\"heatmap\">\n<thead><tr><th>Host</th>");
        for (CheckRank c : checks) {
            out.append("<th data-check=\"")
                    .append(text(c.id()))
                    .append("\" title=\"")
                    .append(text(c.id()))
                    .append("\"><span>")
                    .append(text(c.id()))
                    .append("</span></th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (int i = 0; i < hosts.size(); i++) {
            HostResult h = hosts.get(i);
            Map<String, CheckResult> byId = new HashMap<>();
            for (CheckResult c : h.checks()) byId.putIfAbsent(c.id(), c);
            out.append("<tr data-index=\"")
                    .append(i + 1)
                    .append("\" data-host=\"")
                    .append(text(h.host()))
                    .append("\" data-status=\"")
                    .append(h.worst().word())
                    .append('"')
                    .append(i >= MAP_PAGE ? " class=\"later\"" : "")
                    .append("><th><a href=\"#h-")
                    .append(i + 1)
                    .append("\">")
                    .append(text(h.host()))
                    .append("</a></th>");
            for (CheckRank rank : checks) {
                CheckResult c = byId.get(rank.id());
                if (c == null) {
                    out.append("<td class=\"none\" title=\"")
                            .append(text(h.host()))
                            .append(" · ")
                            .append(text(rank.id()))
                            .append(": not in this host's checklist\"></td>");
                    continue;
                }
                boolean notRun = notRun(h, c);
                out.append("<td class=\"")
                        .append(c.status().word())
                        .append(notRun ? " notrun" : "")
                        .append("\" title=\"")
                        .append(text(h.host()))
                        .append(" · ")
                        .append(text(c.id()))
                        .append(": ")
                        .append(notRun ? "not run" : label(c.status()))
                        .append(" — ")
                        .append(text(shorten(c.verdict().reason())))
                        .append("\">")
                        .append(glyph(c.status()))
                        .append("</td>");
            }
            out.append("</tr>\n");
        }
        out.append("</tbody>\n</table></div>\n");
        out.append(
                "<button type=\"button\" id=\"more-map\" class=\"js-only\" hidden>Show more"
                        + " hosts</button>\n</section>\n");
    }

    private void details(StringBuilder out, List<HostResult> hosts) {
        out.append("<section id=\"hosts\">\n<h2>Hosts</h2>\n");
        Map<String, RunContext.Window> windows = new HashMap<>();
        for (RunContext.Window w : context.windows()) {
            for (String h : w.hosts()) windows.putIfAbsent(h, w);
        }
        for (int i = 0; i < hosts.size(); i++)
            host(out, hosts.get(i), i, Optional.ofNullable(windows.get(hosts.get(i).host())));
        out.append(
                "<button type=\"button\" id=\"more-hosts\" class=\"js-only\" hidden>Show more"
                        + " hosts</button>\n</section>\n");
    }

    private static void host(
            StringBuilder out, HostResult h, int index, Optional<RunContext.Window> window) {
        out.append("<section class=\"host")
                .append(index >= DETAIL_PAGE ? " later" : "")
                .append("\" id=\"h-")
                .append(index + 1)
                .append("\" data-host=\"")
                .append(text(h.host()))
                .append("\" data-status=\"")
                .append(h.worst().word())
                .append("\">\n<h3>")
                .append(badge(h.worst()))
                .append(' ')
                .append(text(h.host()))
                .append("</h3>\n<p class=\"via\">");
        List<String> facts = new ArrayList<>();
        if (!h.via().isEmpty()) facts.add(text(h.via()));
        h.hostKey().ifPresent(k -> facts.add("host key <code>" + text(k) + "</code>"));
        facts.add(text(Durations.format(h.elapsed())));
        facts.add(Plural.of(h.execs(), "command") + " sent");
        window.ifPresent(w -> facts.add("maintenance window " + window(w)));
        out.append(HumanReporter.counts(h))
                .append(" · ")
                .append(String.join(" · ", facts))
                .append("</p>\n");
        h.unreachable()
                .ifPresent(u ->
                        out.append("<p class=\"unreachable\">")
                                .append(badge(Status.ERROR))
                                .append(" unreachable: ")
                                .append(text(u))
                                .append("</p>\n"));
        List<CheckResult> checks = new ArrayList<>(h.checks());
        checks.sort(Comparator.comparing(CheckResult::status).reversed());
        List<CheckResult> shown = new ArrayList<>();
        List<CheckResult> passed = new ArrayList<>();
        int notRun = 0;
        for (CheckResult c : checks) {
            if (notRun(h, c)) notRun++;
            else if (c.status() == Status.PASS) passed.add(c);
            else shown.add(c);
        }
        if (!shown.isEmpty()) checkTable(out, shown);
        if (notRun > 0)
            out.append("<p class=\"notrun\">")
                    .append(Plural.of(notRun, "on-host check"))
                    .append(" not run</p>\n");
        if (!passed.isEmpty()) {
            out.append("<details class=\"passed\"><summary>")
                    .append(passed.size())
                    .append(" passed</summary>\n");
            out.append("<ul class=\"passed\">");
            for (CheckResult c : passed) {
                out.append("<li><b>")
                        .append(text(c.id()))
                        .append("</b> ")
                        .append(text(c.verdict().reason()));
                lines(out, c.verdict().details());
                out.append("</li>");
            }
            out.append("</ul></details>\n");
        }
        if (!h.fixes().isEmpty()) {
            out.append("<h4>Fixes</h4>\n<ul class=\"fixes\">\n");
            for (FixResult f : h.fixes()) {
                Status shade = f.outcome().shade();
                out.append("<li class=\"fix\" data-fix=\"")
                        .append(text(f.fix()))
                        .append("\" data-outcome=\"")
                        .append(f.outcome().name().toLowerCase(Locale.ROOT))
                        .append("\"><span class=\"badge ")
                        .append(shade.word())
                        .append("\">")
                        .append(glyph(shade))
                        .append(" fix ")
                        .append(f.outcome().word().toUpperCase(Locale.ROOT))
                        .append("</span> <b>")
                        .append(text(f.fix()))
                        .append("</b>");
                if (!f.checks().isEmpty())
                    out.append(" (for ").append(text(String.join(", ", f.checks()))).append(")");
                out.append(": ").append(text(f.summary()));
                lines(out, f.details());
                out.append("</li>\n");
            }
            out.append("</ul>\n");
        }
        out.append("</section>\n");
    }

    private static void checkTable(StringBuilder out, List<CheckResult> checks) {
        out.append("<table class=\"checks\">\n");
        for (CheckResult c : checks) {
            out.append("<tr data-check=\"")
                    .append(text(c.id()))
                    .append("\" data-status=\"")
                    .append(c.status().word())
                    .append("\"><td>")
                    .append(badge(c.status()))
                    .append(' ')
                    .append(label(c.status()))
                    .append("</td><td><b>")
                    .append(text(c.id()))
                    .append("</b><br><small>")
                    .append(text(c.type()))
                    .append(c.severity() == Severity.WARNING ? " · warning" : "")
                    .append("</small></td><td>")
                    .append(text(c.verdict().reason()));
            lines(out, c.verdict().details());
            if (c.fix().isPresent() && c.status() != Status.PASS)
                out.append("<p class=\"fix-name\">fix: ")
                        .append(text(c.fix().get()))
                        .append("</p>");
            out.append("</td></tr>\n");
        }
        out.append("</table>\n");
    }

    /** Detail lines, each line of a multi-line detail on its own. */
    private static void lines(StringBuilder out, List<String> details) {
        if (details.isEmpty()) return;
        out.append("<ul class=\"details\">");
        for (String d : details) {
            for (String line : d.split("\n", -1))
                out.append("<li>").append(text(line)).append("</li>");
        }
        out.append("</ul>");
    }

    /**
     * Worst first: errors and failures, then warnings; among them more problems first, and an error
     * before a failure.
     */
    private static List<HostResult> ranked(List<HostResult> hosts) {
        List<HostResult> out = new ArrayList<>(hosts);
        out.sort(
                Comparator.comparingInt((HostResult h) -> tier(h.worst()))
                        .reversed()
                        .thenComparing(
                                h -> h.count(Status.FAIL) + h.count(Status.ERROR),
                                Comparator.reverseOrder())
                        .thenComparing(HostResult::worst, Comparator.reverseOrder())
                        .thenComparing(h -> h.count(Status.WARN), Comparator.reverseOrder()));
        return out;
    }

    /**
     * Every check id in the run, the worst first (failed or errored on more hosts where it ran,
     * errored on more, then warned on more), then the others in the checklist's order. A check that
     * never ran (its host was unreachable) counts for nothing.
     */
    private static List<CheckRank> checkRanking(List<HostResult> hosts) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (HostResult h : hosts) {
            for (CheckResult c : h.checks()) {
                int[] n = counts.computeIfAbsent(c.id(), k -> new int[5]);
                n[4]++;
                if (notRun(h, c)) continue;
                n[0]++;
                switch (c.status()) {
                    case FAIL -> n[1]++;
                    case ERROR -> n[2]++;
                    case WARN -> n[3]++;
                    default -> {}
                }
            }
        }
        List<CheckRank> out = new ArrayList<>();
        counts.forEach((id, n) -> out.add(new CheckRank(id, n[4], n[0], n[1], n[2], n[3])));
        out.sort(
                Comparator.comparingInt(CheckRank::badHosts)
                        .reversed()
                        .thenComparing(CheckRank::errors, Comparator.reverseOrder())
                        .thenComparing(CheckRank::warned, Comparator.reverseOrder()));
        return out;
    }

    /**
     * One check id across the fleet: on how many hosts it was, ran (its host was reached), failed,
     * errored and warned.
     */
    private record CheckRank(String id, int on, int ran, int failed, int errors, int warned) {
        int badHosts() {
            return failed + errors;
        }

        boolean bad() {
            return failed + errors + warned > 0;
        }

        Status worst() {
            return errors > 0 ? Status.ERROR : failed > 0 ? Status.FAIL : Status.WARN;
        }
    }

    private static int tier(Status s) {
        return switch (s) {
            case ERROR, FAIL -> 2;
            case WARN -> 1;
            default -> 0;
        };
    }

    /** An on-host check of an unreachable host: it never ran, its error only repeats why. */
    private static boolean notRun(HostResult h, CheckResult c) {
        return h.unreachable().isPresent()
                && c.status() == Status.ERROR
                && c.verdict().reason().endsWith(h.unreachable().get());
    }

    /** The glyph of a status, so that a cell reads without colour. */
    static String glyph(Status s) {
        return switch (s) {
            case PASS -> "✓";
            case FIXED -> "↺";
            case SKIP -> "–";
            case WARN -> "!";
            case FAIL -> "✗";
            case ERROR -> "?";
        };
    }

    private static String badge(Status s) {
        return "<span class=\"badge " + s.word() + "\">" + glyph(s) + "</span>";
    }

    private static String label(Status s) {
        return s.word().toUpperCase(Locale.ROOT);
    }

    private static String time(Instant t) {
        return "<time datetime=\"" + t + "\">" + TIME.format(t) + "</time>";
    }

    private static String shorten(String reason) {
        if (reason.codePointCount(0, reason.length()) <= TITLE_REASON) return reason;
        return reason.substring(0, reason.offsetByCodePoints(0, TITLE_REASON)) + "…";
    }

    /**
     * Text from a host, a check file or an inventory, inert in HTML text and in a quoted attribute:
     * {@link #visible} and then {@code & < > " '} as character references.
     */
    static String text(String s) {
        String visible = visible(s);
        StringBuilder b = new StringBuilder(visible.length() + 16);
        for (int i = 0; i < visible.length(); i++) {
            char c = visible.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Text as the report shows it: control and bidirectional characters as visible escapes, as on a
     * terminal ({@link HumanReporter#safe}), and so are noncharacters and unpaired surrogates (no
     * UTF-8 file can hold the latter, and some HTML parsers take U+FFFF for the end of input).
     */
    static String visible(String s) {
        StringBuilder b = new StringBuilder(s.length());
        HumanReporter.safe(s)
                .codePoints()
                .forEach(cp -> {
                    if ((cp >= 0xD800 && cp <= 0xDFFF)
                            || (cp & 0xFFFE) == 0xFFFE
                            || (cp >= 0xFDD0 && cp <= 0xFDEF))
                        b.append(String.format(Locale.ROOT, "\\u%04X", cp));
                    else b.appendCodePoint(cp);
                });
        return b.toString();
    }

    /** The CSP source of an inline script or style: its SHA-256 in base64. */
    private static String sha256(String inline) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256")
                            .digest(inline.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReporter.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
