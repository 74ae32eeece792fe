package dev.postflight.check;

import dev.postflight.transport.HttpProber;
import dev.postflight.transport.TcpProber;
import dev.postflight.transport.TlsProber;
import java.time.Duration;

/** What a runner-side probe may use: the host's name and address, and network clients. */
public interface RunnerContext {
    String hostName();

    /** The address the runner uses to reach the host (its SSH address, or its name). */
    String hostAddress();

    /** How long the probe may take at most. */
    Duration timeout();

    HttpProber http();

    TcpProber tcp();

    TlsProber tls();
}
