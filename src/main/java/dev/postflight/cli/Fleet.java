package dev.postflight.cli;

import dev.postflight.input.InvalidInput;
import dev.postflight.inventory.Host;
import dev.postflight.inventory.Inventory;
import dev.postflight.inventory.InventoryLoader;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The hosts a command works on, chosen the same way by verify and snapshot: this machine for {@code
 * --local}, else the named hosts or the inventory's, narrowed by {@code --limit}.
 */
record Fleet(Inventory inventory, List<Host> hosts) {

    static Fleet select(
            boolean local, Optional<Path> inventoryFile, List<String> named, Optional<String> limit)
            throws InvalidInput {
        if (local) return new Fleet(Inventory.empty(), List.of(localHost()));
        Inventory inv =
                inventoryFile.isPresent()
                        ? InventoryLoader.load(inventoryFile.get())
                        : Inventory.empty();
        return new Fleet(inv, inv.select(named, limit));
    }

    /** This machine, as {@code --local} names it. */
    static Host localHost() {
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            name = "localhost";
        }
        return Host.at(name, "127.0.0.1");
    }
}
