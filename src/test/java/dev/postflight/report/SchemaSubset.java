package dev.postflight.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a JSON document against the part of JSON Schema 2020-12 that {@code
 * docs/report-schema-v1.json} uses, so the schema users get is tested without a validator
 * dependency. A keyword outside that part is reported as a problem rather than ignored, so the
 * schema cannot grow a rule this class silently skips. {@code strict} additionally rejects object
 * keys the schema does not declare, which catches a reporter writing an undocumented key.
 */
final class SchemaSubset {

    private static final Set<String> ANNOTATIONS =
            Set.of("$schema", "$id", "title", "description", "format", "$defs");

    private final JsonNode root;
    private final boolean strict;
    private final List<String> problems = new ArrayList<>();

    private SchemaSubset(JsonNode root, boolean strict) {
        this.root = root;
        this.strict = strict;
    }

    /**
     * Every way {@code document} breaks {@code schema}, as "JSON-POINTER: rule"; empty if valid.
     */
    static List<String> problems(JsonNode schema, JsonNode document, boolean strict) {
        SchemaSubset v = new SchemaSubset(schema, strict);
        v.check(schema, document, "");
        return v.problems;
    }

    private void check(JsonNode schema, JsonNode value, String at) {
        Iterator<Map.Entry<String, JsonNode>> keywords = schema.fields();
        while (keywords.hasNext()) {
            Map.Entry<String, JsonNode> k = keywords.next();
            JsonNode arg = k.getValue();
            switch (k.getKey()) {
                case "$ref" -> check(resolve(arg.asText()), value, at);
                case "type" -> {
                    if (!hasType(value, arg.asText()))
                        problems.add(at + ": expected " + arg.asText() + ", found " + value);
                }
                case "const" -> {
                    if (!arg.equals(value))
                        problems.add(at + ": expected " + arg + ", found " + value);
                }
                case "enum" -> {
                    boolean found = false;
                    for (JsonNode e : arg) found |= e.equals(value);
                    if (!found) problems.add(at + ": " + value + " is not one of " + arg);
                }
                case "minimum" -> {
                    if (value.isNumber() && value.asLong() < arg.asLong())
                        problems.add(at + ": " + value + " is below " + arg);
                }
                case "pattern" -> {
                    if (value.isTextual()
                            && !Pattern.compile(arg.asText()).matcher(value.asText()).find())
                        problems.add(at + ": " + value + " does not match " + arg);
                }
                case "required" -> {
                    for (JsonNode key : arg)
                        if (value.isObject() && !value.has(key.asText()))
                            problems.add(at + ": missing required key " + key);
                }
                case "properties" -> {
                    if (!value.isObject()) break;
                    Iterator<String> names = value.fieldNames();
                    while (names.hasNext()) {
                        String name = names.next();
                        if (arg.has(name)) check(arg.get(name), value.get(name), at + "/" + name);
                        else if (strict)
                            problems.add(at + ": key " + name + " is not in the schema");
                    }
                }
                case "items" -> {
                    if (value.isArray())
                        for (int i = 0; i < value.size(); i++)
                            check(arg, value.get(i), at + "/" + i);
                }
                default -> {
                    if (!ANNOTATIONS.contains(k.getKey()))
                        problems.add(
                                at + ": schema keyword " + k.getKey() + " is not supported here");
                }
            }
        }
    }

    private JsonNode resolve(String ref) {
        if (!ref.startsWith("#/")) throw new IllegalArgumentException("only local $ref: " + ref);
        JsonNode target = root.at(ref.substring(1));
        if (target.isMissingNode()) throw new IllegalArgumentException("dangling $ref " + ref);
        return target;
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> throw new IllegalArgumentException("unknown type " + type);
        };
    }
}
