package dev.postflight.cli;

import dev.postflight.inventory.Host;
import dev.postflight.run.Connector;
import dev.postflight.transport.HostUnreachable;
import java.util.List;

/** Builds the SSH connector from the verify options. */
final class SshWiring {
    private SshWiring() {}

    static Connector connector(VerifyCommand options, List<Host> hosts) {
        return (h, deadline) -> {
            throw new HostUnreachable(
                    HostUnreachable.Cause.SSH_ERROR, "SSH transport not built yet");
        };
    }
}
