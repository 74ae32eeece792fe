package dev.postflight.check;

import java.time.Duration;

/**
 * A POSIX {@code sh} snippet a check needs run on the host, inside the host's one batched probe
 * script. Its exit code, stdout and stderr come back as a {@link ProbeOutput}. The snippet must not
 * read stdin and must report a missing tool on stderr with exit code 127.
 */
public record HostProbe(String script, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public static HostProbe of(String script) {
        return new HostProbe(script, DEFAULT_TIMEOUT);
    }
}
