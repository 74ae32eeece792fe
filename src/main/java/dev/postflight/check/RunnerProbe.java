package dev.postflight.check;

/**
 * The part of a check that runs on the runner (HTTP, TLS, TCP connect, NTP), in parallel with the
 * host's probe batch. A network failure is an observation too, not an exception.
 */
@FunctionalInterface
public interface RunnerProbe<T> {
    T observe(RunnerContext context) throws InterruptedException;
}
