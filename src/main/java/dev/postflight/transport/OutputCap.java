package dev.postflight.transport;

import java.util.concurrent.CountDownLatch;

/**
 * The bytes one exec may bring back into memory, stdout and stderr together. A host is not trusted
 * to print little: 500 MB from one host once pushed the runner to 1.6 GB, and an OutOfMemoryError
 * in JSch's thread took every host's verdict with it (issue 14). Past the cap the collectors keep
 * nothing more and the exec is ended.
 */
final class OutputCap {
    private final long max;
    private final Runnable onExceeded;
    private long kept;
    private final CountDownLatch exceeded = new CountDownLatch(1);

    /** {@code onExceeded} runs once, on the writing thread, when the first byte past it arrives. */
    OutputCap(long max, Runnable onExceeded) {
        if (max <= 0) throw new IllegalArgumentException("max (" + max + ") must be positive");
        this.max = max;
        this.onExceeded = onExceeded;
    }

    /** How many of {@code len} more bytes may be kept; past the cap, marks it exceeded. */
    int admit(int len) {
        boolean first;
        int fit;
        synchronized (this) {
            long room = max - kept;
            if (len <= room) {
                kept += len;
                return len;
            }
            fit = (int) Math.max(0, room);
            kept += fit;
            first = exceeded.getCount() > 0;
            exceeded.countDown();
        }
        if (first) onExceeded.run();
        return fit;
    }

    boolean exceeded() {
        return exceeded.getCount() == 0;
    }

    long max() {
        return max;
    }
}
