package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.LocalRun;
import dev.postflight.transport.TcpProber;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortCheckTest {
    @TempDir Path dir;

    private static final Now NOW = Now.at(Instant.parse("2026-12-06T12:00:00Z"));

    /** iproute2 6.1 {@code ss -H -lntup} as root. */
    static final String SS_ROOT =
            """
            uid=0
            tool=ss
            udp   UNCONN 0      0      127.0.0.53%lo:53        0.0.0.0:*    users:(("systemd-resolve",pid=501,fd=13))
            udp   UNCONN 0      0            0.0.0.0:123       0.0.0.0:*    users:(("ntpd",pid=700,fd=16))
            udp   UNCONN 0      0     [fe80::1%eth0]:123          [::]:*    users:(("ntpd",pid=700,fd=20))
            tcp   LISTEN 0      511          0.0.0.0:80        0.0.0.0:*    users:(("nginx",pid=802,fd=6),("nginx",pid=801,fd=6))
            tcp   LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:(("sshd",pid=612,fd=3))
            tcp   LISTEN 0      511             [::]:80           [::]:*    users:(("nginx",pid=802,fd=7),("nginx",pid=801,fd=7))
            tcp   LISTEN 0      4096       127.0.0.1:9000      0.0.0.0:*    users:(("php-fpm8.2",pid=900,fd=9))
            tcp   LISTEN 0      128                *:3306            *:*    users:(("mysqld",pid=950,fd=21))
            """;

    /** The same as a login user: ss cannot see other users' processes. */
    static final String SS_USER =
            """
            uid=1000
            tool=ss
            tcp   LISTEN 0      511          0.0.0.0:80        0.0.0.0:*
            tcp   LISTEN 0      511             [::]:80           [::]:*
            """;

    /** FreeBSD 13 {@code sockstat -l -4 -6}. */
    static final String SOCKSTAT =
            """
            uid=0
            tool=sockstat
            USER     COMMAND    PID   FD PROTO  LOCAL ADDRESS         FOREIGN ADDRESS
            www      nginx      901   6  tcp4   192.0.2.10:80         *:*
            root     nginx      900   6  tcp4   192.0.2.10:80         *:*
            root     ntpd       700   20 udp4   *:123                 *:*
            root     ntpd       700   21 udp6   ::1:123               *:*
            root     sshd       812   3  tcp6   *:22                  *:*
            root     sshd       812   4  tcp4   *:22                  *:*
            ?        ?          ?     ?  tcp4   *:25                  *:*
            """;

    /** net-tools {@code netstat -lntup} as a login user. */
    static final String NETSTAT =
            """
            uid=1000
            tool=netstat
            Active Internet connections (only servers)
            Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name
            tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      -
            tcp        0      0 127.0.0.1:8080          0.0.0.0:*               LISTEN      4711/java
            tcp6       0      0 :::443                  :::*                    LISTEN      -
            udp        0      0 0.0.0.0:68              0.0.0.0:*                           -
            """;

    /** BSD {@code netstat -an}: ports after a dot, established connections mixed in. */
    static final String NETSTAT_AN =
            """
            uid=1000
            tool=netstat-an
            Active Internet connections (including servers)
            Proto Recv-Q Send-Q Local Address          Foreign Address        (state)
            tcp4       0      0 192.0.2.10.22          198.51.100.7.51234     ESTABLISHED
            tcp4       0      0 *.22                   *.*                    LISTEN
            tcp6       0      0 *.443                  *.*                    LISTEN
            udp4       0      0 *.123                  *.*
            """;

    private static Verdict host(PortCheck c, String out) {
        return Observed.judge(
                c,
                Observation.ofHost(
                        new ProbeOutput(
                                0, out.getBytes(StandardCharsets.UTF_8), new byte[0], false)),
                NOW);
    }

    private static PortCheck tcp(int port, String process) {
        return new PortCheck(port, "tcp", true, Optional.ofNullable(process), false);
    }

    @Test
    void readsSsWithOwnersOnIpv4AndIpv6() {
        Verdict v = host(tcp(80, "nginx"), SS_ROOT);
        assertEquals(Status.PASS, v.status());
        assertEquals("tcp/80: listening on 0.0.0.0, [::] by nginx (ss)", v.reason());
        Verdict fpm = host(tcp(9000, "php-fpm"), SS_ROOT);
        assertEquals(Status.FAIL, fpm.status());
        assertEquals(
                "tcp/9000: listening on 127.0.0.1 by php-fpm8.2, expected php-fpm (ss)",
                fpm.reason());
        assertEquals(
                "udp/123: listening on 0.0.0.0, [fe80::1] by ntpd (ss)",
                host(new PortCheck(123, "udp", true, Optional.empty(), false), SS_ROOT).reason());
        assertEquals(
                "tcp/3306: listening on * by mysqld (ss)", host(tcp(3306, null), SS_ROOT).reason());
        assertEquals(Status.FAIL, host(tcp(443, null), SS_ROOT).status());
    }

    @Test
    void anOwnerHiddenFromALoginUserIsSaidSoNotGuessed() {
        Verdict v = host(tcp(80, "nginx"), SS_USER);
        assertEquals(Status.WARN, v.status());
        assertEquals(
                "tcp/80: listening on 0.0.0.0, [::]; owner not visible without root, cannot"
                        + " confirm it is nginx (ss)",
                v.reason());
        assertEquals(Status.PASS, host(tcp(80, null), SS_USER).status());
    }

    @Test
    void readsFreeBsdSockstat() {
        assertEquals(
                "tcp/80: listening on 192.0.2.10 by nginx (sockstat)",
                host(tcp(80, "nginx"), SOCKSTAT).reason());
        assertEquals(
                "udp/123: listening on *, [::1] by ntpd (sockstat)",
                host(new PortCheck(123, "udp", true, Optional.empty(), false), SOCKSTAT).reason());
        Verdict telnet = host(new PortCheck(25, "tcp", false, Optional.empty(), false), SOCKSTAT);
        assertEquals(Status.FAIL, telnet.status());
        assertEquals("tcp/25: listening on *, expected not listening (sockstat)", telnet.reason());
    }

    @Test
    void readsLinuxAndBsdNetstat() {
        assertEquals(
                "tcp/8080: listening on 127.0.0.1 by java (netstat)",
                host(tcp(8080, "java"), NETSTAT).reason());
        assertEquals(Status.WARN, host(tcp(22, "sshd"), NETSTAT).status());
        assertEquals(
                "tcp/443: listening on [::] (netstat)", host(tcp(443, null), NETSTAT).reason());
        assertEquals(
                "udp/68: listening on 0.0.0.0 (netstat)",
                host(new PortCheck(68, "udp", true, Optional.empty(), false), NETSTAT).reason());
        assertEquals(
                "tcp/22: listening on * (netstat-an)", host(tcp(22, null), NETSTAT_AN).reason());
        assertEquals(Status.FAIL, host(tcp(51234, null), NETSTAT_AN).status());
    }

    @Test
    void noListingToolIsAnError() {
        assertEquals(Status.ERROR, host(tcp(22, null), "uid=0\n").status());
        Verdict missing =
                Observed.judge(
                        tcp(22, null),
                        Observation.ofHost(
                                new ProbeOutput(
                                        127,
                                        new byte[0],
                                        "no ss, sockstat or netstat\n"
                                                .getBytes(StandardCharsets.UTF_8),
                                        false)),
                        NOW);
        assertEquals(
                new Verdict(
                        Status.ERROR, "listening sockets: no ss, sockstat or netstat", List.of()),
                missing);
    }

    @Test
    void aListingThatCouldNotBeMadeStillReportsWhatTheRunnersConnectSaw() {
        PortCheck reachable = new PortCheck(22, "tcp", true, Optional.empty(), true);
        ProbeOutput noTool =
                new ProbeOutput(
                        127,
                        new byte[0],
                        "no ss, sockstat or netstat\n".getBytes(StandardCharsets.UTF_8),
                        false);
        Verdict both =
                Observed.judge(
                        reachable,
                        new Observation(
                                List.of(noTool),
                                List.of(new TcpProber.Outcome.Unresolved("no such host: web1")),
                                Optional.empty(),
                                Optional.empty()),
                        NOW);
        assertEquals(
                Verdict.error(
                        "listening sockets: no ss, sockstat or netstat; runner cannot connect: no"
                                + " such host: web1"),
                both);
        Verdict connected =
                Observed.judge(
                        reachable,
                        new Observation(
                                List.of(noTool),
                                List.of(new TcpProber.Outcome.Connected(Duration.ofMillis(3))),
                                Optional.empty(),
                                Optional.empty()),
                        NOW);
        assertEquals(Verdict.error("listening sockets: no ss, sockstat or netstat"), connected);
    }

    @Test
    void aSocketOpenedHereIsListeningOwnedAndReachableAndAClosedOneIsRefused() throws Exception {
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = gone.getLocalPort();
        }
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = open.getLocalPort();
            HostResult r =
                    LocalRun.run(
                            dir,
                            """
                            checks:
                              - id: open
                                port: { port: %d, process: java, reachable: true }
                              - id: closed
                                port: { port: %d, reachable: true }
                              - id: must-not-listen
                                port: { port: %d, listening: false }
                            """
                                    .formatted(port, closedPort, port));
            CheckResult open1 = check(r, "open");
            String reason = open1.verdict().reason();
            assertTrue(reason.startsWith("tcp/" + port + ": listening on 127.0.0.1"), reason);
            if (open1.status() == Status.WARN) {
                assertTrue(reason.contains("owner not visible without root"), reason);
            } else {
                assertEquals(Status.PASS, open1.status(), reason);
                assertTrue(reason.contains("by java"), reason);
                assertTrue(reason.contains("reachable from the runner"), reason);
            }
            CheckResult closed = check(r, "closed");
            assertEquals(Status.FAIL, closed.status());
            assertTrue(
                    closed.verdict().reason().contains("nothing listening")
                            && closed.verdict()
                                    .reason()
                                    .contains("not reachable from the runner: connection refused"),
                    closed.verdict().reason());
            CheckResult mustNot = check(r, "must-not-listen");
            assertEquals(Status.FAIL, mustNot.status());
            // Without a process to compare, the cheap listing without owners is used.
            assertEquals(
                    "tcp/" + port + ": listening on 127.0.0.1, expected not listening (ss)",
                    mustNot.verdict().reason());
        }
    }
}
