package dev.postflight.transport;

import java.util.Locale;

/**
 * The host field of a known_hosts line as OpenSSH matches it: comma-separated patterns with {@code
 * *} and {@code ?}, a leading {@code !} negating (a negated match rejects the line whatever else
 * matches). Hashed names ({@code |1|…}) never match here; JSch matches those.
 */
final class HostPatterns {
    private HostPatterns() {}

    static boolean matches(String patterns, String host) {
        String name = host.toLowerCase(Locale.ROOT);
        boolean matched = false;
        for (String raw : patterns.split(",")) {
            String pattern = raw.strip().toLowerCase(Locale.ROOT);
            boolean negated = pattern.startsWith("!");
            if (negated) pattern = pattern.substring(1);
            if (pattern.isEmpty() || pattern.startsWith("|")) continue;
            if (glob(pattern, 0, name, 0)) {
                if (negated) return false;
                matched = true;
            }
        }
        return matched;
    }

    private static boolean glob(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (glob(p, pi + 1, s, k)) return true;
                }
                return false;
            }
            if (si >= s.length() || (c != '?' && c != s.charAt(si))) return false;
            pi++;
            si++;
        }
        return si == s.length();
    }
}
