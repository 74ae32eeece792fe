package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.input.Amount;
import dev.postflight.input.InvalidInput;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.LocalRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessesCheckTest {
    private static final Now NOW = Now.at(Instant.parse("2026-12-06T12:00:00Z"));
    private static final Amount SHARE = new Amount(80, true);

    @TempDir Path dir;

    private static ProcessesCheck zombiesOnly(int max) {
        return new ProcessesCheck(
                max, Optional.empty(), Duration.ofMinutes(10), Optional.empty(), SHARE);
    }

    private static Verdict judge(ProcessesCheck c, int exit, String out, String err) {
        return Recorded.judge(c, exit, out, err, NOW);
    }

    private static ProcessesCheck.Proc proc(
            long pid, String name, String state, long cpuS, long ageS) {
        return new ProcessesCheck.Proc(
                pid, 1, name, state, Duration.ofSeconds(ageS), Duration.ofSeconds(cpuS));
    }

    /** A Linux /proc/PID/stat line: utime, stime and starttime in ticks of 1/100 s. */
    private static String stat(
            long pid, String comm, String state, long ppid, long cpuTicks, long startTicks) {
        return "stat="
                + pid
                + " ("
                + comm
                + ") "
                + state
                + " "
                + ppid
                + " 1 1 0 -1 4194560 100 0 0 0 "
                + cpuTicks
                + " 0 0 0 20 0 1 0 "
                + startTicks
                + " 1000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
    }

    @Test
    void moreZombiesThanAllowedFailNamingEachAndItsParent() {
        Verdict v =
                zombiesOnly(0)
                        .judge(
                                new ProcessesCheck.Seen(
                                        List.of(
                                                new ProcessesCheck.Proc(
                                                        7,
                                                        1,
                                                        "init",
                                                        "S",
                                                        Duration.ofHours(1),
                                                        Duration.ZERO),
                                                new ProcessesCheck.Proc(
                                                        42,
                                                        7,
                                                        "worker",
                                                        "Z",
                                                        Duration.ofHours(1),
                                                        Duration.ZERO)),
                                        1000,
                                        "kernel.pid_max"),
                                NOW);
        assertEquals(Status.FAIL, v.status());
        assertEquals("1 zombie (at most 0): pid 42 (worker) of parent 7 (init)", v.reason());
    }

    @Test
    void aFullProcessTableFailsAgainstTheKernelsLimit() {
        List<ProcessesCheck.Proc> many =
                java.util.stream.LongStream.rangeClosed(1, 9)
                        .mapToObj(i -> proc(i, "p", "S", 0, 60))
                        .toList();
        Verdict v = zombiesOnly(5).judge(new ProcessesCheck.Seen(many, 10, "kern.maxproc"), NOW);
        assertEquals(Status.FAIL, v.status());
        assertEquals("9 processes (90% of kern.maxproc 10) (at most 80%)", v.reason());
        Verdict ok = zombiesOnly(5).judge(new ProcessesCheck.Seen(many, 20, "kern.maxproc"), NOW);
        assertEquals(Status.PASS, ok.status());
        assertEquals("9 processes (45% of kern.maxproc 20); 0 zombies", ok.reason());
    }

    @Test
    void aRunawayIsAboveMaxCpuOverALifeAtLeastForLong() {
        ProcessesCheck c =
                new ProcessesCheck(
                        5, Optional.of(90.0), Duration.ofMinutes(10), Optional.empty(), SHARE);
        List<ProcessesCheck.Proc> procs =
                List.of(
                        proc(10, "spin", "R", 570, 600), // 95% for 10m: runaway
                        proc(11, "young", "R", 299, 300), // busy, but only 5m old
                        proc(12, "java", "S", 7200, 3600), // 200% (two cores) for 1h
                        proc(13, "calm", "S", 60, 6000),
                        proc(14, "dead", "Z", 600, 600)); // a zombie is not a runaway
        Verdict v = c.judge(new ProcessesCheck.Seen(procs, 1000, "kernel.pid_max"), NOW);
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "2 above 90% CPU for 10m: pid 12 (java) 200% over 1h00m, pid 10 (spin) 95% over"
                        + " 10m00s",
                v.reason());
    }

    @Test
    void countsProcessesOfOneNameWithinMinAndMax() {
        List<ProcessesCheck.Proc> procs =
                List.of(
                        proc(1, "nginx", "S", 0, 60),
                        proc(2, "nginx", "S", 0, 60),
                        proc(3, "nginx", "Z", 0, 60));
        for (Object[] row :
                new Object[][] {
                    {
                        1,
                        Optional.of(64),
                        Status.PASS,
                        "3 processes (0.3% of kernel.pid_max 1000); 1 zombie; nginx: 2"
                    },
                    {3, Optional.of(64), Status.FAIL, "nginx: 2 (at least 3)"},
                    {1, Optional.of(1), Status.FAIL, "nginx: 2 (at most 1)"},
                }) {
            ProcessesCheck c =
                    new ProcessesCheck(
                            5,
                            Optional.empty(),
                            Duration.ofMinutes(10),
                            Optional.of(
                                    new ProcessesCheck.NameCount(
                                            "nginx", (Integer) row[0], (Optional<Integer>) row[1])),
                            SHARE);
            Verdict v = c.judge(new ProcessesCheck.Seen(procs, 1000, "kernel.pid_max"), NOW);
            assertEquals(row[2], v.status(), v.reason());
            assertEquals(row[3], v.reason());
        }
    }

    @Test
    void readsLinuxAndBusyBoxProcStatLeavingOutTheProbesOwnProcesses() {
        String out =
                "self=500\nhz=100\nuptime=10000.00\nlimit_name=kernel.pid_max\nlimit=4194304\n"
                        + stat(1, "systemd", "S", 0, 1000, 1)
                        + stat(300, "php-fpm: pool (www)", "S", 1, 0, 500)
                        + stat(301, "php-fpm", "Z", 300, 0, 600)
                        + stat(400, "spin", "R", 1, 810000, 100000)
                        + stat(500, "sh", "S", 1, 0, 999000)
                        + stat(501, "cat", "R", 500, 0, 999900)
                        + stat(502, "sed", "Z", 500, 0, 999900);
        ProcessesCheck c =
                new ProcessesCheck(
                        0,
                        Optional.of(80.0),
                        Duration.ofHours(1),
                        Optional.of(new ProcessesCheck.NameCount("sed", 0, Optional.of(0))),
                        SHARE);
        Verdict v = judge(c, 0, out, "");
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "1 zombie (at most 0): pid 301 (php-fpm) of parent 300 (php-fpm: pool (www));"
                        + " 1 above 80% CPU for 60m: pid 400 (spin) 90% over 2h30m",
                v.reason());
    }

    @Test
    void readsFreeBsdPsWithItsCpuTimeFormat() {
        String out =
                """
                self=900
                limit_name=kern.maxproc
                limit=12328
                ps=    1     0 ILs      86400    0:00.05 init
                ps=  612     1 Ss       86000    1:02.33 sshd
                ps=  700     1 R         7200   115:00.00 python3.11
                ps=  701   612 Z         3600    0:00.00 <defunct>
                ps=  900   612 Ss           1    0:00.00 sh
                ps=  901   900 R+           0    0:00.00 ps
                """;
        ProcessesCheck c =
                new ProcessesCheck(
                        0,
                        Optional.of(90.0),
                        Duration.ofHours(1),
                        Optional.of(new ProcessesCheck.NameCount("sshd", 1, Optional.empty())),
                        SHARE);
        Verdict v = judge(c, 0, out, "");
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "1 zombie (at most 0): pid 701 (<defunct>) of parent 612 (sshd); 1 above 90% CPU"
                        + " for 60m: pid 700 (python3.11) 95.8% over 2h00m",
                v.reason());
    }

    @Test
    void readsFreeBsdCpuTimesWithHoursAndDays() {
        assertEquals(Optional.of(Duration.ofMillis(62_330)), ProcessesCheck.cpuTime("1:02.33"));
        assertEquals(Optional.of(Duration.ofSeconds(3723)), ProcessesCheck.cpuTime("01:02:03"));
        assertEquals(Optional.of(Duration.ofSeconds(90_000)), ProcessesCheck.cpuTime("1-01:00:00"));
        assertEquals(Optional.empty(), ProcessesCheck.cpuTime("-"));
    }

    @Test
    void aHostWithoutProcOrPsIsAnErrorNamingIt() {
        Verdict v = judge(zombiesOnly(0), 127, "self=1\n", "ps not found (and no /proc)\n");
        assertEquals(Status.ERROR, v.status());
        assertEquals("processes: ps not found (and no /proc)", v.reason());
    }

    @Test
    void outputWithoutAnyProcessIsAnErrorNeverAPass() {
        Verdict v = judge(zombiesOnly(0), 0, "self=1\nlimit=100\n", "");
        assertEquals(Status.ERROR, v.status());
        assertEquals("processes: no process could be read", v.reason());
    }

    @Test
    void aZombieMadeOnThisMachineIsFoundWithItsParent() throws Exception {
        // dash starts a child and does not reap it while it blocks in read: the child stays a
        // zombie until stdin closes, then dash reaps it (killing dash would leave it to PID 1,
        // which in a container may never reap it)
        assumeTrue(MemoryCheckTest.onPath("dash"), "needs dash");
        Process parent = new ProcessBuilder("dash", "-c", "sleep 0 & read x; wait").start();
        try {
            long child = waitForZombieChildOf(parent.pid());
            ProcessesCheck.Seen seen = ProcessesCheck.read(runSnippet("sh"));
            ProcessesCheck.Proc zombie =
                    seen.procs().stream().filter(q -> q.pid() == child).findFirst().orElseThrow();
            assertTrue(zombie.zombie(), zombie.toString());
            assertEquals(parent.pid(), zombie.ppid());
            assertEquals("sleep", zombie.name());
            HostResult r =
                    LocalRun.run(
                            dir,
                            """
                            checks:
                              - id: zombies
                                processes: { max_zombies: 0, max_share: 100% }
                            """);
            CheckResult c = check(r, "zombies");
            assertEquals(Status.FAIL, c.status(), c.verdict().reason());
            assertTrue(c.verdict().reason().contains(" (at most 0): pid "), c.verdict().reason());
        } finally {
            parent.getOutputStream().close();
            if (!parent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                parent.destroyForcibly().waitFor();
            }
        }
    }

    private static ProbeOutput runSnippet(String... sh) throws Exception {
        String[] cmd = new String[sh.length + 2];
        System.arraycopy(sh, 0, cmd, 0, sh.length);
        cmd[sh.length] = "-c";
        cmd[sh.length + 1] = ProcessesCheck.SCRIPT;
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), String.join(" ", sh));
        return new ProbeOutput(0, out, new byte[0], false);
    }

    @Test
    void aBusyLoopStartedHereIsSeenAsBusyAndTheProbeLeavesItselfOut() throws Exception {
        Path spin = dir.resolve("pfspin");
        Files.copy(Path.of("/bin/sh").toRealPath(), spin);
        spin.toFile().setExecutable(true);
        Process busy = new ProcessBuilder(spin.toString(), "-c", "while :; do :; done").start();
        try {
            // on a loaded machine the loop gets what it gets: wait until it has burnt half a
            // second, as /proc says, rather than for a fixed time
            Duration burnt = Duration.ZERO;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline
                    && (burnt = cpuOf(busy.pid())).compareTo(Duration.ofMillis(500)) < 0) {
                Thread.sleep(100);
            }
            Thread.sleep(1000);
            for (String[] sh : new String[][] {{"dash"}, {"busybox", "sh"}, {"sh"}}) {
                if (!MemoryCheckTest.onPath(sh[0])) continue;
                String[] cmd = new String[sh.length + 2];
                System.arraycopy(sh, 0, cmd, 0, sh.length);
                cmd[sh.length] = "-c";
                cmd[sh.length + 1] = ProcessesCheck.SCRIPT;
                Process p = new ProcessBuilder(cmd).start();
                byte[] out = p.getInputStream().readAllBytes();
                assertEquals(0, p.waitFor(), String.join(" ", sh));
                String text = new String(out, StandardCharsets.UTF_8);
                long self = Long.parseLong(text.lines().findFirst().orElseThrow().substring(5));
                assertTrue(
                        text.contains("\nstat=" + self + " ("), "the raw output lists the probe");
                ProcessesCheck.Seen seen =
                        ProcessesCheck.read(new ProbeOutput(0, out, new byte[0], false));
                assertFalse(
                        seen.procs().stream().anyMatch(q -> q.pid() == self || q.ppid() == self),
                        "the probe's own processes are left out");
                ProcessesCheck.Proc mine =
                        seen.procs().stream()
                                .filter(q -> q.pid() == busy.pid())
                                .findFirst()
                                .orElseThrow();
                assertEquals("pfspin", mine.name());
                assertTrue(mine.elapsed().toMillis() >= 1000, mine.toString());
                assertTrue(
                        mine.cpu().compareTo(burnt) >= 0 && mine.cpuPercent() > 0,
                        burnt + " " + mine);
                assertTrue(seen.limit() > 0 && seen.limitName().equals("kernel.pid_max"));
            }
        } finally {
            busy.destroyForcibly().waitFor();
        }
    }

    @Test
    void forWithoutMaxCpuIsAnInputErrorAtItsKey() {
        InvalidInput e =
                assertThrows(
                        InvalidInput.class,
                        () ->
                                LocalRun.run(
                                        dir,
                                        """
                                        checks:
                                          - id: runaway
                                            processes: { for: 5m }
                                        """));
        assertTrue(
                e.getMessage()
                        .contains(
                                "3:23: for: needs max_cpu (the CPU share a process must stay above)"),
                e.getMessage());
    }

    @Test
    void aCountWithoutANameOrWithMaxBelowMinIsAnInputError() {
        InvalidInput noName =
                assertThrows(
                        InvalidInput.class,
                        () ->
                                LocalRun.run(
                                        dir,
                                        """
                                        checks:
                                          - id: nginx
                                            processes: { count: { min: 1 } }
                                        """));
        assertTrue(noName.getMessage().contains("'name'"), noName.getMessage());
        InvalidInput backwards =
                assertThrows(
                        InvalidInput.class,
                        () ->
                                LocalRun.run(
                                        dir,
                                        """
                                        checks:
                                          - id: nginx
                                            processes: { count: { name: nginx, min: 4, max: 2 } }
                                        """));
        assertTrue(
                backwards.getMessage().contains("count: max (2) must not be below min (4)"),
                backwards.getMessage());
    }

    @Test
    void theReadmeExampleRunsOnThisMachine() throws Exception {
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: processes
                            processes: { max_zombies: 0, max_cpu: 90, for: 30m, count: { name: pf-no-such, min: 1, max: 64 } }
                        """);
        CheckResult c = check(r, "processes");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict().reason().endsWith("pf-no-such: 0 (at least 1)"), c.verdict().reason());
    }

    /** utime + stime of a process, read here to compare with what the probe read. */
    private static Duration cpuOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", "" + pid, "stat"));
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Duration.ofMillis((Long.parseLong(rest[11]) + Long.parseLong(rest[12])) * 10);
    }

    private static long waitForZombieChildOf(long parent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Path children = Path.of("/proc", "" + parent, "task", "" + parent, "children");
            if (Files.isReadable(children)) {
                for (String pid : Files.readString(children).strip().split("\\s+")) {
                    if (pid.isEmpty()) continue;
                    String stat = Files.readString(Path.of("/proc", pid, "stat"));
                    if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
                        return Long.parseLong(pid);
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no zombie child of " + parent + " appeared");
    }
}
