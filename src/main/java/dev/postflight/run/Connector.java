package dev.postflight.run;

import dev.postflight.inventory.Host;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import java.time.Duration;
import java.time.Instant;

/** Opens the connection to a host: SSH, or this machine for {@code --local}. */
@FunctionalInterface
public interface Connector {
    HostConnection connect(Host host, Instant deadline)
            throws HostUnreachable, InterruptedException;

    /**
     * Waits until {@code host} may start its handshake and returns the turn, which the caller
     * closes once {@link #connect} returned: SSH lets only a few handshakes through one jump host
     * at a time (sshd's {@code MaxStartups}). The time spent waiting is not the host's: the caller
     * moves the host's deadline by it. Default: no waiting.
     */
    default Turn turn(Host host) throws InterruptedException {
        return Turn.NONE;
    }

    /** A place among the handshakes in flight; closing it lets the next host start. */
    @FunctionalInterface
    interface Turn extends AutoCloseable {
        Turn NONE = () -> {};

        @Override
        void close();
    }

    /**
     * How long {@link #connect} may wait for a host that is still coming back ({@code
     * --wait-for-host}); the per-host timeout starts only after that. Zero: no waiting.
     */
    default Duration patience() {
        return Duration.ZERO;
    }
}
