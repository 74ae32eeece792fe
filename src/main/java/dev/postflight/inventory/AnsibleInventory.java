package dev.postflight.inventory;

import dev.postflight.files.UserHome;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.input.Node;
import dev.postflight.input.Problems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an Ansible inventory, so that a fleet already described for Ansible needs no second
 * inventory: INI, YAML, or the JSON that {@code ansible-inventory --list} (and any dynamic
 * inventory script) prints. Hosts get their vars the way Ansible merges them, checked against
 * {@code ansible-inventory} itself (see {@code AnsibleDifferentialTest}); the connection vars
 * ({@code ansible_host}, {@code ansible_port}, {@code ansible_user}, {@code
 * ansible_ssh_private_key_file}, the ProxyJump in {@code ansible_ssh_common_args} or {@code
 * ansible_ssh_extra_args}) become the host's address, port, user, identity and jump, every other
 * var a postflight var.
 *
 * <p>Over 400 lines on purpose: Ansible's three inventory syntaxes (INI, YAML, the JSON of
 * ansible-inventory --list), host ranges and host patterns are one specification, checked as a
 * whole against ansible itself by AnsibleDifferentialTest.
 */
final class AnsibleInventory {
    private AnsibleInventory() {}

    private static final Set<String> POSTFLIGHT_KEYS =
            Set.of("defaults", "hosts", "groups", "maintenance");
    private static final Pattern INI_SECTION =
            Pattern.compile("\\[([^\\[\\]\\s]+)\\]\\s*([#;].*)?");
    private static final Pattern YAML_KEY = Pattern.compile("---.*|[^\\s#][^=]*?:(\\s.*)?");
    private static final Pattern RANGE =
            Pattern.compile("\\[([0-9]+|[a-zA-Z]):([0-9]+|[a-zA-Z])(?::([0-9]+))?\\]");

    /** A var's value as text, and where it was set (for errors about it). */
    private record Val(String text, Location at) {}

    private static final class Group {
        final Map<String, Val> vars = new LinkedHashMap<>();
        final Set<String> hosts = new LinkedHashSet<>();
        final Set<String> children = new LinkedHashSet<>();
        final Set<String> parents = new LinkedHashSet<>();
        int depth;
    }

    /** The groups, hosts and vars as read, before Ansible's merge. */
    private static final class Graph {
        final Map<String, Group> groups = new LinkedHashMap<>();
        final Map<String, Map<String, Val>> hostVars = new LinkedHashMap<>();
        final Map<String, Location> hostAt = new LinkedHashMap<>();
        final Problems problems = new Problems();

        Group group(String name) {
            return groups.computeIfAbsent(name, n -> new Group());
        }

        void host(String name, String group, Location at) {
            hostVars.computeIfAbsent(name, n -> new LinkedHashMap<>());
            hostAt.putIfAbsent(name, at);
            group(group).hosts.add(name);
        }

        void child(String parent, String child) {
            group(parent).children.add(child);
            group(child).parents.add(parent);
        }
    }

    /**
     * Whether {@code text} is an INI inventory: its first line that is not blank or a comment is a
     * {@code [section]} or a host line, neither of which a YAML inventory (a mapping) starts with.
     */
    static boolean isIni(String text) {
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) continue;
            if (line.startsWith("{") || line.equals("-") || line.startsWith("- ")) return false;
            if (INI_SECTION.matcher(line).matches()) return true;
            return !YAML_KEY.matcher(raw.stripTrailing()).matches();
        }
        return false;
    }

    /**
     * Whether a YAML or JSON mapping is an Ansible inventory: {@code all:} or the {@code _meta} of
     * {@code ansible-inventory --list}, or else none of postflight's own top-level keys and only
     * groups (names holding nothing but {@code hosts}, {@code children} and {@code vars}).
     */
    static boolean isAnsibleTree(Node.Mapping root) {
        if (root.entries().isEmpty()) return false;
        if (root.entries().containsKey("_meta") || root.entries().containsKey("all")) return true;
        for (Node.Entry e : root.entries().values()) {
            if (POSTFLIGHT_KEYS.contains(e.key())) return false;
            boolean group =
                    isNull(e.value())
                            || e.value() instanceof Node.Sequence
                            || e.value() instanceof Node.Mapping m
                                    && Set.of("hosts", "children", "vars")
                                            .containsAll(m.entries().keySet());
            // A misspelt postflight key ("hots:") stays postflight's, with its did-you-mean.
            if (!group) return false;
        }
        return true;
    }

    static Inventory ini(Path file, String text) throws InvalidInput {
        Graph g = new Graph();
        String section = "ungrouped";
        String kind = "hosts";
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i].stripTrailing();
            String line = raw.strip();
            int col = raw.indexOf(line) + 1;
            Location at = new Location(file, i + 1, Math.max(col, 1));
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) continue;
            Matcher s = INI_SECTION.matcher(line);
            if (s.matches()) {
                String name = s.group(1);
                int colon = name.indexOf(':');
                section = colon < 0 ? name : name.substring(0, colon);
                kind = colon < 0 ? "hosts" : name.substring(colon + 1);
                if (!List.of("hosts", "vars", "children").contains(kind)) {
                    g.problems.add(
                            at,
                            "["
                                    + name
                                    + "]: unknown section type ':"
                                    + kind
                                    + "' (allowed: [group], [group:vars], [group:children])");
                    kind = "skip";
                }
                g.group(section);
                continue;
            }
            switch (kind) {
                case "hosts" -> iniHost(g, section, line, at);
                case "children" -> g.child(section, line.split("\\s+")[0]);
                case "vars" -> {
                    int eq = line.indexOf('=');
                    if (eq <= 0) {
                        g.problems.add(
                                at,
                                "[" + section + ":vars]: expected key=value, found '" + line + "'");
                    } else {
                        g.group(section)
                                .vars
                                .put(
                                        line.substring(0, eq).strip(),
                                        new Val(unquote(line.substring(eq + 1).strip()), at));
                    }
                }
                default -> {}
            }
        }
        return build(file, g);
    }

    private static void iniHost(Graph g, String group, String line, Location at) {
        List<String> tokens = shellWords(line, true);
        if (tokens.isEmpty()) return;
        for (String name : expand(tokens.get(0), at, g.problems)) {
            String host = withPort(g, name, at);
            g.host(host, group, at);
            for (String t : tokens.subList(1, tokens.size())) {
                int eq = t.indexOf('=');
                if (eq <= 0) {
                    g.problems.add(
                            at,
                            "host '"
                                    + host
                                    + "': expected key=value after the host name, found '"
                                    + t
                                    + "'");
                    continue;
                }
                g.hostVars.get(host).put(t.substring(0, eq), new Val(t.substring(eq + 1), at));
            }
        }
    }

    /** A {@code host:port} name: the port becomes {@code ansible_port}, as Ansible does. */
    private static String withPort(Graph g, String name, Location at) {
        int colon = name.lastIndexOf(':');
        if (colon > 0 && name.indexOf(':') == colon && name.substring(colon + 1).matches("\\d+")) {
            String host = name.substring(0, colon);
            g.hostVars
                    .computeIfAbsent(host, n -> new LinkedHashMap<>())
                    .put("ansible_port", new Val(name.substring(colon + 1), at));
            return host;
        }
        return name;
    }

    /** A YAML inventory, or the JSON of {@code ansible-inventory --list}. */
    static Inventory tree(Path file, Node.Mapping root) throws InvalidInput {
        Graph g = new Graph();
        for (Node.Entry e : root.entries().values()) {
            if (e.key().equals("_meta")) continue;
            group(g, e.key(), e.value());
        }
        Node.Entry meta = root.entries().get("_meta");
        if (meta != null
                && meta.value() instanceof Node.Mapping m
                && m.entries().get("hostvars") != null
                && m.entries().get("hostvars").value() instanceof Node.Mapping hv) {
            for (Node.Entry h : hv.entries().values()) {
                g.hostVars.computeIfAbsent(h.key(), n -> new LinkedHashMap<>());
                g.hostAt.putIfAbsent(h.key(), h.keyLocation());
                vars(g, h.value(), g.hostVars.get(h.key()), "host '" + h.key() + "'");
            }
        }
        return build(file, g);
    }

    private static void group(Graph g, String name, Node body) {
        Group group = g.group(name);
        if (body instanceof Node.Sequence hosts) {
            hostList(g, name, hosts);
            return;
        }
        if (!(body instanceof Node.Mapping m)) {
            if (!isNull(body))
                g.problems.add(
                        body.location(),
                        "group '"
                                + name
                                + "': expected a mapping with hosts, children or vars, found "
                                + body.kind());
            return;
        }
        for (Node.Entry e : m.entries().values()) {
            switch (e.key()) {
                case "hosts" -> {
                    if (e.value() instanceof Node.Sequence s) hostList(g, name, s);
                    else if (e.value() instanceof Node.Mapping hm) {
                        for (Node.Entry h : hm.entries().values()) {
                            for (String n : expand(h.key(), h.keyLocation(), g.problems)) {
                                String host = withPort(g, n, h.keyLocation());
                                g.host(host, name, h.keyLocation());
                                vars(g, h.value(), g.hostVars.get(host), "host '" + host + "'");
                            }
                        }
                    } else if (!isNull(e.value())) notAMapping(g, name, e, "host names");
                }
                case "vars" -> vars(g, e.value(), group.vars, "group '" + name + "'");
                case "children" -> {
                    if (e.value() instanceof Node.Sequence s) {
                        for (Node c : s.items()) g.child(name, text(c));
                    } else if (e.value() instanceof Node.Mapping cm) {
                        for (Node.Entry c : cm.entries().values()) {
                            g.child(name, c.key());
                            group(g, c.key(), c.value());
                        }
                    } else if (!isNull(e.value())) notAMapping(g, name, e, "group names");
                }
                default ->
                        g.problems.add(
                                e.keyLocation(),
                                "group '"
                                        + name
                                        + "': unknown key '"
                                        + e.key()
                                        + "' (allowed: hosts, children, vars)");
            }
        }
    }

    private static void hostList(Graph g, String group, Node.Sequence hosts) {
        for (Node h : hosts.items()) g.host(text(h), group, h.location());
    }

    private static void vars(Graph g, Node node, Map<String, Val> into, String owner) {
        if (node instanceof Node.Mapping m) {
            for (Node.Entry v : m.entries().values())
                into.put(v.key(), new Val(text(v.value()), v.value().location()));
        } else if (!isNull(node)) {
            g.problems.add(
                    node.location(), owner + ": expected a mapping of vars, found " + node.kind());
        }
    }

    private static boolean isNull(Node n) {
        return n instanceof Node.Scalar s && s.type() == Node.ScalarType.NULL;
    }

    /** A var's value as postflight text: a scalar as written, a list or mapping as JSON. */
    private static String text(Node n) {
        return switch (n) {
            case Node.Scalar s -> s.type() == Node.ScalarType.NULL ? "" : s.text();
            case Node.Sequence q -> {
                List<String> items = new ArrayList<>();
                for (Node i : q.items()) items.add(json(i));
                yield "[" + String.join(", ", items) + "]";
            }
            case Node.Mapping m -> {
                List<String> items = new ArrayList<>();
                for (Node.Entry e : m.entries().values())
                    items.add(quote(e.key()) + ": " + json(e.value()));
                yield "{" + String.join(", ", items) + "}";
            }
        };
    }

    private static String json(Node n) {
        if (n instanceof Node.Scalar s) {
            return switch (s.type()) {
                case STRING -> quote(s.text());
                case NULL -> "null";
                default -> s.text();
            };
        }
        return text(n);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * Ansible's host ranges: {@code web[01:20].example.org} (leading zeros keep the width), {@code
     * db-[a:c]}, {@code [1:9:2]} (a stride); several ranges in one name multiply.
     */
    static List<String> expand(String pattern, Location at, Problems problems) {
        Matcher m = RANGE.matcher(pattern);
        if (!m.find()) return List.of(pattern);
        String head = pattern.substring(0, m.start());
        String tail = pattern.substring(m.end());
        String from = m.group(1);
        String to = m.group(2);
        int step = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
        List<String> middles = new ArrayList<>();
        boolean numeric = from.chars().allMatch(Character::isDigit);
        if (numeric != to.chars().allMatch(Character::isDigit) || step < 1) {
            problems.add(at, "host range '" + m.group() + "' in '" + pattern + "' is not valid");
            return List.of();
        }
        if (numeric) {
            long a = Long.parseLong(from);
            long b = Long.parseLong(to);
            if (a > b) {
                problems.add(at, "host range '" + m.group() + "': the start is after the end");
                return List.of();
            }
            for (long i = a; i <= b; i += step) {
                String s = Long.toString(i);
                middles.add(
                        from.length() > 1 && from.startsWith("0")
                                ? "0".repeat(Math.max(0, from.length() - s.length())) + s
                                : s);
            }
        } else {
            char a = from.charAt(0);
            char b = to.charAt(0);
            if (a > b) {
                problems.add(at, "host range '" + m.group() + "': the start is after the end");
                return List.of();
            }
            for (char c = a; c <= b; c += (char) step) middles.add(String.valueOf(c));
        }
        List<String> out = new ArrayList<>();
        for (String mid : middles) out.addAll(expand(head + mid + tail, at, problems));
        return out;
    }

    /**
     * Ansible's merge: groups by depth (then {@code ansible_group_priority}, then name), then the
     * host's own vars.
     */
    private static Inventory build(Path file, Graph g) throws InvalidInput {
        Path beside = file.toAbsolutePath().getParent();
        for (String d : List.of("group_vars", "host_vars")) {
            if (beside != null && Files.isDirectory(beside.resolve(d)))
                g.problems.add(
                        Location.of(file),
                        d
                                + "/ beside this inventory holds vars postflight does not read (they may set"
                                + " the user or the jump host): give postflight what Ansible sees, ansible-inventory -i "
                                + file
                                + " --list > inventory.json");
        }
        Group all = g.group("all");
        for (Map.Entry<String, Group> e : g.groups.entrySet()) {
            if (!e.getKey().equals("all") && e.getValue().parents.isEmpty())
                g.child("all", e.getKey());
        }
        Set<String> grouped = new LinkedHashSet<>();
        g.groups.forEach((n, gr) -> {
            if (!n.equals("all") && !n.equals("ungrouped")) grouped.addAll(gr.hosts);
        });
        for (String h : g.hostVars.keySet())
            if (!grouped.contains(h)) g.group("ungrouped").hosts.add(h);
        all.hosts.clear();
        if (!g.group("ungrouped").parents.contains("all")) g.child("all", "ungrouped");
        depths(g, "all", 0, new LinkedHashSet<>());

        Map<String, Set<String>> members = new LinkedHashMap<>();
        for (String n : g.groups.keySet()) members.put(n, hostsUnder(g, n, new LinkedHashSet<>()));

        Map<String, Host> hosts = new LinkedHashMap<>();
        Map<String, Location> jumpAt = new LinkedHashMap<>();
        Problems problems = g.problems;
        for (String name : g.hostVars.keySet()) {
            List<String> groups = new ArrayList<>();
            members.forEach((n, hs) -> {
                if (hs.contains(name)) groups.add(n);
            });
            groups.sort(
                    Comparator.<String>comparingInt(n -> g.groups.get(n).depth)
                            .thenComparingInt(n -> priority(g.groups.get(n)))
                            .thenComparing(Comparator.naturalOrder()));
            Map<String, Val> merged = new LinkedHashMap<>();
            for (String n : groups) merged.putAll(g.groups.get(n).vars);
            merged.putAll(g.hostVars.get(name));

            Optional<Val> address = first(merged, "ansible_host", "ansible_ssh_host");
            Optional<Val> user = first(merged, "ansible_user", "ansible_ssh_user");
            Optional<Val> port = first(merged, "ansible_port", "ansible_ssh_port");
            Optional<Val> key =
                    first(merged, "ansible_ssh_private_key_file", "ansible_private_key_file");
            String argsVar =
                    List.of("ansible_ssh_common_args", "ansible_ssh_extra_args").stream()
                            .filter(k ->
                                    merged.containsKey(k)
                                            && merged.get(k)
                                                    .text()
                                                    .matches(
                                                            "(?is).*(ProxyJump|ProxyCommand|-J).*"))
                            .findFirst()
                            .orElse("ansible_ssh_common_args");
            Optional<Val> common = first(merged, argsVar);
            OptionalInt portNumber = OptionalInt.empty();
            if (port.isPresent()) {
                String p = port.get().text().strip();
                if (p.matches("\\d{1,5}")
                        && Integer.parseInt(p) >= 1
                        && Integer.parseInt(p) <= 65535)
                    portNumber = OptionalInt.of(Integer.parseInt(p));
                else
                    problems.add(
                            port.get().at(),
                            "host '"
                                    + name
                                    + "': ansible_port: '"
                                    + p
                                    + "' is not a TCP port (1-65535)");
            }
            Optional<Path> identity = key.map(k -> UserHome.expand(k.text()));
            if (key.isPresent())
                InventoryLoader.unusableKey(identity.get())
                        .ifPresent(p ->
                                problems.add(
                                        key.get().at(),
                                        "host '" + name + "': ansible_ssh_private_key_file: " + p));
            Optional<String> jump = Optional.empty();
            if (common.isPresent()) {
                jump = proxyJump(common.get().text());
                Optional<String> j = jump;
                if (common.get().text().matches("(?is).*ProxyCommand.*"))
                    problems.add(
                            common.get().at(),
                            "host '"
                                    + name
                                    + "': "
                                    + argsVar
                                    + ": ProxyCommand is not supported"
                                    + " (the host would be reached directly): write -o ProxyJump=HOST");
                else if (j.isPresent() && j.get().contains(","))
                    problems.add(
                            common.get().at(),
                            "host '"
                                    + name
                                    + "': "
                                    + argsVar
                                    + ": ProxyJump '"
                                    + j.get()
                                    + "' is a chain; postflight follows one jump host: give the first hop its own ansible_ssh_common_args");
                else if (j.isPresent() && j.get().equals(name))
                    problems.add(
                            common.get().at(),
                            "host '"
                                    + name
                                    + "': "
                                    + argsVar
                                    + ": a host cannot be its own jump host");
                else
                    j.flatMap(v -> InventoryLoader.badJump(v, g.hostVars.keySet()))
                            .ifPresent(p ->
                                    problems.add(
                                            common.get().at(),
                                            "host '"
                                                    + name
                                                    + "': "
                                                    + argsVar
                                                    + ": ProxyJump "
                                                    + p));
                jumpAt.put(name, common.get().at());
            }
            Map<String, String> vars = new LinkedHashMap<>();
            merged.forEach((k, v) -> vars.put(k, v.text()));
            for (String k : CONNECTION_VARS) vars.remove(k);
            vars.remove("ansible_group_priority");
            groups.removeIf(n -> n.equals("all"));
            hosts.put(
                    name,
                    new Host(
                            name,
                            address.map(Val::text),
                            user.map(Val::text),
                            portNumber,
                            identity,
                            jump,
                            vars,
                            groups));
        }
        InventoryLoader.jumpCycles(hosts, jumpAt, problems);
        problems.throwIfAny();
        Map<String, List<String>> groups = new LinkedHashMap<>();
        members.forEach((n, hs) -> groups.put(n, List.copyOf(hs)));
        return new Inventory(hosts, groups);
    }

    private static void notAMapping(Graph g, String group, Node.Entry e, String of) {
        g.problems.add(
                e.value().location(),
                "group '"
                        + group
                        + "': "
                        + e.key()
                        + ": expected a mapping of "
                        + of
                        + ", found "
                        + e.value().kind());
    }

    /** The vars that become the host's connection (address, port, user, key, jump), not vars. */
    static final List<String> CONNECTION_VARS =
            List.of(
                    "ansible_host",
                    "ansible_ssh_host",
                    "ansible_user",
                    "ansible_ssh_user",
                    "ansible_port",
                    "ansible_ssh_port",
                    "ansible_ssh_private_key_file",
                    "ansible_private_key_file",
                    "ansible_ssh_common_args",
                    "ansible_ssh_extra_args");

    private static Optional<Val> first(Map<String, Val> vars, String... keys) {
        for (String k : keys) if (vars.containsKey(k)) return Optional.of(vars.get(k));
        return Optional.empty();
    }

    private static int priority(Group g) {
        Val p = g.vars.get("ansible_group_priority");
        if (p != null && p.text().strip().matches("-?\\d{1,9}"))
            return Integer.parseInt(p.text().strip());
        return 1;
    }

    private static void depths(Graph g, String name, int depth, Set<String> path) {
        Group group = g.groups.get(name);
        if (!path.add(name)) return;
        group.depth = Math.max(group.depth, depth);
        for (String c : group.children) depths(g, c, depth + 1, path);
        path.remove(name);
    }

    private static Set<String> hostsUnder(Graph g, String name, Set<String> seen) {
        Set<String> out = new LinkedHashSet<>();
        if (!seen.add(name)) return out;
        Group group = g.groups.get(name);
        out.addAll(group.hosts);
        for (String c : group.children) out.addAll(hostsUnder(g, c, seen));
        if (name.equals("all")) out.addAll(g.hostVars.keySet());
        return out;
    }

    /**
     * The ProxyJump of ssh arguments: {@code -o ProxyJump=X}, {@code -oProxyJump=X}, {@code -J X}.
     */
    static Optional<String> proxyJump(String args) {
        List<String> words = shellWords(args, false);
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String option = null;
            if (w.equals("-o") && i + 1 < words.size()) option = words.get(++i);
            else if (w.startsWith("-o")) option = w.substring(2);
            else if (w.equals("-J") && i + 1 < words.size()) return Optional.of(words.get(i + 1));
            else if (w.startsWith("-J")) return Optional.of(w.substring(2));
            if (option != null) {
                Matcher m =
                        Pattern.compile("(?i)ProxyJump\\s*[=\\s]\\s*(\\S+)")
                                .matcher(option.strip());
                if (m.matches()) return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    private static String unquote(String v) {
        if (v.length() >= 2
                && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\"")))
            return v.substring(1, v.length() - 1);
        return v;
    }

    /**
     * Words as POSIX shell (and Python's shlex) splits them; with {@code comments}, {@code #} at a
     * word's start ends the line.
     */
    private static List<String> shellWords(String s, boolean comments) {
        List<String> out = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else if (c == '\\' && quote == '"' && i + 1 < s.length()) w.append(s.charAt(++i));
                else w.append(c);
            } else if (Character.isWhitespace(c)) {
                if (w != null) out.add(w.toString());
                w = null;
            } else if (c == '#' && comments && w == null) {
                break;
            } else {
                if (w == null) w = new StringBuilder();
                if (c == '\'' || c == '"') quote = c;
                else if (c == '\\' && i + 1 < s.length()) w.append(s.charAt(++i));
                else w.append(c);
            }
        }
        if (w != null) out.add(w.toString());
        return out;
    }
}
