package dev.postflight.inventory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A host to verify. Connection values left empty are filled from {@code ~/.ssh/config}, then from
 * OpenSSH's defaults. {@code vars} are the group vars then host vars, merged in order.
 */
public record Host(
        String name,
        Optional<String> address,
        Optional<String> user,
        OptionalInt port,
        Optional<Path> identity,
        Optional<String> jump,
        Map<String, String> vars,
        List<String> groups) {

    public Host {
        vars = Map.copyOf(vars);
        groups = List.copyOf(groups);
    }

    /** A host with a name and an address and nothing else set. */
    public static Host at(String name, String address) {
        return new Host(
                name,
                Optional.of(address),
                Optional.empty(),
                OptionalInt.empty(),
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                List.of());
    }

    /** The address the runner uses for network probes. */
    public String reachAddress() {
        return address.orElse(name);
    }

    /** A host named on the command line as {@code [user@]host[:port]}. */
    public static Host parse(String spec) {
        String rest = spec;
        Optional<String> user = Optional.empty();
        int at = rest.lastIndexOf('@');
        if (at > 0) {
            user = Optional.of(rest.substring(0, at));
            rest = rest.substring(at + 1);
        }
        OptionalInt port = OptionalInt.empty();
        int colon = rest.lastIndexOf(':');
        if (colon > 0
                && rest.indexOf(':') == colon
                && rest.substring(colon + 1).matches("\\d{1,5}")) {
            port = OptionalInt.of(Integer.parseInt(rest.substring(colon + 1)));
            rest = rest.substring(0, colon);
        }
        if (rest.startsWith("[") && rest.endsWith("]")) rest = rest.substring(1, rest.length() - 1);
        return new Host(
                rest,
                Optional.empty(),
                user,
                port,
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                List.of());
    }
}
