package dev.postflight.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A probe's {@code key=value} output lines, read once: a key may repeat (one line per file, port,
 * unit…). A line without {@code =}, or starting with it, is not a value. Values are kept as
 * printed, up to the line's end; callers strip where blanks do not matter.
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
            if (eq <= 0) continue;
            values.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>())
                    .add(line.substring(eq + 1));
        }
        return new KeyValues(values);
    }

    /** The value of the first line with this key. */
    Optional<String> first(String key) {
        List<String> all = values.get(key);
        return all == null ? Optional.empty() : Optional.of(all.get(0));
    }

    /** The values of every line with this key, in output order. */
    List<String> all(String key) {
        return List.copyOf(values.getOrDefault(key, List.of()));
    }

    /** The first value of {@code key} without surrounding blanks (a CR of a CRLF host too). */
    Optional<String> text(String key) {
        return first(key).map(String::strip);
    }

    /**
     * The first value of {@code key} as a whole number; missing or not a number is unreadable
     * output: "{@code what}: KEY is unreadable (VALUE)".
     */
    long number(String key, String what) throws Probe.Unreadable {
        String v = text(key).orElse("");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new Probe.Unreadable(what + ": " + key + " is unreadable (" + v + ")");
        }
    }
}
