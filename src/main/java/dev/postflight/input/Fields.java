package dev.postflight.input;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Typed, template-expanding access to the keys of one mapping in a check file. Each check type
 * reads the keys it knows; whatever the user wrote that no one read is reported as an unknown key
 * with the nearest valid one, so a typo never silently disables a check. Every mistake is collected
 * with its {@code FILE:LINE:COL}; a missing or wrong value reads as empty so parsing goes on and
 * all errors are shown at once.
 */
public final class Fields {
    private final Node.Mapping map;
    private final String context;
    private final Map<String, Optional<String>> vars;
    private final Problems problems;
    private final Set<String> known = new LinkedHashSet<>();
    private final int problemsBefore;
    private boolean usedPlaceholder;

    public Fields(
            Node.Mapping map,
            String context,
            Map<String, Optional<String>> vars,
            Problems problems) {
        this.map = map;
        this.context = context;
        this.vars = vars;
        this.problems = problems;
        this.problemsBefore = problems.size();
    }

    public Location location() {
        return map.location();
    }

    public Location locationOf(String key) {
        Node.Entry e = map.entries().get(key);
        return e == null ? map.location() : e.value().location();
    }

    public boolean has(String key) {
        known.add(key);
        return map.entries().containsKey(key);
    }

    /** Reports a problem with the value of {@code key}. */
    public void error(String key, String message) {
        problems.add(locationOf(key), key + ": " + message);
    }

    /** Reports a problem with the mapping as a whole. */
    public void error(String message) {
        problems.add(map.location(), context + ": " + message);
    }

    public Optional<String> text(String key) {
        return expanded(key, "a string", Template.Quoting.NONE);
    }

    public String requiredText(String key) {
        Optional<String> v = text(key);
        if (v.isEmpty() && !map.entries().containsKey(key)) missing(key);
        return v.orElse("");
    }

    /**
     * A shell command: its values are assigned to shell variables on a first line and its templates
     * become references to them (see {@link ShellTemplate}).
     */
    public Optional<String> command(String key) {
        return expanded(key, "a command", Template.Quoting.SHELL);
    }

    public String requiredCommand(String key) {
        Optional<String> v = command(key);
        if (v.isEmpty() && !map.entries().containsKey(key)) missing(key);
        return v.orElse("");
    }

    public Optional<Duration> duration(String key) {
        return expanded(key, "a duration", Template.Quoting.NONE)
                .flatMap(s -> {
                    Optional<Duration> d = Durations.parse(s);
                    if (d.isEmpty()) {
                        error(
                                key,
                                "'"
                                        + s
                                        + "' is not a duration; write e.g. 250ms, 30s,"
                                        + " 5m, 26h or 7d");
                    }
                    return d;
                });
    }

    public Optional<Amount> amount(String key) {
        return expanded(key, "a size", Template.Quoting.NONE)
                .flatMap(s -> {
                    Optional<Amount> a = Amount.parse(s);
                    if (a.isEmpty()) {
                        error(key, "'" + s + "' is not a size; write e.g. 80% or 512M");
                    }
                    return a;
                });
    }

    public Optional<Integer> integer(String key) {
        return expanded(key, "a whole number", Template.Quoting.NONE)
                .flatMap(s -> {
                    try {
                        return Optional.of(Integer.parseInt(s.trim()));
                    } catch (NumberFormatException e) {
                        error(key, "'" + s + "' is not a whole number");
                        return Optional.empty();
                    }
                });
    }

    /** A number such as {@code 1.5} (not negative). */
    public Optional<Double> decimal(String key) {
        return expanded(key, "a number", Template.Quoting.NONE)
                .flatMap(s -> {
                    String t = s.trim();
                    if (t.matches("\\d+(\\.\\d+)?")) return Optional.of(Double.parseDouble(t));
                    error(key, "'" + s + "' is not a number like 1.5");
                    return Optional.empty();
                });
    }

    public Optional<Boolean> bool(String key) {
        return expanded(key, "true or false", Template.Quoting.NONE)
                .flatMap(s ->
                        switch (s.trim().toLowerCase(Locale.ROOT)) {
                            case "true", "yes" -> Optional.of(true);
                            case "false", "no" -> Optional.of(false);
                            default -> {
                                error(key, "'" + s + "' is not true or false");
                                yield Optional.empty();
                            }
                        });
    }

    /** One of {@code allowed}, case-sensitive as documented. */
    public Optional<String> choice(String key, List<String> allowed) {
        return text(key)
                .flatMap(s -> {
                    if (allowed.contains(s)) return Optional.of(s);
                    error(
                            key,
                            "'"
                                    + s
                                    + "' is not one of "
                                    + String.join(", ", allowed)
                                    + Suggest.nearest(s, allowed)
                                            .map(n -> " (did you mean '" + n + "'?)")
                                            .orElse(""));
                    return Optional.empty();
                });
    }

    public Optional<Pattern> regex(String key) {
        return text(key)
                .flatMap(s -> {
                    try {
                        return Optional.of(Pattern.compile(s, Pattern.MULTILINE));
                    } catch (PatternSyntaxException e) {
                        error(key, "invalid regular expression: " + e.getDescription());
                        return Optional.empty();
                    }
                });
    }

    /** A single value or a list of values, each a string. */
    public List<String> textList(String key) {
        known.add(key);
        Node.Entry e = map.entries().get(key);
        if (e == null) return List.of();
        List<String> out = new ArrayList<>();
        if (e.value() instanceof Node.Sequence seq) {
            for (Node item : seq.items()) {
                if (item instanceof Node.Scalar s && s.type() != Node.ScalarType.NULL) {
                    out.add(
                            Template.expand(
                                    s.text(), vars, Template.Quoting.NONE, s.location(), problems));
                } else {
                    problems.add(item.location(), key + ": expected a value, found " + item.kind());
                }
            }
        } else if (e.value() instanceof Node.Scalar s && s.type() != Node.ScalarType.NULL) {
            out.add(Template.expand(s.text(), vars, Template.Quoting.NONE, s.location(), problems));
        } else {
            problems.add(
                    e.value().location(),
                    key + ": expected a value or a list, found " + e.value().kind());
        }
        return out;
    }

    public List<Integer> integerList(String key) {
        List<Integer> out = new ArrayList<>();
        for (String s : textList(key)) {
            try {
                out.add(Integer.parseInt(s.trim()));
            } catch (NumberFormatException ex) {
                error(key, "'" + s + "' is not a whole number");
            }
        }
        return out;
    }

    /** A mapping of names to string values, e.g. HTTP headers. */
    public Map<String, String> textMap(String key) {
        known.add(key);
        Node.Entry e = map.entries().get(key);
        if (e == null) return Map.of();
        if (!(e.value() instanceof Node.Mapping m)) {
            problems.add(
                    e.value().location(), key + ": expected a mapping, found " + e.value().kind());
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Node.Entry item : m.entries().values()) {
            if (item.value() instanceof Node.Scalar s && s.type() != Node.ScalarType.NULL) {
                out.put(
                        item.key(),
                        Template.expand(
                                s.text(), vars, Template.Quoting.NONE, s.location(), problems));
            } else {
                problems.add(
                        item.value().location(),
                        key
                                + "."
                                + item.key()
                                + ": expected a value, found "
                                + item.value().kind());
            }
        }
        return out;
    }

    /** A nested mapping, e.g. a step's {@code service: {...}}. */
    public Optional<Fields> mapping(String key, String nestedContext) {
        known.add(key);
        Node.Entry e = map.entries().get(key);
        if (e == null) return Optional.empty();
        if (e.value() instanceof Node.Mapping m) {
            return Optional.of(new Fields(m, nestedContext, vars, problems));
        }
        problems.add(e.value().location(), key + ": expected a mapping, found " + e.value().kind());
        return Optional.empty();
    }

    /** Reports the keys nobody read, with the nearest known key. Call once after reading. */
    public void finish() {
        for (Node.Entry e : map.entries().values()) {
            if (known.contains(e.key())) continue;
            String hint =
                    Suggest.nearest(e.key(), known)
                            .map(n -> "did you mean '" + n + "'?")
                            .orElse("valid keys: " + String.join(", ", known));
            problems.add(
                    e.keyLocation(),
                    "unknown key '" + e.key() + "' in " + context + " (" + hint + ")");
        }
    }

    /**
     * Runs a self-validating constructor; its message becomes an error at this mapping. When
     * reading the keys already failed, the constructor is not run: its complaint would only echo
     * the first error (e.g. a url still holding an unresolved template).
     */
    public <T> Optional<T> build(Supplier<T> constructor) {
        if (problems.size() > problemsBefore) return Optional.empty();
        if (usedPlaceholder) return Optional.empty();
        try {
            return Optional.of(constructor.get());
        } catch (IllegalArgumentException e) {
            problems.add(map.location(), context + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<String> scalar(String key, String expected) {
        known.add(key);
        Node.Entry e = map.entries().get(key);
        if (e == null) return Optional.empty();
        if (e.value() instanceof Node.Scalar s && s.type() != Node.ScalarType.NULL) {
            return Optional.of(s.text());
        }
        problems.add(
                e.value().location(),
                key + ": expected " + expected + ", found " + e.value().kind());
        return Optional.empty();
    }

    private Optional<String> expanded(String key, String expected, Template.Quoting quoting) {
        Location at = locationOf(key);
        return scalar(key, expected)
                .map(s -> Template.expand(s, vars, quoting, at, problems))
                .map(this::notePlaceholder);
    }

    /**
     * For lint and list, vars without a value stand as {@code <name>}; a value built from one
     * cannot meet a record's rules (a url must start with http://), so those are not checked.
     */
    private String notePlaceholder(String value) {
        for (Map.Entry<String, Optional<String>> v : vars.entrySet()) {
            String placeholder = "<" + v.getKey() + ">";
            if (v.getValue().filter(placeholder::equals).isPresent()
                    && value.contains(placeholder)) {
                usedPlaceholder = true;
            }
        }
        return value;
    }

    private void missing(String key) {
        problems.add(map.location(), context + ": missing required key '" + key + "'");
    }
}
