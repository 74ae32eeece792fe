package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.run.CheckResult;
import dev.postflight.run.RunReport;
import dev.postflight.testing.FakeTimeHost;
import dev.postflight.testing.LocalRun;
import java.nio.file.Files;
import java.nio.file.Path;
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
            assertEquals(1, h.server().commands().size());
            return check(r.hosts().get(0), "clock");
        }
    }

    /** Issue 4's accuracy table: each offset measured within ±50 ms. */
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
        assertEquals(expectedMillis, value, 50, c.verdict().reason());
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
                c.verdict().reason().contains("method exec, host clock in nanoseconds (date +%N)"),
                c.verdict().reason());
    }

    @Test
    void anOffsetBetweenWarnAndCriticalWarns() throws Exception {
        CheckResult c = run("+0.300", "{ reference: runner, warn: 100ms, critical: 1s }");
        assertEquals(Status.WARN, c.status(), c.verdict().reason());
        assertTrue(c.verdict().reason().startsWith("host is 3"), c.verdict().reason());
        assertTrue(c.verdict().reason().endsWith("; warn 100.0ms"), c.verdict().reason());
    }

    @Test
    void aToleranceFinerThanTheMeasurementIsAnErrorNotAPass() {
        Verdict v =
                new ClockCheck(
                                java.util.List.of(),
                                "exec",
                                java.time.Duration.ofMillis(1),
                                java.time.Duration.ofMillis(2),
                                123,
                                java.time.Duration.ofSeconds(1))
                        .judge(
                                new Observation(
                                        java.util.List.of(),
                                        java.util.Optional.empty(),
                                        java.util.Optional.of(
                                                new HostTime(
                                                        java.time.Instant.parse(
                                                                "2026-01-01T00:00:00.200Z"),
                                                        java.time.Duration.ofNanos(1),
                                                        "nanoseconds",
                                                        java.time.Instant.parse(
                                                                "2026-01-01T00:00:00Z"),
                                                        java.time.Instant.parse(
                                                                "2026-01-01T00:00:00.400Z")))));
        assertEquals(Status.ERROR, v.status());
        assertTrue(
                v.reason()
                        .startsWith(
                                "cannot judge 1.0ms with ±200.0ms uncertainty: host is in step"),
                v.reason());
    }
}
