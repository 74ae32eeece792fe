package dev.postflight.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postflight.check.Severity;
import dev.postflight.check.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunReportTest {

    @Test
    void nagiosOkWhenEveryCheckPassedOrWasSkipped() {
        RunReport run =
                run(
                        host(
                                critical("site", Verdict.pass("200")),
                                critical("tls", Verdict.skip("-"))));
        assertEquals(RunReport.NAGIOS_OK, run.nagiosExitCode());
        assertEquals(RunReport.OK, run.exitCode());
    }

    @Test
    void nagiosWarningForAWarnOrAWarningSeverityCheckThatFailedOrErred() {
        assertEquals(1, run(host(critical("clock", Verdict.warn("420ms")))).nagiosExitCode());
        assertEquals(1, run(host(warning("backup", Verdict.fail("old")))).nagiosExitCode());
        assertEquals(1, run(host(warning("backup", Verdict.error("denied")))).nagiosExitCode());
    }

    @Test
    void nagiosCriticalWhenACriticalCheckFailedEvenIfAnotherErred() {
        RunReport run =
                run(
                        host(critical("site", Verdict.fail("503"))),
                        host(critical("ntp", Verdict.error("denied"))));
        assertEquals(RunReport.NAGIOS_CRITICAL, run.nagiosExitCode());
    }

    @Test
    void nagiosCriticalWhenAHostWasUnreachable() {
        HostResult down =
                new HostResult(
                        "web2",
                        "",
                        Optional.empty(),
                        Optional.of("connection refused"),
                        List.of(critical("site", Verdict.error("host unreachable"))),
                        Duration.ZERO,
                        0);
        assertEquals(RunReport.NAGIOS_CRITICAL, run(down).nagiosExitCode());
        assertEquals(RunReport.FAILED, run(down).exitCode());
    }

    @Test
    void nagiosUnknownWhenACriticalCheckErredAndNoneFailed() {
        RunReport run =
                run(
                        host(
                                critical("ntp", Verdict.error("denied")),
                                critical("c", Verdict.warn("w"))));
        assertEquals(RunReport.NAGIOS_UNKNOWN, run.nagiosExitCode());
    }

    @Test
    void nagiosUnknownWhenTheRunWasInterruptedWhateverItFoundSoFar() {
        RunReport run =
                new RunReport(
                        "r",
                        "0.1.0",
                        Instant.EPOCH,
                        Duration.ZERO,
                        "c",
                        List.of(),
                        "",
                        List.of(host(critical("site", Verdict.fail("503")))),
                        true);
        assertEquals(RunReport.NAGIOS_UNKNOWN, run.nagiosExitCode());
        assertEquals(RunReport.INTERRUPTED, run.exitCode());
    }

    private static RunReport run(HostResult... hosts) {
        return new RunReport(
                "r",
                "0.1.0",
                Instant.EPOCH,
                Duration.ZERO,
                "c",
                List.of(),
                "",
                List.of(hosts),
                false);
    }

    private static HostResult host(CheckResult... checks) {
        return new HostResult(
                "web1",
                "local",
                Optional.empty(),
                Optional.empty(),
                List.of(checks),
                Duration.ZERO,
                1);
    }

    private static CheckResult critical(String id, Verdict v) {
        return new CheckResult(id, "command", Severity.CRITICAL, v, Optional.empty());
    }

    private static CheckResult warning(String id, Verdict v) {
        return new CheckResult(id, "command", Severity.WARNING, v, Optional.empty());
    }
}
