package dev.postflight.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP port that accepts connections, counts them and closes them at once: a host a test
 * expects postflight never to contact ({@link #connections()} stays 0), or one it must reach (an
 * IPv6 address written as {@code [::1]:PORT}).
 */
public final class CountingPort implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicInteger connections = new AtomicInteger();

    private CountingPort(ServerSocket socket) {
        this.socket = socket;
        Thread.ofVirtual().start(this::accept);
    }

    /** Listens on {@code address} (e.g. 127.0.0.1 or ::1), on a free port. */
    public static CountingPort on(String address) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        return new CountingPort(s);
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** How many connections were accepted so far. */
    public int connections() {
        return connections.get();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                connections.incrementAndGet();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
