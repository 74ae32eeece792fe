package dev.postflight.run;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.check.Status;
import dev.postflight.inventory.Host;
import dev.postflight.testing.LocalRun;
import dev.postflight.testing.SshTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: how many processes the 12 checks of {@code bench/fleet.sh} start on a host, counted by
 * the kernel. Every command of the SSH test server runs as the second process of a PID namespace of
 * its own (the first is a wrapper shell that waits for it), and a new namespace hands out PIDs 1,
 * 2, 3, … to every process and thread created in it, never reusing one while others are free; so
 * the namespace's last PID (the last field of its {@code /proc/loadavg}, read by the wrapper with
 * the builtin {@code read} after the command and all it left behind have ended; {@code
 * /proc/sys/kernel/ns_last_pid} lagged behind here) minus the ones counted before the command is
 * the number of processes the command and its children started, itself included: the login shell's
 * {@code sh -c}, the batch's shells, subshells and tools, and the probes' own commands. A batch's
 * work is the same over OpenSSH.
 */
class BatchProcessCountTest {
    @TempDir Path dir;

    /** The checks of bench/fleet.sh, with tolerances that pass on any machine. */
    private static final String TWELVE =
            """
            checklist: twelve
            checks:
              - { id: file-exists, file: { path: /etc/hostname } }
              - { id: file-age, file: { path: /etc/passwd, max_age: 36500d } }
              - { id: process, process: { pattern: "sh" } }
              - { id: port, port: { port: 1, listening: false } }
              - { id: disk, disk: { mount: /, max_used: 100% } }
              - { id: inodes, disk: { mount: /, max_inodes_used: 100% } }
              - { id: clock, clock: { reference: runner, warn: 1m, critical: 2m } }
              - { id: command-output, command: { run: "uname -s", stdout_contains: Linux } }
              - { id: file-contains, file: { path: /etc/passwd, contains: "root:" } }
              - { id: load, command: { run: "cat /proc/loadavg" } }
              - { id: file-absent, file: { path: /nonexistent/postflight, exists: false } }
              - { id: uid, command: { run: "id -u", stdout_matches: "^[0-9]+$" } }
            """;

    /**
     * A shell for the test server that runs each command in a PID namespace of its own after {@code
     * setup} and appends the number of processes the command started to {@code counts}.
     */
    private static List<String> countingShell(String setup, Path counts) {
        return List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "--pid",
                "--fork",
                "--mount-proc",
                "sh",
                "-c",
                "trap : HUP INT PIPE TERM; exec 9>>'"
                        + counts
                        + "'; "
                        + setup
                        + "read pf_l pf_l pf_l pf_l pf_before </proc/loadavg; read pf_t0 pf_l </proc/uptime;"
                        + " /bin/sh -c \"$1\" 9>&-;"
                        + " read pf_l pf_l pf_l pf_l pf_after </proc/loadavg; read pf_t1 pf_l </proc/uptime;"
                        + " case $1 in *'exec sh'\\') pf_what=batch;; *) pf_what=other;; esac;"
                        // The count first: the runner closes the session once the clock's
                        // round trips are done, and the test server then kills what is left.
                        + " echo $pf_what $((pf_after - pf_before)) $pf_t0 $pf_t1 >&9;"
                        + " [ $pf_what = batch ] || exit 0;"
                        // What the batch left behind once it ended (the runner waits for its
                        // exit): processes still alive after up to 3 s (the namespace's PID 1
                        // is this wrapper), and files in the namespace's own /dev/shm.
                        + " pf_i=0; while [ $pf_i -lt 30 ]; do pf_left=;"
                        + " for pf_p in /proc/[0-9]*; do [ \"$pf_p\" = /proc/1 ] && continue;"
                        + " [ \"$pf_p\" = /proc/$$ ] && continue;"
                        + " read -r pf_c <$pf_p/comm 2>/dev/null && pf_left=$pf_left$pf_c,; done;"
                        + " [ -z \"$pf_left\" ] && break; sleep 0.1; pf_i=$((pf_i+1)); done;"
                        + " pf_shm=$(ls -A /dev/shm | tr '\\n' ,);"
                        + " echo leftover left=$pf_left shm=$pf_shm >&9",
                "sh");
    }

    private static boolean namespacesWork() throws Exception {
        Process p =
                new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "true")
                        .redirectErrorStream(true)
                        .start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    /**
     * The processes the batch started, and how many seconds it ran: the batch's watcher starts a
     * {@code sleep 1} every second, so a slow machine adds about one process a second.
     */
    private record Count(int processes, double seconds, String left, String shm) {
        /** Processes, less the watcher's sleeps after its first. */
        int withoutTime() {
            return processes - (int) seconds;
        }
    }

    /** What the clock's round-trip exec (the only other exec of the run) started. */
    private List<Integer> clockExecs = List.of();

    /** Runs the twelve checks over SSH; returns what the batch's exec started on the host. */
    private List<Count> count(String setup) throws Exception {
        assumeTrue(namespacesWork(), "needs root for unshare --pid --mount-proc");
        Path counts = dir.resolve("counts");
        try (SshTestServer s =
                SshTestServer.start(
                                dir,
                                Map.of("PATH", "/usr/bin:/bin:/usr/sbin:/sbin"),
                                false,
                                countingShell(setup, counts))
                        // As sshd does: a closed channel closes the command's pipes and kills
                        // nothing, so the wrapper always gets to write its count.
                        .closingChannelsLikeOpenSsh()) {
            RunReport report =
                    LocalRun.run(
                            dir,
                            TWELVE,
                            Host.at("counted", s.host()),
                            s.connector("counted", s.writeKnownHosts(dir.resolve("known_hosts"))));
            HostResult r = report.hosts().get(0);
            for (String id :
                    List.of(
                            "file-exists",
                            "file-age",
                            "process",
                            "port",
                            "disk",
                            "inodes",
                            "clock",
                            "command-output",
                            "file-contains",
                            "load",
                            "file-absent",
                            "uid")) {
                CheckResult c = check(r, id);
                assertEquals(Status.PASS, c.status(), id + ": " + c.verdict().reason());
            }
        }
        // The runner closes the session once the batch's end marker is in; the wrapper ignores the
        // hangup and writes its count when the batch's last process has ended.
        long until = System.nanoTime() + 20_000_000_000L;
        while (true) {
            List<String> lines = Files.exists(counts) ? Files.readAllLines(counts) : List.of();
            List<String[]> counted =
                    lines.stream()
                            .filter(l -> l.startsWith("batch "))
                            .map(l -> l.split(" "))
                            .toList();
            List<String[]> leftovers =
                    lines.stream()
                            .filter(l -> l.startsWith("leftover "))
                            .map(l -> l.split(" ", -1))
                            .toList();
            List<Count> batch = new ArrayList<>();
            for (int i = 0; i < Math.min(counted.size(), leftovers.size()); i++) {
                String[] f = counted.get(i);
                String[] left = leftovers.get(i);
                batch.add(
                        new Count(
                                Integer.parseInt(f[1]),
                                Double.parseDouble(f[3]) - Double.parseDouble(f[2]),
                                left[1].substring("left=".length()),
                                left[2].substring("shm=".length())));
            }
            clockExecs =
                    lines.stream()
                            .filter(l -> l.startsWith("other "))
                            .map(l -> Integer.parseInt(l.split(" ")[1]))
                            .toList();
            if ((!batch.isEmpty() && !clockExecs.isEmpty()) || System.nanoTime() > until) {
                System.out.println("processes per exec: " + lines);
                return batch;
            }
            Thread.sleep(50);
        }
    }

    /**
     * 44 before issue 18: the sizes came through a pipeline and every probe's program was forked;
     * 39 with one head -c per output, two watchdogs and mktemp. Now 21: the exec's shells and the
     * clock's {@code date} 3, the folder's {@code mkdir} 1, the one watchdog and its {@code sleep}
     * 2, the twelve checks' own programs 10 ({@code stat} ×2, {@code ps}, {@code ss}, {@code df}
     * ×2, {@code head}, {@code uname}, {@code cat}, {@code id}, each but the first df run as its
     * probe's subshell by {@code exec}), the absent file's subshell 1, and {@code cp}, {@code wc},
     * {@code cat} and {@code rm} 4. The batch leaves no process and no file behind.
     */
    @Test
    void theTwelveFleetChecksStartAtMost21ProcessesOnAHostAndLeaveNothingBehind() throws Exception {
        List<Count> perExec = count(PRIVATE_SHM);
        System.out.println("processes per exec, 12 checks: " + perExec);
        assertEquals(1, perExec.size(), "execs: " + perExec);
        Count batch = perExec.get(0);
        assertTrue(batch.withoutTime() <= 21, "processes started: " + batch);
        assertEquals("", batch.left(), "processes left behind");
        assertEquals("", batch.shm(), "files left in /dev/shm");
        // The clock's round trips: the exec's sh and bash, which it becomes (no bash started
        // only to ask whether it has $EPOCHREALTIME).
        assertEquals(List.of(2), clockExecs, "processes of the clock's exec");
    }

    /**
     * Without {@code cp} (here: not executable) the outputs cannot be copied, so every output is
     * sent with a {@code head -c} of its own: same verdicts, more processes.
     */
    @Test
    void withoutCpEveryOutputIsSentByAHeadOfItsOwnWithTheSameVerdicts() throws Exception {
        List<Count> perExec =
                count(PRIVATE_SHM + "mount --bind /dev/null \"$(command -v cp)\" || exit 99; ");
        System.out.println("processes per exec, 12 checks, no cp: " + perExec);
        assertEquals(1, perExec.size(), "execs: " + perExec);
        Count batch = perExec.get(0);
        assertTrue(batch.withoutTime() > 21, "no head -c ran: " + batch);
        assertEquals("", batch.left(), "processes left behind");
        assertEquals("", batch.shm(), "files left in /dev/shm");
    }

    /** An empty /dev/shm of the exec's own, where the batch makes its folder. */
    private static final String PRIVATE_SHM =
            "mount -t tmpfs -o size=1m tmpfs /dev/shm || exit 99; ";

    /**
     * Without a writable folder every output goes through {@code od} and {@code tr} into shell
     * variables, and every probe has a watchdog of its own: about 16 processes a probe.
     */
    @Test
    void withNoWritableFolderTheTwelveFleetChecksStartAtMost175Processes() throws Exception {
        String full =
                "mount -t tmpfs -o size=64k,nr_inodes=16 tmpfs /tmp || exit 99;"
                        + " mount -t tmpfs -o size=64k,nr_inodes=16 tmpfs /dev/shm || exit 99;"
                        + " for pf_m in /tmp /dev/shm; do i=0; while true 2>/dev/null >$pf_m/f$i;"
                        + " do i=$((i+1)); done; head -c 1000000 /dev/zero 2>/dev/null >$pf_m/f0;"
                        + " done; ";
        List<Count> perExec = count(full);
        System.out.println("processes per exec, 12 checks, no writable folder: " + perExec);
        assertEquals(1, perExec.size(), "execs: " + perExec);
        assertTrue(perExec.get(0).withoutTime() <= 175, "processes started: " + perExec.get(0));
        assertEquals("", perExec.get(0).left(), "processes left behind");
    }
}
