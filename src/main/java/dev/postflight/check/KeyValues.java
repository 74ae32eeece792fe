package dev.postflight.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code key=value} lines a host snippet printed: the one reader of that output, so every check
 * type splits it the same way. A line's key is what precedes its first {@code =} (trimmed), its
 * value the rest (stripped); lines without a key are ignored.
 */
final class KeyValues {
    private final Map<String, List<String>> values;

    private KeyValues(Map<String, List<String>> values) {
        this.values = values;
    }

    static KeyValues parse(String out) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.computeIfAbsent(line.substring(0, eq).trim(), k -> new ArrayList<>())
                        .add(line.substring(eq + 1).strip());
            }
        }
        return new KeyValues(values);
    }

    /** The value of the first line with this key. */
    Optional<String> first(String key) {
        return all(key).stream().findFirst();
    }

    /** The values of every line with this key, in output order. */
    List<String> all(String key) {
        return List.copyOf(values.getOrDefault(key, List.of()));
    }
}
