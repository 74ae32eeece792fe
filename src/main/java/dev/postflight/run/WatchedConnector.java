package dev.postflight.run;

import dev.postflight.inventory.Host;
import dev.postflight.transport.Exchange;
import dev.postflight.transport.ExecResult;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One host's connector that keeps the failure that put the host out of reach, from connecting or
 * from the batch's exec, so that the host's result carries the kind of failure the transport
 * classified rather than only its text (issue 18).
 */
final class WatchedConnector implements Connector {
    private final Connector inner;
    private volatile HostUnreachable last;

    WatchedConnector(Connector inner) {
        this.inner = inner;
    }

    @Override
    public HostConnection connect(Host host, Instant deadline)
            throws HostUnreachable, InterruptedException {
        try {
            return new Watched(inner.connect(host, deadline));
        } catch (HostUnreachable e) {
            last = e;
            throw e;
        }
    }

    @Override
    public Turn turn(Host host) throws InterruptedException {
        return inner.turn(host);
    }

    @Override
    public Duration patience() {
        return inner.patience();
    }

    /**
     * The kind of the failure whose text is {@code why}: the host's result says why it was not
     * reached in the words of the failure that stopped it.
     */
    Optional<UnreachableKind> kindOf(String why) {
        HostUnreachable e = last;
        if (e == null || !why.equals(e.getMessage())) return Optional.empty();
        return Optional.of(UnreachableKind.of(e.kind()));
    }

    /** The connection, its exec watched; everything else passed on as it is. */
    private final class Watched implements HostConnection {
        private final HostConnection connection;

        Watched(HostConnection connection) {
            this.connection = connection;
        }

        @Override
        public ExecResult exec(String command, byte[] stdin, Duration timeout)
                throws HostUnreachable, InterruptedException {
            try {
                return connection.exec(command, stdin, timeout);
            } catch (HostUnreachable e) {
                last = e;
                throw e;
            }
        }

        @Override
        public List<Exchange> converse(
                String command,
                int rounds,
                int linesPerRound,
                Predicate<List<Exchange>> enough,
                Duration timeout)
                throws HostUnreachable, InterruptedException {
            return connection.converse(command, rounds, linesPerRound, enough, timeout);
        }

        @Override
        public Socket openTunnel(String host, int port, Duration timeout) throws HostUnreachable {
            return connection.openTunnel(host, port, timeout);
        }

        @Override
        public String describe() {
            return connection.describe();
        }

        @Override
        public Optional<String> hostKeyFingerprint() {
            return connection.hostKeyFingerprint();
        }

        @Override
        public void close() {
            connection.close();
        }
    }
}
