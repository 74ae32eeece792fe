package dev.postflight.input;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the valid word a user most likely meant, for "did you mean" hints. */
public final class Suggest {
    private Suggest() {}

    public static Optional<String> nearest(String typed, Collection<String> valid) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String v : valid) {
            int d = distance(typed.toLowerCase(Locale.ROOT), v.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = v;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, typed.length() / 3);
        return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** {@code " (did you mean 'x'?)"} for the nearest valid word, or nothing. */
    public static String didYouMean(String typed, Collection<String> valid) {
        return nearest(typed, valid).map(s -> " (did you mean '" + s + "'?)").orElse("");
    }

    /** Damerau-free Levenshtein distance, enough for typos in key names. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
