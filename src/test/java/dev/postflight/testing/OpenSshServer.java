package dev.postflight.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} (/usr/sbin/sshd) on 127.0.0.1 for tests of what MINA SSHD cannot
 * stand in for: host certificates, user certificates signed by a CA ({@code TrustedUserCAKeys}),
 * the exact way OpenSSH offers several host keys. It runs as the current user with its own
 * sshd_config, host keys and PID file in the test's folder ({@code UsePAM no}, {@code StrictModes
 * no}), in the foreground ({@code -D -e}) so its log is the test's to read, and is stopped by its
 * PID in {@link #close()}. The login user is the one running the tests.
 */
public final class OpenSshServer implements AutoCloseable {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path dir;
    private final Process process;
    private final int port;
    private final Path log;
    private final List<Path> hostKeys;

    private OpenSshServer(Path dir, Process process, int port, Path log, List<Path> hostKeys) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.log = log;
        this.hostKeys = List.copyOf(hostKeys);
    }

    /**
     * What the server is set up with.
     *
     * @param authorizedKeys public key files ({@code KEY.pub}) allowed to log in
     * @param trustedUserCa a CA public key file: user certificates it signed log in
     * @param hostCa a CA private key: the ed25519 host key gets a certificate for 127.0.0.1
     * @param ecdsaHostKey whether the server also has an ECDSA host key (offered after ed25519)
     */
    public record Setup(
            List<Path> authorizedKeys,
            Optional<Path> trustedUserCa,
            Optional<Path> hostCa,
            boolean ecdsaHostKey,
            String extraConfig) {

        public static Setup authorizing(Path... publicKeys) {
            return new Setup(List.of(publicKeys), Optional.empty(), Optional.empty(), false, "");
        }

        public Setup withTrustedUserCa(Path caPublicKey) {
            return new Setup(
                    authorizedKeys, Optional.of(caPublicKey), hostCa, ecdsaHostKey, extraConfig);
        }

        public Setup withHostCertificateBy(Path caKey) {
            return new Setup(
                    authorizedKeys, trustedUserCa, Optional.of(caKey), ecdsaHostKey, extraConfig);
        }

        public Setup withEcdsaHostKey() {
            return new Setup(authorizedKeys, trustedUserCa, hostCa, true, extraConfig);
        }

        /** More sshd_config lines, e.g. {@code MaxStartups 10}. */
        public Setup withConfig(String lines) {
            return new Setup(
                    authorizedKeys,
                    trustedUserCa,
                    hostCa,
                    ecdsaHostKey,
                    extraConfig + lines + "\n");
        }
    }

    /** Starts sshd with its files in {@code dir} (created if needed). */
    public static OpenSshServer start(Path dir, Setup setup) throws IOException {
        Files.createDirectories(dir);
        // sshd started by root needs its privilege-separation folder, as the service creates it.
        if (System.getProperty("user.name").equals("root")) {
            Files.createDirectories(Path.of("/run/sshd"));
        }
        List<Path> hostKeys = new ArrayList<>();
        Path ed25519 = OpenSshKeys.generate(dir.resolve("ssh_host_ed25519_key"), "");
        hostKeys.add(ed25519);
        if (setup.ecdsaHostKey()) {
            hostKeys.add(OpenSshKeys.generateEcdsa(dir.resolve("ssh_host_ecdsa_key")));
        }
        StringBuilder authorized = new StringBuilder();
        for (Path key : setup.authorizedKeys()) {
            authorized.append(Files.readString(key, StandardCharsets.UTF_8).strip()).append('\n');
        }
        Path authorizedKeys = Files.writeString(dir.resolve("authorized_keys"), authorized);
        int port = freePort();
        StringBuilder config = new StringBuilder();
        config.append("Port ").append(port).append('\n');
        config.append("ListenAddress 127.0.0.1\n");
        for (Path key : hostKeys) config.append("HostKey ").append(key).append('\n');
        if (setup.hostCa().isPresent()) {
            Path cert = OpenSshKeys.certify(setup.hostCa().get(), ed25519, "127.0.0.1", true);
            config.append("HostCertificate ").append(cert).append('\n');
        }
        config.append("PidFile ").append(dir.resolve("sshd.pid")).append('\n');
        config.append("AuthorizedKeysFile ").append(authorizedKeys).append('\n');
        setup.trustedUserCa()
                .ifPresent(ca -> config.append("TrustedUserCAKeys ").append(ca).append('\n'));
        config.append(
                """
                UsePAM no
                StrictModes no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                LogLevel VERBOSE
                """);
        config.append(setup.extraConfig());
        Path configFile = Files.writeString(dir.resolve("sshd_config"), config);
        Path log = dir.resolve("sshd.log");
        Process process =
                new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", configFile.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        OpenSshServer server = new OpenSshServer(dir, process, port, log, hostKeys);
        try {
            server.awaitListening();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitListening() throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        String ready = "Server listening on 127.0.0.1 port " + port;
        while (Instant.now().isBefore(deadline)) {
            if (log().contains(ready)) return;
            if (!process.isAlive()) {
                throw new IOException("sshd exited " + process.exitValue() + ": " + log());
            }
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while sshd starts", e);
            }
        }
        throw new IOException("sshd not listening after 15 s: " + log());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The login user: whoever runs the tests. */
    public String user() {
        return System.getProperty("user.name");
    }

    /** How known_hosts names this server: {@code [127.0.0.1]:PORT}. */
    public String knownHostsName() {
        return "[" + host() + "]:" + port;
    }

    /** The ed25519 host key's public half, {@code ssh-ed25519 AAAA…}. */
    public String hostKey() throws IOException {
        return OpenSshKeys.publicKey(hostKeys.getFirst());
    }

    /** The ECDSA host key's public half (only with {@link Setup#withEcdsaHostKey()}). */
    public String ecdsaHostKey() throws IOException {
        return OpenSshKeys.publicKey(hostKeys.get(1));
    }

    /** What sshd logged so far. */
    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** How many TCP connections sshd accepted so far. */
    public long connections() throws IOException {
        return log().lines().filter(l -> l.startsWith("Connection from ")).count();
    }

    /** Stops sshd by its PID and waits for it to be gone. */
    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "sshd on " + knownHostsName() + " in " + dir;
    }
}
