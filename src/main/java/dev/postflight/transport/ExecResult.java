package dev.postflight.transport;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What one exec on a host gave back: its exit status (empty when the command never reported one,
 * e.g. it was killed at the deadline), both output streams, and the runner's own instants of
 * sending the command, of receiving its first stdout byte, and of receiving its end. The clock
 * check bounds the moment the host read its clock by these instants. {@code cutOffAt} is the cap in
 * bytes when the output passed it: the command was then ended and its output is incomplete.
 */
public record ExecResult(
        OptionalInt exitStatus,
        byte[] stdout,
        byte[] stderr,
        Instant sent,
        Instant received,
        boolean timedOut,
        Optional<Instant> firstOutput,
        OptionalLong cutOffAt) {

    /** Output collected by default per exec, stdout and stderr together: 16 MiB. */
    public static final long DEFAULT_MAX_OUTPUT = 16L << 20;

    public ExecResult(
            OptionalInt exitStatus,
            byte[] stdout,
            byte[] stderr,
            Instant sent,
            Instant received,
            boolean timedOut,
            Optional<Instant> firstOutput) {
        this(
                exitStatus,
                stdout,
                stderr,
                sent,
                received,
                timedOut,
                firstOutput,
                OptionalLong.empty());
    }
}
