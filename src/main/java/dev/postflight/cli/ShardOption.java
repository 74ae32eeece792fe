package dev.postflight.cli;

import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.inventory.Host;
import dev.postflight.run.Shard;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * {@code verify --shard K/N}: verify only part K of N of the selected hosts (issue 18), so that N
 * runners share a fleet and {@code postflight merge} joins their JSON reports. K is 0-based, as a
 * Kubernetes Indexed Job's {@code JOB_COMPLETION_INDEX}: an image without a shell passes {@code
 * --shard $(JOB_COMPLETION_INDEX)/N} in {@code args}, which Kubernetes expands itself.
 */
final class ShardOption {
    private static final Location COMMAND_LINE = Location.of(Path.of("(command line)"));
    private static final Pattern K_OF_N = Pattern.compile("(\\d{1,6})/(\\d{1,6})");

    @Option(
            names = "--shard",
            paramLabel = "K/N",
            description =
                    "Verify only shard K of N (K from 0 to N-1, as Kubernetes' JOB_COMPLETION_INDEX)"
                            + " of the selected hosts, split by a hash of the host name; join the"
                            + " shards' JSON reports with 'postflight merge'.")
    Optional<String> shard = Optional.empty();

    /** Checks {@code --shard} before anything is read or contacted. */
    void check(boolean fix) throws InvalidInput {
        if (shard.isEmpty()) return;
        parse(shard.get());
        if (fix)
            throw new InvalidInput(
                    COMMAND_LINE,
                    "--shard: not with --fix: the canary host and --fleet-guard must see the"
                            + " whole fleet; verify in shards, then fix from one runner");
    }

    /** The shard of {@code selected} this run verifies, when {@code --shard} was given. */
    Optional<Shard> of(List<Host> selected) throws InvalidInput {
        if (shard.isEmpty()) return Optional.empty();
        int[] kn = parse(shard.get());
        return Optional.of(Shard.split(kn[0], kn[1], selected, Host::name));
    }

    private static int[] parse(String text) throws InvalidInput {
        String t = text.strip();
        String prefix = "--shard: '" + text + "'";
        if (t.contains("$"))
            throw new InvalidInput(
                    COMMAND_LINE,
                    prefix
                            + " has an unexpanded variable: Kubernetes expands"
                            + " $(JOB_COMPLETION_INDEX) only in a Job with completionMode: Indexed,"
                            + " and only in args or command");
        Matcher m = K_OF_N.matcher(t);
        if (!m.matches())
            throw new InvalidInput(
                    COMMAND_LINE,
                    prefix + " is not K/N: two whole numbers, shard K of N, e.g. 0/4 … 3/4");
        int k = Integer.parseInt(m.group(1));
        int n = Integer.parseInt(m.group(2));
        if (n < 1) throw new InvalidInput(COMMAND_LINE, prefix + ": N must be at least 1");
        if (k >= n)
            throw new InvalidInput(
                    COMMAND_LINE,
                    prefix
                            + ": K counts from 0, so it must be below N (0 to "
                            + (n - 1)
                            + "); from GitLab's 1-based CI_NODE_INDEX pass"
                            + " $((CI_NODE_INDEX-1))/$CI_NODE_TOTAL");
        return new int[] {k, n};
    }
}
