package dev.postflight.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A loopback listener that accepts TCP connections and never says a word: a tarpit, or an sshd
 * stuck at MaxStartups (seed 001). Closing it closes the connections it holds.
 */
public final class Tarpit implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> held = new ArrayList<>();
    private final CountDownLatch accepted = new CountDownLatch(1);

    private Tarpit(ServerSocket listener) {
        this.listener = listener;
    }

    public static Tarpit start() throws IOException {
        Tarpit t = new Tarpit(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread.ofVirtual().name("tarpit").start(t::hold);
        return t;
    }

    private void hold() {
        try {
            while (true) {
                Socket s = listener.accept();
                synchronized (held) {
                    held.add(s);
                }
                accepted.countDown();
            }
        } catch (IOException e) {
            // Closed: the test is over.
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Waits until a client has connected; false if none did within {@code limit}. */
    public boolean awaitConnection(Duration limit) throws InterruptedException {
        return accepted.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (held) {
            for (Socket s : held) s.close();
        }
    }
}
