package dev.postflight.cli;

import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Which hosts a command works on: named ones, an inventory and a limit, or this machine. */
final class TargetOptions {
    @Parameters(paramLabel = "HOST", description = "Hosts: inventory names or [user@]host[:port].")
    List<String> hosts = new ArrayList<>();

    @Option(
            names = {"-i", "--inventory"},
            paramLabel = "INVENTORY",
            description = "Inventory file: postflight YAML, or Ansible INI, YAML or JSON.")
    Optional<Path> inventory = Optional.empty();

    @Option(
            names = "--limit",
            paramLabel = "GROUP|HOST",
            description = "Only these groups or hosts (comma-separated), or an Ansible pattern.")
    Optional<String> limit = Optional.empty();

    @Option(names = "--local", description = "This machine, without SSH.")
    boolean local;

    /** {@code verb}: what the command does with this machine ("verifies", "records"). */
    void validate(String verb) throws InvalidInput {
        if (local && (inventory.isPresent() || !hosts.isEmpty())) {
            throw new InvalidInput(
                    Location.COMMAND_LINE,
                    "--local " + verb + " this machine: do not also name hosts or an inventory");
        }
    }

    Fleet select() throws InvalidInput {
        return Fleet.select(local, inventory, hosts, limit);
    }
}
