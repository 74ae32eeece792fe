package dev.postflight.inventory;

import dev.postflight.checklist.InvalidInput;
import dev.postflight.checklist.Location;
import dev.postflight.checklist.Suggest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        hosts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
        groups = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groups));
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
     * host name, comma-separated). An empty selection is an error, never "0 checks, all passed".
     */
    public List<Host> select(List<String> named, Optional<String> limit) throws InvalidInput {
        List<Host> chosen = new ArrayList<>();
        if (named.isEmpty()) {
            chosen.addAll(hosts.values());
        } else {
            for (String n : named) chosen.add(hosts.containsKey(n) ? hosts.get(n) : adHoc(n));
        }
        if (limit.isPresent()) {
            List<String> allowed = new ArrayList<>();
            for (String part : limit.get().split(",")) {
                String p = part.trim();
                if (groups.containsKey(p)) {
                    allowed.addAll(groups.get(p));
                } else if (hosts.containsKey(p)
                        || chosen.stream().anyMatch(h -> h.name().equals(p))) {
                    allowed.add(p);
                } else {
                    List<String> names = new ArrayList<>(groups.keySet());
                    names.addAll(hosts.keySet());
                    throw new InvalidInput(
                            COMMAND_LINE,
                            "--limit: no group or host named '"
                                    + p
                                    + "'"
                                    + Suggest.nearest(p, names)
                                            .map(s -> " (did you mean '" + s + "'?)")
                                            .orElse(""));
                }
            }
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
}
