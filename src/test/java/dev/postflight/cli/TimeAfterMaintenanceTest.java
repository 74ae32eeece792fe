package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.testing.FakeTimeHost;
import dev.postflight.testing.NtpResponder;
import dev.postflight.testing.NtpdShimHost;
import dev.postflight.testing.SshTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 003 end to end with the shipped checks/time.yaml: an SSH host whose clock is really 3 h
 * behind (libfaketime) and whose ntpd is installed but not running, a reference NTP server on
 * loopback. postflight must report both, with offset and direction, and exit 1.
 */
class TimeAfterMaintenanceTest {
    @TempDir Path dir;

    @Test
    void threeHoursBehindAndNtpdStoppedAreBothReportedAndExitOne() throws Exception {
        assumeTrue(FakeTimeHost.available(), "libfaketime is not installed");
        assumeTrue(NtpdShimHost.available(), "needs root and unshare(1) to hide the time daemons");
        Path bin = Files.createDirectory(dir.resolve("bin"));
        for (String tool : new String[] {"ntpd", "ntpq"}) {
            // Test shims: ntpd is "installed" (on PATH) but nothing runs it.
            Path p = bin.resolve(tool);
            Files.writeString(p, "#!/bin/sh\necho \"" + tool + ": not running\" >&2\nexit 1\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Map<String, String> env = Map.of("PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin");
        // The host sees only the shims: this machine's own time daemons, their sockets and their
        // processes (chrony is installed here for the e2e lab, whose hosts run chronyd) must not
        // decide the verdict.
        List<String> hidden =
                List.of(
                        "/usr/sbin/chronyd",
                        "/usr/bin/chronyc",
                        "/usr/sbin/ntpd",
                        "/usr/bin/ntpq",
                        "/usr/sbin/openntpd",
                        "/lib/systemd/systemd-timesyncd",
                        "/usr/lib/systemd/systemd-timesyncd",
                        "/usr/bin/timedatectl");
        try (FakeTimeHost host =
                        FakeTimeHost.start(
                                Files.createDirectory(dir.resolve("host")),
                                "-3h",
                                env,
                                SshTestServer.isolatedShellWithout(hidden.toArray(String[]::new)));
                NtpResponder ntp = NtpResponder.start(Duration.ZERO)) {
            Path inventory = dir.resolve("inv.yaml");
            Files.writeString(
                    inventory,
                    "hosts:\n  web1: { address: 127.0.0.1, port: "
                            + host.server().port()
                            + ", user: ops, identity: "
                            + host.server().clientKey()
                            + " }\n");
            Cli r =
                    Cli.run(
                            "verify",
                            "-i",
                            inventory.toString(),
                            "-c",
                            "checks/time.yaml",
                            "--var",
                            "ntp_server=" + ntp.server(),
                            "--known-hosts",
                            host.server().writeKnownHosts(dir.resolve("kh")).toString(),
                            "--ssh-config",
                            dir.resolve("none").toString(),
                            "--no-color");
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(
                    r.out()
                            .matches(
                                    "(?s).*FAIL +clock-offset +host is (2h59m5\\d|3h00m0\\d)\\.\\d+s behind \\(offset -.*against NTP 127\\.0\\.0\\.1:\\d+.*"),
                    r.out());
            assertTrue(
                    r.out()
                            .matches(
                                    "(?s).*FAIL +time-synchronised +[^\\n]*ntpd[^\\n]*installed but not running.*"),
                    r.out());
            assertTrue(r.out().contains("[fix: resync-clock]"), r.out());
            assertEquals(
                    2,
                    host.server().commands().size(),
                    "one exec for all three checks, one for the clock's round trips");
        }
    }
}
