package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.run.RunReport;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TapReporterTest {

    private final Reporter reporter = Reporter.forFormat("tap", false);

    @Test
    void rendersEveryStatusUnreachableHostAndEscapedTextAsTheGoldenFileShows() throws IOException {
        Golden.assertMatches("report.tap", reporter.render(SampleRuns.everything()));
    }

    @Test
    void everyRenderingIsStrictTap14WithAPlanMatchingItsNumberedTests() {
        for (RunReport run :
                List.of(
                        SampleRuns.everything(),
                        SampleRuns.passing(),
                        SampleRuns.warningOnly(),
                        SampleRuns.failing(),
                        SampleRuns.interrupted())) {
            String tap = reporter.render(run);
            TapCheck.Result r = TapCheck.read(tap);
            assertEquals(List.of(), r.problems(), tap);
            long fixes = run.hosts().stream().mapToLong(h -> h.fixes().size()).sum();
            assertEquals(run.checkCount() + fixes, r.points().size(), tap);
        }
    }

    @Test
    void checkerRejectsWhatAHarnessWouldMisreadSoItsApprovalMeansSomething() {
        assertEquals(
                List.of(
                        "4: test 3 where 2 is due",
                        "5: not a TAP 14 line: okay 3",
                        "the plan says 3 tests, found 2"),
                TapCheck.read("TAP version 14\n1..3\nok 1 - a\nok 3 - b # x\nokay 3\n").problems());
        assertEquals(
                List.of("3: not a test point: ok 1 - a#b", "no plan"),
                TapCheck.read("TAP version 14\n# no plan\nok 1 - a#b\n").problems());
    }

    @Test
    void failAndErrorAreNotOkWithAYamlBlockThatRoundTripsReasonDetailsAndFix() {
        TapCheck.Result r = TapCheck.read(reporter.render(SampleRuns.everything()));
        TapCheck.Point daemon = point(r, "web1/time-daemon");
        assertFalse(daemon.ok());
        assertEquals("fail", daemon.yaml().get("status").asText());
        assertEquals("critical", daemon.yaml().get("severity").asText());
        assertEquals("ntpd: inactive (systemd)", daemon.yaml().get("reason").asText());
        assertEquals("SubState=dead", daemon.yaml().get("details").get(1).asText());
        assertEquals("resync-clock", daemon.yaml().get("fix").asText());

        TapCheck.Point motd = point(r, "web1/motd");
        assertEquals("stdout lacks \"<ready> & 'ok'\"", motd.yaml().get("reason").asText());
        assertEquals("stdout: \u0001\u0001boot\u0001", motd.yaml().get("details").get(0).asText());
        assertEquals("時刻: 2026-11-24 03:04 JST", motd.yaml().get("details").get(1).asText());

        TapCheck.Point backup = point(r, "web1/backup-ran");
        assertFalse(backup.ok());
        assertEquals("error", backup.yaml().get("status").asText());
    }

    @Test
    void warnPassesWithItsReasonAndSkipIsASkipDirective() {
        TapCheck.Result r = TapCheck.read(reporter.render(SampleRuns.everything()));
        TapCheck.Point clock = point(r, "web1/clock-offset");
        assertTrue(clock.ok());
        assertEquals("warn: offset 420ms exceeds warn 100ms", clock.directive());
        assertEquals("warning", clock.yaml().get("severity").asText());
        TapCheck.Point cert = point(r, "web1/certificate");
        assertTrue(cert.ok());
        assertEquals("SKIP port 443 is not in this host's role", cert.directive());
        assertEquals("200 in 184ms", point(r, "web1/site-reachable").directive());
    }

    @Test
    void anUnreachableHostsChecksAreNotOkAndNameTheCause() {
        TapCheck.Result r = TapCheck.read(reporter.render(SampleRuns.everything()));
        TapCheck.Point site = point(r, "web2/site-reachable");
        assertFalse(site.ok());
        assertEquals(
                "connection refused (203.0.113.11:22)", site.yaml().get("unreachable").asText());
    }

    @Test
    void anInterruptedRunBailsOutSoAHarnessDoesNotCallItAPass() {
        String tap = reporter.render(SampleRuns.interrupted());
        assertTrue(TapCheck.read(tap).bailedOut(), tap);
        assertTrue(tap.endsWith("ok 1 - web1/site-reachable # 200\nBail out! run interrupted\n"));
    }

    private static TapCheck.Point point(TapCheck.Result r, String description) {
        return r.points().stream()
                .filter(p -> p.description().equals(description))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no test point " + description));
    }
}
