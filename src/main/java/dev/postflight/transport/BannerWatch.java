package dev.postflight.transport;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Watches the first bytes a server sends. A tarpit or an sshd stuck at MaxStartups accepts the TCP
 * connection and then says nothing; telling that apart from a refused or filtered port is what the
 * operator needs (seed 001), so this stream notes whether a complete line (the SSH identification
 * string) arrived and ends the wait when none did within the connect timeout. It also notes when
 * the transport ended, so a session drop can be told from a command that ended normally.
 */
final class BannerWatch extends FilterInputStream {

    private final CountDownLatch bannerSeen = new CountDownLatch(1);
    private final Instant opened = Instant.now();
    private volatile boolean banner;
    private volatile boolean stalled;
    private volatile boolean ended;

    BannerWatch(InputStream in) {
        super(in);
    }

    /** Runs {@code abort} if no line arrived within {@code limit}, from a virtual thread. */
    void abortIfSilentFor(Duration limit, Runnable abort) {
        Thread.ofVirtual()
                .name("ssh-banner-watch")
                .start(() -> {
                    try {
                        if (!bannerSeen.await(limit.toNanos(), TimeUnit.NANOSECONDS) && !banner) {
                            stalled = true;
                            abort.run();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
    }

    /** When the stream opened: the start of the wait for the banner. */
    Instant opened() {
        return opened;
    }

    /** True when no complete line arrived in time and the transport was closed for that. */
    boolean stalled() {
        return stalled;
    }

    boolean bannerArrived() {
        return banner;
    }

    /** True once the transport reported end of stream or a read error. */
    boolean ended() {
        return ended;
    }

    /** Releases the watcher: the connect has ended one way or the other. */
    void stopWatching() {
        bannerSeen.countDown();
    }

    @Override
    public int read() throws IOException {
        int b;
        try {
            b = super.read();
        } catch (IOException e) {
            ended = true;
            throw e;
        }
        if (b < 0) {
            ended = true;
        } else if (b == '\n' && !banner) {
            banner = true;
            bannerSeen.countDown();
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n;
        try {
            n = super.read(buffer, offset, length);
        } catch (IOException e) {
            ended = true;
            throw e;
        }
        if (n < 0) {
            ended = true;
        } else if (!banner) {
            for (int i = offset; i < offset + n; i++) {
                if (buffer[i] == '\n') {
                    banner = true;
                    bannerSeen.countDown();
                    break;
                }
            }
        }
        return n;
    }
}
