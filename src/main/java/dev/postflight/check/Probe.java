package dev.postflight.check;

import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What a check observes, as a typed value: a shell snippet in the host's batch parsed into a {@code
 * T}, a runner-side probe (HTTP, TLS, TCP, NTP), the host's clock or SSH host key, or several of
 * those combined. The runner alone decides that a part could not run (host unreachable, probe timed
 * out, tool missing, output unreadable) and turns it into an {@code error} verdict; a check's
 * {@link CheckSpec#judge} only ever sees values that were observed.
 */
public sealed interface Probe<T> {

    /** A snippet in the host's batch; {@code what} names it in "could not run" errors. */
    record OnHost<T>(String what, HostProbe snippet, Parser<T> parse) implements Probe<T> {}

    /** A probe the runner runs itself, in parallel with the host's batch. */
    record OnRunner<T>(RunnerProbe<T> observe) implements Probe<T> {}

    /** The host's clock, read by the batch (and refined by round trips when a check asks). */
    record HostClock() implements Probe<HostTime> {}

    /** The fingerprint of the SSH host key the connection saw; empty for {@code --local}. */
    record HostKey() implements Probe<Optional<String>> {}

    /** A value known without probing (an optional part the spec does not ask for). */
    record Known<T>(T value) implements Probe<T> {}

    /** Two observations made together and combined into one value. */
    record Both<A, B, T>(Probe<A> first, Probe<B> second, BiFunction<A, B, T> combine)
            implements Probe<T> {}

    /** An observation turned into another type. */
    record Mapped<A, T>(Probe<A> probe, Function<A, T> map) implements Probe<T> {}

    /**
     * A part whose failure to run the check judges itself (e.g. an optional cross-check), instead
     * of the whole check becoming an error.
     */
    record Attempt<T>(Probe<T> probe) implements Probe<Attempted<T>> {}

    /** What an {@link Attempt} gave: the value, or the error verdict of why it could not run. */
    record Attempted<T>(Optional<T> value, Optional<Verdict> notRun) {}

    /** Reads a snippet's output; throws {@link Unreadable} for output it cannot make sense of. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(ProbeOutput out) throws Unreadable;
    }

    /** Output a parser cannot make sense of; its message becomes the check's error verdict. */
    final class Unreadable extends Exception {
        private final transient Verdict verdict;

        public Unreadable(String message) {
            this(Verdict.error(message));
        }

        public Unreadable(Verdict verdict) {
            super(verdict.reason(), null, false, false);
            this.verdict = verdict;
        }

        public Verdict verdict() {
            return verdict;
        }
    }

    static <T> Probe<T> host(String what, String script, Parser<T> parse) {
        return new OnHost<>(what, HostProbe.of(script), parse);
    }

    static <T> Probe<T> host(String what, HostProbe snippet, Parser<T> parse) {
        return new OnHost<>(what, snippet, parse);
    }

    static <T> Probe<T> runner(RunnerProbe<T> observe) {
        return new OnRunner<>(observe);
    }

    static Probe<HostTime> hostClock() {
        return new HostClock();
    }

    static Probe<Optional<String>> hostKey() {
        return new HostKey();
    }

    static <T> Probe<T> known(T value) {
        return new Known<>(value);
    }

    static <A, B, T> Probe<T> both(Probe<A> a, Probe<B> b, BiFunction<A, B, T> combine) {
        return new Both<>(a, b, combine);
    }

    static <T> Probe<Attempted<T>> attempt(Probe<T> p) {
        return new Attempt<>(p);
    }

    default <R> Probe<R> map(Function<T, R> f) {
        return new Mapped<>(this, f);
    }
}
