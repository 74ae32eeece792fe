package dev.postflight.input;

/**
 * A count with its noun, for every message a person reads: "1 fix", "2 fixes", "1 host", "0 steps"
 * (issue 19: "1 fixes", "all 1 steps", "fix(es) on host(s)" made a careful tool look careless). The
 * nouns postflight counts take -es after s, x, ch and sh, else -s.
 */
public final class Plural {
    private Plural() {}

    public static String of(long n, String noun) {
        if (n == 1) return n + " " + noun;
        boolean es =
                noun.endsWith("s")
                        || noun.endsWith("x")
                        || noun.endsWith("ch")
                        || noun.endsWith("sh");
        return n + " " + noun + (es ? "es" : "s");
    }
}
