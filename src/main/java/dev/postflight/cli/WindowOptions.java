package dev.postflight.cli;

import dev.postflight.input.Durations;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.inventory.Inventory;
import dev.postflight.inventory.InventoryLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The maintenance window a run follows: its start, the windows that just ended, the wait. */
final class WindowOptions {
    @Option(
            names = "--wait-for-host",
            paramLabel = "DURATION",
            description =
                    "Keep trying to reach each host for up to DURATION (refused, timed out,"
                            + " no banner, auth failed) before verifying it; --timeout starts"
                            + " when it answers.")
    Optional<String> waitForHost = Optional.empty();

    @Option(
            names = "--since",
            paramLabel = "TIME",
            description =
                    "Start of the maintenance window: 2026-11-23T02:00:00+09:00, or -3h for three"
                            + " hours ago. Checks that look back (boot, backup) use it.")
    Optional<String> since = Optional.empty();

    @Option(
            names = "--window-file",
            paramLabel = "FILE",
            description =
                    "Maintenance windows (a YAML 'maintenance:' list of { name, hosts, start, end },"
                            + " as in an inventory) for --windows-ended-within.")
    Optional<Path> windowFile = Optional.empty();

    @Option(
            names = "--windows-ended-within",
            paramLabel = "DURATION",
            description =
                    "Only hosts whose maintenance window ended within DURATION before now (e.g. 1h),"
                            + " each with its window's start as --since unless --since is given.")
    Optional<String> windowsEndedWithin = Optional.empty();

    /** {@code --wait-for-host}, checked. */
    Optional<Duration> waitForHost() throws InvalidInput {
        if (waitForHost.isEmpty()) return Optional.empty();
        return Optional.of(
                RunLimits.positiveDuration("--wait-for-host", waitForHost.get(), "90s, 15m"));
    }

    /** {@code --since}, read against {@code now}. */
    Optional<Instant> since(Instant now) throws InvalidInput {
        return since.isPresent() ? Optional.of(windowStart(since.get(), now)) : Optional.empty();
    }

    void validate() throws InvalidInput {
        if (windowFile.isPresent() && windowsEndedWithin.isEmpty())
            throw new InvalidInput(
                    Location.COMMAND_LINE,
                    "--window-file goes with --windows-ended-within (e.g. 1h)");
    }

    /** The inventory with the windows of {@code --window-file}, when given. */
    Inventory withWindows(Inventory inv) throws InvalidInput {
        return windowFile.isPresent()
                ? inv.withWindows(InventoryLoader.loadWindows(windowFile.get(), inv))
                : inv;
    }

    /** {@code --windows-ended-within}: the window start of each host whose window just ended. */
    Optional<Map<String, Instant>> windowStartsEndedWithin(Inventory inv) throws InvalidInput {
        if (windowsEndedWithin.isEmpty()) return Optional.empty();
        Duration within =
                RunLimits.positiveDuration(
                        "--windows-ended-within", windowsEndedWithin.get(), "1h");
        return Optional.of(inv.windowStartsEndedWithin(within, Instant.now()));
    }

    /** {@code --since}: an ISO-8601 instant or offset date-time, or {@code -3h} before now. */
    static Instant windowStart(String text, Instant now) throws InvalidInput {
        String t = text.strip();
        if (t.startsWith("-")) {
            Optional<Duration> ago = Durations.parse(t.substring(1));
            if (ago.isPresent()) return now.minus(ago.get());
        } else {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e) {
                try {
                    return Instant.parse(t);
                } catch (DateTimeParseException e2) {
                    // reported below
                }
            }
        }
        throw new InvalidInput(
                Location.COMMAND_LINE,
                "--since: '"
                        + text
                        + "' is neither a time with its offset (2026-11-23T02:00:00+09:00,"
                        + " 2026-11-22T17:00:00Z) nor a time ago (-3h, -90m)");
    }
}
