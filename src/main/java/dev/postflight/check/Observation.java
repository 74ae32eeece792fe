package dev.postflight.check;

import java.util.List;
import java.util.Optional;

/**
 * Everything observed for one check on one host: the outputs of its host probes, in the order
 * {@link CheckSpec#hostProbes()} returned them, what its runner-side probe returned, the host's
 * clock as read at the start of the batch (when the check has host probes or asks for it), and the
 * fingerprint of the SSH host key the connection saw (none for {@code --local}).
 */
public record Observation(
        List<ProbeOutput> host,
        Optional<Object> runner,
        Optional<HostTime> hostTime,
        Optional<String> hostKey) {

    public Observation(List<ProbeOutput> host, Optional<Object> runner) {
        this(host, runner, Optional.empty());
    }

    public Observation(
            List<ProbeOutput> host, Optional<Object> runner, Optional<HostTime> hostTime) {
        this(host, runner, hostTime, Optional.empty());
    }

    public ProbeOutput host(int index) {
        return host.get(index);
    }

    /** The runner-side result, of the type the check's own runner probe produces. */
    public <T> T runner(Class<T> type) {
        return type.cast(
                runner.orElseThrow(() -> new IllegalStateException("no runner-side result")));
    }
}
