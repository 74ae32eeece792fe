package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.check.Severity;
import dev.postflight.check.Verdict;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The human report prints what hosts said; a host must not be able to write the report itself. */
class HumanReporterTest {

    /** A reason that, printed raw, erases its line and draws a passing web2 below it. */
    private static final String FAKE_BLOCK =
            "ok\r\u001b[2K\n\nweb2 (ssh ops@web2:22)  0 failed, 7 passed · 1.2s";

    private static RunReport hostile() {
        HostResult evil =
                new HostResult(
                        "web1\u001b]0;all clear\u0007",
                        "ssh ops@web1:22",
                        Optional.empty(),
                        Optional.empty(),
                        List.of(
                                new CheckResult(
                                        "health",
                                        "command",
                                        Severity.CRITICAL,
                                        Verdict.fail(FAKE_BLOCK)
                                                .withDetails(
                                                        List.of(
                                                                "stdout: first\nsecond\u001b[1A\u001b[2K",
                                                                "bs: FAIL\b\b\b\bPASS \u009b31m"
                                                                        + " \u202eevil")),
                                        Optional.of("restart")),
                                new CheckResult(
                                        "port",
                                        "port",
                                        Severity.CRITICAL,
                                        Verdict.pass("listening"),
                                        Optional.empty())),
                        Duration.ofMillis(1200),
                        1,
                        List.of(
                                new FixResult(
                                        "restart",
                                        List.of("health"),
                                        FixResult.Outcome.FAILED,
                                        "restart: exit 1\u001b[32m fixed",
                                        List.of("s1 output: a\r\nb"))));
        return new RunReport(
                "run",
                "0.1.0",
                Instant.parse("2026-11-23T18:04:15Z"),
                Duration.ofMillis(1300),
                "web",
                List.of(Path.of("checks.yaml")),
                "",
                List.of(evil),
                false);
    }

    @Test
    void controlCharactersFromHostsAreEscapedAndMultiLineDetailsIndented() {
        // A multi-line reason keeps its first line; the rest become details (one-line reasons),
        // each escaped and indented under the check, so it cannot pass for a host's line.
        String out = new HumanReporter(false).render(hostile());
        assertEquals(
                """
                postflight 0.1.0 · checklist web · 1 host · 1.30s

                web1\\e]0;all clear\\x07 (ssh ops@web1:22)  1 failed, 1 passed · 1.20s
                  FAIL  health  ok  [fix: restart]
                                \\e[2K
                                web2 (ssh ops@web2:22)  0 failed, 7 passed · 1.2s
                                stdout: first
                                second\\e[1A\\e[2K
                                bs: FAIL\\b\\b\\b\\bPASS \\x9b31m \\u202Eevil
                  pass  port    listening
                  fix FAILED restart: exit 1\\e[32m fixed
                      s1 output: a\\r
                      b

                """,
                out.substring(0, out.indexOf("\nSummary:") + 1));
    }

    @Test
    void noReportLineCarriesATerminalControlCharacterEvenInColour() {
        String out = new HumanReporter(true).render(hostile());
        String withoutOwnColours = out.replaceAll("\u001b\\[[0-9;]*m", "");
        for (char c : withoutOwnColours.toCharArray()) {
            boolean control = (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f);
            assertFalse(control, "control character U+" + Integer.toHexString(c) + " in\n" + out);
            assertFalse(c >= 0x202a && c <= 0x202e, "bidi override in\n" + out);
        }
        assertFalse(out.contains("\nweb2"), out);
        assertTrue(out.contains("all clear"), out);
    }

    @Test
    void theHumanReportOfEverySampleMatchesItsGoldenFile() throws Exception {
        Golden.assertMatches(
                "report.txt", new HumanReporter(false).render(SampleRuns.everything()));
        Golden.assertMatches(
                "report-fleet.txt", new HumanReporter(false).render(SampleRuns.fleet()));
    }

    @Test
    void aFleetReportLeadsWithTheRankingGroupsSharedFailuresAndPrintsPassingHostsOnOneLine()
            throws Exception {
        Golden.assertMatches(
                "report-fleet-300.txt", new HumanReporter(false).render(FleetRuns.of(300)));
    }

    @Test
    void unreachableHostsGroupByTheKindOfFailureThoughEachReasonNamesItsOwnAddress()
            throws Exception {
        Golden.assertMatches(
                "report-fleet-outage.txt", new HumanReporter(false).render(FleetRuns.outage(60)));
    }

    @Test
    void onlyProblemsLeavesOutThePassingHostsThePassesAndTheSkips() throws Exception {
        String text =
                Reporter.forFormat("human", false, RunContext.NONE, true)
                        .render(SampleRuns.fleet());
        Golden.assertMatches("report-fleet-only-problems.txt", text);
        assertFalse(text.contains("Passed:"), text);
        assertFalse(text.contains("Skipped:"), text);
        assertFalse(text.contains("passed\n"), text);
        assertFalse(text.contains("web4"), text);
    }

    @Test
    void theReportOfTwoThousandHostsWithThreeSharedFailuresStaysShort() {
        List<HostResult> hosts = new java.util.ArrayList<>();
        for (int i = 1; i <= 2000; i++) {
            String name = String.format("web%04d", i);
            List<CheckResult> checks = new java.util.ArrayList<>();
            checks.add(critical("sshd", Verdict.pass("active")));
            checks.add(
                    critical(
                            "disk",
                            i > 1900 ? Verdict.fail("/ 96% used (max 80%)") : Verdict.pass("ok")));
            checks.add(
                    critical(
                            "backup-ran",
                            i > 1950
                                    ? Verdict.error("stat: permission denied")
                                    : Verdict.pass("ok")));
            checks.add(
                    critical(
                            "ntp",
                            i % 2 == 0 && i > 1900
                                    ? Verdict.warn("offset 420ms exceeds warn 100ms")
                                    : Verdict.pass("ok")));
            hosts.add(
                    new HostResult(
                            name,
                            "ssh ops@" + name + ":22",
                            Optional.empty(),
                            Optional.empty(),
                            checks,
                            Duration.ofMillis(250),
                            1));
        }
        RunReport run =
                new RunReport(
                        "run",
                        "0.1.0",
                        Instant.parse("2026-11-23T18:04:15Z"),
                        Duration.ofSeconds(90),
                        "fleet",
                        List.of(Path.of("checks.yaml")),
                        "",
                        hosts,
                        false);
        String text = new HumanReporter(false).render(run);
        long lines = text.lines().count();
        assertTrue(lines < 30, lines + " lines:\n" + text);
        assertTrue(
                text.contains(
                        "FAIL  disk        / 96% used (max 80%): 100 hosts: web1901…web2000\n"),
                text);
        assertTrue(text.contains("Passed: 1,900 hosts: web0001…web1900\n"), text);
    }

    @Test
    void hostNamesWithConsecutiveNumbersAreWrittenAsRanges() {
        assertEquals(
                "db01…db03, web001…web137, web140",
                HumanReporter.names(
                        java.util.stream.Stream.concat(
                                        java.util.stream.IntStream.rangeClosed(1, 137)
                                                .mapToObj(i -> String.format("web%03d", i)),
                                        java.util.stream.Stream.of(
                                                "web140", "db03", "db01", "db02"))
                                .toList()));
        assertEquals("a, b, web1, web2", HumanReporter.names(List.of("web2", "b", "web1", "a")));
        assertEquals(
                "h01, h03, h05, h07, h09, h11, h13, h15 and 2 more",
                HumanReporter.names(
                        List.of(
                                "h01", "h03", "h05", "h07", "h09", "h11", "h13", "h15", "h17",
                                "h19")));
    }

    @Test
    void aHostWithAProblemNoGroupCoversIsListedWithOnlyThatProblem() {
        Verdict full = Verdict.fail("/ 96% used (max 80%)");
        List<HostResult> hosts =
                List.of(
                        host("web01", critical("disk", full), critical("ntp", Verdict.pass("ok"))),
                        host(
                                "web02",
                                critical("disk", full),
                                critical("ntp", Verdict.warn("offset 420ms exceeds warn 100ms"))),
                        host(
                                "web03",
                                critical("disk", Verdict.pass("ok")),
                                critical("ntp", Verdict.pass("ok"))));
        String text =
                new HumanReporter(false)
                        .render(
                                new RunReport(
                                        "run",
                                        "0.1.0",
                                        Instant.parse("2026-11-23T18:04:15Z"),
                                        Duration.ofSeconds(2),
                                        "web",
                                        List.of(Path.of("checks.yaml")),
                                        "",
                                        hosts,
                                        false));
        assertTrue(
                text.contains(
                        """

                        FAIL  disk  / 96% used (max 80%): 2 hosts: web01, web02

                        web02 (ssh ops@web02:22)  1 failed, 1 warning, 0 passed · 250ms
                          WARN  ntp   offset 420ms exceeds warn 100ms
                          and in the groups above: disk

                        Passed: 1 host: web03

                        Summary:\
                        """),
                text);
    }

    @Test
    void aSharedFailureWhoseDetailsDifferSaysSoInsteadOfShowingOneHostsDetails() {
        List<HostResult> hosts =
                List.of(
                        host(
                                "web1",
                                critical(
                                        "motd",
                                        Verdict.fail("stdout lacks ready")
                                                .withDetails(List.of("stdout: booting")))),
                        host(
                                "web2",
                                critical(
                                        "motd",
                                        Verdict.fail("stdout lacks ready")
                                                .withDetails(List.of("stdout: halted")))));
        String text =
                new HumanReporter(false)
                        .render(
                                new RunReport(
                                        "run",
                                        "0.1.0",
                                        Instant.parse("2026-11-23T18:04:15Z"),
                                        Duration.ofSeconds(2),
                                        "web",
                                        List.of(Path.of("checks.yaml")),
                                        "",
                                        hosts,
                                        false));
        assertTrue(
                text.contains(
                        "FAIL  motd  stdout lacks ready: 2 hosts: web1, web2\n"
                                + "            details differ per host: -v lists them\n"),
                text);
        assertFalse(text.contains("booting"), text);
    }

    @Test
    void aVerboseFleetReportStillLeadsWithTheRanking() {
        String text = Reporter.verbose(false).render(SampleRuns.fleet());
        assertTrue(
                text.startsWith(
                        "postflight 0.1.0 · checklist web-after-maintenance · 4 hosts · 4.32s\n"
                                + "\nWorst hosts: web3 (unreachable), "),
                text);
        assertTrue(text.contains("  pass  site-reachable  200\n"), text);
    }

    private static HostResult host(String name, CheckResult... checks) {
        return new HostResult(
                name,
                "ssh ops@" + name + ":22",
                Optional.empty(),
                Optional.empty(),
                List.of(checks),
                Duration.ofMillis(250),
                1);
    }

    private static CheckResult critical(String id, Verdict v) {
        return new CheckResult(id, "command", Severity.CRITICAL, v, Optional.empty());
    }

    @Test
    void aFleetReportFoldsTheSkipsEveryHostSharesIntoOneLinePerCheck() {
        String text = new HumanReporter(false).render(SampleRuns.fleet());
        assertFalse(text.contains("  skip  certificate"), text);
        assertTrue(text.contains("Skipped: certificate on 3 hosts (no TLS on this role)"), text);
    }

    @Test
    void worstChecksCountOnlyChecksThatRanAndRankErrorsAboveWarnings() {
        String text = new HumanReporter(false).render(SampleRuns.fleet());
        assertTrue(
                text.contains(
                        "Worst checks: backup-ran on 1/4 hosts (error), disk on 2/4 hosts"
                                + " (warning), clock-offset on 1/4 hosts (warning)\n"),
                text);
    }
}
