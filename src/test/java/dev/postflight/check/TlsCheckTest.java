package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.input.InvalidInput;
import dev.postflight.run.CheckResult;
import dev.postflight.testing.LocalRun;
import dev.postflight.testing.SniTlsServer;
import dev.postflight.testing.TestCerts;
import dev.postflight.transport.TlsProber;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tls check against a real TLS server on 127.0.0.1 that serves a different certificate per SNI
 * name, like seed 002's nginx with a site, a git server and a CI server behind it.
 */
class TlsCheckTest {
    @TempDir static Path caDir;
    @TempDir Path dir;
    static TestCerts.Issued ca;
    static Path caPem;
    static SniTlsServer server;

    @BeforeAll
    static void start() throws Exception {
        ca = TestCerts.rootCa("postflight test CA");
        caPem = Files.writeString(caDir.resolve("ca.pem"), ca.certPem());
        TestCerts.Issued r11 =
                TestCerts.issue(
                        ca,
                        "R11",
                        List.of(),
                        Instant.now().minus(Duration.ofDays(300)),
                        Instant.now().plus(Duration.ofDays(10)),
                        TestCerts.ec(),
                        "SHA256withECDSA",
                        true);
        TestCerts.Issued weak =
                TestCerts.issue(
                        ca,
                        "weak.site.test",
                        List.of("weak.site.test"),
                        Instant.now().minus(Duration.ofDays(1)),
                        Instant.now().plus(Duration.ofDays(90)),
                        TestCerts.rsa(1024),
                        "SHA1withECDSA",
                        false);
        server =
                SniTlsServer.start(
                        Map.of(
                                "site.test",
                                        TestCerts.leaf(
                                                ca, List.of("site.test", "www.site.test"), 30, 60),
                                "git.site.test",
                                        TestCerts.leaf(ca, List.of("git.site.test"), 10, 80),
                                "soon.site.test",
                                        TestCerts.leaf(ca, List.of("soon.site.test"), 85, 5),
                                "later.site.test",
                                        TestCerts.leaf(ca, List.of("later.site.test"), 75, 15),
                                "old.site.test",
                                        TestCerts.leaf(ca, List.of("old.site.test"), 93, -3),
                                "future.site.test",
                                        TestCerts.leaf(ca, List.of("future.site.test"), -10, 80),
                                "self.site.test",
                                        TestCerts.selfSigned(List.of("self.site.test"), 30),
                                "chain.site.test",
                                        TestCerts.leaf(r11, List.of("chain.site.test"), 1, 60),
                                "weak.site.test", weak),
                        TestCerts.leaf(ca, List.of("default.site.test"), 1, 60));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private CheckResult run(String spec) throws Exception {
        String yaml =
                "vars: { port: \""
                        + server.port()
                        + "\", ca: \""
                        + caPem
                        + "\" }\nchecks:\n  - id: cert\n    tls: "
                        + spec
                        + "\n";
        return check(LocalRun.run(dir, yaml), "cert");
    }

    private CheckResult named(String name) throws Exception {
        return run(
                "{ address: 127.0.0.1, port: \"{{ port }}\", server_name: "
                        + name
                        + ", ca_file: \"{{ ca }}\" }");
    }

    private int sshPort;

    private CheckResult viaSsh(boolean forwarding) throws Exception {
        java.nio.file.Path hostDir =
                java.nio.file.Files.createDirectory(dir.resolve("bastion-" + forwarding));
        try (dev.postflight.testing.SshTestServer ssh =
                dev.postflight.testing.SshTestServer.start(
                        hostDir, java.util.Map.of(), forwarding)) {
            sshPort = ssh.port();
            java.nio.file.Path kh = ssh.writeKnownHosts(hostDir.resolve("known_hosts"));
            dev.postflight.transport.SshConnector c =
                    new dev.postflight.transport.SshConnector(
                            new dev.postflight.transport.SshOptions(
                                    kh,
                                    hostDir.resolve("none"),
                                    false,
                                    java.time.Duration.ofSeconds(5),
                                    false));
            dev.postflight.transport.SshTarget t =
                    dev.postflight.transport.SshTarget.named("web1")
                            .withAddress(ssh.host())
                            .withPort(ssh.port())
                            .withUser(ssh.user())
                            .withIdentity(ssh.clientKey());
            String yaml =
                    "checks:\n  - id: cert\n    tls: { via: ssh, port: "
                            + server.port()
                            + ", server_name: git.site.test, ca_file: \""
                            + caPem
                            + "\" }\n";
            // The host's own address is a documentation address the runner must never contact:
            // only the tunnel through the SSH connection can reach the TLS server.
            dev.postflight.run.RunReport r =
                    LocalRun.run(
                            dir,
                            yaml,
                            dev.postflight.inventory.Host.at("web1", "192.0.2.10"),
                            (h, d) -> c.connect(t, d));
            return check(r.hosts().get(0), "cert");
        }
    }

    @Test
    void viaSshReachesTheCertificateThroughTheHostsConnection() throws Exception {
        CheckResult c = viaSsh(true);
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict().reason().startsWith("git.site.test: valid 80 days"),
                c.verdict().reason());
    }

    /**
     * Issue 14: a local port forward on the runner's 127.0.0.1 can be reached by any local user
     * while it exists; the tunnel must use the SSH channel itself and listen on nothing.
     */
    @Test
    void viaSshListensOnNoLocalPort() throws Exception {
        java.util.Set<String> before = listeningSocketsOfThisProcess();
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean running =
                new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread sampler =
                Thread.ofPlatform()
                        .start(() -> {
                            while (running.get()) seen.addAll(listeningSocketsOfThisProcess());
                        });
        CheckResult c;
        try {
            c = viaSsh(true);
        } finally {
            running.set(false);
            sampler.join();
        }
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        seen.removeAll(before);
        String sshServer = String.format(":%04X", sshPort);
        seen.removeIf(l -> !l.contains("0100007F:") || l.endsWith(sshServer));
        assertEquals(java.util.Set.of(), seen, "loopback ports listening during the check");
    }

    /** {@code ADDRESS:PORT} (hex, as /proc/net/tcp writes them) of this JVM's listening sockets. */
    private static java.util.Set<String> listeningSocketsOfThisProcess() {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path fd : fds.toList()) {
                try {
                    String link = java.nio.file.Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:["))
                        inodes.add(link.substring(8, link.length() - 1));
                } catch (java.io.IOException e) {
                    // closed meanwhile
                }
            }
            java.util.Set<String> out = new java.util.HashSet<>();
            for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) out.add(f[1]);
                }
            }
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void viaSshSaysSoWhenTheHostRefusesToForward() throws Exception {
        CheckResult c = viaSsh(false);
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict()
                        .reason()
                        .startsWith("git.site.test: via ssh to 127.0.0.1:" + server.port() + ": "),
                c.verdict().reason());
    }

    @Test
    void viaSshOnAnUnreachableHostIsAnErrorNotAFailure() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        dev.postflight.transport.SshConnector c =
                new dev.postflight.transport.SshConnector(
                        new dev.postflight.transport.SshOptions(
                                dir.resolve("known_hosts"),
                                dir.resolve("none"),
                                false,
                                java.time.Duration.ofSeconds(5),
                                false));
        dev.postflight.transport.SshTarget t =
                dev.postflight.transport.SshTarget.named("web1")
                        .withAddress("127.0.0.1")
                        .withPort(closed);
        String yaml =
                "checks:\n  - id: cert\n    tls: { via: ssh, port: "
                        + server.port()
                        + ", server_name: git.site.test }\n";
        dev.postflight.run.RunReport r =
                LocalRun.run(
                        dir,
                        yaml,
                        dev.postflight.inventory.Host.at("web1", "192.0.2.10"),
                        (h, d) -> c.connect(t, d));
        CheckResult cert = check(r.hosts().get(0), "cert");
        assertEquals(Status.ERROR, cert.status(), cert.verdict().reason());
        assertTrue(
                cert.verdict().reason().startsWith("host unreachable: ")
                        && cert.verdict().reason().contains("refused"),
                cert.verdict().reason());
    }

    @Test
    void aValidCertificatePassesNamingItsDaysLeftAndIssuer() throws Exception {
        CheckResult c = named("git.site.test");
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict()
                        .reason()
                        .matches(
                                "git\\.site\\.test: valid 80 days \\(until \\d{4}-\\d\\d-\\d\\d\\),"
                                        + " issued by postflight test CA"),
                c.verdict().reason());
        assertTrue(
                c.verdict().details().contains("names: git.site.test"),
                c.verdict().details().toString());
        assertTrue(c.verdict().details().stream().anyMatch(d -> d.startsWith("serial: ")));
        assertTrue(c.verdict().details().stream().anyMatch(d -> d.startsWith("not after: ")));
    }

    @Test
    void eachVirtualHostOnOnePortIsJudgedByItsOwnSniCertificate() throws Exception {
        CheckResult site = named("site.test");
        CheckResult git = named("git.site.test");
        assertEquals(Status.PASS, site.status(), site.verdict().reason());
        assertTrue(
                site.verdict().reason().startsWith("site.test: valid 60 days"),
                site.verdict().reason());
        assertTrue(git.verdict().reason().startsWith("git.site.test: valid 80 days"));
    }

    @Test
    void expiringWithinCriticalDaysFails() throws Exception {
        CheckResult c = named("soon.site.test");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict()
                        .reason()
                        .matches(
                                "soon\\.site\\.test: expires in 5 days \\(until .*\\), critical_days 7, issued by postflight test CA"),
                c.verdict().reason());
    }

    @Test
    void expiringWithinWarnDaysWarns() throws Exception {
        CheckResult c = named("later.site.test");
        assertEquals(Status.WARN, c.status(), c.verdict().reason());
        assertTrue(c.verdict().reason().contains("expires in 15 days"), c.verdict().reason());
        assertTrue(c.verdict().reason().contains("warn_days 21"), c.verdict().reason());
    }

    @Test
    void anExpiredCertificateFailsAsExpiredNotAsUntrusted() throws Exception {
        CheckResult c = named("old.site.test");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict()
                        .reason()
                        .matches(
                                "old\\.site\\.test: expired 2 days ago \\(on .*\\), issued by postflight test CA"),
                c.verdict().reason());
    }

    @Test
    void aCertificateNotYetValidFails() throws Exception {
        CheckResult c = named("future.site.test");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(c.verdict().reason().contains("not valid before"), c.verdict().reason());
    }

    @Test
    void aNameTheCertificateDoesNotCoverFails() throws Exception {
        // The server falls back to its default certificate for a name it does not know.
        CheckResult c = named("ci.site.test");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict()
                        .reason()
                        .startsWith(
                                "default.site.test: does not cover ci.site.test (valid for default.site.test); valid"),
                c.verdict().reason());
    }

    @Test
    void aPrivateCaIsUntrustedWithoutCaFileAndTheCertificateIsStillShown() throws Exception {
        CheckResult c =
                run("{ address: 127.0.0.1, port: \"{{ port }}\", server_name: git.site.test }");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict()
                        .reason()
                        .startsWith("git.site.test: not trusted: unknown issuer; valid 80 days"),
                c.verdict().reason());
        assertTrue(c.verdict().details().contains("names: git.site.test"));
    }

    @Test
    void aSelfSignedCertificateSaysSo() throws Exception {
        CheckResult c = named("self.site.test");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict()
                        .reason()
                        .startsWith("self.site.test: self-signed, not trusted; valid 30 days"),
                c.verdict().reason());
    }

    @Test
    void anIntermediateExpiringBeforeTheLeafFails() throws Exception {
        CheckResult c = named("chain.site.test");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict().reason().contains("chain certificate R11 expires in 9 days"),
                c.verdict().reason());
        assertTrue(c.verdict().reason().endsWith("issued by R11"), c.verdict().reason());
    }

    @Test
    void aSmallRsaKeyAndSha1SignatureWarn() throws Exception {
        CheckResult c = named("weak.site.test");
        assertEquals(Status.WARN, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict().reason().contains("weak key: RSA 1024 bits, below 2048"),
                c.verdict().reason());
        assertTrue(
                c.verdict().reason().contains("weak signature: SHA1withECDSA"),
                c.verdict().reason());
    }

    @Test
    void aProtocolOlderThanMinTlsFails() throws Exception {
        try (SniTlsServer old =
                SniTlsServer.start(
                        Map.of(),
                        TestCerts.leaf(ca, List.of("site.test"), 1, 60),
                        Optional.of("TLSv1.2"))) {
            CheckResult c =
                    run(
                            "{ address: 127.0.0.1, port: "
                                    + old.port()
                                    + ", server_name: site.test, ca_file: \"{{ ca }}\", min_tls: \"1.3\" }");
            assertEquals(Status.FAIL, c.status(), c.verdict().reason());
            assertTrue(
                    c.verdict()
                            .reason()
                            .startsWith(
                                    "site.test: negotiated TLSv1.2, min_tls 1.3; valid 60 days"),
                    c.verdict().reason());
        }
    }

    @Test
    void aRefusedPortFailsWithTheNetworkCause() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CheckResult c = run("{ address: 127.0.0.1, port: " + port + ", server_name: site.test }");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertEquals(
                "site.test: connection refused (127.0.0.1:" + port + ")", c.verdict().reason());
    }

    @Test
    void aPortThatDoesNotSpeakTlsFailsTheHandshake() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual()
                    .start(() -> {
                        try (Socket s = plain.accept();
                                OutputStream out = s.getOutputStream()) {
                            out.write(
                                    "SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            s.getInputStream().read(new byte[512]);
                        } catch (java.io.IOException e) {
                            // the client hangs up after the failed handshake
                        }
                    });
            CheckResult c =
                    run(
                            "{ address: 127.0.0.1, port: "
                                    + plain.getLocalPort()
                                    + ", server_name: site.test }");
            assertEquals(Status.FAIL, c.status(), c.verdict().reason());
            assertTrue(
                    c.verdict().reason().startsWith("site.test: TLS handshake failed: "),
                    c.verdict().reason());
        }
    }

    @Test
    void criticalDaysAboveWarnDaysIsALoadError() {
        InvalidInput e =
                assertThrows(
                        InvalidInput.class,
                        () -> run("{ port: 443, warn_days: 7, critical_days: 10 }"));
        assertTrue(
                e.getMessage().contains("critical_days (10) must not exceed warn_days (7)"),
                e.getMessage());
    }

    @Test
    void aMistypedKeyIsReportedWithTheNearestValidOne() {
        InvalidInput e = assertThrows(InvalidInput.class, () -> run("{ prot: 443 }"));
        assertTrue(e.getMessage().contains("did you mean 'port'?"), e.getMessage());
    }

    @Test
    void minTlsAcceptsOnlyTheVersionsItKnows() {
        InvalidInput e = assertThrows(InvalidInput.class, () -> run("{ min_tls: \"1.1\" }"));
        assertTrue(
                e.getMessage().contains("min_tls: '1.1' is not one of 1.2, 1.3"), e.getMessage());
    }

    /**
     * The judgement alone, on a handshake built by hand: days left are counted at the runner's
     * moment it is given (the clients' time), not at the host's clock nor at the system clock.
     */
    @Test
    void daysLeftAreCountedAtTheRunnersMoment() {
        TestCerts.Issued leaf =
                TestCerts.issue(
                        ca,
                        "site.test",
                        List.of("site.test"),
                        Instant.parse("2026-01-01T00:00:00Z"),
                        Instant.parse("2026-03-02T00:00:00Z"),
                        TestCerts.ec(),
                        "SHA256withECDSA",
                        false);
        TlsCheck spec =
                new TlsCheck(
                        Optional.empty(),
                        443,
                        Optional.empty(),
                        Optional.empty(),
                        21,
                        7,
                        Optional.empty(),
                        false);
        TlsCheck.Probed probed =
                new TlsCheck.Probed(
                        "site.test",
                        "127.0.0.1:443",
                        new TlsProber.Outcome.Handshake(
                                leaf.chain(),
                                "TLSv1.3",
                                "TLS_AES_128_GCM_SHA256",
                                Optional.empty(),
                                true));
        Instant runner = Instant.parse("2026-02-20T00:00:00Z");
        Instant stoodStill = Instant.parse("2026-01-02T00:00:00Z");
        Verdict v =
                spec.judge(
                        probed,
                        new Now(
                                runner,
                                Optional.of(
                                        new HostTime(
                                                stoodStill,
                                                Duration.ofNanos(1),
                                                "nanoseconds",
                                                runner,
                                                runner))));
        assertEquals(Status.WARN, v.status(), v.reason());
        assertTrue(v.reason().startsWith("site.test: expires in 10 days"), v.reason());
    }
}
