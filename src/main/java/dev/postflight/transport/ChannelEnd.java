package dev.postflight.transport;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Collects a channel's stderr and notes when JSch closes it. JSch closes the extended stream only
 * when the channel itself closes, which a server does after sending the exit status; so its close
 * is the moment the command's end was received, with no polling. JSch writes into it from the
 * session thread, and it never blocks, so a command writing megabytes to both streams cannot stall
 * the session; past the {@link OutputCap} it keeps nothing more.
 */
final class ChannelEnd extends ByteArrayOutputStream {

    private final CountDownLatch closed = new CountDownLatch(1);
    private final OutputCap cap;
    private volatile Instant closedAt;

    /** A collector whose exec may bring back {@code maxOutput} bytes on both streams together. */
    ChannelEnd(long maxOutput) {
        this.cap = new OutputCap(maxOutput, closed::countDown);
    }

    /** The cap shared with the exec's stdout; exceeding it also ends {@link #await}. */
    OutputCap cap() {
        return cap;
    }

    @Override
    public synchronized void write(int b) {
        if (cap.admit(1) == 1) super.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        super.write(b, off, cap.admit(len));
    }

    @Override
    public void close() {
        if (closedAt == null) {
            closedAt = Instant.now();
        }
        closed.countDown();
    }

    /**
     * Waits up to {@code limit} for the channel to close or the output to pass its cap; false when
     * neither happened.
     */
    boolean await(Duration limit) throws InterruptedException {
        return closed.await(Math.max(0, limit.toNanos()), TimeUnit.NANOSECONDS);
    }

    Optional<Instant> closedAt() {
        return Optional.ofNullable(closedAt);
    }
}
