package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.LocalRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadCheckTest {
    private static final Now NOW = Now.at(Instant.parse("2026-12-06T12:00:00Z"));

    @TempDir Path dir;

    private static Verdict judge(LoadCheck c, String out) {
        return Observed.judge(
                c,
                Observation.ofHost(
                        new ProbeOutput(
                                0, out.getBytes(StandardCharsets.UTF_8), new byte[0], false)),
                NOW);
    }

    @ParameterizedTest(name = "{0} on {1} cores over {2}m: {3}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    load=0.50 3.80 9.20       | 4 | 15 | FAIL | load 9.20 over 15m on 4 cores = 2.30 per core (critical above 2.00)
                    load=0.50 3.80 9.20       | 4 | 5  | PASS | load 3.80 over 5m on 4 cores = 0.95 per core
                    load=1.60 1.20 1.00       | 1 | 1  | WARN | load 1.60 over 1m on 1 core = 1.60 per core (warn above 1.00)
                    load={ 0.52 2.41 0.30 }   | 2 | 5  | WARN | load 2.41 over 5m on 2 cores = 1.21 per core (warn above 1.00)
                    """)
    void judgesTheChosenAveragePerCore(
            String load, int cores, int minutes, Status status, String reason) {
        Verdict v = judge(new LoadCheck(minutes, 1.0, 2.0), load + "\ncores=" + cores + "\n");
        assertEquals(status, v.status(), v.reason());
        assertEquals(reason, v.reason());
    }

    @Test
    void unknownCoresAreAnErrorNeverAPass() {
        Verdict v = judge(new LoadCheck(5, 1.0, 2.0), "load=0.1 0.1 0.1\ncores=\n");
        assertEquals(Status.ERROR, v.status());
        assertEquals("load average: the number of cores is unknown ()", v.reason());
    }

    @Test
    void aHostWithoutEitherSourceIsAnErrorNamingWhatIsMissing() {
        Verdict v =
                Observed.judge(
                        new LoadCheck(5, 1.0, 2.0),
                        Observation.ofHost(
                                new ProbeOutput(
                                        127,
                                        new byte[0],
                                        "no /proc/loadavg and no sysctl vm.loadavg\n"
                                                .getBytes(StandardCharsets.UTF_8),
                                        false)),
                        NOW);
        assertEquals(Status.ERROR, v.status());
        assertEquals("load average: no /proc/loadavg and no sysctl vm.loadavg", v.reason());
    }

    @Test
    void thisMachinesLoadIsReadAndJudgedPerCore() throws Exception {
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: load
                            load: { average: 1m, warn: 1000, critical: 1000 }
                        """);
        CheckResult c = check(r, "load");
        String[] avg = Files.readString(Path.of("/proc/loadavg")).split(" ");
        Process getconf = new ProcessBuilder("getconf", "_NPROCESSORS_ONLN").start();
        int cores = Integer.parseInt(new String(getconf.getInputStream().readAllBytes()).strip());
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict().reason().startsWith("load ")
                        && c.verdict()
                                .reason()
                                .contains(
                                        " over 1m on "
                                                + cores
                                                + (cores == 1 ? " core = " : " cores = ")),
                c.verdict().reason() + " (/proc/loadavg: " + String.join(" ", avg) + ")");
    }
}
