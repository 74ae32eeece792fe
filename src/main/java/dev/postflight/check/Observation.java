package dev.postflight.check;

import java.util.List;
import java.util.Optional;

/**
 * Everything observed for one check on one host: the outputs of its host probes, in the order
 * {@link CheckSpec#hostProbes()} returned them, and what its runner-side probe returned.
 */
public record Observation(List<ProbeOutput> host, Optional<Object> runner) {

    public ProbeOutput host(int index) {
        return host.get(index);
    }

    /** The runner-side result, of the type the check's own runner probe produces. */
    public <T> T runner(Class<T> type) {
        return type.cast(
                runner.orElseThrow(() -> new IllegalStateException("no runner-side result")));
    }
}
