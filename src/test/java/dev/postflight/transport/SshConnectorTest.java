package dev.postflight.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.testing.SshTestServer;
import dev.postflight.testing.Tarpit;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshConnectorTest {

    private static final Duration CONNECT = Duration.ofSeconds(2);

    @TempDir Path dir;
    private SshTestServer server;
    private Path knownHosts;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = SshTestServer.start(dir);
        cleanup.add(server);
        knownHosts = dir.resolve("known_hosts");
    }

    @AfterEach
    void stop() throws Exception {
        List<AutoCloseable> all;
        synchronized (cleanup) {
            all = new ArrayList<>(cleanup);
        }
        for (AutoCloseable c : all.reversed()) {
            c.close();
        }
    }

    private SshOptions options() {
        return new SshOptions(knownHosts, dir.resolve("no-config"), false, CONNECT, false);
    }

    private SshTarget target(SshTestServer s) {
        return SshTarget.named("web1")
                .withAddress(s.host())
                .withPort(s.port())
                .withUser(s.user())
                .withIdentity(s.clientKey());
    }

    private static Instant soon() {
        return Instant.now().plusSeconds(10);
    }

    private HostConnection connect(SshOptions options, SshTarget target) throws Exception {
        HostConnection c = new SshConnector(options).connect(target, soon());
        cleanup.add(c);
        return c;
    }

    /**
     * Issue 8: 2,000 hosts must not mean 2,000 platform threads. JSch starts a thread per session
     * (and per exec with stdin); the connector gives it a virtual-thread factory.
     */
    @Test
    void openSessionsHoldNoPlatformThreadEach() throws Exception {
        server.writeKnownHosts(knownHosts);
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        int sessions = 24;
        for (int i = 0; i < sessions; i++) {
            HostConnection c = connect(options(), target(server));
            assertEquals(OptionalInt.of(0), c.exec("true", new byte[0], CONNECT).exitStatus());
        }
        List<String> started =
                Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> !before.contains(t) && t.isAlive())
                        .map(Thread::getName)
                        .filter(name -> !name.startsWith("sshd-")) // the test server's own
                        .toList();
        assertTrue(
                started.size() < sessions / 2,
                sessions + " open sessions started platform threads " + started);
    }

    @Test
    void execReturnsExitStatusBothOutputsAndReadsStdin() throws Exception {
        server.writeKnownHosts(knownHosts);
        HostConnection c = connect(options(), target(server));

        ExecResult r =
                c.exec(
                        "cat; echo to-stderr >&2; exit 3",
                        "from stdin\n".getBytes(UTF_8),
                        Duration.ofSeconds(3));

        assertEquals(OptionalInt.of(3), r.exitStatus());
        assertEquals("from stdin\n", new String(r.stdout(), UTF_8));
        assertEquals("to-stderr\n", new String(r.stderr(), UTF_8));
        assertFalse(r.timedOut());
        assertFalse(r.received().isBefore(r.sent()));
        assertEquals(List.of("cat; echo to-stderr >&2; exit 3"), server.commands());
        assertEquals("ssh ops@127.0.0.1:" + server.port(), c.describe());
        assertEquals(server.hostKeyFingerprint(), c.hostKeyFingerprint().orElseThrow());
    }

    @Test
    void outputPastTheCapIsNotKeptAndTheChannelIsClosedLongBeforeTheTimeout() throws Exception {
        server.writeKnownHosts(knownHosts);
        HostConnection c = connect(options().withMaxOutput(1 << 20), target(server));
        Instant start = Instant.now();

        ExecResult r = c.exec("cat /dev/zero", new byte[0], Duration.ofSeconds(20));

        assertEquals(java.util.OptionalLong.of(1 << 20), r.cutOffAt());
        assertTrue(r.stdout().length + r.stderr().length <= 1 << 20);
        assertFalse(r.timedOut());
        assertTrue(Duration.between(start, Instant.now()).toSeconds() < 10);
        ExecResult next = c.exec("echo still here", new byte[0], Duration.ofSeconds(5));
        assertEquals("still here\n", new String(next.stdout(), UTF_8), "the session lives on");
    }

    @Test
    void serverEnvironmentReachesSpawnedCommands() throws Exception {
        Path envDir = Files.createDirectory(dir.resolve("env"));
        SshTestServer faked = SshTestServer.start(envDir, Map.of("POSTFLIGHT_TEST", "42"), false);
        cleanup.add(faked);
        faked.writeKnownHosts(knownHosts);
        HostConnection c = connect(options(), target(faked));

        ExecResult r = c.exec("echo $POSTFLIGHT_TEST", new byte[0], Duration.ofSeconds(3));

        assertEquals("42\n", new String(r.stdout(), UTF_8));
    }

    @Test
    void largeOutputOnBothStreamsDoesNotDeadlock() throws Exception {
        server.writeKnownHosts(knownHosts);
        HostConnection c = connect(options(), target(server));
        byte[] input = new byte[5 * 1024 * 1024];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) ('a' + i % 26);
        }

        ExecResult r = c.exec("head -c 5242880 /dev/zero >&2; cat", input, Duration.ofSeconds(20));

        assertEquals(OptionalInt.of(0), r.exitStatus());
        assertArrayEquals(input, r.stdout());
        assertEquals(5 * 1024 * 1024, r.stderr().length);
    }

    @Test
    void commandPastItsTimeoutIsReportedAsTimedOut() throws Exception {
        server.writeKnownHosts(knownHosts);
        HostConnection c = connect(options(), target(server));

        ExecResult r = c.exec("echo started; sleep 30", new byte[0], Duration.ofSeconds(1));

        assertTrue(r.timedOut());
        assertEquals(OptionalInt.empty(), r.exitStatus());
        assertTrue(Duration.between(r.sent(), r.received()).compareTo(Duration.ofSeconds(5)) < 0);
        // The session survives a timed-out command.
        assertEquals(
                OptionalInt.of(0), c.exec("true", new byte[0], Duration.ofSeconds(3)).exitStatus());
    }

    @Test
    void closeFromAnotherThreadAbortsABlockedExec() throws Exception {
        server.writeKnownHosts(knownHosts);
        HostConnection c = connect(options(), target(server));
        Thread.ofVirtual()
                .start(() -> {
                    pollUntil(() -> server.commands().contains("sleep 30"));
                    c.close();
                });

        Instant start = Instant.now();
        ExecResult r = c.exec("sleep 30", new byte[0], Duration.ofSeconds(20));

        assertTrue(r.timedOut());
        assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(5)) < 0);
    }

    @Test
    void serverGoingAwayMidExecIsConnectionLost() throws Exception {
        server.writeKnownHosts(knownHosts);
        HostConnection c = connect(options(), target(server));
        Thread.ofVirtual()
                .start(() -> {
                    pollUntil(() -> server.commands().contains("sleep 30"));
                    try {
                        server.close();
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                });

        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () -> c.exec("sleep 30", new byte[0], Duration.ofSeconds(20)));

        assertEquals(HostUnreachable.Cause.CONNECTION_LOST, e.kind());
    }

    @Test
    void unknownHostKeyIsRefusedWithItsFingerprint() {
        HostUnreachable e =
                assertThrows(HostUnreachable.class, () -> connect(options(), target(server)));

        assertEquals(HostUnreachable.Cause.HOST_KEY_UNKNOWN, e.kind());
        assertTrue(e.getMessage().contains(server.hostKeyFingerprint()), e.getMessage());
        assertTrue(e.getMessage().contains("--accept-new-host-keys"), e.getMessage());
        assertTrue(server.commands().isEmpty());
        assertFalse(Files.exists(knownHosts));
    }

    @Test
    void acceptNewHostKeysAddsTheKeySoTheNextRunNeedsNoFlag() throws Exception {
        HostConnection first = connect(options().withAcceptNewHostKeys(true), target(server));
        assertEquals(server.hostKeyFingerprint(), first.hostKeyFingerprint().orElseThrow());
        first.close();

        assertTrue(
                Files.readString(knownHosts).startsWith(server.knownHostsName() + " "),
                Files.readString(knownHosts));
        HostConnection second = connect(options(), target(server));
        assertEquals(
                OptionalInt.of(0),
                second.exec("true", new byte[0], Duration.ofSeconds(3)).exitStatus());
    }

    /** Issue 14: a new {@code ~/.ssh} is 0700 and a new known_hosts 0600, as OpenSSH makes them. */
    @Test
    void acceptedKeyGoesToAKnownHostsFile0600InAFolderCreated0700() throws Exception {
        Path ssh = dir.resolve("home/.ssh");
        SshOptions o =
                new SshOptions(
                        ssh.resolve("known_hosts"), dir.resolve("no-config"), true, CONNECT, false);

        connect(o, target(server)).close();

        assertEquals(
                "rwx------",
                java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(ssh)));
        assertEquals(
                "rw-------",
                java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(ssh.resolve("known_hosts"))));
    }

    @Test
    void aNewKeyIsNotWrittenThroughASymlinkedKnownHostsFile() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
        Files.createSymbolicLink(knownHosts, victim);

        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () -> connect(options().withAcceptNewHostKeys(true), target(server)));

        assertTrue(
                e.getMessage()
                        .endsWith(
                                "known_hosts: it is a symbolic link to "
                                        + victim
                                        + "; postflight does not write through symbolic links"),
                e.getMessage());

        assertEquals("precious\n", Files.readString(victim));
        assertTrue(server.commands().isEmpty());
    }

    @Test
    void changedHostKeyIsRefusedNamingOldAndNewKeyEvenWithAcceptNew() throws Exception {
        server.writeKnownHosts(knownHosts);
        String old = server.hostKeyFingerprint();
        server.restartWithNewHostKey();
        String known = Files.readString(knownHosts);

        for (boolean acceptNew : new boolean[] {false, true}) {
            HostUnreachable e =
                    assertThrows(
                            HostUnreachable.class,
                            () ->
                                    connect(
                                            options().withAcceptNewHostKeys(acceptNew),
                                            target(server)));

            assertEquals(HostUnreachable.Cause.HOST_KEY_CHANGED, e.kind());
            assertTrue(e.getMessage().contains(old), e.getMessage());
            assertTrue(e.getMessage().contains(server.hostKeyFingerprint()), e.getMessage());
            assertTrue(
                    e.getMessage().contains("ssh-keygen -R '[127.0.0.1]:" + server.port() + "'"),
                    e.getMessage());
        }
        assertEquals(known, Files.readString(knownHosts));
        assertTrue(server.commands().isEmpty());
    }

    /**
     * Issue 14: OpenSSH looks a host on a port other than 22 up only as {@code [host]:port}; a key
     * recorded for the bare address belongs to port 22 and must not vouch for another port.
     */
    @Test
    void keyRecordedForTheBareAddressIsUnknownOnAnotherPort() throws Exception {
        String line = server.knownHostsLine();
        Files.writeString(
                knownHosts,
                server.host() + line.substring(server.knownHostsName().length()) + "\n");

        HostUnreachable e =
                assertThrows(HostUnreachable.class, () -> connect(options(), target(server)));

        assertEquals(HostUnreachable.Cause.HOST_KEY_UNKNOWN, e.kind());
        assertTrue(e.getMessage().contains("([127.0.0.1]:" + server.port() + ")"), e.getMessage());
        assertTrue(server.commands().isEmpty());
    }

    @Test
    void hashedKnownHostsEntryIsHonoured() throws Exception {
        // The line ssh-keygen -H writes: |1|salt|HMAC-SHA1(salt, name) keytype key.
        String line = server.knownHostsLine();
        String name = server.knownHostsName();
        byte[] salt = new byte[20];
        new java.security.SecureRandom().nextBytes(salt);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(salt, "HmacSHA1"));
        byte[] hash = mac.doFinal(name.getBytes(UTF_8));
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        Files.writeString(
                knownHosts,
                "|1|"
                        + b64.encodeToString(salt)
                        + "|"
                        + b64.encodeToString(hash)
                        + line.substring(name.length())
                        + "\n");

        HostConnection c = connect(options(), target(server));

        assertEquals(server.hostKeyFingerprint(), c.hostKeyFingerprint().orElseThrow());
    }

    @Test
    void closedPortIsConnectionRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () -> connect(options(), target(server).withPort(port)));

        assertEquals(HostUnreachable.Cause.REFUSED, e.kind());
        assertEquals("connection refused (127.0.0.1:" + port + ")", e.getMessage());
    }

    @Test
    void silentListenerIsBannerStalledWithinTheConnectTimeout() throws Exception {
        Tarpit tarpit = Tarpit.start();
        cleanup.add(tarpit);
        SshOptions opts = options().withConnectTimeout(Duration.ofSeconds(1));

        Instant start = Instant.now();
        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () -> connect(opts, target(server).withPort(tarpit.port())));

        assertEquals(HostUnreachable.Cause.BANNER_STALLED, e.kind());
        assertTrue(
                e.getMessage().startsWith("TCP connected but no SSH banner after 1.0s"),
                e.getMessage());
        assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(4)) < 0);
    }

    private HostUnreachable failsToConnect(SshOptions opts, int port, Duration deadlineIn) {
        return assertThrows(
                HostUnreachable.class,
                () ->
                        new SshConnector(opts)
                                .connect(
                                        target(server).withPort(port),
                                        Instant.now().plus(deadlineIn)));
    }

    @Test
    void aDeadlineBeforeTheBannerLimitSaysNoBannerForAsLongAsTheHostWasSilent() throws Exception {
        Tarpit tarpit = Tarpit.start();
        cleanup.add(tarpit);
        SshOptions opts = options().withConnectTimeout(Duration.ofSeconds(10));

        HostUnreachable e = failsToConnect(opts, tarpit.port(), Duration.ofMillis(1500));

        assertEquals(HostUnreachable.Cause.BANNER_STALLED, e.kind());
        // Silent from the TCP connect to the deadline: a moment less than the 1.5 s given.
        assertTrue(
                e.getMessage()
                        .matches(
                                "TCP connected but no SSH banner after 1\\.[0-5]s \\(tarpit or"
                                        + " overloaded sshd\\) from "
                                        + server.user()
                                        + "@127\\.0\\.0\\.1:"
                                        + tarpit.port()),
                e.getMessage());
    }

    @Test
    void aFullListenQueueAtTheDeadlineIsTcpConnectTimedOutForThatLong() throws Exception {
        Tarpit full = Tarpit.withFullQueue();
        cleanup.add(full);
        SshOptions opts = options().withConnectTimeout(Duration.ofSeconds(10));

        HostUnreachable e = failsToConnect(opts, full.port(), Duration.ofMillis(1500));

        assertEquals(HostUnreachable.Cause.TIMED_OUT, e.kind());
        assertTrue(
                e.getMessage()
                        .matches(
                                "TCP connect to 127\\.0\\.0\\.1:"
                                        + full.port()
                                        + " timed out after 1\\.[0-7]s \\(host down or port"
                                        + " filtered\\)"),
                e.getMessage());
    }

    @Test
    void wrongKeyIsAuthFailedNamingUserAndKey() throws Exception {
        server.writeKnownHosts(knownHosts);
        Path otherDir = Files.createDirectory(dir.resolve("other"));
        try (SshTestServer other = SshTestServer.start(otherDir)) {
            SshTarget withWrongKey = target(server).withIdentity(other.clientKey());

            HostUnreachable e =
                    assertThrows(HostUnreachable.class, () -> connect(options(), withWrongKey));

            assertEquals(HostUnreachable.Cause.AUTH_FAILED, e.kind());
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "authentication failed for ops@web1 (tried publickey: "
                                            + other.clientKey()),
                    e.getMessage());
        }
    }

    @Test
    void proxyJumpRunsTheCommandOnTheTargetThroughTheJumpHost() throws Exception {
        Path jumpDir = Files.createDirectory(dir.resolve("jump"));
        SshTestServer bastion = SshTestServer.start(jumpDir, Map.of(), true);
        cleanup.add(bastion);
        server.writeKnownHosts(knownHosts);
        bastion.writeKnownHosts(knownHosts);
        SshTarget jump =
                SshTarget.named("bastion")
                        .withAddress(bastion.host())
                        .withPort(bastion.port())
                        .withUser(bastion.user())
                        .withIdentity(bastion.clientKey());

        HostConnection c = connect(options(), target(server).withJump(jump));
        ExecResult r = c.exec("echo via-jump", new byte[0], Duration.ofSeconds(3));

        assertEquals("via-jump\n", new String(r.stdout(), UTF_8));
        assertEquals(List.of("echo via-jump"), server.commands());
        assertTrue(bastion.commands().isEmpty());
        assertEquals("ssh ops@127.0.0.1:" + server.port() + " via bastion", c.describe());
        assertEquals(server.hostKeyFingerprint(), c.hostKeyFingerprint().orElseThrow());
    }

    @Test
    void failingJumpHostIsJumpFailedWithItsOwnCause() throws Exception {
        server.writeKnownHosts(knownHosts);
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        SshTarget jump = SshTarget.named("bastion").withAddress("127.0.0.1").withPort(closed);

        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () -> connect(options(), target(server).withJump(jump)));

        assertEquals(HostUnreachable.Cause.JUMP_FAILED, e.kind());
        assertEquals(
                "jump host bastion: connection refused (127.0.0.1:" + closed + ")", e.getMessage());
    }

    @Test
    void sshConfigFillsHostNameUserPortAndIdentityForAnAlias() throws Exception {
        server.writeKnownHosts(knownHosts);
        Path config = dir.resolve("ssh_config");
        Files.writeString(
                config,
                """
                Host web1
                    HostName %s
                    User %s
                    Port %d
                    IdentityFile %s
                """
                        .formatted(
                                server.host(), server.user(), server.port(), server.clientKey()));

        HostConnection c = connect(options().withSshConfig(config), SshTarget.named("web1"));

        assertEquals("ssh ops@127.0.0.1:" + server.port(), c.describe());
        assertEquals(
                OptionalInt.of(0), c.exec("true", new byte[0], Duration.ofSeconds(3)).exitStatus());
    }

    @Test
    void sshConfigProxyJumpIsFollowed() throws Exception {
        Path jumpDir = Files.createDirectory(dir.resolve("jump"));
        SshTestServer bastion = SshTestServer.start(jumpDir, Map.of(), true);
        cleanup.add(bastion);
        server.writeKnownHosts(knownHosts);
        bastion.writeKnownHosts(knownHosts);
        Path config = dir.resolve("ssh_config");
        Files.writeString(
                config,
                """
                Host bastion
                    HostName %s
                    Port %d
                    IdentityFile %s
                Host web1
                    HostName %s
                    Port %d
                    IdentityFile %s
                    ProxyJump ops@bastion
                """
                        .formatted(
                                bastion.host(),
                                bastion.port(),
                                bastion.clientKey(),
                                server.host(),
                                server.port(),
                                server.clientKey()));

        HostConnection c =
                connect(options().withSshConfig(config), SshTarget.named("web1").withUser("ops"));
        c.exec("echo hi", new byte[0], Duration.ofSeconds(3));

        assertEquals("ssh ops@127.0.0.1:" + server.port() + " via bastion", c.describe());
        assertEquals(List.of("echo hi"), server.commands());
    }

    private static void pollUntil(java.util.function.BooleanSupplier condition) {
        Instant until = Instant.now().plusSeconds(10);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(until)) {
                throw new AssertionError("condition not met within 10s");
            }
            Thread.onSpinWait();
        }
    }
}
