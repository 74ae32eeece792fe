package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.check.Severity;
import dev.postflight.check.Verdict;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The HTML report as a file: what it contains, parsed the way a browser parses it (jsoup). */
class HtmlReporterTest {

    private final Reporter reporter = Reporter.forFormat("html", false);

    private static final RunContext CONTEXT =
            new RunContext(
                    Optional.of("ops@runner1"),
                    Optional.of(Instant.parse("2026-11-23T17:00:00Z")),
                    List.of(
                            new RunContext.Window(
                                    Optional.of("provider notice 4711"),
                                    Instant.parse("2026-11-23T17:00:00Z"),
                                    Instant.parse("2026-11-23T18:00:00Z"),
                                    List.of("web1", "web2"))));

    private static Document parse(String html) {
        return Jsoup.parse(html);
    }

    @Test
    void rendersEveryStatusFixesUnreachableHostAndEscapedTextAsTheGoldenFileShows()
            throws IOException {
        Golden.assertMatches(
                "report.html",
                Reporter.forFormat("html", false, CONTEXT).render(SampleRuns.everything()));
    }

    @Test
    void theHeaderNamesChecklistTimeVersionRunnerAndTheMaintenanceWindow() {
        Document doc =
                parse(Reporter.forFormat("html", false, CONTEXT).render(SampleRuns.everything()));
        assertEquals("postflight: web-after-maintenance — FAILED", doc.selectFirst("h1").text());
        assertEquals(
                List.of(
                        "Checklist",
                        "Started",
                        "postflight",
                        "Runner",
                        "Run",
                        "Since",
                        "Maintenance windows"),
                doc.select("#run dt").eachText());
        assertEquals(
                List.of(
                        "web-after-maintenance · checks/web.yaml, checks/common.yaml · sha256"
                                + " 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                        "2026-11-23 18:04:15 UTC, took 4.32s",
                        "0.1.0",
                        "ops@runner1",
                        "20261123T180415Z-7f3a · exit code 1",
                        "2026-11-23 17:00:00 UTC (start of the maintenance window)",
                        "provider notice 4711: 2026-11-23 17:00:00 UTC – 2026-11-23 18:00:00 UTC"
                                + " (web1, web2)"),
                doc.select("#run dd").eachText());
        assertEquals(
                "provider notice 4711: 2026-11-23 17:00:00 UTC – 2026-11-23 18:00:00 UTC",
                doc.selectFirst("#h-1 .via").text().replaceAll(".* · maintenance window ", ""));
    }

    @Test
    void withoutSinceOrWindowsTheHeaderLeavesThemOut() {
        Document doc = parse(reporter.render(SampleRuns.passing()));
        assertEquals(
                List.of("Checklist", "Started", "postflight", "Run"),
                doc.select("#run dt").eachText());
        assertEquals("postflight: web-after-maintenance — passed", doc.selectFirst("h1").text());
    }

    @Test
    void everyCellHasItsStatusAGlyphAndATitleWithTheVerdict() {
        Document doc = parse(reporter.render(SampleRuns.everything()));
        Element web1 = doc.selectFirst("#heatmap tbody tr[data-host=web1]");
        Element motd = web1.selectFirst("td[title^=web1 · motd]");
        assertEquals("fail", motd.className());
        assertEquals("✗", motd.text());
        assertEquals("web1 · motd: FAIL — stdout lacks \"<ready> & 'ok'\"", motd.attr("title"));
        assertEquals(
                List.of("?", "✗", "✗", "!", "✓", "–"),
                web1.select("td").eachText(),
                "columns: worst checks first, then the others in checklist order");
        assertEquals(
                List.of(
                        "backup-ran",
                        "time-daemon",
                        "motd",
                        "clock-offset",
                        "site-reachable",
                        "certificate"),
                doc.select("#heatmap thead th[data-check]").eachAttr("data-check"));
        Element web2 = doc.selectFirst("#heatmap tbody tr[data-host=web2]");
        Element notRun = web2.selectFirst("td[title^=web2 · time-daemon]");
        assertEquals("error notrun", notRun.className());
        assertEquals(
                "web2 · time-daemon: not run — host unreachable: connection refused"
                        + " (203.0.113.11:22)",
                notRun.attr("title"));
        assertEquals(
                "web2 · motd: not in this host's checklist",
                web2.selectFirst("td.none[title*=motd]").attr("title"));
        assertEquals("", web2.selectFirst("td.none[title*=motd]").text());
    }

    @Test
    void rankingPutsErrorsAndFailuresAboveWarningsAndChecksThatNeverRanAreNotWorst() {
        RunReport run =
                run(
                        host("warned", check("clock", Verdict.warn("offset 420ms"))),
                        host("failed", check("disk", Verdict.fail("/ is 97% used"))),
                        new HostResult(
                                "down",
                                "",
                                Optional.empty(),
                                Optional.of("connection refused (127.0.0.1:1)"),
                                List.of(
                                        check(
                                                "sshd",
                                                Verdict.error(
                                                        "host unreachable: connection refused"
                                                                + " (127.0.0.1:1)"))),
                                Duration.ZERO,
                                0),
                        host("fine", check("sshd", Verdict.pass("running"))));
        Document doc = parse(reporter.render(run));
        assertEquals(
                List.of(
                        "? down — unreachable",
                        "✗ failed — 1 failed, 0 passed",
                        "! warned — 1 warning, 0 passed"),
                doc.select("#worst-hosts li").eachText());
        assertEquals(
                List.of(
                        "✗ disk — failed on 1 of 1 host where it ran",
                        "! clock — warned on 1 of 1 host where it ran"),
                doc.select("#worst-checks li").eachText(),
                "sshd only had an error where it never ran");
        assertEquals(
                List.of("down", "failed", "warned", "fine"),
                doc.select("#heatmap tbody tr").eachAttr("data-host"));
        assertEquals(
                List.of("down", "failed", "warned", "fine"),
                doc.select("#hosts section.host").eachAttr("data-host"));
    }

    @Test
    void hostDetailsHaveReasonsDetailLinesFixesAndTheirSteps() {
        Document doc = parse(reporter.render(SampleRuns.everything()));
        Element web1 = doc.selectFirst("section.host[data-host=web1]");
        Element timeDaemon = web1.selectFirst("tr[data-check=time-daemon]");
        assertEquals("fail", timeDaemon.attr("data-status"));
        assertEquals(
                List.of("ActiveState=inactive", "SubState=dead"),
                timeDaemon.select("ul.details li").eachText());
        assertEquals("fix: resync-clock", timeDaemon.selectFirst(".fix-name").text());
        assertEquals(
                "stdout: \\x01\\x01boot\\x01",
                web1.selectFirst("tr[data-check=motd] ul.details li").text(),
                "control characters are shown as escapes");
        assertEquals(List.of("failed", "not_run"), web1.select("li.fix").eachAttr("data-outcome"));
        assertEquals(
                "✗ fix FAILED resync-clock (for time-daemon): resync-clock: step 2 (ntpdate"
                        + " ntp1.example.net) exit 1: the NTP socket is in use, exiting; finally"
                        + " ran s2 output: 23 Nov 03:04:05 ntpdate[4242]: the NTP socket is in"
                        + " use, exiting",
                web1.selectFirst("li.fix").text());
        assertEquals("1 passed", web1.selectFirst("details.passed summary").text());
        Element web2 = doc.selectFirst("section.host[data-host=web2]");
        assertEquals(
                "? unreachable: connection refused (203.0.113.11:22)",
                web2.selectFirst(".unreachable").text());
        assertEquals("2 on-host checks not run", web2.selectFirst("p.notrun").text());
    }

    @Test
    void totalsCountHostsChecksAndEachStatus() {
        Document doc = parse(reporter.render(SampleRuns.everything()));
        assertEquals(
                List.of(
                        "2 hosts (1 unreachable)",
                        "8 checks",
                        "? 3 error",
                        "✗ 2 fail",
                        "! 1 warn",
                        "– 1 skip",
                        "✓ 1 pass",
                        "1 fix failed",
                        "1 fix not run"),
                doc.select("#totals li").eachText());
    }

    @Test
    void aSingleHostHasNoRankingAndStillItsDetails() {
        Document doc = parse(reporter.render(SampleRuns.warningOnly()));
        assertEquals(null, doc.selectFirst("#ranking"));
        assertEquals(1, doc.select("#heatmap tbody tr").size());
        assertEquals(1, doc.select("section.host").size());
    }

    @Test
    void theFileLoadsNothingFromElsewhere() {
        for (RunReport run :
                List.of(SampleRuns.everything(), SampleRuns.awkwardNames(), FleetRuns.of(300))) {
            String html = reporter.render(run);
            Document doc = parse(html);
            assertTrue(
                    doc.select("[src], link, img, iframe, object, embed, base, form[action]")
                            .isEmpty());
            for (Element a : doc.select("[href]"))
                assertTrue(a.attr("href").matches("#h-[0-9]+"), a.outerHtml());
            assertFalse(html.matches("(?s).*(https?:|url\\(|@import|//[a-z]).*"), "no reference");
            assertEquals(2, doc.select("script").size());
            assertTrue(
                    doc.selectFirst("meta[http-equiv=Content-Security-Policy]")
                            .attr("content")
                            .startsWith("default-src 'none'; style-src 'sha256-"));
        }
    }

    @Test
    void onlyTheFirstPagesOfALargeFleetAreShownBeforeTheScriptRuns() {
        Document doc = parse(reporter.render(FleetRuns.of(2000)));
        assertEquals(2000, doc.select("#heatmap tbody tr").size());
        assertEquals(2000 - HtmlReporter.MAP_PAGE, doc.select("#heatmap tbody tr.later").size());
        assertEquals(2000, doc.select("section.host").size());
        assertEquals(2000 - HtmlReporter.DETAIL_PAGE, doc.select("section.host.later").size());
    }

    private static RunReport run(HostResult... hosts) {
        return new RunReport(
                "r",
                "0.1.0",
                Instant.parse("2026-11-23T18:04:15Z"),
                Duration.ofSeconds(1),
                "c",
                List.of(),
                "0",
                List.of(hosts),
                false);
    }

    private static HostResult host(String name, CheckResult check) {
        return new HostResult(
                name, "", Optional.empty(), Optional.empty(), List.of(check), Duration.ZERO, 1);
    }

    private static CheckResult check(String id, Verdict v) {
        return new CheckResult(id, "command", Severity.CRITICAL, v, Optional.empty());
    }
}
