package dev.postflight.transport;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the OpenSSH client config decides for one host, in the form {@code ssh -G HOST} prints it:
 * paths that ssh expands before printing ({@code UserKnownHostsFile}, {@code IdentityAgent}) are
 * expanded, the ones it prints as written ({@code IdentityFile}, {@code CertificateFile}) are kept
 * as written and expanded by {@link OpenSshConfig#expandPath} when connecting.
 *
 * @param hostname the address to connect to, {@code %h} expanded
 * @param user login user (the local user when the config names none)
 * @param port TCP port
 * @param identityFiles {@code IdentityFile} values as written, in order, duplicates dropped; empty
 *     when the config names none (ssh -G then prints its default list)
 * @param identitiesOnly {@code IdentitiesOnly yes}
 * @param identityAgent {@code IdentityAgent}, expanded
 * @param proxyJump {@code ProxyJump} as written; {@code none} is empty
 * @param proxyCommand {@code ProxyCommand} as written (tokens unexpanded); {@code none} is empty
 * @param userKnownHostsFiles expanded; OpenSSH's two defaults when unset
 * @param userKnownHostsFilesSet whether the config named them (else the defaults above)
 * @param globalKnownHostsFiles as written; OpenSSH's two defaults when unset
 * @param strictHostKeyChecking {@code true}, {@code false}, {@code ask} or {@code accept-new}
 * @param hostKeyAlias {@code HostKeyAlias}
 * @param connectTimeout {@code ConnectTimeout}; empty for none
 * @param serverAliveInterval {@code ServerAliveInterval}; zero when unset
 * @param certificateFiles {@code CertificateFile} values as written, in order
 */
record SshHostSettings(
        String hostname,
        String user,
        int port,
        List<String> identityFiles,
        boolean identitiesOnly,
        Optional<String> identityAgent,
        Optional<String> proxyJump,
        Optional<String> proxyCommand,
        List<String> userKnownHostsFiles,
        boolean userKnownHostsFilesSet,
        List<String> globalKnownHostsFiles,
        String strictHostKeyChecking,
        Optional<String> hostKeyAlias,
        Optional<Duration> connectTimeout,
        Duration serverAliveInterval,
        List<String> certificateFiles) {

    SshHostSettings {
        identityFiles = List.copyOf(identityFiles);
        userKnownHostsFiles = List.copyOf(userKnownHostsFiles);
        globalKnownHostsFiles = List.copyOf(globalKnownHostsFiles);
        certificateFiles = List.copyOf(certificateFiles);
    }
}
