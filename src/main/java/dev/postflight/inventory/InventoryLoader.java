package dev.postflight.inventory;

import dev.postflight.files.UserHome;
import dev.postflight.input.Fields;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.input.Node;
import dev.postflight.input.Problems;
import dev.postflight.input.Suggest;
import dev.postflight.input.YamlFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads an inventory file ({@code defaults}, {@code hosts}, {@code groups}, {@code maintenance}),
 * or an Ansible inventory (INI, YAML or {@code ansible-inventory --list} JSON, told apart by
 * content; see {@link AnsibleInventory}).
 *
 * <p>About 400 lines: postflight's own inventory format with its FILE:LINE:COL errors (hosts,
 * groups, jumps, maintenance windows) in one place.
 */
public final class InventoryLoader {
    private InventoryLoader() {}

    public static Inventory load(Path file) throws InvalidInput {
        Optional<String> text = readable(file);
        if (text.isPresent() && AnsibleInventory.isIni(text.get())) {
            return AnsibleInventory.ini(file, text.get());
        }
        Problems problems = new Problems();
        Optional<Node> parsed =
                YamlFiles.read(file, Location.of(Path.of("(command line)")), problems);
        problems.throwIfAny();
        if (!(parsed.orElseThrow() instanceof Node.Mapping root)) {
            throw new InvalidInput(
                    parsed.get().location(), "an inventory is a mapping with hosts:");
        }
        if (AnsibleInventory.isAnsibleTree(root)) return AnsibleInventory.tree(file, root);
        Map<String, Optional<String>> noVars = Map.of();
        Fields top = new Fields(root, "the inventory", noVars, problems);
        Defaults defaults =
                top.mapping("defaults", "defaults")
                        .map(d -> defaults(d, problems))
                        .orElse(Defaults.NONE);

        Map<String, Node.Mapping> hostNodes = new LinkedHashMap<>();
        Node.Entry hostsEntry = root.entries().get("hosts");
        top.has("hosts");
        if (hostsEntry != null) {
            if (hostsEntry.value() instanceof Node.Mapping hm) {
                for (Node.Entry h : hm.entries().values()) {
                    if (h.value() instanceof Node.Mapping m) hostNodes.put(h.key(), m);
                    else if (h.value() instanceof Node.Scalar s
                            && s.type() == Node.ScalarType.NULL) {
                        hostNodes.put(h.key(), new Node.Mapping(Map.of(), h.keyLocation()));
                    } else
                        problems.add(
                                h.value().location(),
                                "host '"
                                        + h.key()
                                        + "': expected a mapping, found "
                                        + h.value().kind());
                }
            } else {
                problems.add(
                        hostsEntry.value().location(),
                        "hosts: expected a mapping of host names, found "
                                + hostsEntry.value().kind());
            }
        }

        Map<String, List<String>> groups = new LinkedHashMap<>();
        Map<String, List<Map<String, String>>> groupVarsOfHost = new LinkedHashMap<>();
        Map<String, List<String>> groupsOfHost = new LinkedHashMap<>();
        top.has("groups");
        Node.Entry groupsEntry = root.entries().get("groups");
        if (groupsEntry != null && !(groupsEntry.value() instanceof Node.Mapping)) {
            problems.add(
                    groupsEntry.value().location(),
                    "groups: expected a mapping of group names, found "
                            + groupsEntry.value().kind());
        } else if (groupsEntry != null && groupsEntry.value() instanceof Node.Mapping gm) {
            for (Node.Entry g : gm.entries().values()) {
                if (!(g.value() instanceof Node.Mapping body)) {
                    problems.add(
                            g.value().location(),
                            "group '"
                                    + g.key()
                                    + "': expected a mapping with hosts:, found "
                                    + g.value().kind());
                    continue;
                }
                Fields gf = new Fields(body, "group '" + g.key() + "'", noVars, problems);
                List<String> members = gf.textList("hosts");
                Map<String, String> vars = gf.textMap("vars");
                gf.finish();
                for (String member : members) {
                    if (!hostNodes.containsKey(member)) {
                        problems.add(
                                gf.locationOf("hosts"),
                                "group '"
                                        + g.key()
                                        + "' lists unknown host '"
                                        + member
                                        + "'"
                                        + Suggest.nearest(member, hostNodes.keySet())
                                                .map(s -> " (did you mean '" + s + "'?)")
                                                .orElse(""));
                        continue;
                    }
                    groupVarsOfHost.computeIfAbsent(member, k -> new ArrayList<>()).add(vars);
                    groupsOfHost.computeIfAbsent(member, k -> new ArrayList<>()).add(g.key());
                }
                groups.put(g.key(), members);
            }
        }

        Map<String, Host> hosts = new LinkedHashMap<>();
        Map<String, Location> jumpAt = new LinkedHashMap<>();
        for (Map.Entry<String, Node.Mapping> h : hostNodes.entrySet()) {
            Fields hf = new Fields(h.getValue(), "host '" + h.getKey() + "'", noVars, problems);
            Optional<String> address = hf.text("address");
            Optional<String> user = hf.text("user").or(() -> defaults.user);
            Optional<Integer> port = hf.integer("port").or(() -> defaults.port);
            Optional<Path> identity =
                    hf.text("identity")
                            .map(InventoryLoader::expandHome)
                            .or(() -> defaults.identity);
            // The default jump host is not its own jump host: it is reached directly.
            Optional<String> jump =
                    hf.text("jump").or(() -> defaults.jump.filter(j -> !j.equals(h.getKey())));
            Location jumpLocation = hf.has("jump") ? hf.locationOf("jump") : defaults.jumpAt;
            jumpAt.put(h.getKey(), jumpLocation);
            Map<String, String> vars = new LinkedHashMap<>(defaults.vars);
            groupVarsOfHost.getOrDefault(h.getKey(), List.of()).forEach(vars::putAll);
            vars.putAll(hf.textMap("vars"));
            address.filter(a -> a.indexOf(':') >= 0 && a.indexOf(':') == a.lastIndexOf(':'))
                    .ifPresent(a ->
                            hf.error(
                                    "address",
                                    "'"
                                            + a
                                            + "' is not a host name or IP address (a port goes in port:)"));
            address.filter(String::isBlank)
                    .ifPresent(a ->
                            hf.error(
                                    "address",
                                    "must not be empty (leave it out to connect to '"
                                            + h.getKey()
                                            + "')"));
            identity.flatMap(InventoryLoader::unusableKey)
                    .ifPresent(p ->
                            problems.add(
                                    hf.has("identity")
                                            ? hf.locationOf("identity")
                                            : defaults.identityAt,
                                    "identity: " + p));
            jump.filter(j -> !j.equals(h.getKey()))
                    .flatMap(j -> badJump(j, hostNodes.keySet()))
                    .ifPresent(p -> problems.add(jumpLocation, "jump: " + p));
            jump.filter(j -> j.equals(h.getKey()))
                    .ifPresent(j -> hf.error("jump", "a host cannot be its own jump host"));
            port.filter(p -> p < 1 || p > 65535)
                    .ifPresent(p -> hf.error("port", p + " is not a TCP port"));
            hf.finish();
            hosts.put(
                    h.getKey(),
                    new Host(
                            h.getKey(),
                            address,
                            user,
                            port.map(OptionalInt::of).orElse(OptionalInt.empty()),
                            identity,
                            jump,
                            vars,
                            groupsOfHost.getOrDefault(h.getKey(), List.of())));
        }
        jumpCycles(hosts, jumpAt, problems);
        top.has("maintenance");
        List<MaintenanceWindow> windows =
                windows(root.entries().get("maintenance"), hosts.keySet(), groups, problems);
        top.finish();
        problems.throwIfAny();
        return new Inventory(hosts, groups, windows);
    }

    /** The file's text, or empty when it cannot be read (the YAML reader then says why). */
    private static Optional<String> readable(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * What is wrong with a {@code jump} value: it names an inventory host exactly, or an address
     * ({@code [user@]host[:port]} with a DNS name or an IP address) that is not one; anything else
     * is a typo, and a typo must not become a connection to an unknown machine.
     */
    static Optional<String> badJump(String jump, Set<String> hostNames) {
        if (hostNames.contains(jump)) return Optional.empty();
        Host parsed;
        try {
            parsed = Host.parse(jump);
        } catch (IllegalArgumentException e) {
            return Optional.of("'" + jump + "': " + e.getMessage());
        }
        String name = parsed.name();
        if (hostNames.contains(name)) {
            return Optional.of(
                    "'"
                            + jump
                            + "' names inventory host '"
                            + name
                            + "': write jump: "
                            + name
                            + " (its user and port come from its entry)");
        }
        if (name.contains(".") || name.contains(":")) return Optional.empty();
        return Optional.of(
                "'"
                        + name
                        + "' is not a host of this inventory"
                        + Suggest.didYouMean(name, hostNames));
    }

    /**
     * Jump hosts that lead back to themselves: such a host could only be reached by skipping one of
     * the bastions, so it is an error, never a direct connection.
     */
    static void jumpCycles(
            Map<String, Host> hosts, Map<String, Location> jumpAt, Problems problems) {
        for (Host h : hosts.values()) {
            List<String> chain = new ArrayList<>(List.of(h.name()));
            Optional<String> next = h.jump();
            while (next.isPresent() && hosts.containsKey(next.get())) {
                String j = next.get();
                boolean loops = chain.contains(j);
                chain.add(j);
                if (loops) {
                    problems.add(
                            jumpAt.get(h.name()),
                            "jump: the jump hosts of '"
                                    + h.name()
                                    + "' form a cycle ("
                                    + String.join(" -> ", chain)
                                    + ")");
                    break;
                }
                next = hosts.get(j).jump();
            }
        }
    }

    /** Why a key file cannot be used, when it cannot: said at load, not as "auth failed" later. */
    static Optional<String> unusableKey(Path key) {
        if (Files.isDirectory(key)) return Optional.of(key + " is a folder, not a key file");
        if (!Files.exists(key)) return Optional.of(key + " does not exist");
        if (!Files.isReadable(key))
            return Optional.of(key + " is not readable (permission denied)");
        return Optional.empty();
    }

    /**
     * Reads {@code --window-file}: a YAML file with only the {@code maintenance:} list of an
     * inventory, naming hosts and groups of {@code inventory}.
     */
    public static List<MaintenanceWindow> loadWindows(Path file, Inventory inventory)
            throws InvalidInput {
        Problems problems = new Problems();
        Optional<Node> parsed =
                YamlFiles.read(file, Location.of(Path.of("(command line)")), problems);
        problems.throwIfAny();
        if (!(parsed.orElseThrow() instanceof Node.Mapping root)) {
            throw new InvalidInput(
                    parsed.get().location(), "a window file is a mapping with maintenance:");
        }
        Fields top = new Fields(root, "the window file", Map.of(), problems);
        if (!top.has("maintenance")) top.error("maintenance: missing, the list of windows");
        List<MaintenanceWindow> windows =
                windows(
                        root.entries().get("maintenance"),
                        inventory.hosts().keySet(),
                        inventory.groups(),
                        problems);
        top.finish();
        problems.throwIfAny();
        return windows;
    }

    private static List<MaintenanceWindow> windows(
            Node.Entry entry,
            Set<String> hostNames,
            Map<String, List<String>> groups,
            Problems problems) {
        if (entry == null) return List.of();
        if (!(entry.value() instanceof Node.Sequence seq)) {
            problems.add(
                    entry.value().location(),
                    "maintenance: expected a list of windows ({ hosts, start, end }), found "
                            + entry.value().kind());
            return List.of();
        }
        List<String> names = new ArrayList<>(groups.keySet());
        names.addAll(hostNames);
        List<MaintenanceWindow> out = new ArrayList<>();
        int n = 0;
        for (Node item : seq.items()) {
            n++;
            if (!(item instanceof Node.Mapping m)) {
                problems.add(
                        item.location(),
                        "maintenance window "
                                + n
                                + ": expected a mapping with hosts, start and end, found "
                                + item.kind());
                continue;
            }
            Fields wf = new Fields(m, "maintenance window " + n, Map.of(), problems);
            Optional<String> name = wf.text("name");
            List<String> listed = wf.textList("hosts");
            if (listed.isEmpty() && !wf.has("hosts")) {
                wf.error("hosts: missing, the hosts or groups the window affects");
            }
            List<String> affected = new ArrayList<>();
            for (String h : listed) {
                if (groups.containsKey(h)) affected.addAll(groups.get(h));
                else if (hostNames.contains(h)) affected.add(h);
                else
                    wf.error(
                            "hosts",
                            "no host or group named '"
                                    + h
                                    + "'"
                                    + Suggest.nearest(h, names)
                                            .map(s -> " (did you mean '" + s + "'?)")
                                            .orElse(""));
            }
            Optional<Instant> start = time(wf, "start");
            Optional<Instant> end = time(wf, "end");
            wf.finish();
            if (start.isPresent() && end.isPresent()) {
                wf.build(() -> new MaintenanceWindow(name, affected, start.get(), end.get()))
                        .ifPresent(out::add);
            }
        }
        return out;
    }

    private static Optional<Instant> time(Fields wf, String key) {
        String text = wf.requiredText(key);
        if (text.isEmpty()) return Optional.empty();
        try {
            return Optional.of(OffsetDateTime.parse(text.strip()).toInstant());
        } catch (DateTimeParseException e) {
            wf.error(
                    key,
                    "'"
                            + text
                            + "' is not a time with its offset (2026-11-23T02:00:00+09:00 or"
                            + " 2026-11-22T17:00:00Z)");
            return Optional.empty();
        }
    }

    private record Defaults(
            Optional<String> user,
            Optional<Integer> port,
            Optional<Path> identity,
            Location identityAt,
            Optional<String> jump,
            Location jumpAt,
            Map<String, String> vars) {
        static final Defaults NONE =
                new Defaults(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Location.of(Path.of("(none)")),
                        Optional.empty(),
                        Location.of(Path.of("(none)")),
                        Map.of());
    }

    private static Defaults defaults(Fields d, Problems problems) {
        Defaults out =
                new Defaults(
                        d.text("user"),
                        d.integer("port"),
                        d.text("identity").map(InventoryLoader::expandHome),
                        d.locationOf("identity"),
                        d.text("jump"),
                        d.locationOf("jump"),
                        d.textMap("vars"));
        d.finish();
        return out;
    }

    static Path expandHome(String p) {
        return UserHome.expand(p);
    }
}
