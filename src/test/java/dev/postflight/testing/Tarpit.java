package dev.postflight.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A loopback listener that accepts TCP connections and never says a word: a tarpit, or an sshd
 * stuck at MaxStartups (seed 001). Or, with {@link #withFullQueue}, one that never accepts and
 * whose listen queue is full, so that a connect gets no answer at all, as from a filtered port,
 * without a packet leaving loopback. Closing it closes the connections it holds.
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

    /** A listener that never accepts, its queue filled: further connects go unanswered. */
    public static Tarpit withFullQueue() throws IOException {
        Tarpit t = new Tarpit(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        for (int i = 0; i < 10; i++) {
            Socket s = new Socket();
            t.held.add(s);
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), t.port()), 300);
            } catch (SocketTimeoutException queueFull) {
                return t;
            }
        }
        t.close();
        throw new IOException("the listen queue of a loopback listener never filled");
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
