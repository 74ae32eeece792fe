package dev.postflight.run;

import dev.postflight.check.HostTime;
import dev.postflight.input.Durations;
import dev.postflight.transport.ExecResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * How one exec of the probe batch is read: where the host's clock falls, why outputs are missing.
 */
final class BatchReading {
    private BatchReading() {}

    /**
     * Where the host read its clock, on the runner's clock: after the command was sent, and before
     * its first output arrived when the clock line was that first output (else before the whole
     * exec ended: a login banner came first, so only the looser bound is honest).
     */
    static HostTime hostTime(HostClock clock, ExecResult r) {
        Instant latest = clock.first() ? r.firstOutput().orElse(r.received()) : r.received();
        return new HostTime(
                clock.time(), clock.resolution(), clock.resolutionName(), r.sent(), latest);
    }

    /** Why the on-host checks of a batch that did not come back whole have no output. */
    static String missing(ProbeBatch.Outputs outputs, ExecResult r, Duration execTimeout) {
        if (r.timedOut())
            return "probe batch did not finish within " + Durations.format(execTimeout);
        if (!framingBroken(outputs, r)) {
            String err = new String(r.stderr(), StandardCharsets.UTF_8).strip();
            return "probe batch ended early"
                    + r.exitStatus().stream()
                            .mapToObj(s -> " (exit " + s + ")")
                            .findFirst()
                            .orElse("")
                    + (err.isEmpty() ? "" : ": " + lastLine(err));
        }
        return "probe output framing broken: " + outputs.problem().orElse("incomplete");
    }

    /**
     * True when the batch's output is not what a batch prints: bytes out of frame, or a stream cut
     * short although the batch ended well. A batch that timed out or failed merely ended early.
     */
    static boolean framingBroken(ProbeBatch.Outputs outputs, ExecResult r) {
        if (outputs.complete() || r.timedOut()) return false;
        boolean failed = r.exitStatus().isEmpty() || r.exitStatus().getAsInt() != 0;
        return !(outputs.truncated() && failed);
    }

    /** A byte count as the cap is written: {@code 16 MiB}, {@code 512 KiB}, {@code 1000 bytes}. */
    static String bytes(long n) {
        if (n >= 1L << 20 && n % (1L << 20) == 0) return (n >> 20) + " MiB";
        if (n >= 1L << 10 && n % (1L << 10) == 0) return (n >> 10) + " KiB";
        return n + (n == 1 ? " byte" : " bytes");
    }

    static String lastLine(String s) {
        int nl = s.lastIndexOf('\n');
        return nl < 0 ? s : s.substring(nl + 1);
    }
}
