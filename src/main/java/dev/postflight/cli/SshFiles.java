package dev.postflight.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The admin's own SSH files, the same for every command that connects. */
final class SshFiles {
    @Option(
            names = "--known-hosts",
            paramLabel = "FILE",
            description = "known_hosts file (default: ~/.ssh/known_hosts).")
    Optional<Path> knownHosts = Optional.empty();

    @Option(
            names = "--ssh-config",
            paramLabel = "FILE",
            description = "OpenSSH client config (default: ~/.ssh/config).")
    Optional<Path> sshConfig = Optional.empty();
}
