package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.inventory.Host;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.FreeBsdHost;
import dev.postflight.testing.LocalRun;
import dev.postflight.testing.PortableHost;
import dev.postflight.testing.Sleepers;
import dev.postflight.testing.SshTestServer;
import dev.postflight.testing.TestCerts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 18 (seed 004: FreeBSD and Linux servers): every check type that can work on FreeBSD runs
 * over SSH on a FreeBSD personality ({@link FreeBsdHost}: FreeBSD's tools as shims that translate
 * this machine's state, counters replayed from recordings of FreeBSD 13 and 14) and gives the
 * verdict that is true of what the test set up or recorded, passing and failing; what has no
 * FreeBSD path is an error that says so, never a pass.
 */
class FreeBsdPersonalityTest {
    @TempDir Path dir;
    private final List<Process> started = new ArrayList<>();
    private Process zombieParent;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : started) p.destroyForcibly();
        if (zombieParent != null) {
            zombieParent.destroy();
            zombieParent.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** A process named {@code name} (a copy of sleep) that runs until the test ends. */
    private Process run(String name, String... args) throws Exception {
        Path exe = dir.resolve(name);
        Files.copy(Path.of("/bin/sleep"), exe);
        exe.toFile().setExecutable(true);
        List<String> cmd = new ArrayList<>(List.of(exe.toString()));
        cmd.addAll(List.of(args.length == 0 ? new String[] {"300"} : args));
        Process p = new ProcessBuilder(cmd).start();
        started.add(p);
        return p;
    }

    private HostResult runOn(SshTestServer s, String yaml) throws Exception {
        return LocalRun.run(
                        dir, yaml, Host.at("freebsd", "127.0.0.1"), PortableHost.connector(s, dir))
                .hosts()
                .get(0);
    }

    private static String reason(HostResult r, String id) {
        return check(r, id).verdict().reason();
    }

    private static void assertStatus(HostResult r, String id, Status expected) {
        CheckResult c = check(r, id);
        assertEquals(
                expected,
                c.status(),
                id + ": " + c.verdict().reason() + " " + c.verdict().details());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @ParameterizedTest(name = "FreeBSD {0}")
    @ValueSource(strings = {"13", "14"})
    void everyCheckTypeTellsTheTruthOnAFreeBsdPersonality(String version) throws Exception {
        assumeTrue(FreeBsdHost.available(), "needs dash, nsenter, ss, root and unshare");
        Path data = Files.createDirectories(dir.resolve("data"));
        Path f = Files.writeString(data.resolve("app.conf"), "listen 80\nmode=ok\n");
        Path old = Files.writeString(data.resolve("old.log"), "x\n");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
        Path marker = Files.writeString(data.resolve("backup.ok"), "");
        Path backups = Files.createDirectories(data.resolve("backups"));
        Files.writeString(backups.resolve("a.tar.gz"), "x".repeat(2048));
        Path log =
                Files.writeString(
                        data.resolve("backup.log"),
                        OffsetDateTime.now().withNano(0) + " backup done\n");
        TestCerts.Issued leaf =
                TestCerts.leaf(TestCerts.rootCa("freebsd CA"), List.of("site.test"), 10, 60);
        Path cert = Files.writeString(data.resolve("cert.pem"), leaf.chainPem());
        Path key = Files.writeString(data.resolve("key.pem"), leaf.keyPem());
        Process app = run("pf-freebsd");
        run("ntpd");
        // A zombie: perl's child exits at once and is reaped only when perl gets TERM.
        zombieParent =
                new ProcessBuilder(
                                "/usr/bin/perl",
                                "-e",
                                "$SIG{TERM} = sub { waitpid(-1, 0); exit 0 }; fork or exit 0;"
                                        + " sleep 300")
                        .start();
        FreeBsdHost host =
                FreeBsdHost.of(dir, version)
                        .service("pfdemo", "pf-freebsd", true)
                        .service("pfstopped", "pf-no-such-process", false)
                        .lastUpgrade(Instant.now().minus(Duration.ofHours(2)));
        try (ServerSocket open = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                SshTestServer s = host.start()) {
            int port = open.getLocalPort();
            Thread.sleep(300);
            HostResult r =
                    runOn(
                            s,
                            """
                            checks:
                              - id: disk
                                disk: { mount: /, max_used: 100%%, max_inodes_used: 100%% }
                              - id: disk-full
                                disk: { mount: /, max_used: 0%% }
                              - id: process
                                process: { name: pf-freebsd, min: 1, max: 1 }
                              - id: process-absent
                                process: { name: pf-no-such-process }
                              - id: processes
                                processes: { max_zombies: 100000, max_cpu: 99.9, for: 1h }
                              - id: zombies
                                processes: { max_zombies: 0 }
                              - id: file
                                file: { path: "%1$s", contains: "mode=ok", max_age: 1h, mode: "0644" }
                              - id: file-old
                                file: { path: "%2$s", max_age: 1h }
                              - id: file-missing
                                file: { path: "%1$s.missing" }
                              - id: command
                                command: { run: "uname -s; echo oops >&2", stdout_contains: FreeBSD }
                              - id: command-fails
                                command: { run: "exit 4" }
                              - id: service
                                service: { name: pfdemo, state: running, enabled: true }
                              - id: service-stopped
                                service: { name: pfstopped, state: running }
                              - id: service-missing
                                service: { name: nginx, state: running }
                              - id: port
                                port: { port: %3$d, listening: true }
                              - id: port-closed
                                port: { port: %4$d, listening: true }
                              - id: load
                                load: { average: 1m, warn: 1000, critical: 1000 }
                              - id: memory
                                memory: { min_available: 1%%, max_swap_used: 100%% }
                              - id: memory-short
                                memory: { min_available: 100%% }
                              - id: files-open
                                files_open: { max_used: 100%% }
                              - id: files-open-process
                                files_open: { process: pf-freebsd }
                              - id: updates
                                updates: { max_security: 0, max_age: 1d, reboot: true }
                              - id: updates-stale
                                updates: { max_age: 1h }
                              - id: boot
                                boot: { max_oom_kills: 0, failed_services: true }
                              - id: clock
                                clock: { reference: runner, warn: 5s, critical: 10s }
                              - id: timesync
                                timesync: { daemon: ntpd }
                              - id: marker
                                backup: { marker: "%5$s", max_age: 26h }
                              - id: newest
                                backup: { newest_in: "%6$s", pattern: "*.tar.gz", min_size: 1K, max_age: 26h }
                              - id: log
                                backup: { log: "%7$s", matches: "backup done", max_age: 26h }
                              - id: journal
                                backup: { log: journal, unit: backup.service, matches: done, max_age: 26h }
                              - id: cert
                                cert_file: { path: "%8$s", key: "%9$s", names: [site.test] }
                              - id: firewall
                                firewall: { port: 443 }
                            """
                                    .formatted(
                                            f,
                                            old,
                                            port,
                                            freePort(),
                                            marker,
                                            backups,
                                            log,
                                            cert,
                                            key));
            assertStatus(r, "disk", Status.PASS);
            assertStatus(r, "disk-full", Status.FAIL);
            assertTrue(
                    reason(r, "disk-full").matches("/ \\d+% used \\(max 0%\\), inodes \\d+%"),
                    reason(r, "disk-full"));
            assertStatus(r, "process", Status.PASS);
            assertEquals(
                    "process pf-freebsd: 1 process (pid " + app.pid() + ")", reason(r, "process"));
            assertStatus(r, "process-absent", Status.FAIL);
            assertStatus(r, "processes", Status.PASS);
            assertStatus(r, "zombies", Status.FAIL);
            assertStatus(r, "file", Status.PASS);
            assertTrue(
                    reason(r, "file").contains("app.conf: file, root 0644, 18B"),
                    reason(r, "file"));
            assertStatus(r, "file-old", Status.FAIL);
            assertTrue(
                    reason(r, "file-old")
                            .endsWith("old.log: modified 3d0h ago (host clock), max_age 1h00m"),
                    reason(r, "file-old"));
            assertStatus(r, "file-missing", Status.FAIL);
            assertTrue(reason(r, "file-missing").endsWith("app.conf.missing: does not exist"));
            assertStatus(r, "command", Status.PASS);
            assertEquals("FreeBSD (exit 0)", reason(r, "command"));
            assertStatus(r, "command-fails", Status.FAIL);
            assertStatus(r, "service", Status.PASS);
            assertStatus(r, "service-stopped", Status.FAIL);
            assertStatus(r, "service-missing", Status.FAIL);
            assertStatus(r, "port", Status.PASS);
            assertEquals(
                    "tcp/" + port + ": listening on 127.0.0.1 by java (sockstat)",
                    reason(r, "port"));
            assertStatus(r, "port-closed", Status.FAIL);
            assertTrue(reason(r, "port-closed").endsWith(": nothing listening (sockstat)"));
            assertStatus(r, "load", Status.PASS);
            assertStatus(r, "memory", Status.PASS);
            assertStatus(r, "memory-short", Status.FAIL);
            assertStatus(r, "files-open", Status.PASS);
            // No FreeBSD path: an error that says why, never a pass.
            assertStatus(r, "files-open-process", Status.ERROR);
            assertEquals(
                    "open files of pf-freebsd: no /proc/PID/limits: open files per process need"
                            + " Linux /proc",
                    reason(r, "files-open-process"));
            // The personality has no pfctl: pf cannot be ruled out, so an error, never a pass.
            assertStatus(r, "firewall", Status.ERROR);
            assertEquals(
                    "firewall: pfctl not found (without it pf cannot be ruled out)",
                    reason(r, "firewall"));
            assertStatus(r, "updates", Status.PASS);
            assertStatus(r, "updates-stale", Status.FAIL);
            assertStatus(r, "boot", Status.PASS);
            assertStatus(r, "clock", Status.PASS);
            assertStatus(r, "timesync", Status.PASS);
            for (String backup : List.of("marker", "newest", "log")) {
                assertStatus(r, backup, Status.PASS);
                assertTrue(reason(r, backup).startsWith("last backup "), reason(r, backup));
            }
            assertStatus(r, "journal", Status.ERROR);
            assertTrue(
                    reason(r, "journal")
                            .endsWith(
                                    ": journalctl: command not found (log: journal needs systemd)"),
                    reason(r, "journal"));
            assertStatus(r, "cert", Status.PASS);
        }
    }

    /**
     * The counters a personality replays, recorded on FreeBSD servers in trouble (seed 004): mbuf
     * clusters denied, vulnerable packages and fetched base updates, a kernel installed but not
     * booted, processes the page daemon killed, ntpd without a peer, a load spike with the file
     * table full. Each is a FAIL that names it.
     */
    @ParameterizedTest(name = "FreeBSD {0}")
    @ValueSource(strings = {"13", "14"})
    void recordedTroubleFailsOnAFreeBsdPersonality(String version) throws Exception {
        assumeTrue(FreeBsdHost.available(), "needs dash, nsenter, ss, root and unshare");
        run("ntpd");
        FreeBsdHost host =
                FreeBsdHost.of(dir, version)
                        .replay("netstat-m", "netstat-m-denied")
                        .replay("pkg-audit", "pkg-audit-vulnerable")
                        .replay("pkg-upgrade", "pkg-upgrade-pending")
                        .replay("freebsd-update", "freebsd-update-ready")
                        .replay("versions", "versions-reboot")
                        .replay("dmesg", "dmesg-oom")
                        .replay("ntpq", "ntpq-unsync")
                        .replay("sysctl", "sysctl-overloaded")
                        .lastUpgrade(Instant.now().minus(Duration.ofHours(2)));
        String running = version.equals("13") ? "13.3-RELEASE-p8" : "14.1-RELEASE-p5";
        String installed = version.equals("13") ? "13.4-RELEASE" : "14.2-RELEASE";
        String curl = version.equals("13") ? "curl-8.7.1" : "curl-8.9.1";
        try (SshTestServer s = host.start()) {
            HostResult r =
                    runOn(
                            s,
                            """
                            checks:
                              - id: files-open
                                files_open: { max_used: 80% }
                              - id: updates
                                updates: { max_security: 0, max_pending: 0, reboot: true }
                              - id: boot
                                boot: { max_oom_kills: 0 }
                              - id: timesync
                                timesync: { daemon: ntpd }
                              - id: load
                                load: { average: 5m, warn: 1.5, critical: 3 }
                            """);
            assertStatus(r, "files-open", Status.FAIL);
            assertEquals(
                    "system: 199321 of 200000 files open (99.7%, fail above 80%); netstat -m: 0/18734/0"
                            + " requests for mbufs denied (mbufs/clusters/mbuf+clusters);"
                            + " netstat -m: 112/0/0 requests for jumbo clusters denied"
                            + " (4k/9k/16k)",
                    reason(r, "files-open"));
            assertStatus(r, "updates", Status.FAIL);
            assertTrue(
                    reason(r, "updates")
                            .startsWith(
                                    "3 security updates pending: "
                                            + curl
                                            + ", sudo-1.9.15p5, FreeBSD base (freebsd-update"
                                            + " updatesready); 2 updates pending (at most 0):"
                                            + " curl, sudo; reboot required: installed kernel "
                                            + installed
                                            + ", running "
                                            + running),
                    reason(r, "updates"));
            assertStatus(r, "boot", Status.FAIL);
            assertTrue(
                    reason(r, "boot")
                            .contains(
                                    "2 OOM kills since boot: pid 41872 (java) was killed: failed to"
                                            + " reclaim memory, pid 1388 (mysqld) was killed: out"
                                            + " of swap space (dmesg); failed units: skipped (no"
                                            + " systemd) — more than 0 OOM kills"),
                    reason(r, "boot"));
            assertStatus(r, "timesync", Status.FAIL);
            assertStatus(r, "load", Status.FAIL);
            assertEquals(
                    "load 9.87 over 5m on 2 cores = 4.94 per core (critical above 3.00)",
                    reason(r, "load"));
        }
    }

    /** The batch's watchdog finds a timed-out probe's children with FreeBSD's pgrep -P. */
    @Test
    void aTimedOutProbesChildDoesNotOutliveItOnAFreeBsdPersonality() throws Exception {
        assumeTrue(FreeBsdHost.available(), "needs dash, nsenter, ss, root and unshare");
        String seconds = String.valueOf(85_000 + (int) (ProcessHandle.current().pid() % 400));
        try (SshTestServer s = FreeBsdHost.of(dir, "14").start()) {
            HostResult r =
                    runOn(
                            s,
                            """
                            checks:
                              - id: slow
                                command: { run: "sleep %s; echo late", timeout: 1s }
                              - id: after
                                command: { run: "uname -s" }
                            """
                                    .formatted(seconds));
            assertStatus(r, "slow", Status.ERROR);
            assertStatus(r, "after", Status.PASS);
        }
        assertEquals(
                List.of(),
                Sleepers.survivors(seconds),
                "sleep " + seconds + " outlived its timed-out probe");
    }
}
