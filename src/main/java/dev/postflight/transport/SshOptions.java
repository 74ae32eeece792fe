package dev.postflight.transport;

import dev.postflight.files.UserHome;
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
 * @param maxOutput bytes one exec may bring back, stdout and stderr together; past it the exec is
 *     ended and reported as cut off ({@code --max-output})
 */
public record SshOptions(
        Path knownHosts,
        Path sshConfig,
        boolean acceptNewHostKeys,
        Duration connectTimeout,
        boolean useAgent,
        long maxOutput) {

    public SshOptions(
            Path knownHosts,
            Path sshConfig,
            boolean acceptNewHostKeys,
            Duration connectTimeout,
            boolean useAgent) {
        this(
                knownHosts,
                sshConfig,
                acceptNewHostKeys,
                connectTimeout,
                useAgent,
                ExecResult.DEFAULT_MAX_OUTPUT);
    }

    public SshOptions {
        Objects.requireNonNull(knownHosts, "knownHosts");
        Objects.requireNonNull(sshConfig, "sshConfig");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "connectTimeout (" + connectTimeout + ") must be positive");
        }
        if (maxOutput <= 0) {
            throw new IllegalArgumentException("maxOutput (" + maxOutput + ") must be positive");
        }
    }

    /** OpenSSH's files under {@code ~/.ssh}, strict host keys, 10 s connect, agent if present. */
    public static SshOptions defaults() {
        Path ssh = UserHome.dir().resolve(".ssh");
        return new SshOptions(
                ssh.resolve("known_hosts"),
                ssh.resolve("config"),
                false,
                Duration.ofSeconds(10),
                true);
    }

    public SshOptions withKnownHosts(Path value) {
        return new SshOptions(
                value, sshConfig, acceptNewHostKeys, connectTimeout, useAgent, maxOutput);
    }

    public SshOptions withSshConfig(Path value) {
        return new SshOptions(
                knownHosts, value, acceptNewHostKeys, connectTimeout, useAgent, maxOutput);
    }

    public SshOptions withAcceptNewHostKeys(boolean value) {
        return new SshOptions(knownHosts, sshConfig, value, connectTimeout, useAgent, maxOutput);
    }

    public SshOptions withConnectTimeout(Duration value) {
        return new SshOptions(knownHosts, sshConfig, acceptNewHostKeys, value, useAgent, maxOutput);
    }

    public SshOptions withUseAgent(boolean value) {
        return new SshOptions(
                knownHosts, sshConfig, acceptNewHostKeys, connectTimeout, value, maxOutput);
    }

    public SshOptions withMaxOutput(long value) {
        return new SshOptions(
                knownHosts, sshConfig, acceptNewHostKeys, connectTimeout, useAgent, value);
    }
}
