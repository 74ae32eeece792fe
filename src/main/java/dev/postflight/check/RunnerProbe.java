package dev.postflight.check;

/**
 * The part of a check that runs on the runner (HTTP, TLS, TCP connect, NTP), in parallel with the
 * host's probe batch. It returns the check's own observation type, read back with {@link
 * Observation#runner(Class)}; a network failure is an observation too, not an exception.
 */
@FunctionalInterface
public interface RunnerProbe {
    Object observe(RunnerContext context) throws InterruptedException;
}
