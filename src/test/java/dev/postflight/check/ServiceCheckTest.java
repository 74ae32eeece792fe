package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.run.CheckResult;
import dev.postflight.testing.LocalRun;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceCheckTest {
    @TempDir Path dir;

    private static Verdict judge(ServiceCheck c, int exit, String out, String err) {
        return Recorded.judge(c, exit, out, err, Now.at(Instant.parse("2026-12-06T12:00:00Z")));
    }

    private static ServiceCheck running(String name) {
        return new ServiceCheck(name, Optional.of("running"), Optional.empty());
    }

    @Test
    void systemdStoppedDaemonFailsNamingTheManager() {
        // systemctl show -p LoadState / is-active / is-enabled for a stopped ntpd (seed 003).
        String out = "manager=systemd\nLoadState=loaded\nactive=inactive\nenabled=enabled\n";
        Verdict v = judge(running("ntpd"), 0, out, "");
        assertEquals(Status.FAIL, v.status());
        assertEquals("ntpd: inactive (systemd), expected running", v.reason());
        Verdict both =
                judge(
                        new ServiceCheck("ntpd", Optional.of("running"), Optional.of(true)),
                        0,
                        out.replace("inactive", "active"),
                        "");
        assertEquals("ntpd: active, enabled (systemd)", both.reason());
    }

    @Test
    void systemdUnknownUnitIsAFailNotAnError() {
        String out = "manager=systemd\nLoadState=not-found\nactive=inactive\nenabled=\n";
        Verdict v = judge(running("nginx"), 0, out, "");
        assertEquals(Status.FAIL, v.status());
        assertEquals("nginx: not installed/unknown unit (systemd)", v.reason());
    }

    @Test
    void sysvStatusExitCodeDecidesAndTheLastStatusLineIsShown() {
        String up =
                "manager=sysv\nexists=yes\ncmd=/etc/init.d/nginx status\nstatus_exit=0\n"
                        + "status=nginx is running.\nenabled=yes\n";
        assertEquals(
                "nginx: running (sysv: /etc/init.d/nginx status exit 0)",
                judge(running("nginx"), 0, up, "").reason());
        String down =
                "manager=sysv\nexists=yes\ncmd=/etc/init.d/nginx status\nstatus_exit=3\n"
                        + "status=nginx is not running ... failed!\nenabled=no\n";
        Verdict v =
                judge(
                        new ServiceCheck("nginx", Optional.of("running"), Optional.of(true)),
                        0,
                        down,
                        "");
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "nginx: not running, disabled at boot (sysv: /etc/init.d/nginx status exit 3:"
                        + " nginx is not running ... failed!), expected running, enabled",
                v.reason());
    }

    @Test
    void freeBsdAndOpenRcAreNamed() {
        String bsd =
                "manager=freebsd\nexists=yes\ncmd=service ntpd onestatus\nstatus_exit=1\n"
                        + "status=ntpd is not running.\nenabled=yes\n";
        assertEquals(
                "ntpd: not running (freebsd: service ntpd onestatus exit 1: ntpd is not"
                        + " running.), expected running",
                judge(running("ntpd"), 0, bsd, "").reason());
        String openrc =
                "manager=openrc\nexists=yes\ncmd=rc-service chronyd status\nstatus_exit=0\n"
                        + "status= * status: started\nenabled=yes\n";
        assertEquals(
                "chronyd: running (openrc: rc-service chronyd status exit 0)",
                judge(running("chronyd"), 0, openrc, "").reason());
        assertEquals(
                "ntpd: not installed/unknown unit (freebsd: no rc.d script ntpd)",
                judge(running("ntpd"), 0, "manager=freebsd\nexists=no\n", "").reason());
    }

    private static final ServiceCheck TIME_DAEMON = running("time-daemon");

    @Test
    void timeDaemonNamesWhatItResolvedTo() {
        // Seed 003 on a systemd host: the probe found ntpd (no chronyd, no chrony) and it is down.
        String ntpd =
                "resolved=ntpd\nmanager=systemd\nLoadState=loaded\nactive=inactive\n"
                        + "enabled=enabled\n";
        Verdict v = judge(TIME_DAEMON, 0, ntpd, "");
        assertEquals(Status.FAIL, v.status());
        assertEquals("time-daemon = ntpd: inactive (systemd), expected running", v.reason());
        String chrony =
                "resolved=chrony\nmanager=sysv\nexists=yes\ncmd=/etc/init.d/chrony status\n"
                        + "status_exit=0\nstatus=chronyd is running.\nenabled=yes\n";
        Verdict up = judge(TIME_DAEMON, 0, chrony, "");
        assertEquals(Status.PASS, up.status());
        assertEquals(
                "time-daemon = chrony: running (sysv: /etc/init.d/chrony status exit 0)",
                up.reason());
        String bsd =
                "resolved=ntpd\nmanager=freebsd\nexists=yes\ncmd=service ntpd onestatus\n"
                        + "status_exit=1\nstatus=ntpd is not running.\nenabled=yes\n";
        assertEquals(
                "time-daemon = ntpd: not running (freebsd: service ntpd onestatus exit 1: ntpd is"
                        + " not running.), expected running",
                judge(TIME_DAEMON, 0, bsd, "").reason());
    }

    @Test
    void timeDaemonWithNoCandidateInstalledListsWhatWasTried() {
        String none =
                "resolved=\nmanager=systemd\nLoadState=not-found\nactive=inactive\nenabled=\n";
        Verdict v = judge(TIME_DAEMON, 0, none, "");
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "time-daemon: none of chronyd, chrony, ntpd, ntp, ntpsec, systemd-timesyncd,"
                        + " openntpd is a service systemd knows",
                v.reason());
    }

    @Test
    void timeDaemonOnThisMachineIsResolvedForReal() throws Exception {
        CheckResult r =
                check(
                        LocalRun.run(
                                dir,
                                """
                                checks:
                                  - id: td
                                    service: { name: time-daemon }
                                """),
                        "td");
        String reason = r.verdict().reason();
        if (r.status() == Status.ERROR) {
            assertTrue(reason.contains("no service manager found"), reason);
        } else if (r.status() == Status.FAIL && reason.startsWith("time-daemon: none of")) {
            assertTrue(reason.matches(".* is a service \\S+ knows"), reason);
        } else {
            assertTrue(reason.startsWith("time-daemon = "), reason);
        }
    }

    @Test
    void noServiceManagerIsAnError() {
        Verdict v =
                judge(
                        running("ntpd"),
                        127,
                        "",
                        "no service manager found (no systemd, FreeBSD service, rc-service or"
                                + " /etc/init.d)\n");
        assertEquals(Status.ERROR, v.status());
        assertTrue(v.reason().startsWith("ntpd: no service manager found"), v.reason());
    }

    @Test
    void recordRejectsNamesThatAreNotServiceNames() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new ServiceCheck(
                                        "ntpd; reboot", Optional.of("running"), Optional.empty()));
        assertTrue(e.getMessage().startsWith("name must be a service name"), e.getMessage());
    }

    @Test
    void aServiceThatDoesNotExistHereIsReportedHonestly() throws Exception {
        CheckResult r =
                check(
                        LocalRun.run(
                                dir,
                                """
                                checks:
                                  - id: ghost
                                    service: { name: postflight-no-such-service, state: running }
                                """),
                        "ghost");
        String reason = r.verdict().reason();
        if (r.status() == Status.ERROR) {
            assertTrue(reason.contains("no service manager found"), reason);
        } else {
            assertEquals(Status.FAIL, r.status(), reason);
            assertTrue(
                    reason.startsWith("postflight-no-such-service: not installed/unknown unit ("),
                    reason);
        }
    }
}
