package dev.postflight.check;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** What one host probe gave back inside the batch. */
public record ProbeOutput(int exitCode, byte[] stdout, byte[] stderr, boolean timedOut) {
    /** The conventional exit code of a shell for "command not found". */
    public static final int NOT_FOUND = 127;

    public String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String err() {
        return new String(stderr, StandardCharsets.UTF_8).strip();
    }

    /**
     * The error verdict when the probe could not do its work at all (timed out on the host, or a
     * tool it needs is missing); empty when it ran. Never a pass: see DESIGN §5.
     */
    public Optional<Verdict> didNotRun(String what) {
        if (timedOut) return Optional.of(Verdict.error(what + ": probe timed out on the host"));
        if (exitCode == NOT_FOUND) {
            String e = err();
            return Optional.of(
                    Verdict.error(what + ": " + (e.isEmpty() ? "command not found" : lastLine(e))));
        }
        return Optional.empty();
    }

    static String lastLine(String s) {
        String t = s.strip();
        int nl = t.lastIndexOf('\n');
        return nl < 0 ? t : t.substring(nl + 1);
    }
}
