package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.input.InvalidInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify --since}: the maintenance window's start, handed to the checks that look back. */
class SinceTest {
    @TempDir Path dir;

    static final Instant NOW = Instant.parse("2026-11-22T20:00:00Z");

    @Test
    void acceptsAnOffsetTimeAnInstantAndATimeAgo() throws Exception {
        assertEquals(
                Instant.parse("2026-11-22T17:00:00Z"),
                WindowOptions.windowStart("2026-11-23T02:00:00+09:00", NOW));
        assertEquals(
                Instant.parse("2026-11-22T17:00:00Z"),
                WindowOptions.windowStart("2026-11-22T17:00:00Z", NOW));
        assertEquals(Instant.parse("2026-11-22T17:00:00Z"), WindowOptions.windowStart("-3h", NOW));
    }

    @Test
    void aTimeWithoutOffsetIsAUsageErrorWithExitTwo() {
        Cli r = Cli.run("verify", "--local", "-c", "x.yaml", "--since", "2026-11-23 02:00");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(
                r.err()
                        .contains(
                                "postflight: --since: '2026-11-23 02:00' is neither a time"
                                        + " with its offset"),
                r.err());
    }

    @Test
    void aBootCheckSeesTheWindowGivenOnTheCommandLine() throws Exception {
        Path checks =
                Files.writeString(
                        dir.resolve("c.yaml"),
                        """
                        checks:
                          - id: boot
                            boot: { rebooted: false, max_oom_kills: 1000, failed_services: false }
                        """);
        Cli r = Cli.run("verify", "--local", "-c", checks.toString(), "--since", "-1m", "-v");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("not rebooted during the window: up since "), r.out());
    }

    @Test
    void invalidInputIsTheExceptionTheCliMapsToExitTwo() {
        try {
            WindowOptions.windowStart("3h", NOW);
        } catch (InvalidInput e) {
            assertTrue(e.getMessage().contains("--since: '3h'"), e.getMessage());
            return;
        }
        throw new AssertionError("3h without a minus sign must be rejected");
    }
}
