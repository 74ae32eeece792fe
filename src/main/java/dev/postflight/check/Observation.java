package dev.postflight.check;

import java.util.List;
import java.util.Optional;

/**
 * The raw material of one check on one host, in the order its {@link Probe} lists them: the outputs
 * of its host snippets, what its runner-side probes returned, the host's clock as read by the batch
 * (when it could be read), and the fingerprint of the SSH host key the connection saw (none for
 * {@code --local}). {@link Observed} assembles it into the check's typed observation.
 */
public record Observation(
        List<ProbeOutput> host,
        List<Object> runner,
        Optional<HostTime> hostTime,
        Optional<String> hostKey) {

    public Observation {
        host = List.copyOf(host);
        runner = List.copyOf(runner);
    }

    /** Host snippet outputs only. */
    public static Observation ofHost(ProbeOutput... outputs) {
        return new Observation(List.of(outputs), List.of(), Optional.empty(), Optional.empty());
    }
}
