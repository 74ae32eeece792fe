package dev.postflight.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether the runner's own clock is synchronised, for {@code reference: runner}: a verdict measured
 * against an unsynchronised runner must say so. Asks what the runner has (timedatectl, chronyc,
 * ntpq); asked once per run.
 */
public final class RunnerClock {
    /**
     * What the runner's own time daemon says: why it is not synchronised (empty when it is), and,
     * where its tool gives one (chrony), a bound on the runner clock's error.
     */
    public record State(Optional<String> notSynchronised, Optional<Duration> bound) {}

    private static volatile State cached;

    private RunnerClock() {}

    /** Empty when the runner is synchronised; else why it is not, or that it cannot tell. */
    public static Optional<String> notSynchronised() {
        return state().notSynchronised();
    }

    /** Asked once per run. */
    public static State state() {
        State c = cached;
        if (c == null) {
            c = ask();
            cached = c;
        }
        return c;
    }

    private static State ask() {
        String script =
                """
                if v=$(chronyc -n -c tracking 2>/dev/null) && [ -n "$v" ]; then echo "chrony $(echo "$v" | cut -d, -f14) $(echo "$v" | cut -d, -f5,11,12)"
                elif v=$(timedatectl show -p NTPSynchronized --value 2>/dev/null) && [ -n "$v" ]; then echo "timedatectl $v"
                elif v=$(ntpq -pn 2>/dev/null); then echo "$v" | grep -q '^\\*' && echo "ntpq yes" || echo "ntpq no"
                else echo "none"; fi
                """;
        try {
            Process p =
                    new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true).start();
            String out =
                    new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return unknown(
                        "the runner's synchronisation is unknown (its tools did not answer)");
            }
            return parse(out);
        } catch (IOException e) {
            return unknown("the runner's synchronisation is unknown: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unknown("the runner's synchronisation is unknown (interrupted)");
        }
    }

    /**
     * Reads the probe's one line. chrony's bound is what NTP calls the root distance plus the
     * correction still to apply: |system time offset| + root delay / 2 + root dispersion.
     */
    static State parse(String out) {
        if (out.startsWith("chrony Normal ")) {
            String[] f = out.substring("chrony Normal ".length()).strip().split(",");
            Optional<Duration> bound = Optional.empty();
            if (f.length == 3) {
                try {
                    double seconds =
                            Math.abs(Double.parseDouble(f[0]))
                                    + Double.parseDouble(f[1]) / 2
                                    + Double.parseDouble(f[2]);
                    bound = Optional.of(Duration.ofNanos(Math.round(seconds * 1e9)));
                } catch (NumberFormatException e) {
                    // No bound: the verdict says the runner's error is not included.
                }
            }
            return new State(Optional.empty(), bound);
        }
        return switch (out) {
            case "timedatectl yes", "ntpq yes" -> new State(Optional.empty(), Optional.empty());
            case "none" ->
                    unknown(
                            "the runner's synchronisation is unknown (no timedatectl, chronyc or"
                                    + " ntpq)");
            default ->
                    unknown(
                            "the runner's own clock is not synchronised ("
                                    + (out.startsWith("chrony ")
                                            ? out.substring(0, out.lastIndexOf(' '))
                                            : out)
                                    + ")");
        };
    }

    private static State unknown(String why) {
        return new State(Optional.of(why), Optional.empty());
    }
}
