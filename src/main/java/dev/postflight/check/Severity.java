package dev.postflight.check;

import java.util.Locale;

/** Whether a failing check fails the run (critical) or only warns. */
public enum Severity {
    CRITICAL,
    WARNING;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
