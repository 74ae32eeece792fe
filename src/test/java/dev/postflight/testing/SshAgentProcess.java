package dev.postflight.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code ssh-agent} for one test, listening on a socket in the test's folder ({@code
 * ssh-agent -D -a SOCKET}) and stopped by its PID in {@link #close()}. Keys are loaded with the
 * real {@code ssh-add}, a passphrase given through {@code SSH_ASKPASS} as a desktop would.
 */
public final class SshAgentProcess implements AutoCloseable {
    private final Path dir;
    private final Path socket;
    private final Process process;

    private SshAgentProcess(Path dir, Path socket, Process process) {
        this.dir = dir;
        this.socket = socket;
        this.process = process;
    }

    public static SshAgentProcess start(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path socket = dir.resolve("agent.sock");
        Process process =
                new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("ssh-agent.log").toFile())
                        .start();
        SshAgentProcess agent = new SshAgentProcess(dir, socket, process);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!Files.exists(socket)) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                agent.close();
                throw new IOException("ssh-agent did not open " + socket);
            }
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                agent.close();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        return agent;
    }

    /** Loads {@code key} into the agent with {@code ssh-add}, typing {@code passphrase}. */
    public void add(Path key, String passphrase) throws IOException {
        Path askpass = dir.resolve("askpass");
        Files.writeString(askpass, "#!/bin/sh\nprintf '%s\\n' '" + passphrase + "'\n");
        Files.setPosixFilePermissions(askpass, PosixFilePermissions.fromString("rwx------"));
        ProcessBuilder b = new ProcessBuilder("ssh-add", key.toString()).redirectErrorStream(true);
        b.environment().put("SSH_AUTH_SOCK", socket.toString());
        b.environment().put("SSH_ASKPASS", askpass.toString());
        b.environment().put("SSH_ASKPASS_REQUIRE", "force");
        b.environment().put("DISPLAY", ":0");
        Process p = b.start();
        p.getOutputStream().close();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("ssh-add still running after 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Files.delete(askpass);
        if (p.exitValue() != 0) throw new IOException("ssh-add " + key + ": " + out);
    }

    public Path socket() {
        return socket;
    }

    /** The environment a client finds this agent through. */
    public Map<String, String> environment() {
        return Map.of("SSH_AUTH_SOCK", socket.toString());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
