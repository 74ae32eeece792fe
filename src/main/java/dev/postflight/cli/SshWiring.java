package dev.postflight.cli;

import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.inventory.Host;
import dev.postflight.run.Connector;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import dev.postflight.transport.LocalConnection;
import dev.postflight.transport.LockedKey;
import dev.postflight.transport.PassphrasePrompt;
import dev.postflight.transport.SshConnector;
import dev.postflight.transport.SshOptions;
import dev.postflight.transport.SshTarget;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Turns inventory hosts into SSH targets (jump hosts included) and builds the connector. */
final class SshWiring {
    private SshWiring() {}

    static Connector connector(
            SshOptions options, Map<String, Host> inventory, List<Host> selected, PrintWriter err)
            throws InvalidInput {
        SshConnector ssh;
        try {
            ssh = new SshConnector(options);
        } catch (IOException e) {
            throw new InvalidInput(
                    Location.COMMAND_LINE, "cannot read SSH files: " + e.getMessage());
        }
        for (String warning : ssh.configWarnings()) err.println("postflight: warning: " + warning);
        unlockKeys(ssh, inventory, selected, PassphrasePrompt.terminal());
        return new Connector() {
            @Override
            public HostConnection connect(Host host, Instant deadline)
                    throws HostUnreachable, InterruptedException {
                return ssh.connect(target(host, inventory, new HashSet<>()), deadline);
            }

            @Override
            public Turn turn(Host host) throws InterruptedException {
                return ssh.turn(target(host, inventory, new HashSet<>()))::run;
            }
        };
    }

    /**
     * A key file a selected host needs but cannot use (locked by a passphrase, not in ssh-agent, no
     * terminal to ask) is a configuration error found before any host is contacted: exit 2.
     */
    static void unlockKeys(
            SshConnector ssh,
            Map<String, Host> inventory,
            List<Host> selected,
            PassphrasePrompt prompt)
            throws InvalidInput {
        try {
            ssh.unlockKeys(
                    selected.stream().map(h -> target(h, inventory, new HashSet<>())).toList(),
                    prompt);
        } catch (LockedKey e) {
            throw new InvalidInput(Location.of(e.key()), e.getMessage());
        }
    }

    /**
     * This machine for {@code --local}, else SSH with the command's host-key and config flags, at
     * most {@code maxOutput} bytes of output kept per command; what the SSH config says that
     * postflight does not honour is a warning on {@code err}.
     */
    static Connector connector(
            boolean local,
            Optional<Path> knownHosts,
            Optional<Path> sshConfig,
            boolean acceptNew,
            Duration hostTimeout,
            Map<String, Host> inventory,
            List<Host> selected,
            long maxOutput,
            PrintWriter err)
            throws InvalidInput {
        if (local) return (h, deadline) -> new LocalConnection(maxOutput);
        return connector(
                options(knownHosts, sshConfig, acceptNew, hostTimeout).withMaxOutput(maxOutput),
                inventory,
                selected,
                err);
    }

    static SshOptions options(
            Optional<Path> knownHosts,
            Optional<Path> sshConfig,
            boolean acceptNew,
            Duration hostTimeout) {
        SshOptions o = SshOptions.defaults().withAcceptNewHostKeys(acceptNew);
        if (knownHosts.isPresent()) o = o.withKnownHosts(knownHosts.get());
        if (sshConfig.isPresent()) o = o.withSshConfig(sshConfig.get());
        Duration connect =
                hostTimeout.compareTo(Duration.ofSeconds(10)) < 0
                        ? hostTimeout
                        : Duration.ofSeconds(10);
        return o.withConnectTimeout(connect);
    }

    /**
     * The SSH target of a host; its jump is an inventory host or {@code [user@]host[:port]}. A host
     * with a jump is only ever reached through it: a cycle (which the inventory loader already
     * refuses) is a bug here, never a reason to connect directly.
     */
    static SshTarget target(Host h, Map<String, Host> inventory, Set<String> seen) {
        SshTarget t = SshTarget.named(h.name());
        if (h.address().isPresent()) t = t.withAddress(h.address().get());
        if (h.user().isPresent()) t = t.withUser(h.user().get());
        if (h.port().isPresent()) t = t.withPort(h.port().getAsInt());
        if (h.identity().isPresent()) t = t.withIdentity(h.identity().get());
        if (h.jump().isPresent()) {
            if (!seen.add(h.name()))
                throw new IllegalStateException("jump hosts form a cycle through " + h.name());
            String j = h.jump().get();
            Host jumpHost = inventory.containsKey(j) ? inventory.get(j) : Host.parse(j);
            t = t.withJump(target(jumpHost, inventory, seen));
        }
        return t;
    }
}
