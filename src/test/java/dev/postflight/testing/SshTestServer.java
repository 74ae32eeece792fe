package dev.postflight.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;

/**
 * A real SSH server on 127.0.0.1 for tests: Apache MINA SSHD with a generated host key, public-key
 * authentication for one generated client key, and exec requests run as real {@code /bin/sh -c}
 * processes. It records every command it was asked to run, so a test can assert exactly what a host
 * received (one batched exec per host, the exact fix commands), and can be restarted with a new
 * host key on the same port to play a host reinstalled by its provider.
 */
public final class SshTestServer implements AutoCloseable {

    /** The login user the server accepts. */
    public static final String USER = "ops";

    private final Path dir;
    private final Map<String, String> environment;
    private final boolean forwarding;
    private final List<String> shell;
    private final KeyPair clientKey;
    private final Path clientKeyFile;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private volatile KeyPair hostKey;
    private volatile SshServer server;
    private volatile int port;
    private volatile boolean closeLikeOpenSsh;

    private SshTestServer(
            Path dir, Map<String, String> environment, boolean forwarding, List<String> shell)
            throws IOException, GeneralSecurityException {
        this.dir = dir;
        this.shell = List.copyOf(shell);
        // Each host has a home of its own: what postflight keeps on a host (fix history, locks
        // under ~/.local/state) must not come from this machine's home or from earlier runs.
        Map<String, String> env = new java.util.HashMap<>(environment);
        if (!env.containsKey("HOME"))
            env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());
        this.environment = Map.copyOf(env);
        this.forwarding = forwarding;
        this.clientKey = generateKey();
        this.clientKeyFile = dir.resolve("id_ecdsa");
        try (OutputStream out = Files.newOutputStream(clientKeyFile)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(
                    clientKey, "postflight-test", null, out);
        }
        this.hostKey = generateKey();
    }

    /** Starts a server keeping its files (client key) in {@code dir}. */
    public static SshTestServer start(Path dir) throws IOException {
        return start(dir, Map.of(), false);
    }

    /**
     * Starts a server whose commands see {@code environment} in addition to the JVM's (e.g. {@code
     * LD_PRELOAD} and {@code FAKETIME} for libfaketime), and which allows {@code direct-tcpip}
     * forwarding when {@code forwarding} is set (to act as a jump host).
     */
    public static SshTestServer start(Path dir, Map<String, String> environment, boolean forwarding)
            throws IOException {
        return start(dir, environment, forwarding, List.of("/bin/sh", "-c"));
    }

    /**
     * A shell for {@link #start(Path, Map, boolean, List)} in which these programs are not
     * installed: each existing path gets /dev/null (not executable) bind-mounted over it, in a
     * private mount namespace (root and unshare(1)). For "not installed" cases on a machine that
     * has the program (the e2e lab installs nginx).
     */
    public static List<String> shellWithout(String... paths) {
        StringBuilder setup = new StringBuilder();
        for (String p : paths) {
            setup.append("if [ -e ")
                    .append(p)
                    .append(" ]; then mount --bind /dev/null ")
                    .append(p)
                    .append(" || exit 99; fi; ");
        }
        return privateMountShell(setup.toString());
    }

    /**
     * As {@link #shellWithout}, and in a PID namespace of its own with its own /proc, so that the
     * host sees none of this machine's processes either (time daemons of the e2e lab, say).
     */
    public static List<String> isolatedShellWithout(String... paths) {
        List<String> shell = new java.util.ArrayList<>(shellWithout(paths));
        shell.addAll(1, List.of("--pid", "--fork", "--mount-proc"));
        return List.copyOf(shell);
    }

    /**
     * A shell for {@link #start(Path, Map, boolean, List)} that runs each command in its own
     * private mount namespace after {@code setup} (shell commands ending in {@code ;}, e.g. bind
     * mounts; exit 99 when one fails).
     */
    public static List<String> privateMountShell(String setup) {
        return List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                setup + "exec /bin/sh -c \"$1\"",
                "sh");
    }

    /**
     * Starts a server that runs each command as {@code shell + [command]} instead of {@code /bin/sh
     * -c command}: e.g. inside a private mount namespace where a folder of test shims is
     * bind-mounted over /etc/init.d.
     */
    public static SshTestServer start(
            Path dir, Map<String, String> environment, boolean forwarding, List<String> shell)
            throws IOException {
        try {
            SshTestServer s = new SshTestServer(dir, environment, forwarding, shell);
            s.listen(0);
            return s;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate test keys", e);
        }
    }

    /**
     * A server with its keys and port chosen that does not listen yet: a host still booting after
     * its provider's maintenance. Connections are refused until {@link #comeUp()}.
     */
    public static SshTestServer down(Path dir, int port) throws IOException {
        try {
            SshTestServer s = new SshTestServer(dir, Map.of(), false, List.of("/bin/sh", "-c"));
            s.port = port;
            return s;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate test keys", e);
        }
    }

    /**
     * From now on a closed channel only closes its command's pipes, as OpenSSH's sshd does for a
     * session without a terminal, instead of killing the command: what is left running on a host
     * after the runner gave up is then the command's own doing (issue 14).
     */
    public SshTestServer closingChannelsLikeOpenSsh() {
        closeLikeOpenSsh = true;
        return this;
    }

    /** Starts listening on the port chosen by {@link #down}. */
    public void comeUp() throws IOException {
        listen(port);
    }

    private void listen(int wanted) throws IOException {
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(wanted);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        sshd.setPublickeyAuthenticator((user, key, session) ->
                USER.equals(user) && KeyUtils.compareKeys(key, clientKey.getPublic()));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setForwardingFilter(
                forwarding
                        ? AcceptAllForwardingFilter.INSTANCE
                        : RejectAllForwardingFilter.INSTANCE);
        sshd.setCommandFactory((channel, command) -> {
            commands.add(command);
            return new ShellCommand(shell, command, environment, closeLikeOpenSsh);
        });
        sshd.start();
        server = sshd;
        port = sshd.getPort();
    }

    /**
     * Stops the server and starts it again on the same port with a freshly generated host key, as a
     * host looks after its provider reinstalled it.
     */
    public void restartWithNewHostKey() throws IOException {
        server.stop(true);
        try {
            hostKey = generateKey();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate a host key", e);
        }
        listen(port);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String user() {
        return USER;
    }

    /** The private key (OpenSSH format, no passphrase) the server accepts for {@link #USER}. */
    public Path clientKey() {
        return clientKeyFile;
    }

    /** Every exec command string received, in order. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    /** The current host key's fingerprint as OpenSSH prints it: {@code SHA256:…}. */
    public String hostKeyFingerprint() {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, hostKey.getPublic());
    }

    /** How known_hosts names this server: {@code [127.0.0.1]:PORT}. */
    public String knownHostsName() {
        return "[" + host() + "]:" + port;
    }

    /** The known_hosts line for the current host key. */
    public String knownHostsLine() {
        return knownHostsName() + " " + PublicKeyEntry.toString(hostKey.getPublic());
    }

    /** Appends {@link #knownHostsLine()} to {@code file} (created if missing) and returns it. */
    /**
     * A connector that reaches this server under {@code alias} with the test client key, trusting
     * exactly the host keys in {@code knownHosts}.
     */
    public dev.postflight.run.Connector connector(String alias, Path knownHosts)
            throws IOException {
        dev.postflight.transport.SshConnector c =
                new dev.postflight.transport.SshConnector(
                        new dev.postflight.transport.SshOptions(
                                knownHosts,
                                knownHosts.resolveSibling("no-config"),
                                false,
                                java.time.Duration.ofSeconds(5),
                                false));
        dev.postflight.transport.SshTarget t =
                dev.postflight.transport.SshTarget.named(alias)
                        .withAddress(host())
                        .withPort(port())
                        .withUser(user())
                        .withIdentity(clientKey());
        return (h, deadline) -> c.connect(t, deadline);
    }

    public Path writeKnownHosts(Path file) throws IOException {
        Files.writeString(
                file,
                knownHostsLine() + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return file;
    }

    /** Stops the server, dropping every open session: a host lost mid-run. */
    @Override
    public void close() throws IOException {
        SshServer s = server;
        if (s != null) s.stop(true);
    }

    private static KeyPair generateKey() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }
}
