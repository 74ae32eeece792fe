package dev.postflight.transport;

import com.jcraft.jsch.SocketFactory;
import dev.postflight.input.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The TCP connection of an SSH session, opened by us rather than by JSch so that each way of
 * failing keeps its own cause: the name does not resolve, the port refuses, the connect times out,
 * or TCP is accepted and no SSH banner follows (a tarpit, an overloaded sshd).
 */
final class TcpTransport implements Transport {

    private final Duration bannerTimeout;
    private volatile Socket socket;
    private volatile BannerWatch in;
    private volatile OutputStream out;
    private volatile String peer;
    private volatile boolean closed;

    TcpTransport(Duration bannerTimeout) {
        this.bannerTimeout = bannerTimeout;
    }

    @Override
    public void connect(SocketFactory unused, String host, int port, int timeoutMillis)
            throws HostUnreachable, IOException {
        InetAddress address = resolve(host, Duration.ofMillis(timeoutMillis));
        peer = address.getHostAddress() + ":" + port;
        Socket opened = new Socket();
        socket = opened;
        Instant start = Instant.now();
        if (closed) opened.close();
        try {
            opened.connect(new InetSocketAddress(address, port), timeoutMillis);
        } catch (SocketTimeoutException e) {
            opened.close();
            throw connectTimedOut(Duration.ofMillis(timeoutMillis), e);
        } catch (ConnectException e) {
            opened.close();
            throw new HostUnreachable(
                    HostUnreachable.Cause.REFUSED, "connection refused (" + peer + ")", e);
        } catch (NoRouteToHostException e) {
            opened.close();
            throw new HostUnreachable(
                    HostUnreachable.Cause.TIMED_OUT, "no route to host (" + peer + ")", e);
        } catch (IOException e) {
            opened.close();
            // Closed under us: the host's deadline came (or the run was interrupted) mid-connect.
            if (closed) throw connectTimedOut(Duration.between(start, Instant.now()), e);
            throw e;
        }
        opened.setTcpNoDelay(true);
        in = new BannerWatch(opened.getInputStream());
        out = opened.getOutputStream();
        in.abortIfSilentFor(bannerTimeout, this::close);
    }

    private HostUnreachable connectTimedOut(Duration after, IOException e) {
        return new HostUnreachable(
                HostUnreachable.Cause.TIMED_OUT,
                "TCP connect to "
                        + peer
                        + " timed out after "
                        + Durations.tenths(after)
                        + " (host down or port filtered)",
                e);
    }

    /**
     * Looks {@code host} up on a virtual thread, because the JDK resolver takes no timeout and a
     * dead DNS server must not hold a host past its deadline.
     */
    private static InetAddress resolve(String host, Duration limit)
            throws HostUnreachable, IOException {
        FutureTask<InetAddress> lookup = new FutureTask<>(() -> InetAddress.getByName(host));
        Thread.ofVirtual().name("dns-" + host).start(lookup);
        try {
            return lookup.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException unknown) {
                throw new HostUnreachable(
                        HostUnreachable.Cause.DNS_FAILURE,
                        "name " + host + " does not resolve",
                        unknown);
            }
            throw new IOException("cannot resolve " + host + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            lookup.cancel(true);
            throw new HostUnreachable(
                    HostUnreachable.Cause.DNS_FAILURE,
                    "name " + host + " did not resolve within " + Durations.limit(limit),
                    e);
        } catch (InterruptedException e) {
            lookup.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while resolving " + host, e);
        }
    }

    /** {@code 203.0.113.10:22}, once known. */
    String peer() {
        return peer;
    }

    @Override
    public Optional<BannerWatch> watch() {
        return Optional.ofNullable(in);
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public Socket getSocket() {
        return socket;
    }

    @Override
    public void close() {
        closed = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // Closing is best effort: the socket is unusable either way.
            }
        }
    }
}
