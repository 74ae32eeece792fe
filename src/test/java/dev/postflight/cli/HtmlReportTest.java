package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.testing.HeadlessChromium;
import dev.postflight.testing.SshTestServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --report html=FILE} of a real {@code verify --fix} run over three SSH hosts (MINA SSHD)
 * and one that is down, opened in headless Chromium: what the page shows after its script ran, what
 * a status filter in the address hides, that a host's hostile output adds nothing to the page, and
 * that the page asks the network for nothing. Screenshots go to {@code target/html-report/}.
 */
class HtmlReportTest {
    private static final Path SHOTS = Path.of("target/html-report");

    /** What web3 prints as its motd: markup, a script, an event handler and a remote address. */
    static final String HOSTILE =
            "</script><script>document.title='pwned'</script><img src=x"
                    + " onerror=\"document.title='pwned'\"><a href=\"https://evil.example/x\">"
                    + "click</a> & \"quotes\" 'too' </td></tr></table><b>bold</b>";

    @TempDir Path dir;
    final List<SshTestServer> servers = new ArrayList<>();
    Path knownHosts;
    int downPort;

    @BeforeEach
    void start() throws Exception {
        StringBuilder kh = new StringBuilder();
        for (String name : List.of("web1", "web2", "web3")) {
            SshTestServer s = SshTestServer.start(Files.createDirectory(dir.resolve(name)));
            servers.add(s);
            kh.append(s.knownHostsLine()).append('\n');
        }
        knownHosts = Files.writeString(dir.resolve("known_hosts"), kh.toString());
        try (ServerSocket free = new ServerSocket(0)) {
            downPort = free.getLocalPort();
        }
        Files.writeString(dir.resolve("welcome"), "welcome to web\n");
        Files.writeString(dir.resolve("hostile"), HOSTILE + "\n");
        Files.writeString(dir.resolve("present"), "");
    }

    @AfterEach
    void stop() throws Exception {
        for (SshTestServer s : servers) s.close();
    }

    private Path inventory() throws Exception {
        Instant end = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        StringBuilder inv =
                new StringBuilder("defaults: { user: ops, identity: ")
                        .append(servers.get(0).clientKey())
                        .append(" }\nhosts:\n");
        String[][] vars = {
            {"welcome", "present", "present"},
            {"welcome", "web2-marker", "absent"},
            {"hostile", "present", "present"},
        };
        for (int i = 0; i < 3; i++) {
            inv.append("  web")
                    .append(i + 1)
                    .append(": { address: 127.0.0.1, port: ")
                    .append(servers.get(i).port())
                    .append(", identity: ")
                    .append(servers.get(i).clientKey())
                    .append(", vars: { motd: ")
                    .append(dir.resolve(vars[i][0]))
                    .append(", marker: ")
                    .append(dir.resolve(vars[i][1]))
                    .append(", optional: ")
                    .append(dir.resolve(vars[i][2]))
                    .append(" } }\n");
        }
        inv.append("  db1: { address: 127.0.0.1, port: ")
                .append(downPort)
                .append(", vars: { motd: /x, marker: /x, optional: /x } }\n")
                .append("maintenance:\n  - name: provider notice 4711\n")
                .append("    hosts: [web1, web2, web3, db1]\n    start: ")
                .append(end.minus(1, ChronoUnit.HOURS))
                .append("\n    end: ")
                .append(end)
                .append('\n');
        return Files.writeString(dir.resolve("inv.yaml"), inv.toString());
    }

    private Path checks() throws Exception {
        return Files.writeString(
                dir.resolve("html.yaml"),
                """
                checklist: html-fleet
                checks:
                  - id: motd
                    command: { run: "cat {{ motd }}", stdout_contains: welcome }
                  - id: marker
                    file: { path: "{{ marker }}" }
                    fix: create-marker
                  - id: optional
                    command: { run: "test -e {{ optional }}" }
                    severity: warning
                fixes:
                  create-marker:
                    approval: auto
                    steps:
                      - run: touch {{ marker }}
                """);
    }

    private Cli verify(String... extra) throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "verify",
                                "-i",
                                inventory().toString(),
                                "-c",
                                checks().toString(),
                                "--known-hosts",
                                knownHosts.toString(),
                                "--ssh-config",
                                dir.resolve("no-config").toString(),
                                "--audit",
                                dir.resolve("audit.jsonl").toString(),
                                "--timeout",
                                "20s",
                                "--no-color"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private static List<String> visible(Document dom, String selector) {
        return dom.select(selector).stream()
                .filter(e -> !e.hasAttr("hidden"))
                .map(e -> e.attr("data-host"))
                .toList();
    }

    @Test
    void theReportOfAFixRunShowsEveryHostCellFixAndFilterInABrowserAndLoadsNothing()
            throws Exception {
        assumeTrue(HeadlessChromium.available(), "needs chromium (apt-get install chromium)");
        Path html = dir.resolve("report.html");
        Cli r =
                verify(
                        "--fix",
                        "--yes",
                        "--windows-ended-within",
                        "1h",
                        "--report",
                        "html=" + html);
        assertEquals(1, r.exit(), r.out() + r.err());

        try (HeadlessChromium chromium = HeadlessChromium.start(dir.resolve("chromium"))) {
            Document dom = Jsoup.parse(chromium.dumpDom(html, ""));
            chromium.screenshot(html, "", SHOTS.resolve("ssh-fleet.png"));

            assertEquals("postflight: html-fleet — FAILED", dom.selectFirst("h1").text());
            Element run = dom.selectFirst("#run");
            assertTrue(
                    run.text().contains("Runner " + System.getProperty("user.name") + "@"),
                    run.text());
            assertTrue(
                    run.text().contains("Maintenance windows provider notice 4711: "), run.text());
            assertTrue(run.text().contains("(web1, web2, web3, db1)"), run.text());
            assertEquals(
                    List.of("db1", "web3", "web2", "web1"),
                    visible(dom, "#heatmap tbody tr"),
                    "worst first: unreachable, failed, warned, passed");
            assertEquals(
                    List.of("motd", "optional", "marker"),
                    dom.select("#heatmap thead th[data-check]").eachAttr("data-check"));
            assertEquals(
                    Map.of(
                            "db1", List.of("error", "error", "error"),
                            "web3", List.of("fail", "pass", "pass"),
                            "web2", List.of("pass", "warn", "fixed"),
                            "web1", List.of("pass", "pass", "pass")),
                    Map.of(
                            "db1", cells(dom, "db1"),
                            "web3", cells(dom, "web3"),
                            "web2", cells(dom, "web2"),
                            "web1", cells(dom, "web1")));
            assertEquals(
                    List.of("?", "?", "?"), dom.select("#heatmap tr[data-host=db1] td").eachText());
            assertEquals(
                    List.of("✓", "!", "↺"),
                    dom.select("#heatmap tr[data-host=web2] td").eachText());
            assertEquals(
                    "Showing 4 of 4 matching hosts (4 in the run); details of 4.",
                    dom.selectFirst("#shown").text());

            Element web2 = dom.selectFirst("section.host[data-host=web2]");
            Element fix = web2.selectFirst("li.fix");
            assertEquals("succeeded", fix.attr("data-outcome"));
            assertTrue(
                    fix.text().startsWith("↺ fix SUCCEEDED create-marker (for marker): "),
                    fix.text());
            assertTrue(Files.exists(dir.resolve("web2-marker")));

            Element motd = dom.selectFirst("section.host[data-host=web3] tr[data-check=motd]");
            assertTrue(motd.text().contains(HOSTILE), motd.text());
            assertEquals(
                    "web3 · motd: FAIL — " + motd.selectFirst("td:nth-child(3)").ownText(),
                    dom.selectFirst("#heatmap tr[data-host=web3] td").attr("title"));
            assertEquals("postflight: html-fleet — FAILED", dom.title());
            assertEquals(List.of(), dom.select("img, a[href^=http], main b:contains(bold)"));
            assertEquals(2, dom.select("script").size());
            assertEquals("js ready", dom.selectFirst("html").className(), "both scripts ran");
            String file = Files.readString(html);
            String escaped =
                    HOSTILE.replace("&", "&amp;")
                            .replace("<", "&lt;")
                            .replace(">", "&gt;")
                            .replace("\"", "&quot;")
                            .replace("'", "&#39;");
            assertTrue(file.contains(escaped), "web3's output, escaped");
            assertTrue(
                    !file.replace(escaped, "").matches("(?s).*(https?:|//[a-z]).*"),
                    "no address in the file but in the host's escaped text");

            Document failing = Jsoup.parse(chromium.dumpDom(html, "status=fail"));
            chromium.screenshot(html, "status=fail", SHOTS.resolve("ssh-fleet-fail.png"));
            assertEquals(List.of("web3"), visible(failing, "#heatmap tbody tr"));
            assertEquals(List.of("web3"), visible(failing, "section.host"));
            assertEquals("status=fail", failing.selectFirst("#shown").attr("data-filter"));
            assertEquals(
                    "Showing 1 of 1 matching hosts (4 in the run); details of 1.",
                    failing.selectFirst("#shown").text());

            Document warnOrError = Jsoup.parse(chromium.dumpDom(html, "status=warn,error"));
            assertEquals(List.of("db1", "web2"), visible(warnOrError, "#heatmap tbody tr"));

            Document byCheck = Jsoup.parse(chromium.dumpDom(html, "check=marker&host=web"));
            assertEquals(List.of("web3", "web2", "web1"), visible(byCheck, "#heatmap tbody tr"));
            assertEquals(
                    List.of("marker"),
                    byCheck.select("#heatmap thead th[data-check]:not([hidden])")
                            .eachAttr("data-check"));

            assertEquals(
                    List.of(), chromium.requests(), "the page asked the network for something");
        }
    }

    @Test
    void htmlOnStandardOutputIsTheWholePageWithSinceAndTheRunner() throws Exception {
        Cli r = verify("web1", "--format", "html", "--since", "2026-11-23T02:00:00+09:00");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("<!DOCTYPE html>\n"), r.out());
        assertTrue(r.out().endsWith("</html>\n"), r.out());
        Document doc = Jsoup.parse(r.out());
        assertEquals(
                List.of("Checklist", "Started", "postflight", "Runner", "Run", "Since"),
                doc.select("#run dt").eachText());
        assertEquals(
                "2026-11-22 17:00:00 UTC (start of the maintenance window)",
                doc.select("#run dd").get(5).text());
        assertEquals(List.of("web1"), doc.select("#heatmap tbody tr").eachAttr("data-host"));
    }

    private static List<String> cells(Document dom, String host) {
        return dom.select("#heatmap tr[data-host=" + host + "] td").stream()
                .map(td -> td.className().split(" ")[0])
                .toList();
    }
}
