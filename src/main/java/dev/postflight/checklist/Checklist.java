package dev.postflight.checklist;

import dev.postflight.check.Severity;
import dev.postflight.input.Location;
import dev.postflight.input.Node;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded checklist, includes resolved, before it is bound to a host: the vars with their
 * defaults, the checks and fixes as written (their specs are typed per host by {@link
 * ChecklistBinder}, because templates like {@code {{ host.name }}} differ per host).
 */
public record Checklist(
        String name,
        String description,
        List<Path> files,
        String sha256,
        Map<String, Var> vars,
        List<CheckDecl> checks,
        Map<String, FixDecl> fixes) {

    public Checklist {
        files = List.copyOf(files);
        vars = Collections.unmodifiableMap(new LinkedHashMap<>(vars));
        checks = List.copyOf(checks);
        fixes = Collections.unmodifiableMap(new LinkedHashMap<>(fixes));
    }

    /** A var default; empty value = must be set by the inventory or {@code --var}. */
    public record Var(String name, Optional<String> value, boolean secret, Location location) {}

    /** A check as written. */
    public record CheckDecl(
            String id,
            String type,
            Node.Mapping spec,
            Severity severity,
            Optional<String> fix,
            Optional<Node.Scalar> when,
            List<String> tags,
            Location location) {}

    /** A fix as written. */
    public record FixDecl(String name, Node.Mapping body, Location location) {}
}
