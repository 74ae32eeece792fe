package dev.postflight.transport;

import java.time.Instant;
import java.util.OptionalInt;

/**
 * What one exec on a host gave back: its exit status (empty when the command never reported one,
 * e.g. it was killed at the deadline), both output streams, and the runner's own instants of
 * sending the command and of receiving its end (the clock check corrects by their midpoint).
 */
public record ExecResult(
        OptionalInt exitStatus,
        byte[] stdout,
        byte[] stderr,
        Instant sent,
        Instant received,
        boolean timedOut) {}
