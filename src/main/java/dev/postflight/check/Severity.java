package dev.postflight.check;

/** Whether a failing check fails the run (critical) or only warns. */
public enum Severity {
    CRITICAL,
    WARNING;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
