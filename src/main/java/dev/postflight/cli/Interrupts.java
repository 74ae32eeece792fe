package dev.postflight.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C during a run: the first stops new work and aborts running hosts so the run reports what
 * finished and exits 130; a second one ends the process at once.
 */
final class Interrupts implements AutoCloseable {
    private final SignalHandler previous;
    private volatile boolean seen;

    private Interrupts(Runnable onInterrupt) {
        SignalHandler mine =
                sig -> {
                    if (seen) Runtime.getRuntime().halt(130);
                    seen = true;
                    System.err.println(
                            "\npostflight: interrupted; stopping (Ctrl-C again to quit at once)");
                    onInterrupt.run();
                };
        SignalHandler p;
        try {
            p = Signal.handle(new Signal("INT"), mine);
        } catch (IllegalArgumentException e) {
            p = null;
        }
        this.previous = p;
    }

    static Interrupts onCtrlC(Runnable onInterrupt) {
        return new Interrupts(onInterrupt);
    }

    @Override
    public void close() {
        if (previous != null) Signal.handle(new Signal("INT"), previous);
    }
}
