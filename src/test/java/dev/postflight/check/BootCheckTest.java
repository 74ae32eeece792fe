package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.LocalRun;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootCheckTest {
    @TempDir Path dir;

    static final Instant WINDOW = Instant.parse("2026-11-22T17:00:00Z");

    /**
     * Recorded on a Debian 12 VPS (JST) rebooted at 03:12 inside a 02:00 window: one OOM kill in
     * the journal, nginx failed.
     */
    static final String DEBIAN_AFTER_WINDOW =
            """
            tz=+0900
            btime=1795371120
            oom_source=journal
            oom=1795371900.120344 web1 kernel: oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=java,pid=4242,uid=1000
            oom=1795371900.120390 web1 kernel: Out of memory: Killed process 4242 (java) total-vm:4194304kB, anon-rss:2097152kB
            services=systemd
            failed=nginx.service
            fsck_source=journal
            fsck=/dev/vda1: clean, 81234/1310720 files, 1048576/5242880 blocks
            """;

    /** Recorded on FreeBSD 13: no systemd, kern.boottime, dmesg without timestamps. */
    static final String FREEBSD =
            """
            tz=+0900
            kern_boottime={ sec = 1795000000, usec = 123456 } Tue Nov 17 10:13:20 2026
            oom_source=dmesg
            services=none
            """;

    /** The host's clock as its batch read it when the outputs below were recorded. */
    static final Now AT = hostAt(Instant.ofEpochSecond(1795372200));

    static Now hostAt(Instant host) {
        return new Now(
                Instant.now(),
                Optional.of(new HostTime(host, Duration.ofSeconds(1), "s", host, host)));
    }

    static BootCheck boot(Optional<Boolean> rebooted, boolean fsck) {
        return new BootCheck(rebooted, 0, true, fsck, Optional.empty());
    }

    @Test
    void aRebootInsideTheWindowWithAnOomKillAndAFailedUnitSaysAllThree() throws Exception {
        Verdict v =
                boot(Optional.of(true), true)
                        .withSince(WINDOW)
                        .judge(BootCheck.Seen.of(DEBIAN_AFTER_WINDOW), AT);
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "rebooted during the window at 2026-11-23 03:12 (since 02:00); 1 OOM kill since"
                        + " 02:00: Killed process 4242 (java) (journal); failed: nginx.service;"
                        + " fsck at this boot: /dev/vda1: clean, 81234/1310720 files,"
                        + " 1048576/5242880 blocks (journal) — more than 0 OOM kills, failed units",
                v.reason());
    }

    @Test
    void expectingNoRebootFailsWhenTheHostRebootedInTheWindow() throws Exception {
        BootCheck c = new BootCheck(Optional.of(false), 5, false, false, Optional.empty());
        Verdict v = c.withSince(WINDOW).judge(BootCheck.Seen.of(DEBIAN_AFTER_WINDOW), AT);
        assertEquals(Status.FAIL, v.status());
        assertTrue(v.reason().endsWith("— expected no reboot"), v.reason());
    }

    @Test
    void oomKillsBeforeTheWindowDoNotCount() throws Exception {
        BootCheck c = new BootCheck(Optional.empty(), 0, false, false, Optional.empty());
        Verdict v =
                c.withSince(Instant.ofEpochSecond(1795372000))
                        .judge(BootCheck.Seen.of(DEBIAN_AFTER_WINDOW), AT);
        assertEquals(Status.PASS, v.status(), v.reason());
        assertTrue(v.reason().contains("0 OOM kills since 03:26 (journal)"), v.reason());
    }

    @Test
    void withoutSinceItSaysHowLongAgoTheHostBooted() throws Exception {
        Verdict v =
                new BootCheck(Optional.empty(), 1, true, false, Optional.empty())
                        .judge(BootCheck.Seen.of(DEBIAN_AFTER_WINDOW), AT);
        assertTrue(
                v.reason()
                        .startsWith("booted 18m00s ago at 2026-11-23 03:12; 1 OOM kill since boot"),
                v.reason());
    }

    @Test
    void rebootedNeedsTheWindowStart() throws Exception {
        Verdict v =
                boot(Optional.of(true), false).judge(BootCheck.Seen.of(DEBIAN_AFTER_WINDOW), AT);
        assertEquals(Status.ERROR, v.status());
        assertEquals(
                "boot: rebooted: true needs the window's start: run verify with --since",
                v.reason());
    }

    @Test
    void freeBsdBootTimeAndNoSystemdAreReadAndSaidSo() throws Exception {
        Verdict v =
                boot(Optional.of(false), false)
                        .withSince(WINDOW)
                        .judge(BootCheck.Seen.of(FREEBSD), AT);
        assertEquals(Status.PASS, v.status(), v.reason());
        assertEquals(
                "not rebooted during the window: up since 2026-11-18 20:06 (window since 02:00);"
                        + " 0 OOM kills since 02:00 (dmesg); failed units: skipped (no systemd)",
                v.reason());
    }

    @Test
    void dmesgTimesAreSecondsSinceBoot() throws Exception {
        String out =
                """
                    tz=+0000
                btime=1795371000
                oom_source=dmesg
                oom=[  100.000001] Out of memory: Killed process 17 (early)
                oom=[  900.5] Out of memory: Killed process 99 (late)
                oom=[  900.6] Killed process 99 (late) total-vm:1kB
                services=none
                """;
        Verdict v =
                new BootCheck(Optional.empty(), 0, true, false, Optional.empty())
                        .withSince(Instant.ofEpochSecond(1795371500))
                        .judge(BootCheck.Seen.of(out), AT);
        assertTrue(v.reason().contains("1 OOM kill since "), v.reason());
        assertTrue(v.reason().contains("Killed process 99 (late) (dmesg)"), v.reason());
    }

    @Test
    void noBootTimeIsAnErrorSayingWhereItWasLookedFor() {
        ProbeOutput o =
                new ProbeOutput(0, "tz=+0000\noom_source=dmesg\n".getBytes(), new byte[0], false);
        Verdict v = Observed.judge(boot(Optional.empty(), false), Observation.ofHost(o), AT);
        assertEquals(Status.ERROR, v.status());
        assertEquals(
                "boot: boot time not found (no /proc/stat btime, kern.boottime or uptime -s)",
                v.reason());
    }

    @Test
    void runsOnThisMachine() throws Exception {
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: boot
                            boot: { max_oom_kills: 1000, failed_services: false, fsck: true }
                        """);
        CheckResult c = check(r, "boot");
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        assertTrue(c.verdict().reason().startsWith("booted "), c.verdict().reason());
        assertTrue(c.verdict().reason().contains("fsck"), c.verdict().reason());
    }
}
