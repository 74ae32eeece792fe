package dev.postflight.transport;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs an action at a deadline unless cancelled first: how a blocking step that cannot take a
 * timeout itself (a JSch handshake made of many reads) is still held to the host's deadline.
 */
final class Alarm implements AutoCloseable {

    private final CountDownLatch cancelled = new CountDownLatch(1);
    private volatile boolean rang;

    private Alarm() {}

    static Alarm at(Instant when, Runnable action) {
        Alarm alarm = new Alarm();
        Thread.ofVirtual()
                .name("postflight-alarm")
                .start(() -> {
                    Duration wait = Duration.between(Instant.now(), when);
                    try {
                        if (!alarm.cancelled.await(
                                Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS)) {
                            alarm.rang = true;
                            action.run();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        return alarm;
    }

    /** True when the deadline came before {@link #close()}. */
    boolean rang() {
        return rang;
    }

    @Override
    public void close() {
        cancelled.countDown();
    }
}
