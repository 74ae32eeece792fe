package dev.postflight.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/** This machine as a host ({@code --local}): the same probe script, run by {@code /bin/sh}. */
public final class LocalConnection implements HostConnection {
    private volatile Process current;

    @Override
    public ExecResult exec(String command, byte[] stdin, Duration timeout)
            throws HostUnreachable, InterruptedException {
        Instant sent = Instant.now();
        Process p;
        try {
            p = new ProcessBuilder("/bin/sh", "-c", command).start();
        } catch (IOException e) {
            throw new HostUnreachable(
                    HostUnreachable.Cause.SSH_ERROR, "cannot start /bin/sh: " + e.getMessage(), e);
        }
        current = p;
        Future<byte[]> out = drain(p.getInputStream());
        Future<byte[]> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // The command ended without reading all of its input; its output tells why.
        }
        boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        Instant received = Instant.now();
        try {
            return new ExecResult(
                    ended ? OptionalInt.of(p.exitValue()) : OptionalInt.empty(),
                    out.get(),
                    err.get(),
                    sent,
                    received,
                    !ended);
        } catch (ExecutionException e) {
            throw new HostUnreachable(
                    HostUnreachable.Cause.CONNECTION_LOST,
                    "reading output failed: " + e.getCause(),
                    e);
        } finally {
            current = null;
        }
    }

    private static Future<byte[]> drain(InputStream stream) {
        FutureTask<byte[]> task =
                new FutureTask<>(() -> {
                    try (InputStream s = stream) {
                        return s.readAllBytes();
                    }
                });
        Thread.ofVirtual().start(task);
        return task;
    }

    @Override
    public String describe() {
        return "local";
    }

    @Override
    public Optional<String> hostKeyFingerprint() {
        return Optional.empty();
    }

    @Override
    public void close() {
        Process p = current;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
