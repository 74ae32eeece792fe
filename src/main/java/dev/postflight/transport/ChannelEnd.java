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
 * the session.
 */
final class ChannelEnd extends ByteArrayOutputStream {

    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Instant closedAt;

    @Override
    public void close() {
        if (closedAt == null) {
            closedAt = Instant.now();
        }
        closed.countDown();
    }

    /** Waits up to {@code limit} for the channel to close; false when it did not. */
    boolean await(Duration limit) throws InterruptedException {
        return closed.await(Math.max(0, limit.toNanos()), TimeUnit.NANOSECONDS);
    }

    Optional<Instant> closedAt() {
        return Optional.ofNullable(closedAt);
    }
}
