package dev.postflight.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.Problems;
import dev.postflight.inventory.Host;
import dev.postflight.run.CheckResult;
import dev.postflight.run.Connector;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunListener;
import dev.postflight.run.RunReport;
import dev.postflight.run.Runner;
import dev.postflight.testing.FakeTimeHost;
import dev.postflight.testing.LocalRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's skew table: hosts whose clocks are really off (libfaketime) by each of -3h, -1.020s,
 * -150ms, -50ms, 0, +50ms, +150ms, +1.020s and +3h, judged with warn 100ms and critical 1s, one
 * host alone and 16 hosts at once (under whatever load the test suite puts on the machine). Every
 * verdict must be right, every measured offset within its stated uncertainty of the truth, and the
 * median error of the hosts alone within 5 ms.
 */
class ClockSkewTableTest {
    @TempDir Path dir;

    private static final Pattern OFFSET =
            Pattern.compile("offset ([+-][0-9hm.]+(?:ms|s)) ±([0-9.]+)(ms|s)");

    /**
     * A row: libfaketime's offset, the true offset in ms, the verdict warn 100ms/critical 1s give.
     */
    private record Skew(String faketime, double trueMs, Status verdict) {}

    private static final List<Skew> TABLE =
            List.of(
                    new Skew("-3h", -10_800_000, Status.FAIL),
                    new Skew("-1.020", -1020, Status.FAIL),
                    new Skew("-0.150", -150, Status.WARN),
                    new Skew("-0.050", -50, Status.PASS),
                    new Skew("+0", 0, Status.PASS),
                    new Skew("+0.050", 50, Status.PASS),
                    new Skew("+0.150", 150, Status.WARN),
                    new Skew("+1.020", 1020, Status.FAIL),
                    new Skew("+3h", 10_800_000, Status.FAIL));

    @Test
    void everySkewAloneGetsItsVerdictWithinItsUncertaintyAndTheMedianBiasIsUnder5ms()
            throws Exception {
        assumeTrue(FakeTimeHost.available(), "libfaketime is not installed");
        List<Double> errors = new ArrayList<>();
        for (Skew s : TABLE) {
            Map<String, Skew> one = new LinkedHashMap<>();
            one.put("h0", s);
            errors.addAll(runAndJudge(one));
        }
        List<Double> sorted = errors.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        System.out.println("clock skew table, hosts alone: errors (ms) " + errors);
        assertTrue(Math.abs(median) <= 5, "median bias " + median + " ms: " + errors);
    }

    @Test
    void sixteenHostsAtOnceGetEveryVerdictRightWithinTheirUncertainty() throws Exception {
        assumeTrue(FakeTimeHost.available(), "libfaketime is not installed");
        Map<String, Skew> hosts = new LinkedHashMap<>();
        for (int i = 0; i < 16; i++) hosts.put("h" + i, TABLE.get(i % TABLE.size()));
        List<Double> errors = runAndJudge(hosts);
        System.out.println("clock skew table, 16 hosts at once: errors (ms) " + errors);
    }

    /** Runs the hosts in one run; asserts each verdict and bound; returns the errors in ms. */
    private List<Double> runAndJudge(Map<String, Skew> skews) throws Exception {
        Map<String, FakeTimeHost> servers = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Skew> e : skews.entrySet()) {
                Path d = Files.createTempDirectory(dir, e.getKey());
                servers.put(e.getKey(), FakeTimeHost.start(d, e.getValue().faketime()));
            }
            Path file =
                    LocalRun.write(
                            dir,
                            "clock.yaml",
                            "checks:\n  - id: clock\n    clock: { reference: runner, warn: 100ms,"
                                    + " critical: 1s }\n");
            var cl = ChecklistLoader.load(List.of(file));
            List<Runner.Target> targets = new ArrayList<>();
            for (String name : servers.keySet()) {
                Host h = Host.at(name, "127.0.0.1");
                var bound = ChecklistBinder.bind(cl, Map.of(), name, "127.0.0.1", new Problems());
                targets.add(new Runner.Target(h, bound.checks()));
            }
            Map<String, Connector> connectors = new LinkedHashMap<>();
            for (Map.Entry<String, FakeTimeHost> e : servers.entrySet())
                connectors.put(e.getKey(), e.getValue().connector());
            Connector byName = (h, deadline) -> connectors.get(h.name()).connect(h, deadline);
            RunReport report =
                    new Runner(
                                    new Runner.Options(
                                            16,
                                            Duration.ofSeconds(60),
                                            byName,
                                            RunListener.NONE,
                                            "test"))
                            .run(cl.name(), cl.files(), cl.sha256(), targets);
            List<Double> errors = new ArrayList<>();
            for (HostResult h : report.hosts()) {
                Skew s = skews.get(h.host());
                CheckResult c = LocalRun.check(h, "clock");
                String reason = c.verdict().reason();
                assertEquals(s.verdict(), c.status(), s.faketime() + ": " + reason);
                Matcher m = OFFSET.matcher(reason);
                assertTrue(m.find(), reason);
                double measured = ms(m.group(1));
                double u = Double.parseDouble(m.group(2)) * (m.group(3).equals("s") ? 1000 : 1);
                double error = measured - s.trueMs();
                // libfaketime applies its offset to the host's reading; both clocks are this
                // machine's, so the truth is exactly the offset.
                // The reason shows 0.1 ms under a second, 1 ms above: allow half of that.
                double shown = Math.abs(s.trueMs()) >= 1000 ? 0.5 : 0.05;
                assertTrue(
                        Math.abs(error) <= u + shown,
                        s.faketime() + ": error " + error + " ms beyond ±" + u + " ms: " + reason);
                errors.add(Math.round(error * 100) / 100.0);
            }
            return errors;
        } finally {
            for (FakeTimeHost h : servers.values()) h.close();
        }
    }

    /** "+150.0ms", "-1.020s", "-3h00m00.000s" in milliseconds. */
    private static double ms(String text) {
        double sign = text.startsWith("-") ? -1 : 1;
        String t = text.substring(1);
        if (t.endsWith("ms")) return sign * Double.parseDouble(t.substring(0, t.length() - 2));
        t = t.substring(0, t.length() - 1);
        double total = 0;
        int h = t.indexOf('h');
        if (h >= 0) {
            total += Double.parseDouble(t.substring(0, h)) * 3_600_000;
            t = t.substring(h + 1);
        }
        int m = t.indexOf('m');
        if (m >= 0) {
            total += Double.parseDouble(t.substring(0, m)) * 60_000;
            t = t.substring(m + 1);
        }
        return sign * (total + Double.parseDouble(t) * 1000);
    }
}
