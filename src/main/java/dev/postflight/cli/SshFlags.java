package dev.postflight.cli;

import dev.postflight.input.InvalidInput;
import dev.postflight.inventory.Host;
import dev.postflight.run.Connector;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * SSH options of the commands that meet hosts for the first time ({@code verify}, {@code
 * snapshot}); {@code apply} only reuses the {@link SshFiles} its plan was made with.
 */
final class SshFlags {
    @Mixin SshFiles files = new SshFiles();

    @Option(
            names = "--accept-new-host-keys",
            description =
                    "Trust and record the key of a host seen for the first time. A CHANGED key is never accepted.")
    boolean acceptNewHostKeys;

    /** Refuses, before anything is contacted, a known_hosts file new keys could not go to. */
    void validate() throws InvalidInput {
        if (files.knownHosts.isPresent())
            OutputPaths.checkKnownHosts(files.knownHosts.get(), acceptNewHostKeys);
    }

    /** Warnings about the admin's ssh_config (unsupported keywords) go to {@code err}, once. */
    Connector connector(
            boolean local,
            Duration hostTimeout,
            Map<String, Host> inventory,
            List<Host> selected,
            long outputCap,
            PrintWriter err)
            throws InvalidInput {
        return SshWiring.connector(
                local,
                files.knownHosts,
                files.sshConfig,
                acceptNewHostKeys,
                hostTimeout,
                inventory,
                selected,
                outputCap,
                err);
    }
}
