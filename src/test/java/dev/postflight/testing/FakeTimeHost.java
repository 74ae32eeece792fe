package dev.postflight.testing;

import dev.postflight.inventory.Host;
import dev.postflight.run.Connector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An SSH host whose clock is really skewed: MINA SSHD spawning its shells with libfaketime
 * preloaded and {@code FAKETIME} set, so {@code date} on that "host" is off while this machine's
 * clock is never touched. {@link #available()} is false where libfaketime is not installed ({@code
 * .ci/run} installs it).
 */
public final class FakeTimeHost implements AutoCloseable {
    private final SshTestServer server;
    private final Path knownHosts;

    private FakeTimeHost(SshTestServer server, Path knownHosts) {
        this.server = server;
        this.knownHosts = knownHosts;
    }

    public static Optional<Path> library() {
        try (Stream<Path> s = Files.list(Path.of("/usr/lib"))) {
            return s.map(d -> d.resolve("faketime/libfaketime.so.1"))
                    .filter(Files::exists)
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static boolean available() {
        return library().isPresent();
    }

    /** A host whose clock is off by {@code faketime}, in libfaketime's syntax ("-3h", "+0.150"). */
    public static FakeTimeHost start(Path dir, String faketime) throws IOException {
        return start(dir, faketime, Map.of());
    }

    /** The same, with more environment for the host's shells (e.g. PATH with tool shims). */
    public static FakeTimeHost start(Path dir, String faketime, Map<String, String> more)
            throws IOException {
        return start(dir, faketime, more, java.util.List.of("/bin/sh", "-c"));
    }

    /**
     * The same, with its commands run by {@code shell} (e.g. {@link SshTestServer#shellWithout} to
     * hide this machine's time daemons from the host).
     */
    public static FakeTimeHost start(
            Path dir, String faketime, Map<String, String> more, java.util.List<String> shell)
            throws IOException {
        Map<String, String> env = new java.util.HashMap<>(more);
        env.putAll(
                Map.of(
                        "LD_PRELOAD",
                        library().orElseThrow().toString(),
                        "FAKETIME",
                        faketime,
                        "FAKETIME_DONT_FAKE_MONOTONIC",
                        "1"));
        SshTestServer s = SshTestServer.start(dir, env, false, shell);
        return new FakeTimeHost(s, s.writeKnownHosts(dir.resolve("known_hosts")));
    }

    public SshTestServer server() {
        return server;
    }

    public Host host() {
        return Host.at("skewed", server.host());
    }

    public Connector connector() throws IOException {
        return server.connector("skewed", knownHosts);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
