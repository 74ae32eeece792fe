package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.testing.FakeTimeHost;
import dev.postflight.testing.LocalRun;
import dev.postflight.testing.NtpResponder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The clock check against an SSH host whose clock libfaketime really skews. */
class ClockCheckTest {
    @TempDir Path dir;

    private CheckResult run(String faketime, String spec) throws Exception {
        assumeTrue(FakeTimeHost.available(), "libfaketime is not installed");
        try (FakeTimeHost h =
                FakeTimeHost.start(Files.createDirectory(dir.resolve("host")), faketime)) {
            RunReport r =
                    LocalRun.run(
                            dir,
                            "checks:\n  - id: clock\n    clock: " + spec + "\n",
                            h.host(),
                            h.connector());
            // The probe batch, then the clock's round trips on the same session.
            assertEquals(2, h.server().commands().size(), h.server().commands().toString());
            assertTrue(h.server().commands().get(1).contains("EPOCHREALTIME"));
            return check(r.hosts().get(0), "clock");
        }
    }

    /** Issue 4's accuracy table: each offset measured within ±50 ms (see README for figures). */
    @ParameterizedTest
    @CsvSource({"-3h, -10800000", "-2, -2000", "+0.150, 150", "+0, 0"})
    void measuresTheOffsetWithin50ms(String faketime, long expectedMillis) throws Exception {
        CheckResult c = run(faketime, "{ reference: runner, warn: 100ms, critical: 1s }");
        Matcher m =
                Pattern.compile("offset ([+-])(?:(\\d+)h)?(?:(\\d+)m)?([\\d.]+)(ms|s)")
                        .matcher(c.verdict().reason());
        assertTrue(m.find(), c.verdict().reason());
        double value = Double.parseDouble(m.group(4)) * (m.group(5).equals("s") ? 1000 : 1);
        if (m.group(3) != null) value += Long.parseLong(m.group(3)) * 60_000;
        if (m.group(2) != null) value += Long.parseLong(m.group(2)) * 3_600_000;
        if (m.group(1).equals("-")) value = -value;
        System.out.printf(
                "accuracy: FAKETIME=%s expected %d ms, measured %.1f ms (%s)%n",
                faketime, expectedMillis, value, c.verdict().reason());
        Matcher u = Pattern.compile("±([\\d.]+)(ms|s)").matcher(c.verdict().reason());
        assertTrue(u.find(), c.verdict().reason());
        double stated = Double.parseDouble(u.group(1)) * (u.group(2).equals("s") ? 1000 : 1);
        // Within ±50 ms on a quiet machine, and never outside the uncertainty the verdict states
        // (under load the remote shell starts slowly; the verdict must then say so, not lie).
        assertEquals(expectedMillis, value, Math.max(50, stated), c.verdict().reason());
    }

    @Test
    void withoutBashTheRoundTripsUseTwoDatesAndStayWithinTheirUncertainty() throws Exception {
        assumeTrue(FakeTimeHost.available(), "libfaketime is not installed");
        assumeTrue(
                dev.postflight.testing.NtpdShimHost.available(),
                "needs root and unshare(1) to hide bash");
        try (FakeTimeHost h =
                FakeTimeHost.start(
                        Files.createDirectory(dir.resolve("nobash")),
                        "+0.150",
                        java.util.Map.of(),
                        dev.postflight.testing.SshTestServer.shellWithout(
                                "/usr/bin/bash", "/bin/bash"))) {
            RunReport r =
                    LocalRun.run(
                            dir,
                            "checks:\n  - id: clock\n    clock: { reference: runner }\n",
                            h.host(),
                            h.connector());
            String reason = check(r.hosts().get(0), "clock").verdict().reason();
            // 5 rounds, more (up to 20) on a loaded machine until one is quick.
            assertTrue(
                    reason.matches(
                            ".*host clock in nanoseconds \\(date \\+%N\\), best of ([5-9]|1\\d|20)"
                                    + " round trips\\).*"),
                    reason);
            Matcher m = Pattern.compile("offset \\+([\\d.]+)ms ±([\\d.]+)ms").matcher(reason);
            assertTrue(m.find(), reason);
            assertEquals(
                    150, Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), reason);
        }
    }

    @Test
    void threeHoursBehindFailsSayingSo() throws Exception {
        CheckResult c = run("-3h", "{ reference: runner }");
        assertEquals(Status.FAIL, c.status());
        assertTrue(
                c.verdict().reason().startsWith("host is 2h59m5")
                        || c.verdict().reason().startsWith("host is 3h00m0"),
                c.verdict().reason());
        assertTrue(c.verdict().reason().contains(" behind (offset -"), c.verdict().reason());
    }

    @Test
    void aHostInStepPassesWithItsUncertainty() throws Exception {
        CheckResult c = run("+0", "{ reference: runner, warn: 100ms, critical: 1s }");
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict()
                        .reason()
                        .matches(
                                ".*method exec, host clock in microseconds \\(bash EPOCHREALTIME\\),"
                                        + " best of ([5-9]|1\\d|20) round trips\\).*"),
                c.verdict().reason());
    }

    @Test
    void anOffsetBetweenWarnAndCriticalWarns() throws Exception {
        CheckResult c = run("+0.300", "{ reference: runner, warn: 100ms, critical: 1s }");
        assertEquals(Status.WARN, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict().reason().matches("host is (29\\d|30\\d)\\.\\dms ahead .*"),
                c.verdict().reason());
        assertTrue(c.verdict().reason().endsWith("; warn 100.0ms"), c.verdict().reason());
    }

    @Test
    void againstNtpServersTheReferencesOwnOffsetIsTakenOut() throws Exception {
        try (NtpResponder ahead = NtpResponder.start(Duration.ofSeconds(5));
                NtpResponder alsoAhead = NtpResponder.start(Duration.ofMillis(5010))) {
            CheckResult c =
                    run(
                            "+0",
                            "{ reference: [\""
                                    + ahead.server()
                                    + "\", \""
                                    + alsoAhead.server()
                                    + "\"], critical: 1s }");
            assertEquals(Status.FAIL, c.status(), c.verdict().reason());
            assertTrue(
                    c.verdict().reason().startsWith("host is 4.9")
                            || c.verdict().reason().startsWith("host is 5.0"),
                    c.verdict().reason());
            assertTrue(c.verdict().reason().contains("behind"), c.verdict().reason());
            assertTrue(
                    c.verdict().reason().contains("against NTP " + ahead.server()),
                    c.verdict().reason());
        }
    }

    @Test
    void noReferenceAnsweringIsAnErrorNamingEachServer() throws Exception {
        try (NtpResponder silent = NtpResponder.start(Duration.ZERO)) {
            silent.setSilent(true);
            CheckResult c = run("+0", "{ reference: \"" + silent.server() + "\", timeout: 300ms }");
            assertEquals(Status.ERROR, c.status());
            assertTrue(
                    c.verdict()
                            .reason()
                            .startsWith(
                                    "no reference NTP server answered: "
                                            + silent.server()
                                            + ": no NTP answer within 300ms"),
                    c.verdict().reason());
        }
    }

    @Test
    void noReferenceCanBeASkipWithTheReasonWhereTheRunnerMayBeOffline() throws Exception {
        try (NtpResponder silent = NtpResponder.start(Duration.ZERO)) {
            silent.setSilent(true);
            HostResult r =
                    LocalRun.run(
                            dir,
                            "checks:\n  - id: clock\n    clock: { reference: \""
                                    + silent.server()
                                    + "\", timeout: 200ms, if_no_reference: skip }\n");
            CheckResult c = check(r, "clock");
            assertEquals(Status.SKIP, c.status());
            assertTrue(
                    c.verdict()
                            .reason()
                            .startsWith("no reference NTP server answered: " + silent.server()),
                    c.verdict().reason());
        }
    }

    @Test
    void methodNtpAsksTheHostsOwnNtpServer() throws Exception {
        try (NtpResponder host = NtpResponder.start(Duration.ofHours(-3))) {
            HostResult r =
                    LocalRun.run(
                            dir,
                            "checks:\n  - id: clock\n    clock: { reference: runner, method: ntp, ntp_port: "
                                    + host.port()
                                    + " }\n");
            CheckResult c = check(r, "clock");
            assertEquals(Status.FAIL, c.status());
            assertTrue(
                    c.verdict().reason().matches("host is (3h00m00\\.0|2h59m59\\.9).*"),
                    c.verdict().reason());
            assertTrue(c.verdict().reason().contains("method ntp"), c.verdict().reason());
            assertEquals(0, r.execs(), "method ntp needs no exec on the host");
        }
    }

    @Test
    void aToleranceFinerThanTheMeasurementIsAnErrorNotAPass() {
        ClockCheck check =
                new ClockCheck(
                        List.of(),
                        "exec",
                        Duration.ofMillis(1),
                        Duration.ofMillis(2),
                        123,
                        Duration.ofSeconds(1),
                        false);
        Instant sent = Instant.parse("2026-01-01T00:00:00Z");
        HostTime read =
                new HostTime(
                        sent.plusMillis(200),
                        Duration.ofNanos(1),
                        "nanoseconds",
                        sent,
                        sent.plusMillis(400));
        ClockCheck.Reading nothingElse =
                new ClockCheck.Reading(Optional.empty(), Optional.empty(), Optional.empty());
        Verdict v =
                check.judge(
                        new ClockCheck.Seen(nothingElse, Optional.of(read)),
                        Now.at(sent.plusMillis(400)));
        assertEquals(Status.ERROR, v.status());
        assertTrue(
                v.reason()
                        .startsWith(
                                "cannot tell whether the offset (+0.0ms ±200.0ms) exceeds critical"
                                        + " 2.0ms: host is in step"),
                v.reason());
    }

    /**
     * The verdict is judged on the interval [offset - u, offset + u], never on the central value:
     * rows of issue 13's lab table (a true -1.020s measured as -0.994s ±27ms; a true -150ms
     * measured as -98.5ms ±59ms) and the boundaries.
     */
    @ParameterizedTest(name = "{0}ms ±{1}ms, warn 100ms, critical 1s → {2}")
    @CsvSource({
        "-1050, 27, FAIL",
        "-994, 27, ERROR",
        "-1020, 27, ERROR",
        "-98.5, 59, WARN",
        "-150, 20, WARN",
        "-500, 400, WARN",
        "0, 100, PASS",
        "60, 40, PASS",
        "60, 41, WARN",
        "0, 1200, ERROR",
        "2000, 999, FAIL",
    })
    void judgesTheIntervalNotTheCentralValue(double offsetMs, double uMs, Status expected) {
        ClockCheck check =
                new ClockCheck(
                        List.of(),
                        "exec",
                        Duration.ofMillis(100),
                        Duration.ofSeconds(1),
                        123,
                        Duration.ofSeconds(1),
                        false);
        Verdict v =
                check.verdict(
                        Duration.ofNanos(Math.round(offsetMs * 1e6)),
                        Duration.ofNanos(Math.round(uMs * 1e6)),
                        "test");
        assertEquals(expected, v.status(), v.reason());
        if (expected == Status.ERROR)
            assertTrue(v.reason().startsWith("cannot tell whether the offset ("), v.reason());
    }

    @Test
    void aLoneCriticalIsAlsoTheWarnLimit() throws Exception {
        Path f = Files.createTempFile(dir, "c", ".yaml");
        Files.writeString(
                f, "checks:\n  - { id: c, clock: { reference: runner, critical: 5s } }\n");
        ClockCheck c =
                (ClockCheck)
                        dev.postflight.checklist.ChecklistBinder.bind(
                                        dev.postflight.checklist.ChecklistLoader.load(List.of(f)),
                                        java.util.Map.of(),
                                        "h",
                                        "127.0.0.1",
                                        new dev.postflight.input.Problems())
                                .checks()
                                .get(0)
                                .spec();
        assertEquals(Duration.ofSeconds(5), c.warn());
        assertEquals(Duration.ofSeconds(5), c.critical());
    }
}
