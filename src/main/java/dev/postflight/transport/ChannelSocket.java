package dev.postflight.transport;

import com.jcraft.jsch.ChannelDirectTCPIP;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A {@code direct-tcpip} channel of an SSH session, shaped as a connected {@link Socket} so that
 * JSSE can layer TLS over it ({@code SSLSocketFactory.createSocket(socket, host, port, true)}).
 * Nothing listens on the runner: a local port forward on 127.0.0.1 could be used by any local user
 * while it existed (issue 14). Reads do not time out; the caller closes the socket at its deadline.
 */
final class ChannelSocket extends Socket {
    private final ChannelDirectTCPIP channel;
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean closed;
    private volatile int soTimeout;

    ChannelSocket(ChannelDirectTCPIP channel, InputStream in, OutputStream out) {
        this.channel = channel;
        this.in = in;
        this.out = out;
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
    public boolean isConnected() {
        return true;
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void setSoTimeout(int timeout) {
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
    }

    @Override
    public void setTcpNoDelay(boolean on) {
        // The SSH connection's own socket carries the bytes; nothing to set here.
    }

    @Override
    public void shutdownInput() {
        close();
    }

    @Override
    public void shutdownOutput() {
        close();
    }

    @Override
    public void close() {
        closed = true;
        channel.disconnect();
    }
}
