package dev.postflight.run;

import dev.postflight.inventory.Host;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import java.time.Instant;

/** Opens the connection to a host: SSH, or this machine for {@code --local}. */
@FunctionalInterface
public interface Connector {
    HostConnection connect(Host host, Instant deadline)
            throws HostUnreachable, InterruptedException;
}
