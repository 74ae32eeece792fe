package dev.postflight.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;

/**
 * Many SSH hosts in one process, for the scale benchmark ({@code bench/scale.sh}, issue 8): one
 * Apache MINA SSHD server listening on N loopback addresses (127.77.0.1, 127.77.0.2, …; all of
 * 127/8 is loopback on Linux), so that postflight sees N distinct endpoints without N sshd
 * processes. One host key for all, one accepted client key. In mode {@code sh} every exec is a real
 * {@code /bin/sh -c} running postflight's probe batch; in mode {@code replay} only the first exec
 * of each batch is, and the others get its output with their own nonce and clock ({@link
 * ReplayedShell}); the clock sampler's conversation is answered as bash would ({@link
 * ReplayedClock}).
 *
 * <p>With a round trip (issue 18), every host answers as over a WAN: each read of its server waits
 * that long before the SSH session sees it ({@link DelayedSessionFactory}).
 *
 * <p>Usage: {@code SimulatedFleet N DIR [PORT [sh|replay [ROUND_TRIP]]]}, ROUND_TRIP as {@code
 * 100ms} or {@code 0} (the default: none). Writes {@code inventory.yaml}, {@code known_hosts} and
 * the client key {@code id_ecdsa} into DIR, then the file {@code ready} once every address listens,
 * and serves until it is killed.
 */
public final class SimulatedFleet {

    /** Hosts per third octet: 127.77.0.1–127.77.0.250, then 127.77.1.1 … */
    private static final int PER_OCTET = 250;

    private static final List<String> MODES = List.of("sh", "replay");

    private SimulatedFleet() {}

    public static void main(String[] args) throws IOException, GeneralSecurityException {
        if (args.length < 2
                || args.length > 5
                || (args.length >= 4 && !MODES.contains(args[3]))
                || (args.length == 5 && !args[4].matches("[0-9]+(ms)?"))) {
            System.err.println(
                    "usage: SimulatedFleet N DIR [PORT [sh|replay [ROUND_TRIP e.g. 100ms]]]");
            System.exit(2);
        }
        int hosts = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        int port = args.length >= 3 ? Integer.parseInt(args[2]) : 2222;
        boolean replay = args.length >= 4 && args[3].equals("replay");
        Duration roundTrip =
                Duration.ofMillis(args.length == 5 ? Long.parseLong(args[4].replace("ms", "")) : 0);
        if (hosts < 1 || hosts > 250 * PER_OCTET)
            throw new IllegalArgumentException("N must be between 1 and " + 250 * PER_OCTET);
        Files.createDirectories(dir);

        KeyPair hostKey = generateKey();
        KeyPair clientKey = generateKey();
        Path clientKeyFile = dir.resolve("id_ecdsa");
        try (OutputStream out = Files.newOutputStream(clientKeyFile)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(
                    clientKey, "postflight-bench", null, out);
        }

        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            addresses.add("127.77." + i / PER_OCTET + "." + (1 + i % PER_OCTET));
        }
        StringBuilder inventory = new StringBuilder();
        inventory
                .append("defaults: { user: ")
                .append(SshTestServer.USER)
                .append(", identity: ")
                .append(clientKeyFile.toAbsolutePath())
                .append(" }\nhosts:\n");
        StringBuilder knownHosts = new StringBuilder();
        String key = PublicKeyEntry.toString(hostKey.getPublic());
        for (int i = 0; i < hosts; i++) {
            String a = addresses.get(i);
            inventory.append(String.format("  h%05d: { address: %s, port: %d }%n", i + 1, a, port));
            knownHosts.append('[').append(a).append("]:").append(port).append(' ');
            knownHosts.append(key).append('\n');
        }
        Files.writeString(dir.resolve("inventory.yaml"), inventory, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("known_hosts"), knownHosts, StandardCharsets.UTF_8);

        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost(String.join(",", addresses));
        sshd.setPort(port);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        sshd.setPublickeyAuthenticator((user, k, session) ->
                SshTestServer.USER.equals(user) && KeyUtils.compareKeys(k, clientKey.getPublic()));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        List<String> shell = List.of("/bin/sh", "-c");
        ReplayedShell.Recordings recordings = new ReplayedShell.Recordings();
        sshd.setCommandFactory((channel, command) ->
                replay && ReplayedClock.is(command)
                        ? new ReplayedClock()
                        : replay
                                ? new ReplayedShell(recordings, command)
                                : new ShellCommand(shell, command, Map.of(), false));
        if (roundTrip.isPositive())
            sshd.setSessionFactory(new DelayedSessionFactory(sshd, roundTrip));
        sshd.start();
        Files.writeString(
                dir.resolve("ready"),
                hosts
                        + " hosts on port "
                        + port
                        + (replay ? ", replaying" : ", real sh")
                        + (roundTrip.isPositive()
                                ? ", round trip " + roundTrip.toMillis() + " ms"
                                : "")
                        + "\n");
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            sshd.stop(true);
        }
    }

    private static KeyPair generateKey() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }
}
