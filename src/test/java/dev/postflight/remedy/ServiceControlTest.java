package dev.postflight.remedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service module against a real SysV init script: a shim for ntpd that behaves like seed 003's
 * (stopping a daemon that already died prints "[FAILED]"). The shim's folder is bind-mounted over
 * /etc/init.d inside a private mount namespace, so the machine's own init scripts are untouched;
 * needs root and unshare(1), else skipped.
 */
class ServiceControlTest {
    @TempDir Path dir;
    Path initd;
    Path pidfile;

    @BeforeEach
    void shim() throws IOException {
        assumeTrue(
                "root".equals(System.getProperty("user.name")), "needs root for a mount namespace");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "needs unshare(1)");
        initd = Files.createDirectory(dir.resolve("init.d"));
        pidfile = dir.resolve("ntpd.pid");
        Path ntpd = initd.resolve("ntpd");
        Files.writeString(
                ntpd,
                """
                #!/bin/sh
                # Test shim: a fake ntpd init script; the "daemon" is a sleep whose pid is kept.
                PIDFILE=%s
                running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
                case $1 in
                  start) if running; then echo "ntpd already running"; exit 0; fi
                         sleep 600 >/dev/null 2>&1 & echo $! >"$PIDFILE"; echo "Starting ntpd: [  OK  ]" ;;
                  stop)  if running; then kill "$(cat "$PIDFILE")"; rm -f "$PIDFILE"; echo "Shutting down ntpd: [  OK  ]"
                         else echo "Shutting down ntpd: [FAILED]"; exit 1; fi ;;
                  restart) "$0" stop; "$0" start ;;
                  status) if running; then echo "ntpd is running"; else echo "ntpd is stopped"; exit 3; fi ;;
                esac
                """
                        .formatted(pidfile));
        Files.setPosixFilePermissions(ntpd, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void stopShimDaemon() throws Exception {
        if (pidfile != null && Files.exists(pidfile)) {
            long pid = Long.parseLong(Files.readString(pidfile).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
    }

    private ServiceControl.Outcome run(String name, String action) throws Exception {
        String inner =
                "mount --bind "
                        + initd
                        + " /etc/init.d || exit 99\n"
                        + "if [ -d /run/systemd ]; then mount -t tmpfs tmpfs /run/systemd || exit 99; fi\n"
                        + "PATH=/usr/bin:/bin\n" // hide rc-service, if any, so SysV is what is
                        // found
                        + ServiceControl.script(name, action);
        Process p =
                new ProcessBuilder(
                                "unshare", "--mount", "--propagation", "private", "sh", "-c", inner)
                        .start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        ServiceControl.Outcome o = ServiceControl.parse(name, out, err);
        assertEquals(p.exitValue() == 0, o.succeeded(), out + err);
        return o;
    }

    @Test
    void startReadsTheStateBackAndNamesTheManager() throws Exception {
        ServiceControl.Outcome o = run("ntpd", "start");
        assertTrue(o.succeeded());
        assertEquals("ntpd: start via sysv: exit 0, now running", o.summary("start"));
        assertEquals("stopped", o.before());
    }

    @Test
    void restartOfADeadDaemonShowsTheFailedStopButEndsRunning() throws Exception {
        ServiceControl.Outcome o = run("ntpd", "restart");
        assertTrue(o.succeeded());
        assertEquals(
                "ntpd: restart via sysv: exit 0, now running — Shutting down ntpd: [FAILED] Starting ntpd: [  OK  ]",
                o.summary("restart"));
    }

    @Test
    void stopOfAStoppedDaemonIsAlreadyDone() throws Exception {
        ServiceControl.Outcome o = run("ntpd", "stop");
        assertTrue(o.succeeded());
        assertEquals("ntpd: stop via sysv: exit 0, now stopped", o.summary("stop"));
        assertEquals("ntpd was already stopped", o.output());
    }

    @Test
    void timeDaemonResolvesToTheInstalledOne() throws Exception {
        run("ntpd", "start");
        ServiceControl.Outcome o = run("time-daemon", "stop");
        assertTrue(o.succeeded(), o.output());
        assertEquals("ntpd", o.service());
        assertEquals("stopped", o.after());
    }

    @Test
    void anUnknownServiceIsNotInstalled() throws Exception {
        ServiceControl.Outcome o = run("nosuchd", "start");
        assertFalse(o.succeeded());
        assertEquals("service nosuchd is not installed (sysv)", o.output());
    }
}
