package dev.postflight.run;

import dev.postflight.input.Durations;
import dev.postflight.inventory.Host;
import dev.postflight.transport.ExecResult;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * {@code --wait-for-host}: keeps connecting to a host that is still coming back from maintenance
 * (refused while it boots, timing out while it is paused, sshd up but not yet answering) until it
 * answers or the wait is over, then reports how long that took. Seed 001: the host that "cannot be
 * reached" after the provider's restart is often still in fsck; verifying it at once only says so.
 *
 * <p>Deadlines: the wait ends {@code wait} after the first attempt, and no later than the caller's
 * deadline; each attempt gets at most {@code attempt} (the per-host {@code --timeout}) within that.
 * Between attempts it sleeps 1 s, doubling up to 30 s, each pause ±20% so that a fleet restarted
 * together is not polled in lockstep, and never past the end of the wait.
 *
 * <p>Retried: refused, timed out, banner stalled, name not resolving, connection lost, and
 * authentication failed (sshd can accept connections before accounts or keys are in place right
 * after boot). Final at once: host key unknown or changed (a reinstalled host, seed 002), jump host
 * and other SSH errors.
 */
public final class WaitingConnector implements Connector {
    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private static final Set<HostUnreachable.Cause> RETRIED =
            EnumSet.of(
                    HostUnreachable.Cause.REFUSED,
                    HostUnreachable.Cause.TIMED_OUT,
                    HostUnreachable.Cause.BANNER_STALLED,
                    HostUnreachable.Cause.DNS_FAILURE,
                    HostUnreachable.Cause.CONNECTION_LOST,
                    HostUnreachable.Cause.AUTH_FAILED);

    /** How the waiting pauses; tests pass one that only moves their clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final Connector inner;
    private final Duration wait;
    private final Duration attempt;
    private final InstantSource clock;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    public WaitingConnector(
            Connector inner,
            Duration wait,
            Duration attempt,
            InstantSource clock,
            Sleeper sleeper,
            RandomGenerator random) {
        if (wait.isNegative() || wait.isZero())
            throw new IllegalArgumentException("wait must be positive, got " + wait);
        this.inner = inner;
        this.wait = wait;
        this.attempt = attempt;
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
    }

    /** Waits with the system clock, real sleeps and a random jitter. */
    public static WaitingConnector of(Connector inner, Duration wait, Duration attempt) {
        return new WaitingConnector(
                inner,
                wait,
                attempt,
                InstantSource.system(),
                d -> Thread.sleep(d),
                RandomGenerator.getDefault());
    }

    @Override
    public Duration patience() {
        return wait;
    }

    @Override
    public HostConnection connect(Host host, Instant deadline)
            throws HostUnreachable, InterruptedException {
        Instant start = clock.instant();
        Instant end = min(start.plus(wait), deadline);
        Duration pause = FIRST_PAUSE;
        boolean authFailed = false;
        int attempts = 0;
        while (true) {
            HostUnreachable last;
            try {
                attempts++;
                HostConnection c;
                // Each attempt takes its own turn: a host still down must not hold a jump
                // host's handshake slot through its whole wait.
                try (Turn turn = inner.turn(host)) {
                    c = inner.connect(host, min(clock.instant().plus(attempt), deadline));
                }
                if (attempts == 1) return c;
                return new CameBack(c, Duration.between(start, clock.instant()));
            } catch (HostUnreachable e) {
                if (!RETRIED.contains(e.kind())) throw e;
                authFailed |= e.kind() == HostUnreachable.Cause.AUTH_FAILED;
                last = e;
            }
            Duration left = Duration.between(clock.instant(), end);
            if (left.isNegative() || left.isZero()) {
                HostUnreachable gaveUp =
                        new HostUnreachable(
                                last.kind(),
                                "unreachable for "
                                        + label(wait)
                                        + " (last: "
                                        + last.getMessage()
                                        + (authFailed
                                                ? "; authentication failures were retried: sshd may"
                                                        + " accept logins before accounts and keys are"
                                                        + " ready after boot"
                                                : "")
                                        + ")",
                                last);
                throw gaveUp.tried(last.tried());
            }
            sleeper.sleep(min(jittered(pause), left));
            pause = min(pause.multipliedBy(2), MAX_PAUSE);
        }
    }

    /** {@code pause} ±20%. */
    Duration jittered(Duration pause) {
        double factor = 0.8 + 0.4 * random.nextDouble();
        return Duration.ofMillis(Math.round(pause.toMillis() * factor));
    }

    /** {@code 15m}, {@code 90s}, {@code 1h}: the wait as the user most likely wrote it. */
    static String label(Duration d) {
        if (d.toMillisPart() == 0 && d.toSeconds() > 0) {
            if (d.toSeconds() % 3600 == 0) return d.toHours() + "h";
            if (d.toSeconds() % 60 == 0) return d.toMinutes() + "m";
            return d.toSeconds() + "s";
        }
        return Durations.format(d);
    }

    private static <T extends Comparable<T>> T min(T a, T b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** A connection that says, in {@link #describe}, how long the host took to come back. */
    private record CameBack(HostConnection connection, Duration after) implements HostConnection {
        @Override
        public ExecResult exec(String command, byte[] stdin, Duration timeout)
                throws HostUnreachable, InterruptedException {
            return connection.exec(command, stdin, timeout);
        }

        @Override
        public String describe() {
            return connection.describe() + ", came back after " + Durations.format(after);
        }

        @Override
        public Optional<String> hostKeyFingerprint() {
            return connection.hostKeyFingerprint();
        }

        @Override
        public void close() {
            connection.close();
        }
    }
}
