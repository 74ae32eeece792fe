package dev.postflight.transport;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What one exec on a host gave back: its exit status (empty when the command never reported one,
 * e.g. it was killed at the deadline), both output streams, and the runner's own instants of
 * sending the command, of receiving its first stdout byte, and of receiving its end. The clock
 * check bounds the moment the host read its clock by these instants.
 */
public record ExecResult(
        OptionalInt exitStatus,
        byte[] stdout,
        byte[] stderr,
        Instant sent,
        Instant received,
        boolean timedOut,
        Optional<Instant> firstOutput) {}
