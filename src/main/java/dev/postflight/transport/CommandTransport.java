package dev.postflight.transport;

import com.jcraft.jsch.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;

/**
 * The transport of a session whose SSH config names a {@code ProxyCommand}: the command runs with
 * {@code sh -c} (prefixed with {@code exec}, as ssh does) and SSH is spoken over its stdin and
 * stdout, so a host reached through {@code ssh -W}, {@code nc}, {@code socat} or a cloud's tunnel
 * command is reached here the same way. Its stderr is discarded; the command ends with the session.
 */
final class CommandTransport implements Transport {

    private final String command;
    private final Duration bannerTimeout;
    private volatile Process process;
    private volatile BannerWatch in;
    private volatile boolean closed;

    CommandTransport(String command, Duration bannerTimeout) {
        this.command = command;
        this.bannerTimeout = bannerTimeout;
    }

    @Override
    public void connect(SocketFactory unused, String host, int port, int timeoutMillis)
            throws HostUnreachable {
        Process started;
        try {
            started =
                    new ProcessBuilder("/bin/sh", "-c", "exec " + command)
                            .redirectError(ProcessBuilder.Redirect.DISCARD)
                            .start();
        } catch (IOException e) {
            throw new HostUnreachable(
                    HostUnreachable.Cause.SSH_ERROR,
                    "ProxyCommand '" + command + "' could not start: " + e.getMessage(),
                    e);
        }
        process = started;
        if (closed) started.destroyForcibly();
        in = new BannerWatch(started.getInputStream());
        in.abortIfSilentFor(bannerTimeout, this::close);
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
            p.destroy();
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                // The command is being ended either way.
            }
        }
    }
}
