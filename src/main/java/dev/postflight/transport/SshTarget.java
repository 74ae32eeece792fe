package dev.postflight.transport;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A host as the inventory or the command line names it. Every field but the alias may be unset:
 * what is unset is filled from {@code ~/.ssh/config} for that alias and then from OpenSSH's
 * defaults when the connector resolves it, so a host that works with {@code ssh web1} works here.
 *
 * @param alias the name the user gave, also the {@code Host} pattern looked up in the SSH config
 * @param address HostName to connect to
 * @param user login user
 * @param port TCP port
 * @param identity private key file
 * @param jump host to tunnel through (ProxyJump)
 */
public record SshTarget(
        String alias,
        Optional<String> address,
        Optional<String> user,
        OptionalInt port,
        Optional<Path> identity,
        Optional<SshTarget> jump) {

    public SshTarget {
        Objects.requireNonNull(alias, "alias");
        if (alias.isBlank()) {
            throw new IllegalArgumentException("alias must not be blank");
        }
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(jump, "jump");
        if (port.isPresent() && (port.getAsInt() < 1 || port.getAsInt() > 65535)) {
            throw new IllegalArgumentException(
                    "port (" + port.getAsInt() + ") must be between 1 and 65535");
        }
    }

    /** A host known only by name: everything else comes from the SSH config and defaults. */
    public static SshTarget named(String alias) {
        return new SshTarget(
                alias,
                Optional.empty(),
                Optional.empty(),
                OptionalInt.empty(),
                Optional.empty(),
                Optional.empty());
    }

    public SshTarget withAddress(String value) {
        return new SshTarget(alias, Optional.of(value), user, port, identity, jump);
    }

    public SshTarget withUser(String value) {
        return new SshTarget(alias, address, Optional.of(value), port, identity, jump);
    }

    public SshTarget withPort(int value) {
        return new SshTarget(alias, address, user, OptionalInt.of(value), identity, jump);
    }

    public SshTarget withIdentity(Path value) {
        return new SshTarget(alias, address, user, port, Optional.of(value), jump);
    }

    public SshTarget withJump(SshTarget value) {
        return new SshTarget(alias, address, user, port, identity, Optional.of(value));
    }
}
