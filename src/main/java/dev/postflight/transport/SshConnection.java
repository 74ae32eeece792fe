package dev.postflight.transport;

import com.jcraft.jsch.ChannelDirectTCPIP;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * One authenticated SSH session to a host, and the jump session under it if any. All on-host probes
 * of a host go through one {@link #exec} on it (DESIGN §5: one round trip per host).
 */
final class SshConnection implements HostConnection {

    /** How long a closed channel may wait for JSch to mark its session down, to tell a drop. */
    private static final Duration DROP_NOTICE = Duration.ofMillis(500);

    private final ResolvedTarget target;
    private final Session session;
    private final Transport transport;
    private final String fingerprint;
    private final Optional<SshConnection> jump;
    private final long maxOutput;
    private volatile boolean closed;

    SshConnection(
            ResolvedTarget target,
            Session session,
            Transport transport,
            String fingerprint,
            Optional<SshConnection> jump,
            long maxOutput) {
        this.target = target;
        this.session = session;
        this.transport = transport;
        this.fingerprint = fingerprint;
        this.jump = jump;
        this.maxOutput = maxOutput;
    }

    Session session() {
        return session;
    }

    @Override
    public Socket openTunnel(String host, int port, Duration timeout) throws HostUnreachable {
        ChannelDirectTCPIP channel;
        try {
            channel = (ChannelDirectTCPIP) session.openChannel("direct-tcpip");
        } catch (JSchException e) {
            throw lost("before a tunnel to " + host + ":" + port + " was opened", e);
        }
        channel.setHost(host);
        channel.setPort(port);
        try {
            InputStream in = channel.getInputStream();
            OutputStream out = channel.getOutputStream();
            channel.connect(
                    Math.toIntExact(Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()))));
            return new ChannelSocket(channel, in, out);
        } catch (JSchException | IOException e) {
            channel.disconnect();
            throw new HostUnreachable(
                    HostUnreachable.Cause.SSH_ERROR,
                    target.endpoint()
                            + " did not open a connection to "
                            + host
                            + ":"
                            + port
                            + " ("
                            + e.getMessage()
                            + ")",
                    e);
        }
    }

    String alias() {
        return target.alias();
    }

    @Override
    public ExecResult exec(String command, byte[] stdin, Duration timeout)
            throws HostUnreachable, InterruptedException {
        Instant limit = Instant.now().plus(timeout);
        ChannelExec channel;
        try {
            channel = (ChannelExec) session.openChannel("exec");
        } catch (JSchException e) {
            throw lost("before the command was sent", e);
        }
        channel.setCommand(command);
        channel.setInputStream(new ByteArrayInputStream(stdin));
        ChannelEnd stderr = new ChannelEnd(maxOutput);
        StampedOutput stdout = new StampedOutput(stderr.cap());
        channel.setOutputStream(stdout);
        channel.setExtOutputStream(stderr);

        Instant sent = Instant.now();
        try {
            channel.connect(Math.toIntExact(Math.max(1, timeout.toMillis())));
        } catch (JSchException e) {
            channel.disconnect();
            if (closed) {
                return timedOut(stdout, stderr, sent);
            }
            if (sessionDropped()) {
                throw lost("while sending the command", e);
            }
            throw new HostUnreachable(
                    HostUnreachable.Cause.SSH_ERROR,
                    target.endpoint() + " did not run the command: " + e.getMessage(),
                    e);
        }
        boolean ended;
        try {
            ended = stderr.await(Duration.between(Instant.now(), limit));
        } catch (InterruptedException e) {
            channel.disconnect();
            throw e;
        }
        if (stderr.cap().exceeded()) {
            // Stop reading: whatever else the host sends is dropped with the channel.
            end(channel);
            return cutOff(stdout, stderr, sent);
        }
        if (!ended) {
            end(channel);
            return timedOut(stdout, stderr, sent);
        }
        Instant received = stderr.closedAt().orElseGet(Instant::now);
        int status = channel.getExitStatus();
        if (status >= 0) {
            return new ExecResult(
                    OptionalInt.of(status),
                    stdout.toByteArray(),
                    stderr.toByteArray(),
                    sent,
                    received,
                    false,
                    stdout.firstAt());
        }
        if (closed) {
            // close() from another thread: the runner gave up on this host at its --timeout.
            return timedOut(stdout, stderr, sent);
        }
        if (sessionDropped()) {
            throw lost("while the command ran (no exit status)", null);
        }
        // Ended by a signal: the server sent exit-signal instead of an exit status.
        return new ExecResult(
                OptionalInt.empty(),
                stdout.toByteArray(),
                stderr.toByteArray(),
                sent,
                received,
                false,
                stdout.firstAt());
    }

    @Override
    public List<Exchange> converse(
            String command,
            int rounds,
            int linesPerRound,
            Predicate<List<Exchange>> enough,
            Duration timeout)
            throws HostUnreachable, InterruptedException {
        Instant limit = Instant.now().plus(timeout);
        ChannelExec channel;
        InputStream in;
        OutputStream out;
        try {
            channel = (ChannelExec) session.openChannel("exec");
            channel.setCommand(command);
            in = channel.getInputStream();
            out = channel.getOutputStream();
            channel.connect(Math.toIntExact(Math.max(1, timeout.toMillis())));
        } catch (JSchException | IOException e) {
            if (sessionDropped()) throw lost("before the conversation", e);
            throw new HostUnreachable(
                    HostUnreachable.Cause.SSH_ERROR,
                    target.endpoint() + " did not run the command: " + e.getMessage(),
                    e);
        }
        // The reads block; at the deadline the channel is closed under them.
        try (Alarm alarm = Alarm.at(limit, channel::disconnect)) {
            List<Exchange> done = Conversation.rounds(in, out, rounds, linesPerRound, enough);
            return alarm.rang() ? List.of() : done;
        } catch (IOException e) {
            if (sessionDropped()) throw lost("during the conversation", e);
            return List.of();
        } finally {
            end(channel);
        }
    }

    private static void end(ChannelExec channel) {
        try {
            channel.sendSignal("KILL");
        } catch (Exception e) {
            // Best effort: many servers ignore signals; closing the channel below still ends it.
        }
        channel.disconnect();
    }

    private static ExecResult timedOut(StampedOutput stdout, ChannelEnd stderr, Instant sent) {
        return cutShort(stdout, stderr, sent, true);
    }

    private static ExecResult cutOff(StampedOutput stdout, ChannelEnd stderr, Instant sent) {
        return cutShort(stdout, stderr, sent, false);
    }

    /** A command ended early: at its timeout, or (not timed out) at the output cap. */
    private static ExecResult cutShort(
            StampedOutput stdout, ChannelEnd stderr, Instant sent, boolean timedOut) {
        return new ExecResult(
                OptionalInt.empty(),
                stdout.toByteArray(),
                stderr.toByteArray(),
                sent,
                Instant.now(),
                timedOut,
                stdout.firstAt(),
                timedOut ? OptionalLong.empty() : OptionalLong.of(stderr.cap().max()));
    }

    /**
     * True when the session itself is gone. JSch closes the channels of a dropped session before it
     * marks the session down, so a short grace period separates "the channel closed" from "the
     * connection died".
     */
    private boolean sessionDropped() throws InterruptedException {
        Instant until = Instant.now().plus(DROP_NOTICE);
        while (Instant.now().isBefore(until)) {
            if (!session.isConnected() || transport.watch().map(BannerWatch::ended).orElse(true)) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    private HostUnreachable lost(String when, Exception cause) {
        String message = "connection to " + target.endpoint() + " lost " + when;
        return cause == null
                ? new HostUnreachable(HostUnreachable.Cause.CONNECTION_LOST, message)
                : new HostUnreachable(HostUnreachable.Cause.CONNECTION_LOST, message, cause);
    }

    @Override
    public String describe() {
        return target.describe();
    }

    @Override
    public Optional<String> hostKeyFingerprint() {
        return Optional.of(fingerprint);
    }

    @Override
    public void close() {
        closed = true;
        session.disconnect();
        transport.close();
        jump.ifPresent(SshConnection::close);
    }
}
