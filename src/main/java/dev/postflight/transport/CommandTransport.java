package dev.postflight.transport;

import com.jcraft.jsch.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The transport of a session whose SSH config names a {@code ProxyCommand}: the command runs with
 * {@code sh -c} (prefixed with {@code exec}, as ssh does) and SSH is spoken over its stdin and
 * stdout, so a host reached through {@code ssh -W}, {@code nc}, {@code socat} or a cloud's tunnel
 * command is reached here the same way. The last line of its stderr (capped) is kept for the
 * message when it ends before the server's banner; the command ends with the session.
 */
final class CommandTransport implements Transport {

    private static final int STDERR_CAP = 4096;

    private final String command;
    private final StringBuilder stderr = new StringBuilder();
    private final Duration bannerTimeout;
    private volatile Process process;
    private volatile BannerWatch in;
    private volatile boolean closed;
    private volatile boolean endedByUs;
    private volatile Thread drainer;

    CommandTransport(String command, Duration bannerTimeout) {
        this.command = command;
        this.bannerTimeout = bannerTimeout;
    }

    @Override
    public void connect(SocketFactory unused, String host, int port, int timeoutMillis)
            throws HostUnreachable {
        Process started;
        try {
            started = new ProcessBuilder("/bin/sh", "-c", "exec " + command).start();
        } catch (IOException e) {
            throw new HostUnreachable(
                    HostUnreachable.Cause.SSH_ERROR,
                    "ProxyCommand '" + command + "' could not start: " + e.getMessage(),
                    e);
        }
        process = started;
        drainer = Thread.ofVirtual().name("proxy-command-stderr").start(() -> drain(started));
        if (closed) started.destroyForcibly();
        in = new BannerWatch(started.getInputStream());
        in.abortIfSilentFor(bannerTimeout, this::close);
    }

    private void drain(Process p) {
        byte[] buffer = new byte[1024];
        try (InputStream err = p.getErrorStream()) {
            for (int n; (n = err.read(buffer)) > 0; ) {
                synchronized (stderr) {
                    if (stderr.length() < STDERR_CAP) {
                        stderr.append(
                                new String(
                                        buffer,
                                        0,
                                        Math.min(n, STDERR_CAP - stderr.length()),
                                        StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException e) {
            // The command ended or was ended: what it said so far is all there is.
        }
    }

    /**
     * {@code ProxyCommand 'nc gw 22' ended before an SSH banner (exit 1: nc: connection refused)}:
     * what the operator needs when the command, not the host, failed.
     */
    String endedBeforeBanner() {
        Process p = process;
        String exit = "still running";
        try {
            Thread d = drainer;
            if (d != null) d.join(Duration.ofSeconds(1));
            if (p != null && !endedByUs && p.waitFor(1, TimeUnit.SECONDS)) {
                exit = "exit " + p.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String said;
        synchronized (stderr) {
            said = stderr.toString().strip();
        }
        int lastLine = said.lastIndexOf('\n');
        if (lastLine >= 0) said = said.substring(lastLine + 1);
        return "ProxyCommand '"
                + command
                + "' ended before an SSH banner ("
                + exit
                + (said.isEmpty() ? "" : ": " + said)
                + ")";
    }

    @Override
    public Optional<BannerWatch> watch() {
        return Optional.ofNullable(in);
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return process.getOutputStream();
    }

    @Override
    public Socket getSocket() {
        return null;
    }

    @Override
    public void close() {
        closed = true;
        Process p = process;
        if (p != null) {
            // End of input first, as for ssh: nc and socat then end by themselves. A command that
            // already ended keeps its own exit status for the message.
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                // The command is being ended either way.
            }
            try {
                p.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (p.isAlive()) {
                endedByUs = true;
                p.destroy();
            }
        }
    }
}
