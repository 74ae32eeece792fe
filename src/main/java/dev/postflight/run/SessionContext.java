package dev.postflight.run;

import dev.postflight.check.RunnerContext;
import dev.postflight.inventory.Host;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import dev.postflight.transport.HttpProber;
import dev.postflight.transport.TcpProber;
import dev.postflight.transport.TlsProber;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * What a runner-side probe of one host may use: the host, the time left before its deadline (which
 * moves when a waited-for host comes back), the network clients, and tunnels through the host's SSH
 * connection once it is open.
 */
final class SessionContext implements RunnerContext {
    private final Host host;
    private final Supplier<Instant> deadline;
    private final CompletableFuture<HostConnection> connected;
    private final HttpProber http;
    private final TcpProber tcp;
    private final TlsProber tls;

    SessionContext(
            Host host,
            Supplier<Instant> deadline,
            CompletableFuture<HostConnection> connected,
            HttpProber http,
            TcpProber tcp,
            TlsProber tls) {
        this.host = host;
        this.deadline = deadline;
        this.connected = connected;
        this.http = http;
        this.tcp = tcp;
        this.tls = tls;
    }

    @Override
    public String hostName() {
        return host.name();
    }

    @Override
    public String hostAddress() {
        return host.reachAddress();
    }

    @Override
    public Duration timeout() {
        return Duration.between(Instant.now(), deadline.get());
    }

    @Override
    public HttpProber http() {
        return http;
    }

    @Override
    public TcpProber tcp() {
        return tcp;
    }

    @Override
    public TlsProber tls() {
        return tls;
    }

    @Override
    public Socket tunnel(String to, int port) throws IOException, InterruptedException {
        HostConnection c;
        try {
            Duration left = Duration.between(Instant.now(), deadline.get());
            c = connected.get(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("via ssh: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("via ssh: the host's connection was not ready in time");
        }
        try {
            return c.openTunnel(to, port, Duration.between(Instant.now(), deadline.get()));
        } catch (HostUnreachable e) {
            ConnectException refused = new ConnectException(e.getMessage());
            refused.initCause(e);
            throw refused;
        }
    }
}
