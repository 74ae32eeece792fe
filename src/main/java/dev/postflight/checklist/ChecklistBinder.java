package dev.postflight.checklist;

import dev.postflight.check.Check;
import dev.postflight.check.CheckSpec;
import dev.postflight.check.CheckType;
import dev.postflight.input.Fields;
import dev.postflight.input.Node;
import dev.postflight.input.Problems;
import dev.postflight.input.Template;
import dev.postflight.remedy.Fix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Binds a {@link Checklist} to one host: substitutes its vars (checklist defaults &lt; group vars
 * &lt; host vars &lt; {@code --var}, plus {@code host.name} and {@code host.address}) and types
 * every check and fix. Errors are collected; the caller throws them before any host is contacted.
 */
public final class ChecklistBinder {
    private ChecklistBinder() {}

    /** A checklist as it applies to one host. */
    public record Bound(
            List<Check> checks, Map<String, Fix> fixes, Map<String, Optional<String>> vars) {}

    /**
     * @param overrides vars set for this host by the inventory and the command line, already merged
     *     in precedence order
     */
    public static Bound bind(
            Checklist checklist,
            Map<String, String> overrides,
            String hostName,
            String hostAddress,
            Problems problems) {
        Map<String, Optional<String>> vars = new LinkedHashMap<>();
        checklist.vars().forEach((k, v) -> vars.put(k, v.value()));
        overrides.forEach((k, v) -> vars.put(k, Optional.of(v)));
        vars.put("host.name", Optional.of(hostName));
        vars.put("host.address", Optional.of(hostAddress));

        List<Check> checks = new ArrayList<>();
        for (Checklist.CheckDecl d : checklist.checks()) {
            Fields f = new Fields(d.spec(), d.type() + " check '" + d.id() + "'", vars, problems);
            Optional<? extends CheckSpec<?>> spec = CheckType.of(d.type()).orElseThrow().parse(f);
            Optional<String> skip = d.when().flatMap(w -> skipReason(w, vars, problems));
            spec.ifPresent(s ->
                    checks.add(
                            new Check(
                                    d.id(),
                                    d.type(),
                                    d.severity(),
                                    d.fix(),
                                    d.tags(),
                                    s,
                                    d.location(),
                                    skip)));
        }
        Map<String, Fix> fixes = new LinkedHashMap<>();
        for (Checklist.FixDecl d : checklist.fixes().values()) {
            Fix.parse(d.name(), d.body(), vars, problems)
                    .ifPresent(fix -> fixes.put(d.name(), fix));
        }
        return new Bound(checks, fixes, vars);
    }

    private static Optional<String> skipReason(
            Node.Scalar when, Map<String, Optional<String>> vars, Problems problems) {
        String value =
                Template.expand(
                        when.text(), vars, Template.Quoting.NONE, when.location(), problems);
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> Optional.empty();
            case "false", "no", "0", "off", "" ->
                    // "when: false is false" said nothing; a template's value is worth saying.
                    Optional.of(
                            when.text().contains("{{")
                                    ? "when: " + when.text() + " is " + value.trim()
                                    : "when: " + when.text());
            default -> {
                problems.add(when.location(), "when: '" + value + "' is not true or false");
                yield Optional.empty();
            }
        };
    }
}
