package dev.postflight.input;

import java.util.List;
import java.util.Map;

/**
 * A YAML value that remembers where it was written, so every later mistake can be reported at its
 * {@code FILE:LINE:COL}. Jackson's tree model forgets positions; this one keeps them.
 */
public sealed interface Node permits Node.Scalar, Node.Mapping, Node.Sequence {

    Location location();

    /** What the user sees this node as, for messages: "a string", "a list"… */
    String kind();

    /** A plain value. {@code type} tells how YAML read it, {@code text} is its source text. */
    record Scalar(String text, ScalarType type, Location location) implements Node {
        @Override
        public String kind() {
            return switch (type) {
                case STRING -> "a string";
                case INTEGER, FLOAT -> "a number";
                case BOOLEAN -> "a boolean";
                case NULL -> "nothing (null)";
            };
        }
    }

    /** A mapping in source order; each key keeps its own location. */
    record Mapping(Map<String, Entry> entries, Location location) implements Node {
        @Override
        public String kind() {
            return "a mapping";
        }
    }

    /** A sequence. */
    record Sequence(List<Node> items, Location location) implements Node {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** A mapping entry: the key's location (for unknown-key errors) and its value. */
    record Entry(String key, Location keyLocation, Node value) {}

    /** How YAML typed a scalar. */
    enum ScalarType {
        STRING,
        INTEGER,
        FLOAT,
        BOOLEAN,
        NULL
    }
}
