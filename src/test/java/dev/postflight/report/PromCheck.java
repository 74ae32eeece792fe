package dev.postflight.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4) as node_exporter's
 * textfile collector reads it, because no Java Prometheus library parses text: client_java only
 * writes it. It rejects a bad metric or label name, a label value with an escape other than {@code
 * \\}, {@code \"} or {@code \n}, a value Go's ParseFloat would not read, a timestamp (the textfile
 * collector refuses them), HELP or TYPE after a family's samples or twice, a family split into two
 * groups, a repeated label and a duplicate series. Blank lines are rejected too: we never write
 * one.
 */
final class PromCheck {

    /** One sample: metric name, labels in written order, value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    record Result(List<Sample> samples, Map<String, String> types, List<String> problems) {}

    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT =
            Pattern.compile(
                    "[+-]?(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|Inf)|NaN");
    private static final Set<String> TYPES =
            Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private final List<String> problems = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> types = new LinkedHashMap<>();
    private final Set<String> helped = new HashSet<>();
    private final Set<String> sampled = new HashSet<>();
    private final Set<String> series = new HashSet<>();
    private String current = "";

    private PromCheck() {}

    static Result read(String text) {
        PromCheck c = new PromCheck();
        if (!text.isEmpty() && !text.endsWith("\n")) c.problems.add("no final line break");
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) c.line(i + 1 + ": ", lines[i]);
        return new Result(c.samples, c.types, c.problems);
    }

    private void line(String at, String line) {
        if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
            String[] p = line.substring(7).split(" ", 2);
            String name = p[0];
            if (!METRIC.matcher(name).matches()) problems.add(at + "bad metric name " + name);
            if (sampled.contains(name)) problems.add(at + "HELP or TYPE after samples of " + name);
            enter(at, name);
            if (line.startsWith("# HELP ")) {
                if (!helped.add(name)) problems.add(at + "second HELP for " + name);
                if (p.length < 2 || !validHelp(p[1])) problems.add(at + "bad HELP text");
            } else if (p.length < 2 || !TYPES.contains(p[1])) {
                problems.add(at + "bad TYPE " + line);
            } else if (types.put(name, p[1]) != null) {
                problems.add(at + "second TYPE for " + name);
            }
        } else if (line.startsWith("#")) {
            return;
        } else {
            sample(at, line);
        }
    }

    /** A family's lines must be one group: once another family starts it may not come back. */
    private void enter(String at, String name) {
        if (name.equals(current)) return;
        if (helped.contains(name) || types.containsKey(name) || sampled.contains(name))
            problems.add(at + name + " is split into two groups");
        current = name;
    }

    private void sample(String at, String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
        String name = line.substring(0, i);
        if (!METRIC.matcher(name).matches()) {
            problems.add(at + "not a sample: " + line);
            return;
        }
        enter(at, name);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (i < line.length() && line.charAt(i) != '}') {
                int eq = line.indexOf("=\"", i);
                if (eq < 0) {
                    problems.add(at + "bad label syntax: " + line);
                    return;
                }
                String label = line.substring(i, eq);
                if (!LABEL.matcher(label).matches() || label.startsWith("__"))
                    problems.add(at + "bad label name " + label);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char ch = line.charAt(j);
                    if (ch == '\\') {
                        char next = j + 1 < line.length() ? line.charAt(++j) : ' ';
                        switch (next) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> problems.add(at + "bad escape \\" + next);
                        }
                    } else {
                        value.append(ch);
                    }
                }
                if (j >= line.length()) {
                    problems.add(at + "unterminated label value: " + line);
                    return;
                }
                if (labels.put(label, value.toString()) != null)
                    problems.add(at + "label " + label + " twice");
                i = j + 1;
                if (i < line.length() && line.charAt(i) == ',') i++;
            }
            if (i >= line.length()) {
                problems.add(at + "unterminated label set: " + line);
                return;
            }
            i++;
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            problems.add(at + "no value: " + line);
            return;
        }
        String value = line.substring(i + 1);
        if (value.contains(" ")) problems.add(at + "a timestamp the textfile collector refuses");
        else if (!FLOAT.matcher(value).matches()) problems.add(at + "bad value " + value);
        else {
            double v =
                    value.endsWith("Inf")
                            ? (value.startsWith("-")
                                    ? Double.NEGATIVE_INFINITY
                                    : Double.POSITIVE_INFINITY)
                            : Double.parseDouble(value);
            samples.add(new Sample(name, labels, v));
        }
        sampled.add(name);
        if (!series.add(name + new TreeMap<>(labels)))
            problems.add(at + "duplicate series " + name + labels);
    }

    /** HELP text escapes only backslash and line feed. */
    private static boolean validHelp(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) != '\\') continue;
            if (i + 1 >= text.length() || "\\n".indexOf(text.charAt(i + 1)) < 0) return false;
            i++;
        }
        return true;
    }

    /** The value of one series, for assertions. */
    static double value(Result r, String name, Map<String, String> labels) {
        Map<String, String> wanted = new HashMap<>(labels);
        return r.samples().stream()
                .filter(s -> s.name().equals(name) && s.labels().equals(wanted))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no series " + name + labels))
                .value();
    }
}
