package dev.postflight.input;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a YAML file into a {@link Node} tree with positions, reporting syntax errors. */
public final class YamlFiles {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlFiles() {}

    /**
     * Parses {@code file}; an empty file is an empty mapping. Problems (missing file, YAML syntax,
     * duplicate keys) go to {@code problems}; the result is then empty.
     */
    public static Optional<Node> read(Path file, Location referencedFrom, Problems problems) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            problems.add(referencedFrom, "file not found: " + file);
            return Optional.empty();
        } catch (IOException e) {
            problems.add(referencedFrom, "cannot read " + file + ": " + cause(e));
            return Optional.empty();
        }
        return parse(file, text, problems);
    }

    /**
     * Why a file could not be read or parsed, in one line of words ("permission denied"), without
     * an exception's name or Jackson's source excerpts and limit accessors.
     */
    public static String cause(IOException e) {
        if (e instanceof CharacterCodingException) return "not UTF-8 text (a binary file?)";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof JsonProcessingException j) {
            String what =
                    String.valueOf(j.getOriginalMessage())
                            .lines()
                            .findFirst()
                            .orElse("")
                            .replaceAll(",? from `[^`]*`", "");
            JsonLocation l = j.getLocation();
            return l == null || l.getLineNr() < 1
                    ? what
                    : what + " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
        }
        String message = String.valueOf(e.getMessage());
        if (message.equals("Is a directory")) return "it is a folder";
        return message;
    }

    static Optional<Node> parse(Path file, String text, Problems problems) {
        try (JsonParser p = FACTORY.createParser(text)) {
            try {
                JsonToken t = p.nextToken();
                if (t == null) {
                    return Optional.of(new Node.Mapping(Map.of(), Location.of(file)));
                }
                int before = problems.list().size();
                Node root = readValue(p, file, problems);
                if (p.nextToken() != null) {
                    problems.add(at(file, p.currentTokenLocation()), "more than one YAML document");
                }
                return problems.list().size() == before ? Optional.of(root) : Optional.empty();
            } catch (StreamConstraintsException e) {
                String message = String.valueOf(e.getOriginalMessage());
                problems.add(
                        at(file, p.currentLocation()),
                        message.contains("nesting depth")
                                ? "YAML nested deeper than "
                                        + StreamReadConstraints.DEFAULT_MAX_DEPTH
                                        + " levels"
                                : "YAML: " + message.replaceAll(",? from `[^`]*`", ""));
                return Optional.empty();
            }
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            syntaxError(
                    file,
                    e.getOriginalMessage(),
                    l == null ? Location.of(file) : at(file, l),
                    problems);
            return Optional.empty();
        } catch (IOException e) {
            problems.add(Location.of(file), "cannot read: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Node readValue(JsonParser p, Path file, Problems problems) throws IOException {
        Location here = at(file, p.currentTokenLocation());
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Node.Entry> entries = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    Location keyAt = at(file, p.currentTokenLocation());
                    p.nextToken();
                    Node value = readValue(p, file, problems);
                    if (entries.containsKey(key)) {
                        problems.add(
                                keyAt,
                                "duplicate key '"
                                        + key
                                        + "' (first at line "
                                        + entries.get(key).keyLocation().line()
                                        + ")");
                    } else {
                        entries.put(key, new Node.Entry(key, keyAt, value));
                    }
                }
                return new Node.Mapping(entries, here);
            }
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(readValue(p, file, problems));
                }
                return new Node.Sequence(items, here);
            }
            case VALUE_STRING -> {
                // Jackson hands an alias (*name) over as the string "name": refuse it rather than
                // read a copied check or value as its anchor's name.
                if (p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                    problems.add(
                            here,
                            "YAML aliases (*"
                                    + p.getText()
                                    + ") are not supported: write the value out");
                }
                return new Node.Scalar(p.getText(), Node.ScalarType.STRING, here);
            }
            case VALUE_NUMBER_INT -> {
                return new Node.Scalar(p.getText(), Node.ScalarType.INTEGER, here);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new Node.Scalar(p.getText(), Node.ScalarType.FLOAT, here);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new Node.Scalar(p.getText(), Node.ScalarType.BOOLEAN, here);
            }
            case VALUE_NULL -> {
                return new Node.Scalar("", Node.ScalarType.NULL, here);
            }
            default -> {
                problems.add(here, "unsupported YAML value " + t);
                return new Node.Scalar("", Node.ScalarType.NULL, here);
            }
        }
    }

    private static Location at(Path file, JsonLocation l) {
        return new Location(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }

    private static final Pattern MARK = Pattern.compile(" in '[^']*', line (\\d+), column (\\d+):");

    /**
     * Turns SnakeYAML's multi-line message into one line at the problem's own position: "expected
     * ',' or '}', but got <stream end> (in the flow mapping that starts at line 3, column 14)".
     */
    private static void syntaxError(
            Path file, String message, Location fallback, Problems problems) {
        if (message == null) {
            problems.add(fallback, "YAML syntax error");
            return;
        }
        List<String> texts = new ArrayList<>();
        List<int[]> marks = new ArrayList<>();
        for (String line : message.split("\n")) {
            Matcher m = MARK.matcher(line);
            if (m.find()) {
                marks.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
            } else if (!line.isBlank() && !line.startsWith(" ")) {
                texts.add(line.trim());
            }
        }
        Location at =
                marks.isEmpty()
                        ? fallback
                        : new Location(
                                file,
                                marks.get(marks.size() - 1)[0],
                                marks.get(marks.size() - 1)[1]);
        String problem = texts.isEmpty() ? "invalid YAML" : texts.get(texts.size() - 1);
        String context = "";
        if (texts.size() > 1 && marks.size() > 1 && texts.get(0).startsWith("while ")) {
            context =
                    " ("
                            + texts.get(0)
                                    .replaceFirst("^while parsing ", "in ")
                                    .replaceFirst("^while scanning ", "scanning ")
                            + " that starts at line "
                            + marks.get(0)[0]
                            + ", column "
                            + marks.get(0)[1]
                            + ")";
        }
        problems.add(at, "YAML syntax: " + problem + context);
    }
}
