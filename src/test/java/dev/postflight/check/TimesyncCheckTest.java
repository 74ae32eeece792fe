package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.run.CheckResult;
import dev.postflight.testing.LocalRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
        return Recorded.judge(c, exit, out, err, Now.at(Instant.parse("2026-12-06T12:00:00Z")));
    }

    private static Verdict judge(TimesyncCheck c, String out) {
        return judge(c, 0, out, "");
    }

    private static final String CHRONY_BINS =
            "chronyd /usr/sbin/chronyd\nchronyc /usr/bin/chronyc\n";
    private static final String NTP_BINS = "ntpd /usr/sbin/ntpd\nntpq /usr/bin/ntpq\n";
    private static final String TIMESYNCD_BINS =
            "timedatectl /usr/bin/timedatectl\nsystemd-timesyncd /lib/systemd/systemd-timesyncd\n";
    private static final String OPENNTPD_BINS = "ntpd /usr/sbin/ntpd\nntpctl /usr/sbin/ntpctl\n";

    private static String chrony(String tracking, String sources) {
        return probe(
                "chronyd\n",
                CHRONY_BINS,
                "chronyc",
                tracking,
                "0",
                "chronyc-sources",
                sources,
                "0");
    }

    private static String ntpq(String peers) {
        return probe("ntpd\n", NTP_BINS, "ntpq", peers, "0");
    }

    private static String timesyncd(String show, String status, String statusExit) {
        return probe(
                "systemd-timesyn\n",
                TIMESYNCD_BINS,
                "timedatectl",
                show,
                "0",
                "timesync-status",
                status,
                statusExit);
    }

    private static String ntpctl(String status) {
        return probe("ntpd\n", OPENNTPD_BINS, "ntpctl", status, "0");
    }

    private static Arguments row(String situation, String out, Status status, String reason) {
        return Arguments.of(situation, AUTO, out, status, reason);
    }

    private static Arguments row(
            String situation, TimesyncCheck check, String out, Status status, String reason) {
        return Arguments.of(situation, check, out, status, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"whichDaemon", "synchronisation", "maxOffset"})
    void judgesWhatTheDaemonsToolSays(
            String situation, TimesyncCheck check, String out, Status status, String reason) {
        Verdict v = judge(check, out);
        assertEquals(reason, v.reason());
        assertEquals(status, v.status(), v.reason());
    }

    /** Which daemon is judged: the running one, else what is installed says why none is. */
    static Stream<Arguments> whichDaemon() {
        return Stream.of(
                row(
                        "seed 003: a stopped ntpd reads installed but not running",
                        probe("", NTP_BINS),
                        Status.FAIL,
                        "ntpd installed but not running"),
                row(
                        "a named daemon installed but stopped reads the same",
                        new TimesyncCheck("ntpd", Optional.empty()),
                        probe("", NTP_BINS),
                        Status.FAIL,
                        "ntpd installed but not running"),
                row(
                        "ntpsec is also known by its python ntpq when it is not running",
                        probe("", NTP_BINS + "ntpq-flavor ntpsec\n"),
                        Status.FAIL,
                        "ntpsec installed but not running"),
                row(
                        "no tools and no daemon means no time daemon installed",
                        probe("", ""),
                        Status.FAIL,
                        "no time daemon installed"),
                row(
                        "a named daemon that is not the running one fails naming the one that runs",
                        new TimesyncCheck("chrony", Optional.empty()),
                        ntpq(NTPQ_SYNCED),
                        Status.FAIL,
                        "chrony not installed; running instead: ntpd"),
                row(
                        "a running daemon whose tool is missing is an error, not a pass",
                        probe("chronyd\n", "chronyd /usr/sbin/chronyd\n"),
                        Status.ERROR,
                        "chrony: running, but chronyc was not found, so whether it is synchronised"
                                + " is unknown"));
    }

    /** Whether the chosen daemon is synchronised, in its own tool's words. */
    static Stream<Arguments> synchronisation() {
        return Stream.of(
                row(
                        "chrony synchronised names peer, stratum and offset",
                        chrony(CHRONY_TRACKING, CHRONY_SOURCES),
                        Status.PASS,
                        "chrony: synchronised to 192.0.2.1 (stratum 3), offset +0.812ms"),
                row(
                        "chrony right after start is not synchronised",
                        chrony(CHRONY_TRACKING_UNSYNCED, CHRONY_SOURCES_UNSYNCED),
                        Status.FAIL,
                        "chrony: running but not synchronised (leap status Not synchronised,"
                                + " stratum 0; 0 of 2 sources reachable)"),
                row(
                        "chrony on its own local clock is not synchronised",
                        chrony(CHRONY_TRACKING_LOCAL, CHRONY_SOURCES_UNREACHABLE),
                        Status.FAIL,
                        "chrony: running but not synchronised (local clock only (reference"
                                + " 7F7F0101), stratum 8; 0 of 1 sources reachable)"),
                row(
                        "chrony with no selected source is not synchronised",
                        chrony(CHRONY_TRACKING, CHRONY_SOURCES_NONE_SELECTED),
                        Status.FAIL,
                        "chrony: running but not synchronised (no selected source (no * in chronyc"
                                + " sources); 2 of 2 sources reachable)"),
                row(
                        "chrony at stratum 16 is not synchronised",
                        chrony(CHRONY_TRACKING_STRATUM_16, CHRONY_SOURCES),
                        Status.FAIL,
                        "chrony: running but not synchronised (stratum 16; 3 of 3 sources"
                                + " reachable)"),
                row(
                        "chronyc that cannot talk to chronyd means the daemon is not answering",
                        probe(
                                "chronyd\n",
                                CHRONY_BINS,
                                "chronyc",
                                "506 Cannot talk to daemon\n",
                                "1",
                                "chronyc-sources",
                                "506 Cannot talk to daemon\n",
                                "1"),
                        Status.FAIL,
                        "chrony: running but not answering: 506 Cannot talk to daemon"),
                row(
                        "ntpd with a * peer is synchronised",
                        ntpq(NTPQ_SYNCED),
                        Status.PASS,
                        "ntpd: synchronised to 192.0.2.1 (peer stratum 2), offset +0.812ms"),
                row(
                        "ntpd just started has no * peer and reach 0",
                        ntpq(NTPQ_JUST_STARTED),
                        Status.FAIL,
                        "ntpd: running but not synchronised (no * peer; reach 0)"),
                row(
                        "ntpd with reachable peers but none selected says how many answer",
                        ntpq(NTPQ_SYNCED.replace("*192.0.2.1", "+192.0.2.1")),
                        Status.FAIL,
                        "ntpd: running but not synchronised (no * peer; 3 of 4 peers reachable)"),
                row(
                        "ntpd selecting its local clock is not synchronised",
                        ntpq(NTPQ_LOCAL_CLOCK),
                        Status.FAIL,
                        "ntpd: running but not synchronised (the * peer is the local clock"
                                + " (127.127.1.0))"),
                row(
                        "ntpd whose * peer is unreachable is not synchronised",
                        ntpq(NTPQ_STAR_REACH_ZERO),
                        Status.FAIL,
                        "ntpd: running but not synchronised (the * peer 192.0.2.1 is unreachable"
                                + " (reach 0))"),
                row(
                        "ntpq's connection refused means ntpd is not answering",
                        probe("ntpd\n", NTP_BINS, "ntpq", "ntpq: read: Connection refused\n", "1"),
                        Status.FAIL,
                        "ntpd: running but not answering: ntpq: read: Connection refused"),
                row(
                        "ntpsec is told apart by its wider ntpq header",
                        ntpq(NTPSEC_SYNCED),
                        Status.PASS,
                        "ntpsec: synchronised to 192.0.2.1 (peer stratum 2), offset -0.432ms"),
                row(
                        "FreeBSD's ntpd reads like Linux's",
                        ntpq(NTPQ_FREEBSD),
                        Status.PASS,
                        "ntpd: synchronised to 192.0.2.10 (peer stratum 1), offset -1.004ms"),
                row(
                        "timesyncd synchronised uses timesync-status for server and offset",
                        timesyncd("NTP=yes\nNTPSynchronized=yes\n", TIMESYNC_STATUS, "0"),
                        Status.PASS,
                        "systemd-timesyncd: synchronised to 192.0.2.1 (server stratum 2), offset"
                                + " -1.234ms"),
                row(
                        "timesyncd not synchronised names its server",
                        timesyncd(
                                "NTP=yes\nNTPSynchronized=no\n",
                                """
                                       Server: 192.0.2.1 (ntp.ubuntu.com)
                                Poll interval: 32s (min: 32s; max 34min 8s)
                                 Packet count: 0
                                """,
                                "0"),
                        Status.FAIL,
                        "systemd-timesyncd: running but not synchronised (NTPSynchronized=no,"
                                + " server 192.0.2.1)"),
                row(
                        "timesyncd on an old systemd without timesync-status still judges sync",
                        timesyncd(
                                "NTP=yes\nNTPSynchronized=yes\n",
                                "Unknown operation timesync-status\n",
                                "1"),
                        Status.PASS,
                        "systemd-timesyncd: synchronised"),
                row(
                        "openntpd synchronised, from its status line",
                        ntpctl("4/4 peers valid, clock synced, stratum 3\n"),
                        Status.PASS,
                        "openntpd: synchronised, 4/4 peers valid, stratum 3"),
                row(
                        "openntpd synchronised, from its peer list",
                        ntpctl(NTPCTL_ALL),
                        Status.PASS,
                        "openntpd: synchronised to 192.0.2.1 (peer stratum 2), offset +0.360ms"),
                row(
                        "openntpd not synchronised",
                        ntpctl("0/4 peers valid, clock unsynced\n"),
                        Status.FAIL,
                        "openntpd: running but not synchronised (0/4 peers valid, clock"
                                + " unsynced)"));
    }

    /** The daemon's own offset estimate against max_offset. */
    static Stream<Arguments> maxOffset() {
        String behind =
                chrony(CHRONY_TRACKING.replace("0.000812345", "-0.250000000"), CHRONY_SOURCES);
        return Stream.of(
                row(
                        "an offset over max_offset fails with both numbers",
                        new TimesyncCheck("auto", Optional.of(Duration.ofMillis(100))),
                        behind,
                        Status.FAIL,
                        "chrony: synchronised to 192.0.2.1 (stratum 3), offset -250.000ms exceeds"
                                + " max_offset 100ms"),
                row(
                        "an offset within max_offset passes with both numbers",
                        new TimesyncCheck("auto", Optional.of(Duration.ofSeconds(1))),
                        behind,
                        Status.PASS,
                        "chrony: synchronised to 192.0.2.1 (stratum 3), offset -250.000ms"
                                + " (max_offset 1.00s)"),
                row(
                        "no offset estimate to compare with max_offset is an error",
                        new TimesyncCheck("auto", Optional.of(Duration.ofMillis(100))),
                        timesyncd(
                                "NTP=yes\nNTPSynchronized=yes\n",
                                "Unknown operation timesync-status\n",
                                "1"),
                        Status.ERROR,
                        "systemd-timesyncd: synchronised; timedatectl gave no offset estimate to"
                                + " compare with max_offset 100ms"));
    }

    @Test
    void aDaemonThatIsNotSynchronisedShowsItsToolsOutput() {
        Verdict v = judge(AUTO, ntpq(NTPQ_JUST_STARTED));
        assertTrue(v.details().stream().anyMatch(l -> l.contains(".INIT.")), v.details()::toString);
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
