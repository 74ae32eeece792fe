package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.run.CheckResult;
import dev.postflight.testing.LocalRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimesyncCheckTest {
    @TempDir Path dir;

    private static final TimesyncCheck AUTO = new TimesyncCheck("auto", Optional.empty());

    /** chrony 4.3 (Debian 12) {@code chronyc -n -c tracking}, synchronised. */
    static final String CHRONY_TRACKING =
            "C0000201,192.0.2.1,3,1715230412.123456789,0.000812345,-0.000012345,0.000034567,"
                    + "-12.345,0.001,0.023,0.012345678,0.001234567,1036.8,Normal\n";

    /** {@code chronyc -n -c sources} on the same host. */
    static final String CHRONY_SOURCES =
            """
            ^,*,192.0.2.1,2,10,377,512,0.000123456,0.000098765,0.012345678
            ^,+,192.0.2.2,2,10,377,498,-0.000456789,-0.000432100,0.023456789
            ^,-,198.51.100.7,3,10,377,1012,0.003456789,0.003400000,0.045678901
            """;

    /** chronyd seconds after start: no reference yet. */
    static final String CHRONY_TRACKING_UNSYNCED =
            "00000000,,0,0.000000000,0.000000000,0.000000000,0.000000000,"
                    + "0.000,0.000,0.000,1.000000000,1.000000000,0.0,Not synchronised\n";

    static final String CHRONY_SOURCES_UNSYNCED =
            """
            ^,?,192.0.2.1,0,6,0,0,0.000000000,0.000000000,0.000000000
            ^,?,192.0.2.2,0,6,0,0,0.000000000,0.000000000,0.000000000
            """;

    /** ntp 4.2.8p15 (Debian 11) {@code ntpq -pn}, synchronised. */
    static final String NTPQ_SYNCED =
            """
                 remote           refid      st t when poll reach   delay   offset  jitter
            ==============================================================================
             0.debian.pool.n .POOL.          16 p    -   64    0    0.000   +0.000   0.000
            *192.0.2.1       203.0.113.5      2 u   33   64  377    1.234   +0.812   0.123
            +192.0.2.2       203.0.113.6      2 u   40   64  377    2.345   -0.321   0.234
            -198.51.100.7    203.0.113.9      3 u   12   64  377   10.111   +4.567   1.010
             198.51.100.8    .INIT.          16 u    -   64    0    0.000   +0.000   0.000
            """;

    /** The same ntpd a few seconds after {@code service ntp start}. */
    static final String NTPQ_JUST_STARTED =
            """
                 remote           refid      st t when poll reach   delay   offset  jitter
            ==============================================================================
             0.debian.pool.n .POOL.          16 p    -   64    0    0.000   +0.000   0.000
             192.0.2.1       .INIT.          16 u    -   64    0    0.000   +0.000   0.000
             192.0.2.2       .INIT.          16 u    -   64    0    0.000   +0.000   0.000
            """;

    /** ntpsec 1.2.2 (Debian 12): same columns, wider remote, four decimals. */
    static final String NTPSEC_SYNCED =
            """
                 remote                                   refid      st t when poll reach   delay   offset   jitter
            =======================================================================================================
             0.debian.pool.ntp.org                   .POOL.          16 p    -  256    0   0.0000   0.0000   0.0001
            *192.0.2.1                               203.0.113.5      2 u  113  256  377   1.2345  -0.4321   0.1234
            +192.0.2.2                               203.0.113.6      2 u  201  256  377   2.3456   0.2345   0.2345
            """;

    /** FreeBSD 13.2's base ntpd ({@code ntpq -pn}), synchronised to a GPS-fed stratum 1. */
    static final String NTPQ_FREEBSD =
            """
                 remote           refid      st t when poll reach   delay   offset  jitter
            ==============================================================================
             0.freebsd.pool. .POOL.          16 p    -   64    0    0.000   +0.000   0.000
            *192.0.2.10      .GPS.            1 u   45   64  377    5.123   -1.004   0.321
            +192.0.2.11      192.0.2.10       2 u   50   64  377    6.789   +0.456   0.222
            """;

    /** systemd 252 {@code timedatectl timesync-status}. */
    static final String TIMESYNC_STATUS =
            """
                   Server: 192.0.2.1 (ntp.ubuntu.com)
            Poll interval: 34min 8s (min: 32s; max 34min 8s)
                     Leap: normal
                  Version: 4
                  Stratum: 2
                Reference: C0248F97
                Precision: 1us (-25)
            Root distance: 29.432ms (max: 5s)
                   Offset: -1.234ms
                    Delay: 40.123ms
                   Jitter: 2.345ms
             Packet count: 120
                Frequency: -12.345ppm
            """;

    /** OpenNTPD 6.8 {@code ntpctl -s all}. */
    static final String NTPCTL_ALL =
            """
            4/4 peers valid, clock synced, stratum 3

            peer
               wt tl st  next  poll          offset       delay      jitter
            192.0.2.1 from pool pool.ntp.org
             *  1 10  2   23s   32s         0.360ms    11.215ms     0.311ms
            192.0.2.2 from pool pool.ntp.org
                1 10  2   14s   32s        -0.812ms    12.020ms     0.455ms
            """;

    /**
     * chronyd serving its own clock ({@code local stratum 8} in chrony.conf) with its server out of
     * reach: leap status Normal, reference 7F7F0101. Not synchronised to any real time source.
     */
    static final String CHRONY_TRACKING_LOCAL =
            "7F7F0101,,8,1733515200.123456789,0.000000000,0.000000000,0.000000000,"
                    + "-12.345,0.000,0.000,0.000000000,0.000012345,64.0,Normal\n";

    static final String CHRONY_SOURCES_UNREACHABLE =
            "^,?,192.0.2.1,0,6,0,0,0.000000000,0.000000000,0.000000000\n";

    /** Tracking says Normal, but no source carries the * (all rejected as falsetickers). */
    static final String CHRONY_SOURCES_NONE_SELECTED =
            """
            ^,x,192.0.2.1,2,10,377,512,0.000123456,0.000098765,0.012345678
            ^,x,192.0.2.2,2,10,377,498,-0.900456789,-0.900432100,0.023456789
            """;

    static final String CHRONY_TRACKING_STRATUM_16 =
            "C0000201,192.0.2.1,16,1715230412.123456789,0.000812345,-0.000012345,0.000034567,"
                    + "-12.345,0.001,0.023,0.012345678,0.001234567,1036.8,Normal\n";

    /** ntpd whose only selected peer is its undisciplined local clock driver. */
    static final String NTPQ_LOCAL_CLOCK =
            """
                 remote           refid      st t when poll reach   delay   offset  jitter
            ==============================================================================
            *127.127.1.0     .LOCL.          10 l   16   64  377    0.000    0.000   0.000
             192.0.2.1       .INIT.          16 u    -   64    0    0.000    0.000   0.000
            """;

    /** ntpd still marking a peer it has not heard from for eight polls. */
    static final String NTPQ_STAR_REACH_ZERO =
            """
                 remote           refid      st t when poll reach   delay   offset  jitter
            ==============================================================================
            *192.0.2.1       203.0.113.5      2 u  900   64    0    1.234   +0.812   0.123
            """;

    @Test
    void chronyOnItsOwnLocalClockIsNotSynchronised() {
        Verdict v =
                judge(
                        AUTO,
                        probe(
                                "chronyd\n",
                                CHRONY_BINS,
                                "chronyc",
                                CHRONY_TRACKING_LOCAL,
                                "0",
                                "chronyc-sources",
                                CHRONY_SOURCES_UNREACHABLE,
                                "0"));
        assertEquals(Status.FAIL, v.status(), v.reason());
        assertEquals(
                "chrony: running but not synchronised (local clock only (reference 7F7F0101),"
                        + " stratum 8; 0 of 1 sources reachable)",
                v.reason());
    }

    @Test
    void chronyWithNoSelectedSourceIsNotSynchronised() {
        Verdict v =
                judge(
                        AUTO,
                        probe(
                                "chronyd\n",
                                CHRONY_BINS,
                                "chronyc",
                                CHRONY_TRACKING,
                                "0",
                                "chronyc-sources",
                                CHRONY_SOURCES_NONE_SELECTED,
                                "0"));
        assertEquals(Status.FAIL, v.status(), v.reason());
        assertEquals(
                "chrony: running but not synchronised (no selected source (no * in chronyc"
                        + " sources); 2 of 2 sources reachable)",
                v.reason());
    }

    @Test
    void chronyAtStratumSixteenIsNotSynchronised() {
        Verdict v =
                judge(
                        AUTO,
                        probe(
                                "chronyd\n",
                                CHRONY_BINS,
                                "chronyc",
                                CHRONY_TRACKING_STRATUM_16,
                                "0",
                                "chronyc-sources",
                                CHRONY_SOURCES,
                                "0"));
        assertEquals(Status.FAIL, v.status(), v.reason());
        assertEquals(
                "chrony: running but not synchronised (stratum 16; 3 of 3 sources reachable)",
                v.reason());
    }

    @Test
    void ntpdSelectingItsLocalClockIsNotSynchronised() {
        Verdict v = judge(AUTO, probe("ntpd\n", NTP_BINS, "ntpq", NTPQ_LOCAL_CLOCK, "0"));
        assertEquals(Status.FAIL, v.status(), v.reason());
        assertEquals(
                "ntpd: running but not synchronised (the * peer is the local clock"
                        + " (127.127.1.0))",
                v.reason());
    }

    @Test
    void ntpdWhoseStarPeerIsUnreachableIsNotSynchronised() {
        Verdict v = judge(AUTO, probe("ntpd\n", NTP_BINS, "ntpq", NTPQ_STAR_REACH_ZERO, "0"));
        assertEquals(Status.FAIL, v.status(), v.reason());
        assertEquals(
                "ntpd: running but not synchronised (the * peer 192.0.2.1 is unreachable (reach"
                        + " 0))",
                v.reason());
    }

    /** Builds the probe's output: running daemons, installed binaries, then tool sections. */
    private static String probe(String procs, String installed, String... sections) {
        StringBuilder b = new StringBuilder("@@ procs\n").append(procs).append("@@ exit 0\n");
        b.append("@@ installed\n").append(installed).append("@@ exit 0\n");
        for (int i = 0; i + 2 < sections.length; i += 3) {
            b.append("@@ ").append(sections[i]).append('\n').append(sections[i + 1]);
            b.append("@@ exit ").append(sections[i + 2]).append('\n');
        }
        return b.toString();
    }

    private static Verdict judge(TimesyncCheck c, int exit, String out, String err) {
        return c.judge(
                new Observation(
                        List.of(
                                new ProbeOutput(
                                        exit,
                                        out.getBytes(StandardCharsets.UTF_8),
                                        err.getBytes(StandardCharsets.UTF_8),
                                        false)),
                        List.of(),
                        Optional.empty(),
                        Optional.empty()));
    }

    private static Verdict judge(TimesyncCheck c, String out) {
        return judge(c, 0, out, "");
    }

    private static final String CHRONY_BINS =
            "chronyd /usr/sbin/chronyd\nchronyc /usr/bin/chronyc\n";
    private static final String NTP_BINS = "ntpd /usr/sbin/ntpd\nntpq /usr/bin/ntpq\n";

    @Test
    void chronySynchronisedNamesPeerStratumAndOffset() {
        Verdict v =
                judge(
                        AUTO,
                        probe(
                                "chronyd\n",
                                CHRONY_BINS,
                                "chronyc",
                                CHRONY_TRACKING,
                                "0",
                                "chronyc-sources",
                                CHRONY_SOURCES,
                                "0"));
        assertEquals(Status.PASS, v.status());
        assertEquals("chrony: synchronised to 192.0.2.1 (stratum 3), offset +0.812ms", v.reason());
    }

    @Test
    void chronyNotSynchronisedRightAfterStartFails() {
        Verdict v =
                judge(
                        AUTO,
                        probe(
                                "chronyd\n",
                                CHRONY_BINS,
                                "chronyc",
                                CHRONY_TRACKING_UNSYNCED,
                                "0",
                                "chronyc-sources",
                                CHRONY_SOURCES_UNSYNCED,
                                "0"));
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "chrony: running but not synchronised (leap status Not synchronised, stratum 0;"
                        + " 0 of 2 sources reachable)",
                v.reason());
    }

    @Test
    void chronycThatCannotTalkToChronydMeansTheDaemonIsNotAnswering() {
        Verdict v =
                judge(
                        AUTO,
                        probe(
                                "chronyd\n",
                                CHRONY_BINS,
                                "chronyc",
                                "506 Cannot talk to daemon\n",
                                "1",
                                "chronyc-sources",
                                "506 Cannot talk to daemon\n",
                                "1"));
        assertEquals(Status.FAIL, v.status());
        assertEquals("chrony: running but not answering: 506 Cannot talk to daemon", v.reason());
    }

    @Test
    void ntpdWithAStarPeerIsSynchronised() {
        Verdict v = judge(AUTO, probe("ntpd\n", NTP_BINS, "ntpq", NTPQ_SYNCED, "0"));
        assertEquals(Status.PASS, v.status());
        assertEquals(
                "ntpd: synchronised to 192.0.2.1 (peer stratum 2), offset +0.812ms", v.reason());
    }

    @Test
    void ntpdJustStartedHasNoStarPeerAndReachZero() {
        Verdict v = judge(AUTO, probe("ntpd\n", NTP_BINS, "ntpq", NTPQ_JUST_STARTED, "0"));
        assertEquals(Status.FAIL, v.status());
        assertEquals("ntpd: running but not synchronised (no * peer; reach 0)", v.reason());
        assertTrue(v.details().stream().anyMatch(l -> l.contains(".INIT.")), v.details()::toString);
    }

    @Test
    void ntpdWithReachablePeersButNoneSelectedSaysHowManyAnswer() {
        String selecting = NTPQ_SYNCED.replace("*192.0.2.1", "+192.0.2.1");
        Verdict v = judge(AUTO, probe("ntpd\n", NTP_BINS, "ntpq", selecting, "0"));
        assertEquals(
                "ntpd: running but not synchronised (no * peer; 3 of 4 peers reachable)",
                v.reason());
    }

    @Test
    void ntpqConnectionRefusedMeansNtpdIsNotAnswering() {
        Verdict v =
                judge(
                        AUTO,
                        probe("ntpd\n", NTP_BINS, "ntpq", "ntpq: read: Connection refused\n", "1"));
        assertEquals(Status.FAIL, v.status());
        assertEquals("ntpd: running but not answering: ntpq: read: Connection refused", v.reason());
    }

    @Test
    void ntpsecIsToldApartByItsWiderNtpqHeader() {
        Verdict v = judge(AUTO, probe("ntpd\n", NTP_BINS, "ntpq", NTPSEC_SYNCED, "0"));
        assertEquals(Status.PASS, v.status());
        assertEquals(
                "ntpsec: synchronised to 192.0.2.1 (peer stratum 2), offset -0.432ms", v.reason());
    }

    @Test
    void ntpsecIsAlsoKnownByItsPythonNtpqWhenItIsNotRunning() {
        Verdict v = judge(AUTO, probe("", NTP_BINS + "ntpq-flavor ntpsec\n"));
        assertEquals("ntpsec installed but not running", v.reason());
    }

    @Test
    void freeBsdNtpdReadsLikeLinuxNtpd() {
        Verdict v =
                judge(
                        AUTO,
                        probe(
                                "ntpd\n",
                                "ntpd /usr/sbin/ntpd\nntpq /usr/bin/ntpq\n",
                                "ntpq",
                                NTPQ_FREEBSD,
                                "0"));
        assertEquals(Status.PASS, v.status());
        assertEquals(
                "ntpd: synchronised to 192.0.2.10 (peer stratum 1), offset -1.004ms", v.reason());
    }

    private static final String TIMESYNCD_BINS =
            "timedatectl /usr/bin/timedatectl\nsystemd-timesyncd /lib/systemd/systemd-timesyncd\n";

    @Test
    void timesyncdSynchronisedUsesTimesyncStatusForServerAndOffset() {
        Verdict v =
                judge(
                        AUTO,
                        probe(
                                "systemd-timesyn\n",
                                TIMESYNCD_BINS,
                                "timedatectl",
                                "NTP=yes\nNTPSynchronized=yes\n",
                                "0",
                                "timesync-status",
                                TIMESYNC_STATUS,
                                "0"));
        assertEquals(Status.PASS, v.status());
        assertEquals(
                "systemd-timesyncd: synchronised to 192.0.2.1 (server stratum 2), offset -1.234ms",
                v.reason());
    }

    @Test
    void timesyncdNotSynchronisedNamesItsServer() {
        String status =
                """
                       Server: 192.0.2.1 (ntp.ubuntu.com)
                Poll interval: 32s (min: 32s; max 34min 8s)
                 Packet count: 0
                """;
        Verdict v =
                judge(
                        AUTO,
                        probe(
                                "systemd-timesyn\n",
                                TIMESYNCD_BINS,
                                "timedatectl",
                                "NTP=yes\nNTPSynchronized=no\n",
                                "0",
                                "timesync-status",
                                status,
                                "0"));
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "systemd-timesyncd: running but not synchronised (NTPSynchronized=no, server"
                        + " 192.0.2.1)",
                v.reason());
    }

    @Test
    void timesyncdOnOldSystemdWithoutTimesyncStatusStillJudgesSync() {
        Verdict v =
                judge(
                        AUTO,
                        probe(
                                "systemd-timesyn\n",
                                TIMESYNCD_BINS,
                                "timedatectl",
                                "NTP=yes\nNTPSynchronized=yes\n",
                                "0",
                                "timesync-status",
                                "Unknown operation timesync-status\n",
                                "1"));
        assertEquals("systemd-timesyncd: synchronised", v.reason());
        Verdict bounded =
                judge(
                        new TimesyncCheck("auto", Optional.of(Duration.ofMillis(100))),
                        probe(
                                "systemd-timesyn\n",
                                TIMESYNCD_BINS,
                                "timedatectl",
                                "NTP=yes\nNTPSynchronized=yes\n",
                                "0",
                                "timesync-status",
                                "Unknown operation timesync-status\n",
                                "1"));
        assertEquals(Status.ERROR, bounded.status());
        assertEquals(
                "systemd-timesyncd: synchronised; timedatectl gave no offset estimate to compare"
                        + " with max_offset 100ms",
                bounded.reason());
    }

    private static final String OPENNTPD_BINS = "ntpd /usr/sbin/ntpd\nntpctl /usr/sbin/ntpctl\n";

    @Test
    void openntpdSyncedAndUnsynced() {
        Verdict status =
                judge(
                        AUTO,
                        probe(
                                "ntpd\n",
                                OPENNTPD_BINS,
                                "ntpctl",
                                "4/4 peers valid, clock synced, stratum 3\n",
                                "0"));
        assertEquals(Status.PASS, status.status());
        assertEquals("openntpd: synchronised, 4/4 peers valid, stratum 3", status.reason());
        Verdict all = judge(AUTO, probe("ntpd\n", OPENNTPD_BINS, "ntpctl", NTPCTL_ALL, "0"));
        assertEquals(
                "openntpd: synchronised to 192.0.2.1 (peer stratum 2), offset +0.360ms",
                all.reason());
        Verdict unsynced =
                judge(
                        AUTO,
                        probe(
                                "ntpd\n",
                                OPENNTPD_BINS,
                                "ntpctl",
                                "0/4 peers valid, clock unsynced\n",
                                "0"));
        assertEquals(Status.FAIL, unsynced.status());
        assertEquals(
                "openntpd: running but not synchronised (0/4 peers valid, clock unsynced)",
                unsynced.reason());
    }

    @Test
    void seed003StoppedNtpdReadsInstalledButNotRunning() {
        Verdict v = judge(AUTO, probe("", NTP_BINS));
        assertEquals(Status.FAIL, v.status());
        assertEquals("ntpd installed but not running", v.reason());
        Verdict named = judge(new TimesyncCheck("ntpd", Optional.empty()), probe("", NTP_BINS));
        assertEquals("ntpd installed but not running", named.reason());
    }

    @Test
    void noToolsAndNoDaemonMeansNoTimeDaemonInstalled() {
        Verdict v = judge(AUTO, probe("", ""));
        assertEquals(Status.FAIL, v.status());
        assertEquals("no time daemon installed", v.reason());
    }

    @Test
    void aNamedDaemonThatIsNotTheRunningOneFailsNamingTheOneThatRuns() {
        Verdict v =
                judge(
                        new TimesyncCheck("chrony", Optional.empty()),
                        probe("ntpd\n", NTP_BINS, "ntpq", NTPQ_SYNCED, "0"));
        assertEquals(Status.FAIL, v.status());
        assertEquals("chrony not installed; running instead: ntpd", v.reason());
    }

    @Test
    void maxOffsetExceededFailsWithBothNumbers() {
        String tracking = CHRONY_TRACKING.replace("0.000812345", "-0.250000000");
        String out =
                probe(
                        "chronyd\n",
                        CHRONY_BINS,
                        "chronyc",
                        tracking,
                        "0",
                        "chronyc-sources",
                        CHRONY_SOURCES,
                        "0");
        Verdict v = judge(new TimesyncCheck("auto", Optional.of(Duration.ofMillis(100))), out);
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "chrony: synchronised to 192.0.2.1 (stratum 3), offset -250.000ms exceeds"
                        + " max_offset 100ms",
                v.reason());
        Verdict within = judge(new TimesyncCheck("auto", Optional.of(Duration.ofSeconds(1))), out);
        assertEquals(Status.PASS, within.status());
        assertEquals(
                "chrony: synchronised to 192.0.2.1 (stratum 3), offset -250.000ms (max_offset 1.00s)",
                within.reason());
    }

    @Test
    void aRunningDaemonWhoseToolIsMissingIsAnErrorNotAPass() {
        Verdict v = judge(AUTO, probe("chronyd\n", "chronyd /usr/sbin/chronyd\n"));
        assertEquals(Status.ERROR, v.status());
        assertEquals(
                "chrony: running, but chronyc was not found, so whether it is synchronised is"
                        + " unknown",
                v.reason());
    }

    @Test
    void missingPsIsAnError() {
        Verdict v = judge(AUTO, 127, "", "no ps command\n");
        assertEquals(Status.ERROR, v.status());
        assertEquals("time daemons: no ps command", v.reason());
    }

    @Test
    void systemdTimespansParseWithSignAndUnits() {
        assertEquals(
                Optional.of(Duration.ofNanos(-1_234_000)), TimeDaemons.systemdTimespan("-1.234ms"));
        assertEquals(Optional.of(Duration.ofMillis(1020)), TimeDaemons.systemdTimespan("1s 20ms"));
        assertEquals(Optional.of(Duration.ofNanos(56_000)), TimeDaemons.systemdTimespan("+56us"));
        assertEquals(Optional.empty(), TimeDaemons.systemdTimespan("n/a"));
    }

    @Test
    void thisMachineGetsTheHonestVerdict() throws Exception {
        Set<String> daemons = Set.of("chronyd", "ntpd", "systemd-timesyn", "openntpd");
        boolean anyRunning =
                ProcessHandle.allProcesses()
                        .flatMap(p -> p.info().command().stream())
                        .map(c -> Path.of(c).getFileName().toString())
                        .anyMatch(c -> daemons.stream().anyMatch(c::startsWith));
        Assumptions.assumeFalse(
                anyRunning, "a time daemon runs here; this test is for hosts without");
        CheckResult r =
                check(
                        LocalRun.run(
                                dir,
                                """
                                checks:
                                  - id: time
                                    timesync: { daemon: auto }
                                """),
                        "time");
        assertEquals(Status.FAIL, r.status(), r.verdict().reason());
        boolean timesyncdOnly =
                (Files.isExecutable(Path.of("/lib/systemd/systemd-timesyncd"))
                                || Files.isExecutable(
                                        Path.of("/usr/lib/systemd/systemd-timesyncd")))
                        && !Files.exists(Path.of("/usr/sbin/chronyd"))
                        && !Files.exists(Path.of("/usr/sbin/ntpd"));
        if (timesyncdOnly) {
            // Debian 12 here: systemd-timesyncd is on disk but systemd is not PID 1.
            assertEquals("systemd-timesyncd installed but not running", r.verdict().reason());
        } else {
            assertTrue(
                    r.verdict().reason().equals("no time daemon installed")
                            || r.verdict().reason().endsWith(" installed but not running"),
                    r.verdict().reason());
        }
    }
}
