package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.input.Amount;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.LocalRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilesOpenCheckTest {
    private static final Now NOW = Now.at(Instant.parse("2026-12-06T12:00:00Z"));
    private static final Amount EIGHTY = new Amount(80, true);

    @TempDir Path dir;

    private static ProbeOutput out(int exit, String out, String err) {
        return new ProbeOutput(
                exit,
                out.getBytes(StandardCharsets.UTF_8),
                err.getBytes(StandardCharsets.UTF_8),
                false);
    }

    private static Verdict judge(FilesOpenCheck c, ProbeOutput... outputs) {
        return Observed.judge(c, Observation.ofHost(outputs), NOW);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    open=3500 0\\nmax=4000 | PASS-if-90 | system: 3500 of 4000 files open (87.5%)
                    open=3500 0\\nmax=4000 | FAIL | system: 3500 of 4000 files open (87.5%, fail above 80%)
                    open=5665 0\\nmax=9223372036854775807 | PASS | system: 5665 of 9223372036854775807 files open (0.0%)
                    open=1200 200\\nmax=1000 | FAIL | system: 1000 of 1000 files open (100.0%, fail above 80%)
                    """)
    void judgesSystemWideOpenFilesAgainstTheLimit(String output, String status, String reason) {
        double max = status.endsWith("90") ? 90 : 80;
        Verdict v =
                judge(
                        new FilesOpenCheck(new Amount(max, true), Optional.empty()),
                        out(0, output.replace("\\n", "\n") + "\n", ""));
        assertEquals(status.replace("-if-90", ""), v.status().name(), v.reason());
        assertEquals(reason, v.reason());
    }

    @Test
    void freeBsdSysctlAndNetstatMbufDenialsAreRead() {
        // sysctl -n kern.openfiles kern.maxfiles, and netstat -m's request lines (FreeBSD 14).
        String freebsd =
                """
                open=1021 0
                max=64000
                mbuf=0/0/0 requests for mbufs denied (mbufs/clusters/mbuf+clusters)
                mbuf=0/0/0 requests for mbufs delayed (mbufs/clusters/mbuf+clusters)
                mbuf=0/0/0 requests for jumbo clusters delayed (4k/9k/16k)
                mbuf=0/12/0 requests for jumbo clusters denied (4k/9k/16k)
                """;
        Verdict v = judge(new FilesOpenCheck(EIGHTY, Optional.empty()), out(0, freebsd, ""));
        assertEquals(Status.FAIL, v.status(), v.reason());
        assertEquals(
                "netstat -m: 0/12/0 requests for jumbo clusters denied (4k/9k/16k)", v.reason());
        Verdict ok =
                judge(
                        new FilesOpenCheck(EIGHTY, Optional.empty()),
                        out(0, freebsd.replace("0/12/0", "0/0/0"), ""));
        assertEquals(Status.PASS, ok.status(), ok.reason());
        assertEquals("system: 1021 of 64000 files open (1.6%)", ok.reason());
    }

    @Test
    void eachProcessIsJudgedAgainstItsSoftLimit() {
        Verdict v =
                judge(
                        new FilesOpenCheck(EIGHTY, Optional.of("nginx")),
                        out(0, "open=900 0\nmax=100000\n", ""),
                        out(
                                0,
                                "user=root\nproc=811 12 1024\nproc=812 1010 1024\nproc=813 5 unlimited\n",
                                ""));
        assertEquals(Status.FAIL, v.status(), v.reason());
        assertEquals("nginx pid 812: 1010 of 1024 files open (98.6%, fail above 80%)", v.reason());
        assertEquals(
                List.of(
                        "system: 900 of 100000 files open (0.9%)",
                        "nginx pid 811: 12 of 1024 files open (1.2%)",
                        "nginx pid 812: 1010 of 1024 files open (98.6%, fail above 80%)",
                        "nginx pid 813: 5 files open (no limit)"),
                v.details());
    }

    @Test
    void anotherUsersProcessIsAnErrorSayingRootIsNeededNeverAPass() {
        Verdict v =
                judge(
                        new FilesOpenCheck(EIGHTY, Optional.of("nginx")),
                        out(0, "open=900 0\nmax=100000\n", ""),
                        out(0, "user=deploy\ndenied=812\n", ""));
        assertEquals(Status.ERROR, v.status(), v.reason());
        assertEquals(
                "nginx pid 812: /proc/812/fd is not readable as deploy (another user's descriptors need root)",
                v.reason());
    }

    @Test
    void noProcessOfThatNameFails() {
        Verdict v =
                judge(
                        new FilesOpenCheck(EIGHTY, Optional.of("nginx")),
                        out(0, "open=900 0\nmax=100000\n", ""),
                        out(0, "user=root\n", ""));
        assertEquals(Status.FAIL, v.status(), v.reason());
        assertEquals("no process named nginx", v.reason());
    }

    @Test
    void aHostWithoutEitherSourceIsAnErrorNamingWhatIsMissing() {
        Verdict v =
                judge(
                        new FilesOpenCheck(EIGHTY, Optional.empty()),
                        out(127, "", "no /proc/sys/fs/file-nr and no sysctl kern.openfiles\n"));
        assertEquals(Status.ERROR, v.status());
        assertEquals(
                "open files: no /proc/sys/fs/file-nr and no sysctl kern.openfiles", v.reason());
    }

    @Test
    void thisMachinesOpenFilesAndTheTestJvmsDescriptorsAreRead() throws Exception {
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: fds
                            files_open: { max_used: 100%, process: java }
                        """);
        CheckResult c = check(r, "fds");
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        long me = ProcessHandle.current().pid();
        assertTrue(c.verdict().reason().startsWith("system: "), c.verdict().reason());
        assertTrue(c.verdict().reason().contains("java pid " + me + ": "), c.verdict().reason());
    }
}
