package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.Problems;
import dev.postflight.inventory.Host;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.ProbeBatch;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: the probe batch runs on the shells and tools of real fleets. Every check type that can
 * work there runs on a BusyBox-only host (Alpine's userland), on bash in POSIX mode and on posh (a
 * shell without {@code local}), and gives the verdict that is true of what the test set up; a check
 * whose tool is missing is an error naming it, never a pass.
 */
class PortableProbesTest {
    @TempDir Path dir;
    private Process sleeper;

    @AfterEach
    void stop() {
        if (sleeper != null) sleeper.destroyForcibly();
    }

    private HostResult runOn(SshTestServer s, String yaml) throws Exception {
        return LocalRun.run(
                        dir, yaml, Host.at("portable", "127.0.0.1"), PortableHost.connector(s, dir))
                .hosts()
                .get(0);
    }

    private String everyType(int port) throws Exception {
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
                        java.time.OffsetDateTime.now().withNano(0) + " backup done\n");
        TestCerts.Issued leaf =
                TestCerts.leaf(TestCerts.rootCa("portable CA"), List.of("site.test"), 10, 60);
        Path cert = Files.writeString(data.resolve("cert.pem"), leaf.chainPem());
        Path key = Files.writeString(data.resolve("key.pem"), leaf.keyPem());
        Path proc = data.resolve("pf-portable");
        Files.copy(Path.of("/bin/sleep"), proc);
        proc.toFile().setExecutable(true);
        sleeper = new ProcessBuilder(proc.toString(), "300").start();
        return """
        checks:
          - id: disk
            disk: { mount: /, max_used: 100%%, max_inodes_used: 100%% }
          - id: disk-full
            disk: { mount: /, max_used: 0%% }
          - id: process
            process: { name: pf-portable, min: 1, max: 1 }
          - id: process-absent
            process: { name: pf-no-such-process }
          - id: file
            file: { path: "%1$s", contains: "mode=ok", max_age: 1h }
          - id: file-old
            file: { path: "%2$s", max_age: 1h }
          - id: file-missing
            file: { path: "%1$s.missing" }
          - id: command
            command: { run: "echo hello; echo oops >&2", stdout_contains: hello }
          - id: command-fails
            command: { run: "exit 4" }
          - id: service
            service: { name: ntpd, state: running }
          - id: port
            port: { port: %3$d, listening: true }
          - id: port-closed
            port: { port: %4$d, listening: true }
          - id: boot
            boot: { max_oom_kills: 1000, failed_services: false }
          - id: marker
            backup: { marker: "%5$s", max_age: 26h }
          - id: newest
            backup: { newest_in: "%6$s", pattern: "*.tar.gz", min_size: 1K, max_age: 26h }
          - id: log
            backup: { log: "%7$s", matches: "backup done", max_age: 26h }
          - id: cert
            cert_file: { path: "%8$s", key: "%9$s", names: [site.test] }
          - id: clock
            clock: { reference: runner, warn: 5s, critical: 10s }
          - id: load
            load: { average: 1m, warn: 1000, critical: 1000 }
          - id: timesync
            timesync: { daemon: auto }
        """
                .formatted(f, old, port, freePort(), marker, backups, log, cert, key);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** What every shell must say of what {@link #everyType} set up ({@code tool}: port's). */
    private void assertTrueVerdicts(HostResult r, String portTool, int port) {
        assertStatus(r, "disk", Status.PASS);
        assertStatus(r, "disk-full", Status.FAIL);
        assertTrue(
                reason(r, "disk-full").matches("/ \\d+% used \\(max 0%\\), inodes \\d+%"),
                reason(r, "disk-full"));
        assertStatus(r, "process", Status.PASS);
        assertEquals(
                "process pf-portable: 1 process (pid " + sleeper.pid() + ")", reason(r, "process"));
        assertStatus(r, "process-absent", Status.FAIL);
        assertEquals(
                "process pf-no-such-process: 0 processes, expected at least 1",
                reason(r, "process-absent"));
        assertStatus(r, "file", Status.PASS);
        assertTrue(
                reason(r, "file")
                        .endsWith(
                                "app.conf: file, root 644, 18B, modified "
                                        + reason(r, "file").replaceAll(".* modified ", "")),
                reason(r, "file"));
        assertStatus(r, "file-old", Status.FAIL);
        assertTrue(
                reason(r, "file-old")
                        .endsWith("old.log: modified 3d0h ago (host clock), max_age 1h00m"),
                reason(r, "file-old"));
        assertStatus(r, "file-missing", Status.FAIL);
        assertTrue(reason(r, "file-missing").endsWith("app.conf.missing: does not exist"));
        assertStatus(r, "command", Status.PASS);
        assertEquals("hello (exit 0)", reason(r, "command"));
        assertStatus(r, "command-fails", Status.FAIL);
        assertEquals("exit 4: exit status 4, expected 0", reason(r, "command-fails"));
        assertStatus(r, "service", Status.FAIL);
        assertEquals(
                "ntpd: not installed/unknown unit (sysv: no /etc/init.d/ntpd)",
                reason(r, "service"));
        assertStatus(r, "port", Status.PASS);
        assertEquals(
                "tcp/" + port + ": listening on 127.0.0.1 (" + portTool + ")", reason(r, "port"));
        assertStatus(r, "port-closed", Status.FAIL);
        assertTrue(reason(r, "port-closed").endsWith(": nothing listening (" + portTool + ")"));
        assertStatus(r, "boot", Status.PASS);
        assertTrue(
                reason(r, "boot")
                        .matches("booted .* ago at .*; \\d+ OOM kills since boot \\(dmesg\\)"),
                reason(r, "boot"));
        for (String backup : List.of("marker", "newest", "log")) {
            assertStatus(r, backup, Status.PASS);
            assertTrue(reason(r, backup).startsWith("last backup "), reason(r, backup));
        }
        assertTrue(reason(r, "newest").endsWith("/backups/a.tar.gz)"), reason(r, "newest"));
        assertTrue(reason(r, "log").endsWith(" backup done\")"), reason(r, "log"));
        assertStatus(r, "cert", Status.PASS);
        assertTrue(
                reason(r, "cert")
                        .endsWith(
                                "cert.pem (site.test): valid 60 days (until "
                                        + Instant.now()
                                                .plus(Duration.ofDays(60))
                                                .plus(Duration.ofMinutes(10))
                                                .toString()
                                                .substring(0, 10)
                                        + "), issued by portable CA"),
                reason(r, "cert"));
        assertStatus(r, "clock", Status.PASS);
        assertTrue(
                reason(r, "clock").contains("against the runner's clock, method exec"),
                reason(r, "clock"));
        assertStatus(r, "load", Status.PASS);
        assertTrue(
                reason(r, "load")
                        .matches(
                                "load \\d+\\.\\d\\d over 1m on \\d+ cores? = \\d+\\.\\d\\d per core"),
                reason(r, "load"));
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

    @Test
    void everyCheckTypeTellsTheTruthOnABusyBoxOnlyHost() throws Exception {
        assumeTrue(PortableHost.available(PortableHost.BUSYBOX), "needs busybox, root and unshare");
        try (ServerSocket open = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                SshTestServer s = PortableHost.busybox(dir)) {
            HostResult r = runOn(s, everyType(open.getLocalPort()));
            assertTrueVerdicts(r, "netstat", open.getLocalPort());
            // The host shares this machine's processes: another test's ntpd shim may be running,
            // and then BusyBox (no ntpq) cannot tell whether it is synchronised. Never a pass.
            String timesync = reason(r, "timesync");
            assertTrue(
                    check(r, "timesync").status() == Status.FAIL
                                    && timesync.equals("no time daemon installed")
                            || check(r, "timesync").status() == Status.ERROR
                                    && timesync.endsWith(
                                            "ntpq was not found, so whether it is synchronised is"
                                                    + " unknown"),
                    timesync);
        }
    }

    @Test
    void everyCheckTypeTellsTheTruthWithPoshAsSh() throws Exception {
        assumeTrue(PortableHost.available(Path.of("/bin/posh")), "needs posh, root and unshare");
        try (ServerSocket open = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                SshTestServer s = PortableHost.shAs(dir, Path.of("/bin/posh"), "/bin/posh")) {
            assertTrueVerdicts(runOn(s, everyType(open.getLocalPort())), "ss", open.getLocalPort());
        }
    }

    @Test
    void everyCheckTypeTellsTheTruthWithBashInPosixModeAsSh() throws Exception {
        assumeTrue(PortableHost.available(Path.of("/bin/bash")), "needs bash, root and unshare");
        try (ServerSocket open = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                SshTestServer s =
                        PortableHost.shAs(dir, Path.of("/bin/bash"), "/bin/bash", "--posix")) {
            assertTrueVerdicts(runOn(s, everyType(open.getLocalPort())), "ss", open.getLocalPort());
        }
    }

    @Test
    void aMissingToolIsAnErrorNamingItNeverAPass() throws Exception {
        assumeTrue(PortableHost.available(PortableHost.BUSYBOX), "needs busybox, root and unshare");
        try (ServerSocket open = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                SshTestServer s =
                        PortableHost.busybox(
                                dir, "df", "ps", "netstat", "stat", "find", "awk", "cut")) {
            HostResult r = runOn(s, everyType(open.getLocalPort()));
            // Each check that needs a missing tool is an error naming it; the others still judge.
            assertStatus(r, "disk", Status.ERROR);
            assertEquals("df: no df command", reason(r, "disk"));
            assertStatus(r, "process", Status.ERROR);
            assertEquals("ps: no ps command", reason(r, "process"));
            assertStatus(r, "timesync", Status.ERROR);
            assertEquals("time daemons: no ps command", reason(r, "timesync"));
            assertStatus(r, "file", Status.ERROR);
            assertTrue(reason(r, "file").endsWith("stat: not found"), reason(r, "file"));
            assertStatus(r, "marker", Status.ERROR);
            assertTrue(reason(r, "marker").endsWith("stat: not found"), reason(r, "marker"));
            assertStatus(r, "port", Status.ERROR);
            assertEquals("listening sockets: no ss, sockstat or netstat", reason(r, "port"));
            assertStatus(r, "boot", Status.ERROR);
            assertEquals("boot: awk not found", reason(r, "boot"));
            // Before issue 18 these two were a FAIL "no evidence of a successful backup": find
            // and cut sat in the middle of a pipeline whose status is its last command's.
            assertStatus(r, "newest", Status.ERROR);
            assertTrue(reason(r, "newest").endsWith(": find not found"), reason(r, "newest"));
            assertStatus(r, "log", Status.ERROR);
            assertTrue(reason(r, "log").endsWith(": cut not found"), reason(r, "log"));
            assertStatus(r, "file-missing", Status.FAIL);
            assertStatus(r, "command", Status.PASS);
            assertStatus(r, "cert", Status.PASS);
            assertStatus(r, "load", Status.PASS);
            assertStatus(r, "clock", Status.PASS);
        }
    }

    /**
     * BusyBox (Debian's, Alpine's without procps) has no pgrep or pkill: the watchdog that ends a
     * timed-out probe must still end the probe's children, or a {@code sleep} outlives the batch.
     */
    @Test
    void aTimedOutProbesChildDoesNotOutliveItOnABusyBoxOnlyHost() throws Exception {
        assumeTrue(PortableHost.available(PortableHost.BUSYBOX), "needs busybox, root and unshare");
        String seconds = String.valueOf(86_000 + (int) (ProcessHandle.current().pid() % 400));
        try (SshTestServer s = PortableHost.busybox(dir)) {
            HostResult r =
                    runOn(
                            s,
                            """
                            checks:
                              - id: slow
                                command: { run: "sleep %s; echo late", timeout: 1s }
                              - id: after
                                command: { run: "echo after" }
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

    /**
     * POSIX sh has no {@code local} (dash, BusyBox ash, bash and posh all accept it, so no live
     * host catches it): no snippet of any check type, and not the batch around them, may use it,
     * nor the other bashisms a plain sh lacks.
     */
    @Test
    void noSnippetUsesLocalOrOtherBashisms() throws Exception {
        Path file = LocalRun.write(dir, "all.yaml", everyType(9));
        Checklist cl = ChecklistLoader.load(List.of(file));
        Problems problems = new Problems();
        List<HostProbe> probes = new ArrayList<>();
        for (Check c : ChecklistBinder.bind(cl, Map.of(), "h", "127.0.0.1", problems).checks()) {
            probes.addAll(c.spec().hostProbes());
        }
        problems.throwIfAny();
        assertTrue(probes.size() > 15, "snippets: " + probes.size());
        Pattern bashism =
                Pattern.compile(
                        "(^|[;&|(){}!]\\s*)(local|typeset|declare|function|\\[\\[)\\s|\\$\\{[^}]*//");
        String batch = new ProbeBatch(probes).script(Duration.ofSeconds(30));
        for (String line : batch.split("\n")) {
            assertFalse(bashism.matcher(line.strip()).find(), "not POSIX sh: " + line);
        }
    }
}
