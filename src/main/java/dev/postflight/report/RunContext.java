package dev.postflight.report;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a report header says about a run beyond its results: who ran it where ({@code
 * user@machine}), the start of the maintenance window given with {@code --since}, and the windows
 * that selected the hosts ({@code --windows-ended-within}). The HTML report shows it; the other
 * formats do not need it.
 */
public record RunContext(Optional<String> runner, Optional<Instant> since, List<Window> windows) {

    /** Nothing known beyond the results. */
    public static final RunContext NONE =
            new RunContext(Optional.empty(), Optional.empty(), List.of());

    public RunContext {
        windows = List.copyOf(windows);
    }

    /** One maintenance window of the run's hosts, as the inventory or window file gave it. */
    public record Window(Optional<String> name, Instant start, Instant end, List<String> hosts) {
        public Window {
            hosts = List.copyOf(hosts);
        }
    }
}
