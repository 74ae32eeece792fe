package dev.postflight.transport;

import java.io.Console;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who can type the passphrase of a locked key file: the operator at a terminal, or nobody (a timer,
 * CI, a pipe). Asked once per key and run, before any host is contacted; what is typed is never
 * echoed, logged or put in a command line.
 */
@FunctionalInterface
public interface PassphrasePrompt {

    /** Nobody to ask: a locked key must be in ssh-agent. */
    PassphrasePrompt NONE = key -> Optional.empty();

    /** The passphrase for {@code key}, or empty when there is nobody to ask. */
    Optional<char[]> ask(Path key);

    /** The terminal this process runs on, without echo; {@link #NONE} without a terminal. */
    static PassphrasePrompt terminal() {
        Console console = System.console();
        if (console == null) return NONE;
        return key ->
                Optional.ofNullable(console.readPassword("Enter passphrase for key '%s': ", key));
    }
}
