package dev.postflight.check;

/** The outcome of one check on one host, worst last so that {@code max} finds the worst. */
public enum Status {
    PASS("pass"),
    /** Failed, then put right by an approved fix and verified again. */
    FIXED("fixed"),
    SKIP("skip"),
    WARN("warn"),
    FAIL("fail"),
    ERROR("error");

    private final String word;

    Status(String word) {
        this.word = word;
    }

    /** The lowercase word used in reports and JSON. */
    public String word() {
        return word;
    }

    public Status worse(Status other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
