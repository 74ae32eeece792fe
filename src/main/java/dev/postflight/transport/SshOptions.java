package dev.postflight.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the runner talks SSH, the same for every host of a run.
 *
 * @param knownHosts the OpenSSH known_hosts file host keys are checked against
 * @param sshConfig the OpenSSH client config; a missing file means no config
 * @param acceptNewHostKeys add the key of a host that has no entry yet (OpenSSH's {@code
 *     StrictHostKeyChecking=accept-new}); a changed key is never accepted
 * @param connectTimeout limit for the TCP connect and, separately, for the SSH banner
 * @param useAgent offer the keys of the ssh-agent at {@code SSH_AUTH_SOCK}, when there is one
 */
public record SshOptions(
        Path knownHosts,
        Path sshConfig,
        boolean acceptNewHostKeys,
        Duration connectTimeout,
        boolean useAgent) {

    public SshOptions {
        Objects.requireNonNull(knownHosts, "knownHosts");
        Objects.requireNonNull(sshConfig, "sshConfig");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "connectTimeout (" + connectTimeout + ") must be positive");
        }
    }

    /** OpenSSH's files under {@code ~/.ssh}, strict host keys, 10 s connect, agent if present. */
    public static SshOptions defaults() {
        Path ssh = Path.of(System.getProperty("user.home"), ".ssh");
        return new SshOptions(
                ssh.resolve("known_hosts"),
                ssh.resolve("config"),
                false,
                Duration.ofSeconds(10),
                true);
    }

    public SshOptions withKnownHosts(Path value) {
        return new SshOptions(value, sshConfig, acceptNewHostKeys, connectTimeout, useAgent);
    }

    public SshOptions withSshConfig(Path value) {
        return new SshOptions(knownHosts, value, acceptNewHostKeys, connectTimeout, useAgent);
    }

    public SshOptions withAcceptNewHostKeys(boolean value) {
        return new SshOptions(knownHosts, sshConfig, value, connectTimeout, useAgent);
    }

    public SshOptions withConnectTimeout(Duration value) {
        return new SshOptions(knownHosts, sshConfig, acceptNewHostKeys, value, useAgent);
    }

    public SshOptions withUseAgent(boolean value) {
        return new SshOptions(knownHosts, sshConfig, acceptNewHostKeys, connectTimeout, value);
    }
}
