package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.run.RunReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NagiosReporterTest {

    /**
     * One perfdata item per the Nagios plugin guidelines: a label (quoted with ' if it has spaces
     * or '=' ), '=', a number with an optional unit of s, ms, us, %, B, KB, MB, TB or c, then up to
     * four ';'-separated optional warn, crit, min and max values.
     */
    private static final Pattern PERFDATA =
            Pattern.compile(
                    "^(?:'[^'=]+'|[^' =]+)=-?[0-9]+(?:\\.[0-9]+)?(?:s|ms|us|%|B|KB|MB|TB|c)?"
                            + "(?:;(?:[~@0-9:.-]*)){0,4}$");

    private static final Pattern STATUS =
            Pattern.compile("^POSTFLIGHT (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+) \\| (.+)$");

    private final Reporter reporter = Reporter.forFormat("nagios", false);

    @Test
    void rendersEveryStatusUnreachableHostAndEscapedTextAsTheGoldenFileShows() throws IOException {
        Golden.assertMatches("report.nagios.txt", reporter.render(SampleRuns.everything()));
    }

    @Test
    void aCheckThatCouldNotBeJudgedIsNotCalledFailed() {
        String first = reporter.render(SampleRuns.erroredOnly()).lines().findFirst().orElseThrow();
        assertTrue(
                first.startsWith(
                        "POSTFLIGHT UNKNOWN - 1 of 1 check could not be judged on 1 of 1 host"
                                + " (web1: backup-ran) | "),
                first);
    }

    @Test
    void statusWordIsTheRunsNagiosExitCodeAndTheLineFollowsThePluginGuidelines() {
        List<String> words = List.of("OK", "WARNING", "CRITICAL", "UNKNOWN");
        for (RunReport run :
                List.of(
                        SampleRuns.everything(),
                        SampleRuns.passing(),
                        SampleRuns.warningOnly(),
                        SampleRuns.failing(),
                        SampleRuns.interrupted())) {
            String text = reporter.render(run);
            String[] lines = text.split("\n");
            Matcher m = STATUS.matcher(lines[0]);
            assertTrue(m.matches(), lines[0]);
            assertEquals(words.get(run.nagiosExitCode()), m.group(1));
            List<String> bad = new ArrayList<>();
            for (String item : m.group(3).split(" ")) {
                if (!PERFDATA.matcher(item).matches()) bad.add(item);
            }
            assertEquals(List.of(), bad, lines[0]);
            for (int i = 1; i < lines.length; i++)
                assertTrue(!lines[i].contains("|") && !lines[i].isBlank(), lines[i]);
        }
    }

    @Test
    void perfdataCheckRejectsWhatAMonitoringSystemCannotGraph() {
        for (String bad :
                List.of("checks=", "two words=1", "checks=1;;;;;0", "elapsed=1,5s", "x=1 s"))
            assertTrue(!PERFDATA.matcher(bad).matches(), bad);
        assertTrue(PERFDATA.matcher("'two words'=1.5s;1;2;0;10").matches());
    }

    @Test
    void summaryLinesForEachOutcome() {
        assertEquals(
                "POSTFLIGHT OK - 1 check passed on 1 host | checks=1;;;0 passed=1;;;0 warn=0;;;0"
                        + " failed=0;;;0 errors=0;;;0 skipped=0;;;0 hosts=1;;;0"
                        + " hosts_unreachable=0;;;0 elapsed=4.321s;;;0\n",
                reporter.render(SampleRuns.passing()));
        assertEquals(
                "POSTFLIGHT WARNING - 1 of 1 check warned on 1 of 1 host (web1: clock-offset)",
                firstLineText(SampleRuns.warningOnly()));
        assertEquals(
                "POSTFLIGHT CRITICAL - 1 of 2 checks failed on 1 of 2 hosts (web2: site-reachable)",
                firstLineText(SampleRuns.failing()));
        assertEquals(
                "POSTFLIGHT UNKNOWN - run interrupted, 1 check passed on 1 host",
                firstLineText(SampleRuns.interrupted()));
    }

    @Test
    void longTextHasOneLinePerProblemWithoutBreaksOrPipes() {
        List<String> lines = reporter.render(SampleRuns.everything()).lines().skip(1).toList();
        assertEquals(
                List.of(
                        "web1/fix resync-clock: failed - resync-clock: step 2 (ntpdate"
                                + " ntp1.example.net) exit 1: the NTP socket is in use, exiting;"
                                + " finally ran",
                        "web1/time-daemon: fail (critical) - ntpd: inactive (systemd)",
                        "web1/clock-offset: warn (warning) - offset 420ms exceeds warn 100ms",
                        "web1/backup-ran: error (critical) - stat: permission denied",
                        "web1/motd: fail (critical) - stdout lacks \"<ready> & 'ok'\"",
                        "web2: unreachable - connection refused (203.0.113.11:22)",
                        "web2/site-reachable: error (critical) - host unreachable: connection"
                                + " refused (203.0.113.11:22)",
                        "web2/time-daemon: error (critical) - host unreachable: connection"
                                + " refused (203.0.113.11:22)"),
                lines);
    }

    private String firstLineText(RunReport run) {
        String first = reporter.render(run).lines().findFirst().orElseThrow();
        return first.substring(0, first.indexOf(" | "));
    }
}
