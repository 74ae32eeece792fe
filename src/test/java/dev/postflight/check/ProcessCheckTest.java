package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.inventory.Host;
import dev.postflight.run.CheckResult;
import dev.postflight.run.Connector;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.testing.LocalRun;
import dev.postflight.testing.SshTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCheckTest {
    @TempDir Path dir;
    private Process sleeper;

    /** Recorded from procps-ng 4 on Debian, as the probe prints it (args table, comm table). */
    static final String PS_LINUX =
            """
            self=4242
            @@args
                  1       0 root     /sbin/init
                612       1 root     sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups
                700       1 ntp      /usr/sbin/ntpd -p /var/run/ntpd.pid -g -u 106:112
                801       1 root     nginx: master process /usr/sbin/nginx -g daemon on; master_process on;
                802     801 www-data nginx: worker process
                803     801 www-data nginx: worker process
                804     801 www-data nginx: worker process
                805     801 www-data nginx: worker process
               4200     612 ops      sh -s
               4241    4200 ops      timeout -k 2 10 sh -c : postflight-process-probe nginx
               4242    4241 ops      sh -c : postflight-process-probe nginx
               4243    4242 ops      ps -A -o pid=,ppid=,user=,args=
               4250    4200 ops      sh -c grep nginx /etc/hosts
            @@comm
                  1 systemd
                612 sshd
                700 ntpd
                801 nginx
                802 nginx
                803 nginx
                804 nginx
                805 nginx
               4200 sh
               4241 timeout
               4242 sh
               4243 ps
               4250 sh
            """;

    @AfterEach
    void stopSleeper() {
        if (sleeper != null) sleeper.destroyForcibly();
    }

    private static Verdict judge(ProcessCheck c, String out) {
        return Observed.judge(
                c,
                new Observation(
                        List.of(
                                new ProbeOutput(
                                        0,
                                        out.getBytes(StandardCharsets.UTF_8),
                                        new byte[0],
                                        false)),
                        List.of(),
                        Optional.empty(),
                        Optional.empty()),
                Now.at(Instant.parse("2026-12-06T12:00:00Z")));
    }

    @Test
    void countsByNameAndUserAndListsUpToThreePids() {
        Verdict v =
                judge(
                        new ProcessCheck(
                                Optional.of("nginx"),
                                Optional.empty(),
                                Optional.of("www-data"),
                                1,
                                Optional.of(3)),
                        PS_LINUX);
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "process nginx of user www-data: 4 processes (pid 802, 803, 804, …), expected at"
                        + " most 3",
                v.reason());
    }

    @Test
    void aPatternDoesNotCountTheProbeItselfNorOtherProbesOfTheBatch() {
        Verdict v =
                judge(
                        new ProcessCheck(
                                Optional.empty(),
                                Optional.of(Pattern.compile("nginx")),
                                Optional.empty(),
                                1,
                                Optional.empty()),
                        PS_LINUX);
        assertEquals("processes matching /nginx/: 5 processes (pid 801, 802, 803, …)", v.reason());
        Verdict ntp =
                judge(
                        new ProcessCheck(
                                Optional.of("ntpd"),
                                Optional.empty(),
                                Optional.empty(),
                                1,
                                Optional.empty()),
                        PS_LINUX.replace(
                                "    700       1 ntp      /usr/sbin/ntpd",
                                "    700       1 ntp      /usr/sbin/chronyd"));
        assertEquals(Status.PASS, ntp.status(), "comm is what name compares, not args");
    }

    @Test
    void aProcessCarryingTheProbesNameInItsArgumentsIsStillCounted() {
        // exec -a "xmrig ... postflight-process-probe" xmrig: outside the probe's process tree,
        // so it is not the probe's own, whatever its command line says.
        String table =
                PS_LINUX.replace(
                        "@@comm\n",
                        "   6666       1 nobody   xmrig --donate-level 1 postflight-process-probe\n"
                                + "@@comm\n   6666 xmrig\n");
        Verdict v =
                judge(
                        new ProcessCheck(
                                Optional.of("xmrig"),
                                Optional.empty(),
                                Optional.empty(),
                                0,
                                Optional.of(0)),
                        table);
        assertEquals(Status.FAIL, v.status(), v.reason());
        assertEquals("process xmrig: 1 process (pid 6666), expected at most 0", v.reason());
    }

    @Test
    void aRenamedProcessCannotHideBehindTheProbesNameOnARealHost() throws Exception {
        String token = "5" + ProcessHandle.current().pid() + "9";
        sleeper =
                new ProcessBuilder(
                                "bash",
                                "-c",
                                "exec -a 'xmrig-" + token + " postflight-process-probe' sleep 60")
                        .start();
        HostResult r = null;
        for (int tries = 0; tries < 50; tries++) {
            r =
                    LocalRun.run(
                            dir,
                            """
                            checks:
                              - id: miner
                                process: { pattern: "^xmrig-%s", max: 0 }
                              - id: renamed
                                process: { pattern: "^xmrig-%s", min: 0 }
                            """
                                    .formatted(token, token));
            if (check(r, "renamed")
                    .verdict()
                    .reason()
                    .endsWith(": 1 process (pid " + sleeper.pid() + ")")) break;
            Thread.sleep(100); // bash has not exec'd sleep yet
        }
        CheckResult miner = check(r, "miner");
        assertEquals(Status.FAIL, miner.status(), miner.verdict().reason());
        assertTrue(
                miner.verdict().reason().contains("1 process (pid " + sleeper.pid() + ")"),
                miner.verdict().reason());
    }

    @Test
    void minMustNotExceedMax() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new ProcessCheck(
                                        Optional.of("x"),
                                        Optional.empty(),
                                        Optional.empty(),
                                        3,
                                        Optional.of(2)));
        assertEquals("min (3) must not exceed max (2)", e.getMessage());
    }

    @Test
    void aCheckFileWithMinAboveMaxIsRejectedBeforeAnyHostIsContacted() {
        dev.postflight.input.InvalidInput e =
                assertThrows(
                        dev.postflight.input.InvalidInput.class,
                        () ->
                                LocalRun.run(
                                        dir,
                                        """
                                        checks:
                                          - id: workers
                                            process: { name: nginx, min: 3, max: 2, usr: www }
                                        """));
        String all = e.errors().toString();
        assertTrue(all.contains("min (3) must not exceed max (2)"), all);
        assertTrue(all.contains("unknown key 'usr'") && all.contains("'user'"), all);
    }

    @Test
    void findsAProcessStartedHereByPatternAndCountsNoneOfTheProbe() throws Exception {
        String token = "3" + ProcessHandle.current().pid() + "7";
        sleeper = new ProcessBuilder("sleep", token).start();
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: mine
                            process: { pattern: "^sleep %s$", max: 1 }
                          - id: by-name
                            process: { name: sleep, min: 1 }
                          - id: none
                            process: { pattern: "no-such-process-%s", max: 0 }
                          - id: probe-text
                            process: { pattern: "postflight-process-probe", max: 0 }
                        """
                                .formatted(token, token));
        CheckResult mine = check(r, "mine");
        assertEquals(Status.PASS, mine.status(), mine.verdict().reason());
        assertTrue(
                mine.verdict().reason().endsWith("1 process (pid " + sleeper.pid() + ")"),
                mine.verdict().reason());
        assertEquals(Status.PASS, check(r, "by-name").status());
        assertEquals(Status.PASS, check(r, "none").status(), check(r, "none").verdict().reason());
        assertEquals(
                Status.PASS,
                check(r, "probe-text").status(),
                check(r, "probe-text").verdict().reason());
    }

    @Test
    void aNameIsTheProgramsOwnCommandNameEvenWhenItsArgumentsSaySomethingElse() throws Exception {
        String token = "4" + ProcessHandle.current().pid() + "1";
        // bash's exec -a renames argv[0]; the kernel's command name stays "sleep".
        sleeper =
                new ProcessBuilder("bash", "-c", "exec -a pf-renamed-" + token + " sleep " + token)
                        .start();
        HostResult r = null;
        for (int tries = 0; tries < 50; tries++) {
            r =
                    LocalRun.run(
                            dir,
                            """
                            checks:
                              - id: by-args
                                process: { pattern: "^pf-renamed-%s %s$", min: 1, max: 1 }
                              - id: by-name
                                process: { name: "pf-renamed-%s", max: 0 }
                            """
                                    .formatted(token, token, token));
            if (check(r, "by-args").status() == Status.PASS) break;
            Thread.sleep(100); // bash has not exec'd sleep yet
        }
        CheckResult byArgs = check(r, "by-args");
        assertEquals(Status.PASS, byArgs.status(), byArgs.verdict().reason());
        CheckResult byName = check(r, "by-name");
        assertEquals(Status.PASS, byName.status(), byName.verdict().reason());
        assertTrue(byName.verdict().reason().endsWith(": 0 processes"), byName.verdict().reason());
    }

    @Test
    void fieldsSplitAtBlanksAndTheLastKeepsTheRestOfTheLine() {
        assertArrayEquals(
                new String[] {"612", "1", "root", "sshd: /usr/sbin/sshd -D  [listener] 0 of 10"},
                ProcessCheck.fields(
                        "612     1 root     sshd: /usr/sbin/sshd -D  [listener] 0 of 10", 4));
        assertArrayEquals(
                new String[] {"4200", "kworker/u8:1"}, ProcessCheck.fields("4200 kworker/u8:1", 2));
        assertArrayEquals(new String[] {"1", "0", "root"}, ProcessCheck.fields("1\t0  root", 4));
        assertArrayEquals(new String[0], ProcessCheck.fields("", 4));
    }

    /**
     * On a busy host processes come and go while the probe reads their names. Hermetic: in a
     * private mount namespace a made-up /proc (pid 9999 gone before its name was read, and last in
     * the shell's glob) sits over the real one, and a shim ps prints the matching table.
     */
    @Test
    void aProcessGoneBeforeItsNameIsReadIsSkippedNotAnError() throws Exception {
        Path proc = dir.resolve("proc");
        for (String[] e : new String[][] {{"1", "systemd"}, {"612", "sshd"}, {"self", "sh"}}) {
            Files.createDirectories(proc.resolve(e[0]));
            Files.writeString(proc.resolve(e[0]).resolve("comm"), e[1] + "\n");
        }
        Files.createDirectories(proc.resolve("9999"));
        Path shims = Files.createDirectories(dir.resolve("shims"));
        Path ps = shims.resolve("ps");
        Files.writeString(
                ps,
                """
                #!/bin/sh
                case "$*" in
                *args=*) printf '    1     0 root     /sbin/init splash\\n  612     1 root     sshd: /usr/sbin/sshd -D [listener]\\n 9999     1 root     short-lived\\n' ;;
                *) exit 3 ;;
                esac
                """);
        Files.setPosixFilePermissions(ps, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (SshTestServer s =
                SshTestServer.start(
                        dir,
                        Map.of("PATH", shims + ":/usr/bin:/bin"),
                        false,
                        SshTestServer.privateMountShell(
                                "mount --bind " + proc + " /proc || exit 99; "))) {
            Connector connector =
                    s.connector("busy", s.writeKnownHosts(dir.resolve("known_hosts")));
            RunReport report =
                    LocalRun.run(
                            dir,
                            """
                            checks:
                              - id: init
                                process: { name: systemd, max: 1 }
                              - id: sshd
                                process: { name: sshd }
                            """,
                            Host.at("busy", s.host()),
                            connector);
            HostResult r = report.hosts().get(0);
            CheckResult init = check(r, "init");
            // The name comes from /proc/1/comm: the args say /sbin/init.
            assertEquals(Status.PASS, init.status(), init.verdict().reason());
            assertEquals("process systemd: 1 process (pid 1)", init.verdict().reason());
            assertEquals(
                    Status.PASS, check(r, "sshd").status(), check(r, "sshd").verdict().reason());
        }
    }
}
