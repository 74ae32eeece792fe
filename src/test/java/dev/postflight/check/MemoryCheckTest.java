package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.input.Amount;
import dev.postflight.input.InvalidInput;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.LocalRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MemoryCheckTest {
    private static final Now NOW = Now.at(Instant.parse("2026-12-06T12:00:00Z"));
    private static final long G = 1L << 30;
    private static final long M = 1L << 20;

    @TempDir Path dir;

    private static MemoryCheck memory(String min, String swap) {
        return new MemoryCheck(Amount.parse(min).orElseThrow(), Amount.parse(swap).orElseThrow());
    }

    private static Verdict judge(MemoryCheck c, int exit, String out, String err) {
        return Recorded.judge(c, exit, out, err, NOW);
    }

    @ParameterizedTest(name = "min {0}, swap {1}: {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    10%  | 50% | PASS | available 2G of 8G (25%); swap used 512M of 2G (25%)
                    30%  | 50% | FAIL | available 2G of 8G (25%) (at least 30%); swap used 512M of 2G (25%)
                    3G   | 50% | FAIL | available 2G of 8G (25%) (at least 3G); swap used 512M of 2G (25%)
                    512M | 20% | FAIL | available 2G of 8G (25%); swap used 512M of 2G (25%) (at most 20%)
                    512M | 256M | FAIL | available 2G of 8G (25%); swap used 512M of 2G (25%) (at most 256M)
                    25%  | 25% | PASS | available 2G of 8G (25%); swap used 512M of 2G (25%)
                    """)
    void judgesAvailableMemoryAndSwapAsSharesOrSizes(
            String min, String swap, Status status, String reason) {
        Verdict v =
                memory(min, swap).judge(new MemoryCheck.Seen(8 * G, 2 * G, 2 * G, 512 * M), NOW);
        assertEquals(status, v.status(), v.reason());
        assertEquals(reason, v.reason());
    }

    @Test
    void aHostWithoutSwapPassesTheSwapLimit() {
        Verdict v = memory("10%", "0%").judge(new MemoryCheck.Seen(8 * G, 2 * G, 0, 0), NOW);
        assertEquals(Status.PASS, v.status());
        assertEquals("available 2G of 8G (25%); no swap", v.reason());
    }

    @Test
    void readsLinuxAndBusyBoxProcMeminfo() {
        String out =
                """
                MemTotal=8178892
                MemAvailable=421888
                SwapTotal=2097152
                SwapFree=104858
                """;
        Verdict v = judge(memory("10%", "50%"), 0, out, "");
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "available 412M of 7.8G (5.2%) (at least 10%); swap used 1.9G of 2G (95%) (at most"
                        + " 50%)",
                v.reason());
    }

    @Test
    void aKernelWithoutMemAvailableIsAnErrorNeverAPass() {
        Verdict v =
                judge(memory("10%", "50%"), 0, "MemTotal=8178892\nSwapTotal=0\nSwapFree=0\n", "");
        assertEquals(Status.ERROR, v.status());
        assertEquals(
                "memory: /proc/meminfo has no MemAvailable (a kernel before 3.14)", v.reason());
    }

    @Test
    void readsFreeBsdPagesAndSumsEverySwapDevice() {
        String out =
                """
                pagesize=4096
                physmem=8589934592
                free_pages=1500000
                inactive_pages=300000
                swap=Device          1K-blocks     Used    Avail Capacity
                swap=/dev/ada0p3       2097152   524288  1572864    25%
                swap=/dev/ada1p3       2097152        0  2097152     0%
                swap=Total             4194304   524288  3670016    13%
                """;
        Verdict v = judge(memory("10%", "50%"), 0, out, "");
        assertEquals(Status.PASS, v.status(), v.reason());
        assertEquals("available 6.9G of 8G (85.8%); swap used 512M of 4G (12.5%)", v.reason());
    }

    @Test
    void aFreeBsdHostWithoutSwapinfoIsAnErrorNamingIt() {
        Verdict v = judge(memory("10%", "50%"), 127, "", "swapinfo not found\n");
        assertEquals(Status.ERROR, v.status());
        assertEquals("memory: swapinfo not found", v.reason());
    }

    @Test
    void thisMachinesMemoryIsReadFromProcMeminfo() throws Exception {
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: memory
                            memory: { min_available: 1M, max_swap_used: 100% }
                        """);
        CheckResult c = check(r, "memory");
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict().reason().matches("available \\S+ of \\S+ \\([0-9.]+%\\); .*swap.*"),
                c.verdict().reason());
    }

    @Test
    void theSnippetRunsUnderDashAndBusyBoxAsh() throws Exception {
        for (String[] sh : new String[][] {{"dash"}, {"busybox", "sh"}}) {
            if (!onPath(sh[0])) continue;
            String[] cmd = new String[sh.length + 2];
            System.arraycopy(sh, 0, cmd, 0, sh.length);
            cmd[sh.length] = "-c";
            cmd[sh.length + 1] = MemoryCheck.SCRIPT;
            Process p = new ProcessBuilder(cmd).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), String.join(" ", sh));
            Verdict v = judge(memory("1M", "100%"), 0, out, "");
            assertEquals(Status.PASS, v.status(), String.join(" ", sh) + ": " + v.reason());
        }
    }

    @Test
    void theReadmeExampleRunsOnThisMachine() throws Exception {
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: memory
                            memory: { min_available: 512M, max_swap_used: 25% }
                        """);
        CheckResult c = check(r, "memory");
        assertTrue(c.status() == Status.PASS || c.status() == Status.FAIL, c.verdict().reason());
        assertTrue(c.verdict().reason().startsWith("available "), c.verdict().reason());
    }

    @Test
    void aSizeThatIsNotOneIsAnInputErrorAtItsKey() {
        InvalidInput e =
                assertThrows(
                        InvalidInput.class,
                        () ->
                                LocalRun.run(
                                        dir,
                                        """
                                        checks:
                                          - id: memory
                                            memory: { min_available: lots }
                                        """));
        assertTrue(
                e.getMessage()
                        .contains("min_available: 'lots' is not a size; write e.g. 80% or 512M"),
                e.getMessage());
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv("PATH").split(":")) {
            if (Path.of(d, tool).toFile().canExecute()) return true;
        }
        return false;
    }
}
