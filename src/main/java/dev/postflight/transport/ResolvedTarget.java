package dev.postflight.transport;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A host with every connection setting decided: what {@link SshTarget} left unset has been taken
 * from the SSH config or OpenSSH's defaults.
 */
record ResolvedTarget(
        String alias,
        String address,
        String user,
        int port,
        List<Path> identities,
        Optional<ResolvedTarget> jump,
        SshHostOptions options) {

    ResolvedTarget {
        identities = List.copyOf(identities);
    }

    ResolvedTarget(
            String alias,
            String address,
            String user,
            int port,
            List<Path> identities,
            Optional<ResolvedTarget> jump) {
        this(alias, address, user, port, identities, jump, SshHostOptions.defaults());
    }

    /** {@code ops@203.0.113.10:22}: the form used in reports and messages. */
    String endpoint() {
        return user + "@" + address + ":" + port;
    }

    /** {@code ssh ops@10.0.0.5:22 via bastion}. */
    String describe() {
        return "ssh " + endpoint() + jump.map(j -> " via " + j.alias()).orElse("");
    }
}
