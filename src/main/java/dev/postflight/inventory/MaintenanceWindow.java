package dev.postflight.inventory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One provider maintenance notice: the hosts it affects (groups already expanded to host names) and
 * when it starts and ends. A timer selects the hosts whose window just ended and verifies them with
 * the window's start as {@code --since} (issue 7).
 */
public record MaintenanceWindow(
        Optional<String> name, List<String> hosts, Instant start, Instant end) {
    public MaintenanceWindow {
        hosts = List.copyOf(hosts);
        if (end.isBefore(start)) {
            throw new IllegalArgumentException(
                    "end (" + end + ") must not be before start (" + start + ")");
        }
    }

    /** Whether the window ended at most {@code within} before {@code now}, and not after it. */
    boolean endedWithin(Duration within, Instant now) {
        return !end.isAfter(now) && !end.isBefore(now.minus(within));
    }
}
