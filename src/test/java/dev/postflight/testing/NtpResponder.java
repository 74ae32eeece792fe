package dev.postflight.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;

/**
 * A real NTP server on 127.0.0.1 for tests: it answers each client request (mode 3) on an ephemeral
 * UDP port with a server reply (mode 4) whose clock is this machine's clock plus an offset, to the
 * nanosecond. Seed 003's "clock 3 hours behind" is {@code start(ofHours(-3))}.
 *
 * <pre>{@code
 * try (NtpResponder ntp = NtpResponder.start(Duration.ofSeconds(-2))) {
 *     prober.query("127.0.0.1", ntp.port(), timeout, 1);   // offset ≈ -2 s
 *     ntp.setSilent(true);                                   // now it never answers
 * }
 * }</pre>
 *
 * <p>Faults a real server shows, each a setter: {@link #setSilent} (never answers: timeouts),
 * {@link #ignoreNext} (the next n requests are lost: retries), {@link #setKissOfDeath} (stratum 0
 * with a kiss code), {@link #setStratum} and {@link #setLeap} (leap 3 is "not synchronised"),
 * {@link #setWrongOriginate} (an answer that does not echo the request: spoofed or stale). Setters
 * take effect for the next request. Not thread-confined: setters may be called from any thread.
 */
public final class NtpResponder implements AutoCloseable {
    private static final int PACKET = 48;
    private static final long EPOCH_1900 = 2_208_988_800L;

    private final DatagramSocket socket;
    private final Thread thread;
    private final Object lock = new Object();

    private Duration offset;
    private int stratum = 2;
    private int leap = 0;
    private int referenceId = 0x7f_00_00_01;
    private boolean silent;
    private boolean wrongOriginate;
    private int requests;
    private int ignoreNext;

    private NtpResponder(Duration offset) throws SocketException {
        this.offset = offset;
        this.socket =
                new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        // A platform thread: a busy virtual-thread scheduler must not delay the answer and skew
        // the measured delay.
        this.thread =
                Thread.ofPlatform().daemon().name("ntp-responder-" + port()).start(this::serve);
    }

    /** Starts a responder whose clock is this machine's clock plus {@code offset}. */
    public static NtpResponder start(Duration offset) {
        try {
            return new NtpResponder(offset);
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The UDP port on 127.0.0.1. */
    public int port() {
        return socket.getLocalPort();
    }

    /** {@code "127.0.0.1:PORT"}, the form {@code NtpReference} takes. */
    public String server() {
        return "127.0.0.1:" + port();
    }

    /** The responder's clock minus this machine's clock. */
    public void setOffset(Duration offset) {
        synchronized (lock) {
            this.offset = offset;
        }
    }

    /** Stratum in answers (default 2); 0 or 16 means unsynchronised. */
    public void setStratum(int stratum) {
        synchronized (lock) {
            this.stratum = stratum;
        }
    }

    /** Leap indicator in answers (default 0); 3 means "clock not synchronised". */
    public void setLeap(int leap) {
        synchronized (lock) {
            this.leap = leap;
        }
    }

    /** Answers with stratum 0 and the four-letter kiss code (RATE, DENY…) as reference id. */
    public void setKissOfDeath(String code) {
        if (code.length() != 4) throw new IllegalArgumentException("kiss code must be 4 letters");
        synchronized (lock) {
            this.stratum = 0;
            this.referenceId = ByteBuffer.wrap(code.getBytes(US_ASCII)).getInt();
        }
    }

    /** When true, requests are counted but never answered. */
    public void setSilent(boolean silent) {
        synchronized (lock) {
            this.silent = silent;
        }
    }

    /** The next {@code n} requests are counted but not answered, as if lost on the way. */
    public void ignoreNext(int n) {
        synchronized (lock) {
            this.ignoreNext = n;
        }
    }

    /** When true, answers carry an originate timestamp that is not the request's. */
    public void setWrongOriginate(boolean wrongOriginate) {
        synchronized (lock) {
            this.wrongOriginate = wrongOriginate;
        }
    }

    /** How many client requests arrived so far, answered or not. */
    public int requests() {
        synchronized (lock) {
            return requests;
        }
    }

    /**
     * Waits until at least {@code n} requests arrived, up to {@code deadline}; returns the count.
     */
    public int awaitRequests(int n, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        synchronized (lock) {
            while (requests < n) {
                long left = end - System.nanoTime();
                if (left <= 0) break;
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return requests;
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join();
    }

    private void serve() {
        byte[] in = new byte[PACKET * 2];
        while (!socket.isClosed()) {
            DatagramPacket request = new DatagramPacket(in, in.length);
            try {
                socket.receive(request);
                Instant received = Instant.now();
                byte[] reply = answer(request, received);
                if (reply != null) {
                    socket.send(
                            new DatagramPacket(reply, reply.length, request.getSocketAddress()));
                }
            } catch (IOException e) {
                if (socket.isClosed()) return;
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The reply to one request, or null to stay silent. */
    private byte[] answer(DatagramPacket request, Instant received) {
        if (request.getLength() < PACKET) return null;
        ByteBuffer req = ByteBuffer.wrap(request.getData());
        int at = request.getOffset();
        int first = req.get(at) & 0xff;
        int version = (first >>> 3) & 0x7;
        int mode = first & 0x7;
        if (mode != 3) return null;
        long clientTransmit = req.getLong(at + 40);
        synchronized (lock) {
            requests++;
            lock.notifyAll();
            if (silent) return null;
            if (ignoreNext > 0) {
                ignoreNext--;
                return null;
            }
            ByteBuffer reply = ByteBuffer.allocate(PACKET);
            reply.put(0, (byte) ((leap << 6) | (version << 3) | 4));
            reply.put(1, (byte) stratum);
            reply.put(2, (byte) 6); // poll: 64 s
            reply.put(3, (byte) -20); // precision: about a microsecond
            reply.putInt(4, 0); // root delay
            reply.putInt(8, 0x0000_0100); // root dispersion: 1/256 s
            reply.putInt(12, referenceId);
            reply.putLong(16, ntp(received.plus(offset).minusSeconds(16)));
            reply.putLong(24, wrongOriginate ? clientTransmit ^ 0x5a5a_5a5aL : clientTransmit);
            reply.putLong(32, ntp(received.plus(offset)));
            reply.putLong(40, ntp(Instant.now().plus(offset)));
            return reply.array();
        }
    }

    /** An instant as a 64-bit NTP timestamp (era 0: until 2036). */
    private static long ntp(Instant t) {
        long seconds = t.getEpochSecond() + EPOCH_1900;
        long fraction = ((long) t.getNano() << 32) / 1_000_000_000L;
        return (seconds << 32) | fraction;
    }
}
