package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.check.Status;
import dev.postflight.testing.HeadlessChromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a 2,000-host run ({@link FleetRuns}) opened in headless Chromium: the DOM after the
 * page's script ran, with and without a filter in the address. Screenshots go to {@code
 * target/html-report/}. How fast it opens is measured by hand, not asserted here.
 */
class HtmlReportInBrowserTest {
    private static final int HOSTS = 2000;
    private static final Path SHOTS = Path.of("target/html-report");

    @TempDir Path dir;

    private static List<Element> visible(Document dom, String selector) {
        return dom.select(selector).stream().filter(e -> !e.hasAttr("hidden")).toList();
    }

    private static int count(IntPredicate host) {
        return (int) IntStream.rangeClosed(1, HOSTS).filter(host).count();
    }

    @Test
    void twoThousandHostsOpenAPageAtATimeWithEveryCellAndAFilterHidesTheRightRows()
            throws Exception {
        assumeTrue(HeadlessChromium.available(), "needs chromium (apt-get install chromium)");
        Path html = dir.resolve("fleet.html");
        Files.writeString(html, Reporter.forFormat("html", false).render(FleetRuns.of(HOSTS)));
        try (HeadlessChromium chromium = HeadlessChromium.start(dir.resolve("chromium"))) {
            Document dom = Jsoup.parse(chromium.dumpDom(html, ""));
            chromium.screenshot(html, "", SHOTS.resolve("fleet-2000.png"));

            List<String> columns =
                    dom.select("#heatmap thead th[data-check]").eachAttr("data-check");
            List<String> expectedColumns =
                    new ArrayList<>(List.of("disk-root", "backup-ran", "clock-offset"));
            FleetRuns.CHECKS.stream()
                    .filter(c -> !expectedColumns.contains(c))
                    .forEach(expectedColumns::add);
            assertEquals(expectedColumns, columns, "worst checks first");
            List<Element> rows = dom.select("#heatmap tbody tr");
            assertEquals(HOSTS, rows.size());
            for (Element row : rows) {
                int i = Integer.parseInt(row.attr("data-host").substring(1));
                List<String> expected =
                        columns.stream().map(c -> FleetRuns.status(i, c).word()).toList();
                assertEquals(
                        expected,
                        row.select("td").stream().map(td -> td.className().split(" ")[0]).toList(),
                        row.attr("data-host"));
            }
            assertEquals(HtmlReporter.MAP_PAGE, visible(dom, "#heatmap tbody tr").size());
            assertEquals(HtmlReporter.DETAIL_PAGE, visible(dom, "section.host").size());
            assertEquals(
                    "Showing 250 of 2000 matching hosts (2000 in the run); details of 50.",
                    dom.selectFirst("#shown").text());
            assertTrue(!dom.selectFirst("#more-map").hasAttr("hidden"));
            assertEquals(
                    "h00097",
                    visible(dom, "#heatmap tbody tr").get(0).attr("data-host"),
                    "unreachable hosts (every check an error) first");

            int failing = count(i -> FleetRuns.status(i, "disk-root") == Status.FAIL);
            Document fail = Jsoup.parse(chromium.dumpDom(html, "status=fail"));
            assertEquals(String.valueOf(failing), fail.selectFirst("#shown").attr("data-matched"));
            List<Element> shown = visible(fail, "#heatmap tbody tr");
            assertEquals(HtmlReporter.MAP_PAGE, shown.size());
            for (Element row : shown)
                assertEquals(1, row.select("td.fail").size(), row.outerHtml());
            assertEquals(
                    shown.subList(0, HtmlReporter.DETAIL_PAGE).stream()
                            .map(r -> r.attr("data-host"))
                            .toList(),
                    visible(fail, "section.host").stream().map(s -> s.attr("data-host")).toList());

            Document backup = Jsoup.parse(chromium.dumpDom(html, "status=error&check=backup"));
            assertEquals(
                    String.valueOf(count(i -> i % 13 == 0 || i % 97 == 0)),
                    backup.selectFirst("#shown").attr("data-matched"));
            assertEquals(
                    List.of("backup-ran"),
                    visible(backup, "#heatmap thead th[data-check]").stream()
                            .map(e -> e.attr("data-check"))
                            .toList());
            assertEquals(
                    1,
                    visible(backup, "#heatmap tbody tr").get(0).select("td:not([hidden])").size());

            Document linked = Jsoup.parse(chromium.dumpDom(html, "h-1500"));
            assertEquals(
                    HtmlReporter.DETAIL_PAGE + 1,
                    visible(linked, "section.host").size(),
                    "a link to a host beyond the first page shows its details too");
            assertTrue(!linked.selectFirst("section#h-1500").hasAttr("hidden"));

            assertEquals(
                    List.of(), chromium.requests(), "the page asked the network for something");
        }
    }

    @Test
    void clicksShowMoreHostsAndTheFiltersFollowTheBoxesTheTypedTextAndTheWorstChecks()
            throws Exception {
        assumeTrue(HeadlessChromium.available(), "needs chromium (apt-get install chromium)");
        Path html = dir.resolve("fleet.html");
        Files.writeString(html, Reporter.forFormat("html", false).render(FleetRuns.of(HOSTS)));
        String rows = "document.querySelectorAll('#heatmap tbody tr:not([hidden])').length";
        String state =
                "location.hash + ' ' + document.getElementById('shown').getAttribute('data-matched')";
        try (HeadlessChromium chromium = HeadlessChromium.start(dir.resolve("chromium"))) {
            List<String> results =
                    chromium.interact(
                            html,
                            "",
                            List.of(
                                    rows,
                                    "document.getElementById('more-map').click();" + rows,
                                    "document.getElementById('more-hosts').click();"
                                            + " document.querySelectorAll("
                                            + "'section.host:not([hidden])').length",
                                    "document.querySelector('#filters input[value=fail]')"
                                            + ".click();"
                                            + state,
                                    "var b = document.getElementById('f-host'); b.value ="
                                            + " 'h0001'; b.dispatchEvent(new Event('input'));"
                                            + state,
                                    "document.getElementById('f-clear').click();" + state,
                                    "document.querySelector("
                                            + "'button.check-filter[data-check=disk-root]')"
                                            + ".click(); document.getElementById('f-check').value"
                                            + " + ' ' + "
                                            + state));
            int failing = count(i -> FleetRuns.status(i, "disk-root") == Status.FAIL);
            int diskProblems =
                    count(i -> FleetRuns.status(i, "disk-root").compareTo(Status.WARN) >= 0);
            assertEquals(
                    List.of(
                            "250",
                            "500",
                            "100",
                            "#status=fail " + failing,
                            "#status=fail&host=h0001 1",
                            " 2000",
                            "disk-root #status=error,fail,warn&check=disk-root " + diskProblems),
                    results);
            assertEquals(List.of(), chromium.requests());
        }
    }

    @Test
    void theProxyCountsWhatAPageLoadsSoZeroMeansTheReportAskedForNothing() throws Exception {
        assumeTrue(HeadlessChromium.available(), "needs chromium (apt-get install chromium)");
        Path page =
                Files.writeString(
                        dir.resolve("remote.html"),
                        "<!DOCTYPE html><title>remote</title>"
                                + "<img src=\"http://images.example.test/x.png\">");
        try (HeadlessChromium chromium = HeadlessChromium.start(dir.resolve("chromium"))) {
            chromium.dumpDom(page, "");
            assertEquals(
                    List.of("GET http://images.example.test/x.png HTTP/1.1"), chromium.requests());
        }
    }
}
