package dev.postflight.check;

import java.nio.charset.StandardCharsets;

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

    static String lastLine(String s) {
        String t = s.strip();
        int nl = t.lastIndexOf('\n');
        return nl < 0 ? t : t.substring(nl + 1);
    }
}
