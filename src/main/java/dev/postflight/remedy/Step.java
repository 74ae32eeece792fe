package dev.postflight.remedy;

import dev.postflight.input.Fields;
import dev.postflight.input.Node;
import dev.postflight.input.Problems;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One step of a fix, as the user wrote it (after templating). */
public sealed interface Step {

    /** Start, stop, restart or reload a service through the host's service manager. */
    record ServiceAction(String name, String action) implements Step {}

    /**
     * Run a shell command: {@code command} after templating, {@code written} as the check file has
     * it (templates unexpanded), which the dry run shows.
     */
    record Run(String command, Optional<Duration> timeout, String written) implements Step {
        public Run(String command, Optional<Duration> timeout) {
            this(command, timeout, command);
        }
    }

    /** Wait until a port listens, a service runs or a file exists. */
    record Wait(String kind, String target, Duration timeout) implements Step {}

    List<String> ACTIONS = List.of("start", "stop", "restart", "reload");

    /** Parses one list item of {@code steps:} or {@code finally:}. */
    static Optional<Step> parse(Node item, Map<String, Optional<String>> vars, Problems problems) {
        if (!(item instanceof Node.Mapping m)) {
            problems.add(
                    item.location(),
                    "a step must be a mapping (service:, run: or wait:), found " + item.kind());
            return Optional.empty();
        }
        Fields f = new Fields(m, "step", vars, problems);
        Optional<Step> step = Optional.empty();
        int kinds = 0;
        if (f.has("service")) {
            kinds++;
            step =
                    f.mapping("service", "service step")
                            .flatMap(s -> {
                                String name = s.requiredText("name");
                                Optional<String> action = s.choice("action", ACTIONS);
                                if (action.isEmpty() && !s.has("action")) {
                                    s.error(
                                            "missing required key 'action' ("
                                                    + String.join(", ", ACTIONS)
                                                    + ")");
                                }
                                s.finish();
                                return action.map(a -> new ServiceAction(name, a));
                            });
        }
        if (f.has("run")) {
            kinds++;
            String command = f.requiredCommand("run");
            String written =
                    m.entries().get("run") != null
                                    && m.entries().get("run").value() instanceof Node.Scalar s
                            ? s.text()
                            : command;
            step = Optional.of(new Run(command, f.duration("timeout"), written));
        }
        if (f.has("wait")) {
            kinds++;
            step =
                    f.mapping("wait", "wait step")
                            .flatMap(w -> {
                                Optional<Step> out = Optional.empty();
                                for (String k : List.of("port", "service", "file")) {
                                    if (w.has(k))
                                        out =
                                                w.text(k)
                                                        .map(t ->
                                                                new Wait(
                                                                        k,
                                                                        t,
                                                                        w.duration("timeout")
                                                                                .orElse(
                                                                                        Duration
                                                                                                .ofSeconds(
                                                                                                        30))));
                                }
                                w.duration("timeout");
                                if (out.isEmpty()) w.error("needs one of port, service, file");
                                w.finish();
                                return out;
                            });
        }
        if (kinds == 0) {
            f.error("a step needs one of service:, run:, wait:");
        } else if (kinds > 1) {
            f.error("a step does one thing: use only one of service:, run:, wait:");
        }
        if (!f.has("run")) f.duration("timeout");
        f.finish();
        return kinds == 1 ? step : Optional.empty();
    }
}
