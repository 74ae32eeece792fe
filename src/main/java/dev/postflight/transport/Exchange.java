package dev.postflight.transport;

import java.time.Instant;
import java.util.List;

/**
 * One round of a request-reply conversation with a command on a host: when the runner sent its
 * line, the lines the command answered, and when the last of them arrived, both on the runner's
 * clock. Measuring a host's clock the way NTP does needs exactly this.
 */
public record Exchange(Instant sent, List<String> reply, Instant received) {
    public Exchange {
        reply = List.copyOf(reply);
    }
}
