package dev.postflight.remedy;

import java.util.List;

/**
 * Receives a fix run's {@link FixEvent}s. One host's events arrive in order, from the thread that
 * fixes it; hosts fixed concurrently ({@code --fix-concurrency}) interleave, so a listener that
 * keeps state must be thread-safe.
 */
@FunctionalInterface
interface FixListener {
    void on(FixEvent event);

    /** Each listener in turn. */
    static FixListener all(List<FixListener> listeners) {
        List<FixListener> copy = List.copyOf(listeners);
        return e -> copy.forEach(l -> l.on(e));
    }
}
