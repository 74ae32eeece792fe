package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postflight.input.InvalidInput;
import dev.postflight.inventory.Inventory;
import dev.postflight.inventory.InventoryLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inventory {@code maintenance:} entries, {@code --window-file} and {@code --windows-ended-within}.
 */
class MaintenanceWindowTest {
    private static final Instant NOW = Instant.parse("2026-11-23T04:30:00Z");
    private static final String HOSTS =
            """
            hosts:
              web1: { address: 127.0.0.1, port: 1 }
              web2: { address: 127.0.0.1, port: 1 }
              db1: { address: 127.0.0.1, port: 1 }
            groups:
              web: { hosts: [web1, web2] }
            """;

    @TempDir Path dir;

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void selectsTheHostsOfGroupsAndHostsWhoseWindowEndedWithinTheDurationWithTheirWindowStart()
            throws Exception {
        Inventory inv =
                InventoryLoader.load(
                        write(
                                "inv.yaml",
                                HOSTS
                                        + """
                                        maintenance:
                                          - name: provider notice 4711
                                            hosts: [web]
                                            start: 2026-11-23T12:00:00+09:00
                                            end: 2026-11-23T13:00:00+09:00
                                          - { hosts: db1, start: 2026-11-23T04:00:00Z, end: 2026-11-23T05:00:00Z }
                                        """));
        assertEquals(
                Map.of(
                        "web1", Instant.parse("2026-11-23T03:00:00Z"),
                        "web2", Instant.parse("2026-11-23T03:00:00Z")),
                inv.windowStartsEndedWithin(Duration.ofHours(1), NOW));
        assertEquals(Map.of(), inv.windowStartsEndedWithin(Duration.ofMinutes(29), NOW));
    }

    @Test
    void unknownHostsEndBeforeStartAndBadTimesAreReportedAtTheirLine() throws Exception {
        Path inv =
                write(
                        "inv.yaml",
                        HOSTS
                                + """
                                maintenance:
                                  - { hosts: [webl], start: 2026-11-23T02:00:00+09:00, end: 2026-11-23T03:00:00+09:00 }
                                  - { hosts: [db1], start: 2026-11-23T03:00:00+09:00, end: 2026-11-23T02:00:00+09:00 }
                                  - { hosts: [db1], start: 2026-11-23 02:00, end: 2026-11-23T03:00:00+09:00 }
                                """);
        try {
            InventoryLoader.load(inv);
            throw new AssertionError("must be rejected");
        } catch (InvalidInput e) {
            assertEquals(
                    inv
                            + ":8:14: hosts: no host or group named 'webl' (did you mean 'web'?)\n"
                            + inv
                            + ":9:5: maintenance window 2: end (2026-11-22T17:00:00Z) must not be"
                            + " before start (2026-11-22T18:00:00Z)\n"
                            + inv
                            + ":10:28: start: '2026-11-23 02:00' is not a time with its offset"
                            + " (2026-11-23T02:00:00+09:00 or 2026-11-22T17:00:00Z)",
                    e.getMessage());
        }
    }

    @Test
    void anHourlyTimerWithNoWindowThatJustEndedSaysSoAndExitsZero() throws Exception {
        Path inv = write("inv.yaml", HOSTS);
        Path windows =
                write(
                        "windows.yaml",
                        "maintenance:\n  - { hosts: [web], start: 2020-01-01T00:00:00Z, end:"
                                + " 2020-01-01T01:00:00Z }\n");
        Cli r =
                Cli.run(
                        "verify",
                        "-i",
                        inv.toString(),
                        "-c",
                        write("c.yaml", "checks: []\n").toString(),
                        "--window-file",
                        windows.toString(),
                        "--windows-ended-within",
                        "1h");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("no maintenance window ended in the last 1h\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void aWindowFileNamingAnUnknownGroupIsAUsageError() throws Exception {
        Path inv = write("inv.yaml", HOSTS);
        Path windows =
                write(
                        "windows.yaml",
                        "maintenance:\n  - { hosts: [wbe], start: 2020-01-01T00:00:00Z, end:"
                                + " 2020-01-01T01:00:00Z }\n");
        Cli r =
                Cli.run(
                        "verify",
                        "-i",
                        inv.toString(),
                        "-c",
                        write("c.yaml", "checks: []\n").toString(),
                        "--window-file",
                        windows.toString(),
                        "--windows-ended-within",
                        "1h");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                windows + ":2:14: hosts: no host or group named 'wbe' (did you mean 'web'?)\n",
                r.err());
    }

    @Test
    void aWindowFileWithoutWindowsEndedWithinIsAUsageErrorNotIgnored() throws Exception {
        Path windows = write("windows.yaml", "maintenance: []\n");
        Cli r =
                Cli.run(
                        "verify",
                        "-i",
                        write("inv.yaml", HOSTS).toString(),
                        "-c",
                        write("c.yaml", "checks: []\n").toString(),
                        "--window-file",
                        windows.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: --window-file goes with --windows-ended-within (e.g. 1h)\n", r.err());
    }
}
