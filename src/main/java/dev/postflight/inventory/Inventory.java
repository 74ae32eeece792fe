package dev.postflight.inventory;

import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.input.Suggest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The hosts, groups and maintenance windows of an inventory file, or of the hosts named on the
 * command line.
 */
public record Inventory(
        Map<String, Host> hosts,
        Map<String, List<String>> groups,
        List<MaintenanceWindow> windows) {
    private static final Location COMMAND_LINE = Location.of(Path.of("(command line)"));

    public Inventory {
        hosts = Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
        groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
        windows = List.copyOf(windows);
    }

    public Inventory(Map<String, Host> hosts, Map<String, List<String>> groups) {
        this(hosts, groups, List.of());
    }

    /** This inventory with more windows, e.g. those of {@code --window-file}. */
    public Inventory withWindows(List<MaintenanceWindow> more) {
        List<MaintenanceWindow> all = new ArrayList<>(windows);
        all.addAll(more);
        return new Inventory(hosts, groups, all);
    }

    /**
     * The start of the window of each host whose window ended at most {@code within} before {@code
     * now}; of several such windows, the one that ended last.
     */
    public Map<String, Instant> windowStartsEndedWithin(Duration within, Instant now) {
        Map<String, MaintenanceWindow> latest = new LinkedHashMap<>();
        for (MaintenanceWindow w : windows) {
            if (!w.endedWithin(within, now)) continue;
            for (String h : w.hosts()) {
                latest.merge(h, w, (a, b) -> b.end().isAfter(a.end()) ? b : a);
            }
        }
        Map<String, Instant> starts = new LinkedHashMap<>();
        latest.forEach((h, w) -> starts.put(h, w.start()));
        return starts;
    }

    /**
     * A host named as {@code [user@]host[:port]}. A host of this inventory that has a jump host is
     * never reached any other way, so naming it with a user or port is refused, not run directly.
     */
    private Host adHoc(String spec) throws InvalidInput {
        Host h;
        try {
            h = Host.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new InvalidInput(COMMAND_LINE, "HOST '" + spec + "': " + e.getMessage());
        }
        Host known = hosts.get(h.name());
        if (known != null && known.jump().isPresent()) {
            throw new InvalidInput(
                    COMMAND_LINE,
                    "HOST '"
                            + spec
                            + "': "
                            + h.name()
                            + " is reached through jump host "
                            + known.jump().get()
                            + ": name it as '"
                            + h.name()
                            + "' (its user and port come from the inventory)");
        }
        return h;
    }

    public static Inventory empty() {
        return new Inventory(Map.of(), Map.of());
    }

    /**
     * The hosts to run against: those named (inventory names, or ad-hoc {@code
     * [user@]host[:port]}), else every inventory host; then narrowed by {@code --limit} (a group or
     * host name, comma-separated, or an Ansible pattern). An empty selection is an error, never "0
     * checks, all passed".
     */
    public List<Host> select(List<String> named, Optional<String> limit) throws InvalidInput {
        List<Host> chosen = new ArrayList<>();
        if (named.isEmpty()) {
            chosen.addAll(hosts.values());
        } else {
            for (String n : named) chosen.add(hosts.containsKey(n) ? hosts.get(n) : adHoc(n));
        }
        if (limit.isPresent()) {
            Set<String> allowed = limit(limit.get(), chosen);
            chosen.removeIf(h -> !allowed.contains(h.name()));
        }
        if (chosen.isEmpty()) {
            throw new InvalidInput(
                    COMMAND_LINE,
                    hosts.isEmpty() && named.isEmpty()
                            ? "no host to verify: name hosts, give an inventory with -i, or use --local"
                            : "the selection is empty: no host matches"
                                    + limit.map(l -> " --limit " + l).orElse(""));
        }
        return chosen;
    }

    /**
     * The host names {@code --limit} allows, read as Ansible reads a host pattern: terms separated
     * by {@code ,} or {@code :}; a plain term adds, {@code &term} intersects, {@code !term}
     * excludes (plain terms first, then intersections, then exclusions; with no plain term, from
     * all hosts). A term is a group, a host, {@code all}, a glob ({@code web*}, {@code db?}) or
     * {@code ~regex}, matched against group names, then host names. A plain name that is neither a
     * group nor a host is a typo and an error, where Ansible warns and goes on.
     */
    private Set<String> limit(String pattern, List<Host> chosen) throws InvalidInput {
        List<String> plain = new ArrayList<>();
        List<String> and = new ArrayList<>();
        List<String> not = new ArrayList<>();
        for (String part : pattern.split("[,:]")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            if (p.startsWith("&")) and.add(p.substring(1));
            else if (p.startsWith("!")) not.add(p.substring(1));
            else plain.add(p);
        }
        if (plain.isEmpty() && and.isEmpty() && not.isEmpty()) {
            throw new InvalidInput(
                    COMMAND_LINE, "--limit: '" + pattern + "' names no group, host or pattern");
        }
        Set<String> allowed = new LinkedHashSet<>();
        if (plain.isEmpty()) allowed.addAll(matching("all", chosen));
        for (String p : plain) allowed.addAll(matching(p, chosen));
        for (String p : and) allowed.retainAll(matching(p, chosen));
        for (String p : not) allowed.removeAll(matching(p, chosen));
        return allowed;
    }

    private Set<String> matching(String term, List<Host> chosen) throws InvalidInput {
        Set<String> out = new LinkedHashSet<>();
        boolean regex = term.startsWith("~");
        boolean glob = !regex && term.matches(".*[*?\\[].*");
        if (!regex && !glob) {
            if (groups.containsKey(term)) out.addAll(groups.get(term));
            else if (term.equals("all")) {
                out.addAll(hosts.keySet());
                chosen.forEach(h -> out.add(h.name()));
            } else if (hosts.containsKey(term)
                    || chosen.stream().anyMatch(h -> h.name().equals(term))) out.add(term);
            else {
                List<String> names = new ArrayList<>(groups.keySet());
                names.addAll(hosts.keySet());
                throw new InvalidInput(
                        COMMAND_LINE,
                        "--limit: no group or host named '"
                                + term
                                + "'"
                                + Suggest.nearest(term, names)
                                        .map(s -> " (did you mean '" + s + "'?)")
                                        .orElse(""));
            }
            return out;
        }
        Pattern p;
        try {
            p = regex ? Pattern.compile(term.substring(1)) : Pattern.compile(globRegex(term));
        } catch (PatternSyntaxException e) {
            throw new InvalidInput(
                    COMMAND_LINE,
                    "--limit: '" + term + "' is not a valid pattern: " + e.getDescription());
        }
        boolean groupMatched = false;
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            if (p.matcher(g.getKey()).lookingAt() && (!glob || p.matcher(g.getKey()).matches())) {
                out.addAll(g.getValue());
                groupMatched = true;
            }
        }
        Set<String> names = new LinkedHashSet<>(hosts.keySet());
        chosen.forEach(h -> names.add(h.name()));
        if (!groupMatched || regex || term.matches(".*[.?*\\[].*")) {
            for (String n : names)
                if (glob ? p.matcher(n).matches() : p.matcher(n).lookingAt()) out.add(n);
        }
        return out;
    }

    /** A shell glob ({@code *}, {@code ?}, {@code [abc]}, {@code [!abc]}) as a regex. */
    private static String globRegex(String glob) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            int close = c == '[' ? glob.indexOf(']', i + 2) : -1;
            if (c == '*') r.append(".*");
            else if (c == '?') r.append('.');
            else if (c == '[' && close > 0) {
                String set = glob.substring(i + 1, close);
                if (set.startsWith("!")) set = "^" + set.substring(1);
                r.append('[').append(set.replace("\\", "\\\\")).append(']');
                i = close;
            } else r.append(Pattern.quote(String.valueOf(c)));
        }
        return r.toString();
    }
}
