package dev.postflight.transport;

import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** A way to run commands on one host: one SSH session, or this machine itself. */
public interface HostConnection extends AutoCloseable {

    /**
     * Runs {@code command} on the host (through the login user's shell over SSH, through {@code
     * /bin/sh -c} locally), writes {@code stdin} to it and closes its input, and waits for it to
     * end or for {@code timeout}. A command still running at the deadline is ended and reported
     * with {@link ExecResult#timedOut()}.
     *
     * @throws HostUnreachable when the connection is lost before the command ends
     */
    ExecResult exec(String command, byte[] stdin, Duration timeout)
            throws HostUnreachable, InterruptedException;

    /**
     * Runs {@code command} and holds a conversation with it: up to {@code rounds} times, until
     * {@code enough} holds for the rounds so far, writes one line to its input and reads {@code
     * linesPerRound} lines of its output, noting when each round was sent and answered; then closes
     * its input. For measuring the host's clock against the runner's with the round trip known
     * (issue 15). Fewer rounds come back when the command ended early; none past {@code timeout}.
     *
     * @throws HostUnreachable when the command could not be started or the connection is lost
     */
    default List<Exchange> converse(
            String command,
            int rounds,
            int linesPerRound,
            Predicate<List<Exchange>> enough,
            Duration timeout)
            throws HostUnreachable, InterruptedException {
        throw new HostUnreachable(
                HostUnreachable.Cause.SSH_ERROR,
                "this connection cannot hold a conversation (" + describe() + ")");
    }

    /**
     * A connection through this one to {@code host:port} as the host sees it (an SSH {@code
     * direct-tcpip} channel, as {@code ssh -W} opens), for probes of services only the host can
     * reach. Nothing listens on the runner for it (issue 14). Closing the socket ends the channel.
     *
     * @throws HostUnreachable when the host does not open it (nothing answers there, or its sshd
     *     refuses TCP forwarding)
     */
    default Socket openTunnel(String host, int port, Duration timeout) throws HostUnreachable {
        throw new HostUnreachable(
                HostUnreachable.Cause.SSH_ERROR,
                "this connection cannot open tunnels (" + describe() + ")");
    }

    /** How the host is reached, for reports: {@code ssh ops@203.0.113.10:22 via bastion}. */
    String describe();

    /** The SHA256 fingerprint of the host key that was accepted, for SSH connections. */
    Optional<String> hostKeyFingerprint();

    /** Closes the connection; safe to call twice and from another thread to abort a run. */
    @Override
    void close();
}
