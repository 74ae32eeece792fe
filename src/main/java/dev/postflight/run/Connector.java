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
     * How long {@link #connect} may wait for a host that is still coming back ({@code
     * --wait-for-host}); the per-host timeout starts only after that. Zero: no waiting.
     */
    default Duration patience() {
        return Duration.ZERO;
    }
}
