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

    /**
     * A host named on the command line as {@code [user@]host[:port]}; an IPv6 address takes a port
     * only in brackets ({@code [::1]:2222}), without them all of it is the address.
     *
     * @throws IllegalArgumentException when the port is not a TCP port
     */
    public static Host parse(String spec) {
        String rest = spec;
        Optional<String> user = Optional.empty();
        int at = rest.lastIndexOf('@');
        if (at > 0) {
            user = Optional.of(rest.substring(0, at));
            rest = rest.substring(at + 1);
        }
        Optional<String> port = Optional.empty();
        if (rest.startsWith("[") && rest.contains("]")) {
            int close = rest.indexOf(']');
            String after = rest.substring(close + 1);
            if (after.startsWith(":")) port = Optional.of(after.substring(1));
            else if (!after.isEmpty())
                throw new IllegalArgumentException(
                        "'" + after + "' after ']' (write [address]:port)");
            rest = rest.substring(1, close);
        } else if (rest.indexOf(':') > 0 && rest.indexOf(':') == rest.lastIndexOf(':')) {
            port = Optional.of(rest.substring(rest.indexOf(':') + 1));
            rest = rest.substring(0, rest.indexOf(':'));
        }
        if (rest.isEmpty()) throw new IllegalArgumentException("no host name");
        OptionalInt number = OptionalInt.empty();
        if (port.isPresent()) {
            String p = port.get();
            if (!p.matches("\\d{1,5}") || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 65535)
                throw new IllegalArgumentException("'" + p + "' is not a port (1-65535)");
            number = OptionalInt.of(Integer.parseInt(p));
        }
        return new Host(
                rest,
                Optional.empty(),
                user,
                number,
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                List.of());
    }
}
