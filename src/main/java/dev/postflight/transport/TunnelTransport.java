package dev.postflight.transport;

import com.jcraft.jsch.ChannelDirectTCPIP;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;

/**
 * The transport of a session reached through a jump host: a {@code direct-tcpip} channel of the
 * jump host's session, as {@code ssh -J} does. The target's SSH runs end to end through it, so the
 * target's host key is checked under the target's own name and the jump host sees only ciphertext.
 */
final class TunnelTransport implements Transport {

    private static final int SSH_OPEN_ADMINISTRATIVELY_PROHIBITED = 1;

    private final Session jump;
    private final String jumpAlias;
    private final Duration bannerTimeout;
    private volatile ChannelDirectTCPIP channel;
    private volatile BannerWatch in;
    private volatile OutputStream out;

    TunnelTransport(Session jump, String jumpAlias, Duration bannerTimeout) {
        this.jump = jump;
        this.jumpAlias = jumpAlias;
        this.bannerTimeout = bannerTimeout;
    }

    @Override
    public void connect(SocketFactory unused, String host, int port, int timeoutMillis)
            throws HostUnreachable, IOException {
        String target = host + ":" + port;
        ChannelDirectTCPIP opened;
        try {
            opened = (ChannelDirectTCPIP) jump.openChannel("direct-tcpip");
        } catch (JSchException e) {
            throw new HostUnreachable(
                    HostUnreachable.Cause.JUMP_FAILED,
                    "jump host " + jumpAlias + ": connection lost before tunnelling to " + target,
                    e);
        }
        opened.setHost(host);
        opened.setPort(port);
        InputStream raw = opened.getInputStream();
        out = opened.getOutputStream();
        channel = opened;
        try {
            opened.connect(timeoutMillis);
        } catch (JSchException e) {
            if (opened.getExitStatus() == SSH_OPEN_ADMINISTRATIVELY_PROHIBITED) {
                throw new HostUnreachable(
                        HostUnreachable.Cause.JUMP_FAILED,
                        "jump host " + jumpAlias + " does not allow TCP forwarding to " + target,
                        e);
            }
            throw new HostUnreachable(
                    HostUnreachable.Cause.SSH_ERROR,
                    "jump host "
                            + jumpAlias
                            + " could not connect to "
                            + target
                            + " (refused, filtered or down as seen from the jump host)",
                    e);
        }
        in = new BannerWatch(raw);
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
        return out;
    }

    @Override
    public Socket getSocket() {
        return null;
    }

    @Override
    public void close() {
        ChannelDirectTCPIP c = channel;
        if (c != null) {
            c.disconnect();
        }
    }
}
