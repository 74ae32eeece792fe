package dev.postflight.transport;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.AgentProxyException;
import com.jcraft.jsch.Identity;
import com.jcraft.jsch.IdentityRepository;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.UnixDomainSocketFactory;
import dev.postflight.files.UserHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The ssh-agent a host's keys come from, as OpenSSH finds it: the host's {@code IdentityAgent} when
 * the SSH config sets one ({@code none} turns the agent off, {@code SSH_AUTH_SOCK} means the
 * environment's), else {@code SSH_AUTH_SOCK}. Talked to over its Unix socket through JSch's agent
 * connector; an agent that is not there contributes no keys, which is not an error.
 */
final class SshAgent {
    private SshAgent() {}

    /** The agent socket for a host with {@code identityAgent} (raw ssh_config value) set or not. */
    static Optional<Path> socket(Optional<String> identityAgent, Map<String, String> env) {
        String value = identityAgent.map(String::strip).orElse("SSH_AUTH_SOCK");
        if (value.toLowerCase(Locale.ROOT).equals("none")) return Optional.empty();
        if (value.equals("SSH_AUTH_SOCK") || value.equals("$SSH_AUTH_SOCK")) {
            value = env.getOrDefault("SSH_AUTH_SOCK", "");
        }
        if (value.isBlank()) return Optional.empty();
        Path socket = UserHome.expand(value);
        return Files.exists(socket) ? Optional.of(socket) : Optional.empty();
    }

    /** The agent listening on {@code socket}; empty when nothing answers there. */
    static Optional<IdentityRepository> open(Path socket) {
        try {
            SSHAgentConnector connector =
                    new SSHAgentConnector(new UnixDomainSocketFactory(), socket);
            return connector.isAvailable()
                    ? Optional.of(new AgentIdentityRepository(connector))
                    : Optional.empty();
        } catch (AgentProxyException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The agent's keys; none when it went away or refuses to list them. */
    static List<Identity> keys(IdentityRepository agent) {
        try {
            return new ArrayList<>(agent.getIdentities());
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}
