package dev.postflight.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the TAP 14 we write, so the TAP test is checked by something other than the
 * reporter's own logic (no small, maintained TAP 14 parser exists on Maven Central: tap4j reads TAP
 * 13 and pulls in SnakeYAML 1). It accepts only the line forms of the TAP 14 specification
 * (version, plan, test point, YAML block, comment, pragma, Bail out!) and rejects a missing version
 * line, a plan that is not the first thing after it or that disagrees with the test count, numbers
 * out of sequence, an unescaped {@code #} in a description and a YAML block that does not parse to
 * a mapping. Blank lines, which TAP allows, are rejected too: we never write one.
 */
final class TapCheck {

    /** One test point as a harness reads it. */
    record Point(boolean ok, int number, String description, String directive, JsonNode yaml) {}

    /** The points of a valid document, or the problem with its 1-based line number. */
    record Result(List<Point> points, boolean bailedOut, List<String> problems) {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern PLAN = Pattern.compile("^1\\.\\.(0|[1-9][0-9]*)(?: # (.*))?$");
    private static final Pattern POINT = Pattern.compile("^(not )?ok ([1-9][0-9]*)(.*)$");
    private static final Pattern PRAGMA = Pattern.compile("^pragma [+-][A-Za-z0-9_-]+$");

    private TapCheck() {}

    static Result read(String tap) {
        List<String> problems = new ArrayList<>();
        List<Point> points = new ArrayList<>();
        if (!tap.endsWith("\n")) problems.add("the document does not end with a line break");
        String[] lines = tap.split("\n", -1);
        int planned = -1;
        boolean bailedOut = false;
        if (lines.length == 0 || !lines[0].equals("TAP version 14"))
            problems.add("1: the first line is not 'TAP version 14'");
        for (int i = 1; i < lines.length - 1; i++) {
            String line = lines[i];
            String at = (i + 1) + ": ";
            Matcher plan = PLAN.matcher(line);
            Matcher point = POINT.matcher(line);
            if (bailedOut) {
                problems.add(at + "a line after Bail out!");
            } else if (plan.matches()) {
                if (planned >= 0) problems.add(at + "a second plan");
                if (!points.isEmpty()) problems.add(at + "the plan comes after test points");
                planned = Integer.parseInt(plan.group(1));
            } else if (point.matches()) {
                int n = Integer.parseInt(point.group(2));
                if (n != points.size() + 1)
                    problems.add(at + "test " + n + " where " + (points.size() + 1) + " is due");
                Optional<String[]> rest = descriptionAndDirective(point.group(3));
                if (rest.isEmpty()) {
                    problems.add(at + "not a test point: " + line);
                    continue;
                }
                JsonNode yaml = null;
                if (i + 1 < lines.length && lines[i + 1].equals("  ---")) {
                    StringBuilder block = new StringBuilder();
                    int j = i + 2;
                    while (j < lines.length - 1 && !lines[j].equals("  ...")) {
                        if (!lines[j].startsWith("  "))
                            problems.add((j + 1) + ": a YAML line not indented by two spaces");
                        block.append(lines[j].substring(Math.min(2, lines[j].length())))
                                .append('\n');
                        j++;
                    }
                    if (j >= lines.length - 1) problems.add(at + "a YAML block without '  ...'");
                    yaml = parseYaml(block.toString(), at, problems);
                    i = j;
                }
                points.add(
                        new Point(point.group(1) == null, n, rest.get()[0], rest.get()[1], yaml));
            } else if (line.equals("Bail out!") || line.startsWith("Bail out! ")) {
                bailedOut = true;
            } else if (!(line.equals("#")
                    || line.startsWith("# ")
                    || PRAGMA.matcher(line).matches())) {
                problems.add(at + "not a TAP 14 line: " + line);
            }
        }
        if (planned < 0) problems.add("no plan");
        else if (!bailedOut && planned != points.size())
            problems.add("the plan says " + planned + " tests, found " + points.size());
        return new Result(points, bailedOut, problems);
    }

    /**
     * After the number: an optional {@code " - description"} in which {@code #} and {@code \} are
     * escaped, then an optional {@code " # "} and a directive or comment.
     */
    private static Optional<String[]> descriptionAndDirective(String rest) {
        if (rest.isEmpty()) return Optional.of(new String[] {"", ""});
        if (!rest.startsWith(" ")) return Optional.empty();
        StringBuilder description = new StringBuilder();
        int i = rest.startsWith(" - ") ? 3 : 1;
        for (; i < rest.length(); i++) {
            char ch = rest.charAt(i);
            if (ch == '\\') {
                if (i + 1 >= rest.length()) return Optional.empty();
                char next = rest.charAt(++i);
                if (next != '\\' && next != '#') return Optional.empty();
                description.append(next);
            } else if (ch == '#') {
                if (!rest.startsWith("# ", i) || rest.charAt(i - 1) != ' ') return Optional.empty();
                return Optional.of(
                        new String[] {description.toString().strip(), rest.substring(i + 2)});
            } else {
                description.append(ch);
            }
        }
        return Optional.of(new String[] {description.toString().strip(), ""});
    }

    private static JsonNode parseYaml(String block, String at, List<String> problems) {
        try {
            JsonNode node = YAML.readTree(block);
            if (node == null || !node.isObject()) problems.add(at + "a YAML block that is no map");
            return node;
        } catch (IOException e) {
            problems.add(at + "a YAML block that does not parse: " + e.getMessage());
            return null;
        }
    }
}
