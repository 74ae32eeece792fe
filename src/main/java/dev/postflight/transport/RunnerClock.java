package dev.postflight.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether the runner's own clock is synchronised, for {@code reference: runner}: a verdict measured
 * against an unsynchronised runner must say so. Asks what the runner has (timedatectl, chronyc,
 * ntpq); asked once per run.
 */
public final class RunnerClock {
    private static volatile Optional<String> cached;

    private RunnerClock() {}

    /** Empty when the runner is synchronised; else why it is not, or that it cannot tell. */
    public static Optional<String> notSynchronised() {
        Optional<String> c = cached;
        if (c == null) {
            c = ask();
            cached = c;
        }
        return c;
    }

    private static Optional<String> ask() {
        String script =
                """
                if v=$(timedatectl show -p NTPSynchronized --value 2>/dev/null) && [ -n "$v" ]; then echo "timedatectl $v"
                elif v=$(chronyc -n -c tracking 2>/dev/null); then echo "chrony $(echo "$v" | cut -d, -f14)"
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
                return Optional.of(
                        "the runner's synchronisation is unknown (its tools did not answer)");
            }
            return switch (out) {
                case "timedatectl yes", "chrony Normal", "ntpq yes" -> Optional.empty();
                case "none" ->
                        Optional.of(
                                "the runner's synchronisation is unknown (no timedatectl, chronyc or ntpq)");
                default -> Optional.of("the runner's own clock is not synchronised (" + out + ")");
            };
        } catch (IOException e) {
            return Optional.of("the runner's synchronisation is unknown: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("the runner's synchronisation is unknown (interrupted)");
        }
    }
}
