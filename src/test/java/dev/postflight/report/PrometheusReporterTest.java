package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postflight.run.RunReport;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusReporterTest {

    private static final String CHECKLIST = "web-after-maintenance";

    private final Reporter reporter = Reporter.forFormat("prometheus", false);

    @Test
    void rendersEveryStatusUnreachableHostAndEscapedTextAsTheGoldenFileShows() throws IOException {
        Golden.assertMatches("report.prom", reporter.render(SampleRuns.everything()));
    }

    @Test
    void everyRenderingIsStrictExpositionFormatWithTwoSeriesPerCheck() {
        for (RunReport run :
                List.of(
                        SampleRuns.everything(),
                        SampleRuns.passing(),
                        SampleRuns.warningOnly(),
                        SampleRuns.failing(),
                        SampleRuns.interrupted(),
                        SampleRuns.awkwardNames())) {
            String text = reporter.render(run);
            PromCheck.Result r = PromCheck.read(text);
            assertEquals(List.of(), r.problems(), text);
            long perCheck =
                    r.samples().stream()
                            .filter(s -> s.name().startsWith("postflight_check_"))
                            .count();
            assertEquals(2 * run.checkCount(), perCheck, text);
            assertEquals(run.exitCode(), PromCheck.value(r, "postflight_run_exit_code", run()));
        }
    }

    @Test
    void checkerRejectsWhatTheTextfileCollectorWouldRefuseSoItsApprovalMeansSomething() {
        assertEquals(
                List.of(
                        "2: bad escape \\t",
                        "3: a timestamp the textfile collector refuses",
                        "4: duplicate series a{x=1}",
                        "5: bad value one",
                        "6: bad metric name 2b",
                        "7: HELP or TYPE after samples of a",
                        "7: a is split into two groups"),
                PromCheck.read(
                                "# TYPE a gauge\n"
                                        + "a{x=\"\\t\"} 1\n"
                                        + "a{x=\"1\"} 1 1700000000\n"
                                        + "a{x=\"1\"} 2\n"
                                        + "b one\n"
                                        + "# HELP 2b x\n"
                                        + "# HELP a again\n")
                        .problems());
    }

    @Test
    void checkStatusIsACodeAndAnOkFlagSoSeriesDoNotChurnWhenAStatusChanges() {
        PromCheck.Result r = PromCheck.read(reporter.render(SampleRuns.everything()));
        Map<String, Double> codes =
                Map.of(
                        "site-reachable", 0.0,
                        "clock-offset", 1.0,
                        "time-daemon", 2.0,
                        "backup-ran", 3.0,
                        "certificate", 4.0);
        codes.forEach((check, code) -> {
            String severity = check.equals("clock-offset") ? "warning" : "critical";
            Map<String, String> labels = check("web1", check, severity);
            assertEquals(code, PromCheck.value(r, "postflight_check_status_code", labels));
            assertEquals(
                    code == 0.0 || code == 4.0 ? 1.0 : 0.0,
                    PromCheck.value(r, "postflight_check_ok", labels));
        });
        assertEquals(1.0, PromCheck.value(r, "postflight_host_up", host("web1")));
        assertEquals(0.0, PromCheck.value(r, "postflight_host_up", host("web2")));
        assertEquals(
                3.0,
                PromCheck.value(
                        r,
                        "postflight_check_status_code",
                        check("web2", "site-reachable", "critical")));
        assertEquals(4.321, PromCheck.value(r, "postflight_run_duration_seconds", run()));
        assertEquals(1795457055.25, PromCheck.value(r, "postflight_run_timestamp_seconds", run()));
    }

    @Test
    void labelValuesWithQuotesBackslashesAndBreaksReadBackUnchanged() {
        PromCheck.Result r = PromCheck.read(reporter.render(SampleRuns.awkwardNames()));
        assertEquals(
                0.0,
                PromCheck.value(
                        r,
                        "postflight_check_ok",
                        check("db|`east` \"1\"\\", "port|5432", "critical")));
    }

    private static Map<String, String> run() {
        return Map.of("checklist", CHECKLIST);
    }

    private static Map<String, String> host(String host) {
        return Map.of("checklist", CHECKLIST, "host", host);
    }

    private static Map<String, String> check(String host, String check, String severity) {
        return Map.of("checklist", CHECKLIST, "host", host, "check", check, "severity", severity);
    }
}
