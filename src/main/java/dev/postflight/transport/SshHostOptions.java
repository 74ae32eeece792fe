package dev.postflight.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How one host's SSH connection is made beyond address, user, port, keys and jump host, as the SSH
 * config decides it (see {@link OpenSshConfig}).
 *
 * @param proxyCommand {@code ProxyCommand} with its tokens expanded, run with {@code sh -c}
 * @param knownHosts the first {@code UserKnownHostsFile}, when the config names one
 * @param strictHostKeyChecking {@code true}, {@code false}, {@code ask} or {@code accept-new}
 * @param hostKeyAlias the name the host key is looked up under instead of the address
 * @param connectTimeout {@code ConnectTimeout}
 * @param serverAliveInterval {@code ServerAliveInterval}; zero when unset
 * @param identitiesOnly offer only the key files, never the agent's other keys
 * @param identityAgent {@code IdentityAgent}, expanded
 * @param certificates {@code CertificateFile}s, expanded
 */
record SshHostOptions(
        Optional<String> proxyCommand,
        Optional<Path> knownHosts,
        String strictHostKeyChecking,
        Optional<String> hostKeyAlias,
        Optional<Duration> connectTimeout,
        Duration serverAliveInterval,
        boolean identitiesOnly,
        Optional<String> identityAgent,
        List<Path> certificates) {

    SshHostOptions {
        certificates = List.copyOf(certificates);
    }

    /** Nothing beyond OpenSSH's defaults. */
    static SshHostOptions defaults() {
        return new SshHostOptions(
                Optional.empty(),
                Optional.empty(),
                "ask",
                Optional.empty(),
                Optional.empty(),
                Duration.ZERO,
                false,
                Optional.empty(),
                List.of());
    }

    /** The same without a ProxyCommand: a later hop of a ProxyJump chain. */
    SshHostOptions withoutProxyCommand() {
        return new SshHostOptions(
                Optional.empty(),
                knownHosts,
                strictHostKeyChecking,
                hostKeyAlias,
                connectTimeout,
                serverAliveInterval,
                identitiesOnly,
                identityAgent,
                certificates);
    }
}
