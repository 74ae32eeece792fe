package dev.postflight.cli;

import dev.postflight.input.Amount;
import dev.postflight.input.Durations;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How many hosts at once, and how long and how much each may take. */
final class RunLimits {
    @Option(
            names = "--concurrency",
            paramLabel = "N",
            description = "Hosts worked on at once (default: ${DEFAULT-VALUE}).")
    int concurrency = DEFAULT_CONCURRENCY;

    /**
     * Enough hosts in flight that a fleet behind a WAN round trip is not throttled by waiting (an
     * SSH session takes 12 to 17 round trips: 2,000 simulated hosts at 100 ms took 111 s at 64, 38
     * s at 256 and 24-27 s at 1,024, as long as on loopback), and few enough that the heap stays
     * under 512 MiB at 2,000 hosts (bench/RESULTS.md, issue 18).
     */
    static final int DEFAULT_CONCURRENCY = 1024;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            description = "Time one host may take in all (default: ${DEFAULT-VALUE}).")
    String timeout = "60s";

    @Option(
            names = "--max-output",
            paramLabel = "SIZE",
            description =
                    "Output one host may send back per command, stdout and stderr together;"
                            + " past it the host's on-host checks are errors (default:"
                            + " ${DEFAULT-VALUE}).")
    String maxOutput = "16MiB";

    /** The values, checked; exit 2 before anything is contacted when one is wrong. */
    record Checked(int concurrency, Duration hostTimeout, long outputCap) {}

    /** An option's duration that must be above zero; exit 2 naming the option otherwise. */
    static Duration positiveDuration(String option, String text, String examples)
            throws InvalidInput {
        return Durations.parse(text)
                .filter(Duration::isPositive)
                .orElseThrow(() ->
                        new InvalidInput(
                                Location.COMMAND_LINE,
                                option
                                        + ": '"
                                        + text
                                        + "' is not a positive duration (e.g. "
                                        + examples
                                        + ")"));
    }

    Checked check() throws InvalidInput {
        Duration hostTimeout = positiveDuration("--timeout", timeout, "60s, 5m");
        long outputCap =
                Amount.parse(maxOutput)
                        .filter(a -> !a.percent() && a.value() >= 1)
                        .map(a -> (long) a.value())
                        .orElseThrow(() ->
                                new InvalidInput(
                                        Location.COMMAND_LINE,
                                        "--max-output: '"
                                                + maxOutput
                                                + "' is not a size (e.g. 16MiB, 512K)"));
        if (concurrency < 1)
            throw new InvalidInput(Location.COMMAND_LINE, "--concurrency must be at least 1");
        return new Checked(concurrency, hostTimeout, outputCap);
    }
}
