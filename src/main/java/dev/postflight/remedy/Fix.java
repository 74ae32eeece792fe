package dev.postflight.remedy;

import dev.postflight.input.Fields;
import dev.postflight.input.Location;
import dev.postflight.input.Node;
import dev.postflight.input.Problems;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A named remediation: ordered steps plus {@code finally} steps that always run (seed 003: the
 * daemon must end up running even when the one-shot sync fails), its approval level and why it
 * exists. Executed only with {@code --fix}.
 */
public record Fix(
        String name,
        String why,
        Approval approval,
        boolean become,
        Duration timeout,
        List<Step> steps,
        List<Step> finallySteps,
        Duration cooldown,
        Duration settle,
        int retries,
        Location location) {

    /** Who must agree before a fix runs. */
    public enum Approval {
        AUTO,
        CONFIRM,
        NEVER;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Fix {
        steps = List.copyOf(steps);
        finallySteps = List.copyOf(finallySteps);
    }

    /** Parses the body of {@code fixes: NAME:}. */
    public static Optional<Fix> parse(
            String name, Node.Mapping body, Map<String, Optional<String>> vars, Problems problems) {
        Fields f = new Fields(body, "fix '" + name + "'", vars, problems);
        String why = f.text("why").orElse("");
        Approval approval =
                f.choice("approval", List.of("auto", "confirm", "never"))
                        .map(a -> Approval.valueOf(a.toUpperCase(Locale.ROOT)))
                        .orElse(Approval.CONFIRM);
        boolean become = f.bool("become").orElse(false);
        Duration timeout = f.duration("timeout").orElse(Duration.ofMinutes(5));
        List<Step> steps = steps(f, body, "steps", vars, problems);
        List<Step> fin = steps(f, body, "finally", vars, problems);
        Duration cooldown = f.duration("cooldown").orElse(Duration.ofHours(1));
        Duration settle = f.duration("settle").orElse(Duration.ofSeconds(2));
        int retries = f.integer("retries").orElse(2);
        if (retries < 0) f.error("retries", "must not be negative");
        lintStopsWithoutStart(f, steps, fin);
        if (!body.entries().containsKey("steps")) f.error("missing required key 'steps'");
        f.finish();
        return Optional.of(
                new Fix(
                        name,
                        why,
                        approval,
                        become,
                        timeout,
                        steps,
                        fin,
                        cooldown,
                        settle,
                        retries,
                        body.location()));
    }

    /**
     * A fix that stops a service must start it again in {@code finally}: seed 003's written
     * procedure ended with "stop" where it meant "start", and a runner must make that slip
     * impossible.
     */
    private static void lintStopsWithoutStart(Fields f, List<Step> steps, List<Step> fin) {
        for (Step s : steps) {
            if (s instanceof Step.ServiceAction a && a.action().equals("stop")) {
                boolean restarted =
                        fin.stream()
                                .anyMatch(x ->
                                        x instanceof Step.ServiceAction b
                                                && b.name().equals(a.name())
                                                && (b.action().equals("start")
                                                        || b.action().equals("restart")));
                if (!restarted) {
                    f.error(
                            "steps",
                            "stops "
                                    + a.name()
                                    + " but no finally step starts it again; add to finally: -"
                                    + " service: { name: "
                                    + a.name()
                                    + ", action: start }");
                }
            }
        }
    }

    private static List<Step> steps(
            Fields f,
            Node.Mapping body,
            String key,
            Map<String, Optional<String>> vars,
            Problems problems) {
        f.has(key);
        Node.Entry e = body.entries().get(key);
        List<Step> out = new ArrayList<>();
        if (e == null) return out;
        if (!(e.value() instanceof Node.Sequence seq)) {
            problems.add(
                    e.value().location(),
                    key + ": expected a list of steps, found " + e.value().kind());
            return out;
        }
        for (Node item : seq.items()) Step.parse(item, vars, problems).ifPresent(out::add);
        return out;
    }
}
