package dev.postflight.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;

/**
 * SSH hosts for the training run of {@code bin/postflight}'s AOT cache ({@code bin/aot-train}, run
 * by {@code make build}; issue 18): a few Apache MINA SSHD servers running a real {@code /bin/sh
 * -c}, as {@link SshTestServer} does, on loopback ports, in a JVM of their own, so that the
 * recorded run is one {@code verify} over SSH with exactly the production class path and caches
 * JSch's and the key exchange's classes too. No sshd needs to be installed at build time.
 *
 * <p>Usage: {@code AotTrainingHosts DIR [N]}. Writes {@code inventory.yaml}, {@code known_hosts},
 * {@code ssh_config} and {@code checks.yaml} into DIR, then the file {@code ready}; serves until
 * killed, and at most ten minutes, so a build that was interrupted leaves no server behind for
 * long.
 */
public final class AotTrainingHosts implements AutoCloseable {

    private static final Duration AT_MOST = Duration.ofMinutes(10);

    /**
     * Cheap, read-only checks of the kinds a fleet run has (files, processes, ports, disks, the
     * clock against the runner, commands, load, memory): what the fleet benchmark runs, plus the
     * shipped checklists' typed checks.
     */
    private static final String CHECKS =
            """
            checklist: aot-training
            checks:
              - { id: file-exists, file: { path: /etc/hostname } }
              - { id: file-age, file: { path: /etc/passwd, max_age: 36500d } }
              - { id: process, process: { pattern: "sh" } }
              - { id: port, port: { port: 1, listening: false } }
              - { id: disk, disk: { mount: /, max_used: 100%, max_inodes_used: 100% } }
              - { id: clock, clock: { reference: runner, warn: 1m, critical: 2m } }
              - { id: command-output, command: { run: "uname -s", stdout_contains: "" } }
              - { id: file-contains, file: { path: /etc/passwd, contains: "root:" } }
              - { id: load, load: { average: 5m, warn: "1000", critical: "2000" } }
              - { id: memory, memory: { min_available: 0% } }
              - { id: file-absent, file: { path: /nonexistent/postflight, exists: false } }
              - { id: uid, command: { run: "id -u", stdout_matches: "^[0-9]+$" } }
            """;

    private final List<SshServer> servers;

    private AotTrainingHosts(List<SshServer> servers) {
        this.servers = servers;
    }

    public static void main(String[] args)
            throws IOException, GeneralSecurityException, InterruptedException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: AotTrainingHosts DIR [N]");
            System.exit(2);
        }
        AotTrainingHosts hosts =
                start(Path.of(args[0]), args.length == 2 ? Integer.parseInt(args[1]) : 4);
        Thread.sleep(AT_MOST);
        hosts.close();
        System.exit(0);
    }

    /** Starts {@code n} hosts and writes their files, {@code ready} last, into {@code dir}. */
    public static AotTrainingHosts start(Path dir, int n)
            throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        List<SshServer> servers = new ArrayList<>();
        StringBuilder inventory = new StringBuilder("hosts:\n");
        StringBuilder knownHosts = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            // Every other host as OpenSSH 9.2 (Debian 12) answers: an ed25519 host key and
            // curve25519-sha256; the others with an ECDSA host key and MINA's own preferences
            // (a post-quantum hybrid key exchange first), so both paths are trained.
            boolean likeOpenSsh = i % 2 == 1;
            KeyPair hostKey = generateKey(likeOpenSsh);
            KeyPair clientKey = generateKey(likeOpenSsh);
            Path clientKeyFile = dir.resolve("h" + i + ".key");
            try (OutputStream out = Files.newOutputStream(clientKeyFile)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(
                        clientKey, "postflight-aot-training", null, out);
            }
            Path home = Files.createDirectories(dir.resolve("h" + i + ".home"));
            SshServer sshd = SshServer.setUpDefaultServer();
            sshd.setHost("127.0.0.1");
            sshd.setPort(0);
            sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
            sshd.setPublickeyAuthenticator((user, key, session) ->
                    SshTestServer.USER.equals(user)
                            && KeyUtils.compareKeys(key, clientKey.getPublic()));
            sshd.setPasswordAuthenticator(null);
            sshd.setKeyboardInteractiveAuthenticator(null);
            sshd.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
            if (likeOpenSsh)
                sshd.setKeyExchangeFactories(
                        NamedFactory.setUpTransformedFactories(
                                false,
                                List.of(
                                        BuiltinDHFactories.curve25519,
                                        BuiltinDHFactories.curve25519_libssh),
                                ServerBuilder.DH2KEX));
            List<String> shell = List.of("/bin/sh", "-c");
            sshd.setCommandFactory((channel, command) ->
                    new ShellCommand(shell, command, Map.of("HOME", home.toString()), false));
            sshd.start();
            servers.add(sshd);
            inventory.append(
                    String.format(
                            "  h%d: { address: 127.0.0.1, port: %d, user: %s, identity: %s }%n",
                            i, sshd.getPort(), SshTestServer.USER, clientKeyFile.toAbsolutePath()));
            knownHosts
                    .append("[127.0.0.1]:")
                    .append(sshd.getPort())
                    .append(' ')
                    .append(PublicKeyEntry.toString(hostKey.getPublic()))
                    .append('\n');
        }
        Files.writeString(dir.resolve("inventory.yaml"), inventory, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("known_hosts"), knownHosts, StandardCharsets.UTF_8);
        // An ssh_config as admins have one, so that its parsing is trained as well.
        Files.writeString(
                dir.resolve("ssh_config"),
                "Host h*\n    ConnectTimeout 10\n    ServerAliveInterval 30\n",
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("checks.yaml"), CHECKS, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("ready"), n + " hosts\n", StandardCharsets.UTF_8);
        return new AotTrainingHosts(servers);
    }

    @Override
    public void close() throws IOException {
        for (SshServer s : servers) s.stop(true);
    }

    private static KeyPair generateKey(boolean ed25519) throws GeneralSecurityException {
        // MINA's own generator: its ed25519 support (BouncyCastle here) writes only its own keys.
        return ed25519
                ? KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256)
                : KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    }
}
