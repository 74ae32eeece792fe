package dev.postflight.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * This machine as a host ({@code --local}): commands run through {@code /bin/sh -c}, like the login
 * shell would run them over SSH, so the same batched probe works on both.
 */
public final class LocalConnection implements HostConnection {

    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private final long maxOutput;
    private volatile boolean closed;

    /** This machine, with the default cap on what one exec may print. */
    public LocalConnection() {
        this(ExecResult.DEFAULT_MAX_OUTPUT);
    }

    /** This machine; an exec printing more than {@code maxOutput} bytes in all is ended. */
    public LocalConnection(long maxOutput) {
        if (maxOutput <= 0)
            throw new IllegalArgumentException("maxOutput (" + maxOutput + ") must be positive");
        this.maxOutput = maxOutput;
    }

    @Override
    public ExecResult exec(String command, byte[] stdin, Duration timeout)
            throws HostUnreachable, InterruptedException {
        if (closed) {
            throw new HostUnreachable(
                    HostUnreachable.Cause.CONNECTION_LOST, "local connection was closed");
        }
        Instant sent = Instant.now();
        Process process = start(command);
        try {
            Thread writer = Thread.ofVirtual().start(() -> feed(process.getOutputStream(), stdin));
            OutputCap cap = new OutputCap(maxOutput, () -> kill(process));
            Drain stdout = Drain.start(process.getInputStream(), cap);
            Drain stderr = Drain.start(process.getErrorStream(), cap);
            boolean ended = process.waitFor(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            Instant received = Instant.now();
            if (cap.exceeded() || !ended || closed) {
                // Cut off at the output cap, or at the timeout (or closed under it).
                kill(process);
                stdout.join(Duration.ofSeconds(1));
                stderr.join(Duration.ofSeconds(1));
                writer.interrupt();
                return new ExecResult(
                        OptionalInt.empty(),
                        stdout.bytes(),
                        stderr.bytes(),
                        sent,
                        received,
                        !cap.exceeded(),
                        stdout.sink().firstAt(),
                        cap.exceeded() ? OptionalLong.of(cap.max()) : OptionalLong.empty());
            }
            // A background child may still hold the output open; it gets what time is left.
            stdout.join(Duration.between(Instant.now(), sent.plus(timeout)));
            stderr.join(Duration.between(Instant.now(), sent.plus(timeout)));
            return new ExecResult(
                    OptionalInt.of(process.exitValue()),
                    stdout.bytes(),
                    stderr.bytes(),
                    sent,
                    received,
                    false,
                    stdout.sink().firstAt());
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        } finally {
            running.remove(process);
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
        Process process = start(command);
        try (Alarm alarm = Alarm.at(Instant.now().plus(timeout), () -> kill(process))) {
            List<Exchange> done =
                    Conversation.rounds(
                            process.getInputStream(),
                            process.getOutputStream(),
                            rounds,
                            linesPerRound,
                            enough);
            return alarm.rang() ? List.of() : done;
        } catch (IOException e) {
            return List.of();
        } finally {
            kill(process);
            running.remove(process);
        }
    }

    /** Starts {@code command} with {@code /bin/sh -c}, as a login shell would run it. */
    private Process start(String command) throws HostUnreachable {
        try {
            Process process = new ProcessBuilder("/bin/sh", "-c", command).start();
            running.add(process);
            return process;
        } catch (IOException e) {
            throw new HostUnreachable(
                    HostUnreachable.Cause.SSH_ERROR, "cannot start /bin/sh: " + e.getMessage(), e);
        }
    }

    private static void feed(OutputStream in, byte[] stdin) {
        try (in) {
            in.write(stdin);
        } catch (IOException e) {
            // The command exited without reading all of its input; that is its choice.
        }
    }

    /** How long a command has to end on TERM before what is left of it is killed. */
    private static final Duration TERM_GRACE = Duration.ofMillis(500);

    /** Ends the command and everything it started, TERM first (see {@link ProcessTrees#end}). */
    private static void kill(Process process) {
        ProcessTrees.end(process, TERM_GRACE);
    }

    @Override
    public String describe() {
        return "local";
    }

    @Override
    public Optional<String> hostKeyFingerprint() {
        return Optional.empty();
    }

    @Override
    public void close() {
        closed = true;
        running.forEach(LocalConnection::kill);
    }

    /** Reads one output stream to its end, or to the exec's cap, on a virtual thread. */
    private record Drain(Thread thread, StampedOutput sink) {

        static Drain start(InputStream from, OutputCap cap) {
            StampedOutput sink = new StampedOutput(cap);
            Thread thread =
                    Thread.ofVirtual()
                            .start(() -> {
                                try (from) {
                                    byte[] buffer = new byte[8192];
                                    int n;
                                    while (!cap.exceeded() && (n = from.read(buffer)) >= 0) {
                                        sink.write(buffer, 0, n);
                                    }
                                } catch (IOException e) {
                                    // The stream closed under us: the command was
                                    // killed; what was read so far is the output.
                                }
                            });
            return new Drain(thread, sink);
        }

        void join(Duration limit) throws InterruptedException {
            thread.join(limit.isNegative() ? Duration.ZERO : limit);
        }

        byte[] bytes() {
            return sink.toByteArray();
        }
    }
}
