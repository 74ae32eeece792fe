package dev.postflight.transport;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Optional;

/**
 * Collects a command's stdout and notes when its first byte arrived. The batched probe script
 * prints the host's clock as its very first output, so that arrival instant bounds when the host
 * read its clock far more tightly than the end of the whole exec does (issue: clock check). What it
 * keeps counts against the exec's {@link OutputCap}.
 */
final class StampedOutput extends ByteArrayOutputStream {
    private final OutputCap cap;
    private volatile Instant first;

    StampedOutput(OutputCap cap) {
        this.cap = cap;
    }

    @Override
    public synchronized void write(int b) {
        stamp();
        if (cap.admit(1) == 1) super.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (len > 0) stamp();
        super.write(b, off, cap.admit(len));
    }

    private void stamp() {
        if (first == null) first = Instant.now();
    }

    Optional<Instant> firstAt() {
        return Optional.ofNullable(first);
    }
}
