package dev.postflight.cli;

import dev.postflight.check.Status;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunListener;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A one-line progress display on a terminal, shown only once a run has taken over 2 s. It covers
 * the verification only: once cleared it stays silent, so that the hosts {@code --fix} verifies
 * again neither count twice ("2/1 hosts done") nor leave a line in front of the report.
 */
final class ProgressLine implements RunListener {
    private static final long SHOW_AFTER_NANOS = 2_000_000_000L;
    private final long showAfterNanos;
    private final int total;
    private final PrintStream err;
    private final long start = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger problems = new AtomicInteger();
    private volatile boolean shown;
    private boolean cleared;

    ProgressLine(int total, PrintStream err) {
        this(total, err, SHOW_AFTER_NANOS);
    }

    ProgressLine(int total, PrintStream err, long showAfterNanos) {
        this.total = total;
        this.err = err;
        this.showAfterNanos = showAfterNanos;
    }

    @Override
    public void hostFinished(HostResult result) {
        int d = done.incrementAndGet();
        if (result.worst().compareTo(Status.WARN) > 0) problems.incrementAndGet();
        if (System.nanoTime() - start < showAfterNanos) return;
        synchronized (this) {
            if (cleared) return;
            shown = true;
            err.print(
                    "\r\u001b[K"
                            + d
                            + "/"
                            + total
                            + " hosts done, "
                            + problems.get()
                            + " with problems");
            err.flush();
        }
    }

    synchronized void clear() {
        cleared = true;
        if (shown) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }
}
