package dev.postflight.check;

import dev.postflight.transport.HttpProber;
import dev.postflight.transport.TcpProber;
import dev.postflight.transport.TlsProber;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

/** What a runner-side probe may use: the host's name and address, and network clients. */
public interface RunnerContext {
    String hostName();

    /** The address the runner uses to reach the host (its SSH address, or its name). */
    String hostAddress();

    /** How long the probe may take at most. */
    Duration timeout();

    HttpProber http();

    /**
     * A connection to {@code host:port} as the host sees it, through the host's SSH connection (for
     * hosts only reachable behind a bastion); nothing listens on the runner for it. Waits for the
     * host's connection; fails with the reason the host could not be reached, or with a {@link
     * java.net.ConnectException} when the host did not open the connection.
     */
    Socket tunnel(String host, int port) throws IOException, InterruptedException;

    TcpProber tcp();

    TlsProber tls();
}
