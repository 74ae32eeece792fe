package dev.postflight.transport;

import java.nio.file.Path;

/**
 * A key file a host needs cannot be used: a passphrase locks it, it is not in ssh-agent and there
 * is nobody to type the passphrase, or the passphrase typed was wrong. Found before any host is
 * contacted, so the command can stop with a configuration error instead of failing every host.
 */
public final class LockedKey extends Exception {
    private final Path key;

    LockedKey(Path key, String message) {
        super(message);
        this.key = key;
    }

    /** The key file. */
    public Path key() {
        return key;
    }
}
