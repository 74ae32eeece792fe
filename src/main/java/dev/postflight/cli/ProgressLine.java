package dev.postflight.cli;

import dev.postflight.check.Status;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunListener;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;

/** A one-line progress display on a terminal, shown only once a run has taken over 2 s. */
final class ProgressLine implements RunListener {
    private static final long SHOW_AFTER_NANOS = 2_000_000_000L;
    private final int total;
    private final PrintStream err;
    private final long start = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger problems = new AtomicInteger();
    private volatile boolean shown;

    ProgressLine(int total, PrintStream err) {
        this.total = total;
        this.err = err;
    }

    @Override
    public void hostFinished(HostResult result) {
        int d = done.incrementAndGet();
        if (result.worst().compareTo(Status.WARN) > 0) problems.incrementAndGet();
        if (System.nanoTime() - start < SHOW_AFTER_NANOS) return;
        synchronized (this) {
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
        if (shown) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }
}
