package dev.postflight.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postflight.check.Severity;
import dev.postflight.check.Status;
import dev.postflight.check.Verdict;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.run.Shard;
import dev.postflight.run.UnreachableKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads a report {@link JsonReporter} wrote back into the run it describes, for {@code postflight
 * merge}. What a report derives (each host's status, the summary, the exit code) is not read: the
 * merged run computes it again. A file that is not such a report is refused with what is wrong and
 * where, never half read.
 */
final class JsonReportReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The schema this version reads and writes. */
    public static final String SCHEMA = JsonReporter.SCHEMA;

    private JsonReportReader() {}

    /** A JSON document that names itself a postflight run report, of some schema version. */
    public record Document(Path file, String schema, JsonNode tree) {

        /** The run it describes; only for the schema this version writes. */
        public RunReport report() throws InvalidInput {
            if (!schema.equals(SCHEMA))
                throw error(
                        file,
                        "schema "
                                + schema
                                + " is not one this postflight reads ("
                                + SCHEMA
                                + "): merge with the version that wrote it");
            try {
                return run(tree);
            } catch (Missing m) {
                throw error(file, "not a postflight report: " + m.getMessage());
            }
        }
    }

    /** Reads {@code file} as JSON naming a {@code postflight.run/…} schema. */
    public static Document load(Path file) throws InvalidInput {
        JsonNode tree;
        try {
            tree = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw error(
                    file,
                    "not a postflight report: not JSON ("
                            + e.getOriginalMessage().lines().findFirst().orElse("")
                            + ")");
        } catch (IOException e) {
            throw error(file, "cannot read: " + e.getMessage());
        }
        String schema = tree == null ? "" : tree.path("schema").asText("");
        if (tree == null || !tree.isObject() || !schema.startsWith("postflight.run/"))
            throw error(
                    file,
                    "not a postflight report (written by 'postflight verify --report"
                            + " json=FILE'): no \"schema\": \""
                            + SCHEMA
                            + "\"");
        return new Document(file, schema, tree);
    }

    static InvalidInput error(Path file, String message) {
        return new InvalidInput(Location.of(file), message);
    }

    /** A required key is absent or of the wrong type; the message names its path. */
    private static final class Missing extends Exception {
        Missing(String path, String what) {
            super(path + ": " + what);
        }
    }

    private static RunReport run(JsonNode r) throws Missing {
        JsonNode checklist = object(r, "checklist", "");
        List<Path> files = new ArrayList<>();
        for (String f : texts(checklist, "files", "checklist.")) files.add(Path.of(f));
        List<HostResult> hosts = new ArrayList<>();
        JsonNode hostArray = array(r, "hosts", "");
        for (int i = 0; i < hostArray.size(); i++)
            hosts.add(host(hostArray.get(i), "hosts[" + i + "]."));
        String startedText = text(r, "started", "");
        Instant started;
        try {
            started = Instant.parse(startedText);
        } catch (DateTimeParseException e) {
            throw new Missing("started", "'" + startedText + "' is not an ISO-8601 UTC time");
        }
        Optional<Shard> shard = Optional.empty();
        if (r.has("shard")) {
            JsonNode s = object(r, "shard", "");
            int index = (int) number(s, "index", "shard.");
            int count = (int) number(s, "count", "shard.");
            if (count < 1 || index < 0 || index >= count)
                throw new Missing(
                        "shard", index + "/" + count + " is not a shard (0 <= index < count)");
            shard = Optional.of(new Shard(index, count, texts(s, "selected", "shard.")));
        }
        return new RunReport(
                text(r, "run_id", ""),
                text(r, "version", ""),
                started,
                Duration.ofMillis(number(r, "elapsed_ms", "")),
                text(checklist, "name", "checklist."),
                files,
                text(checklist, "sha256", "checklist."),
                hosts,
                bool(r, "interrupted", ""),
                shard);
    }

    private static HostResult host(JsonNode h, String at) throws Missing {
        List<CheckResult> checks = new ArrayList<>();
        JsonNode checkArray = array(h, "checks", at);
        for (int i = 0; i < checkArray.size(); i++)
            checks.add(check(checkArray.get(i), at + "checks[" + i + "]."));
        List<FixResult> fixes = new ArrayList<>();
        JsonNode fixArray = array(h, "fixes", at);
        for (int i = 0; i < fixArray.size(); i++)
            fixes.add(fix(fixArray.get(i), at + "fixes[" + i + "]."));
        Optional<String> unreachable = optionalText(h, "unreachable", at);
        Optional<UnreachableKind> kind = Optional.empty();
        Optional<String> word = optionalText(h, "unreachable_kind", at);
        if (word.isPresent()) {
            if (unreachable.isEmpty())
                throw new Missing(at + "unreachable_kind", "given for a host that was reached");
            kind =
                    Optional.of(
                            UnreachableKind.ofWord(word.get())
                                    .orElseThrow(() ->
                                            new Missing(
                                                    at + "unreachable_kind",
                                                    "'" + word.get() + "'")));
        }
        return new HostResult(
                text(h, "name", at),
                text(h, "via", at),
                optionalText(h, "host_key", at),
                unreachable,
                checks,
                Duration.ofMillis(number(h, "elapsed_ms", at)),
                (int) number(h, "execs", at),
                fixes,
                kind);
    }

    private static CheckResult check(JsonNode c, String at) throws Missing {
        String severity = text(c, "severity", at);
        Severity sev =
                Arrays.stream(Severity.values())
                        .filter(s -> s.word().equals(severity))
                        .findFirst()
                        .orElseThrow(() -> new Missing(at + "severity", "'" + severity + "'"));
        String status = text(c, "status", at);
        Status st =
                Arrays.stream(Status.values())
                        .filter(s -> s.word().equals(status))
                        .findFirst()
                        .orElseThrow(() -> new Missing(at + "status", "'" + status + "'"));
        return new CheckResult(
                text(c, "id", at),
                text(c, "type", at),
                sev,
                new Verdict(st, text(c, "reason", at), texts(c, "details", at)),
                optionalText(c, "fix", at));
    }

    private static FixResult fix(JsonNode f, String at) throws Missing {
        String outcome = text(f, "outcome", at);
        FixResult.Outcome o =
                Arrays.stream(FixResult.Outcome.values())
                        .filter(x -> x.word().equals(outcome))
                        .findFirst()
                        .orElseThrow(() -> new Missing(at + "outcome", "'" + outcome + "'"));
        return new FixResult(
                text(f, "name", at),
                texts(f, "checks", at),
                o,
                text(f, "summary", at),
                texts(f, "details", at));
    }

    private static JsonNode object(JsonNode n, String key, String at) throws Missing {
        JsonNode v = n.get(key);
        if (v == null || !v.isObject()) throw new Missing(at + key, "not an object");
        return v;
    }

    private static JsonNode array(JsonNode n, String key, String at) throws Missing {
        JsonNode v = n.get(key);
        if (v == null || !v.isArray()) throw new Missing(at + key, "not a list");
        return v;
    }

    private static String text(JsonNode n, String key, String at) throws Missing {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) throw new Missing(at + key, "not a string");
        return v.asText();
    }

    private static Optional<String> optionalText(JsonNode n, String key, String at) throws Missing {
        return n.has(key) ? Optional.of(text(n, key, at)) : Optional.empty();
    }

    private static List<String> texts(JsonNode n, String key, String at) throws Missing {
        JsonNode a = array(n, key, at);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isTextual()) throw new Missing(at + key + "[" + i + "]", "not a string");
            out.add(a.get(i).asText());
        }
        return out;
    }

    private static long number(JsonNode n, String key, String at) throws Missing {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0)
            throw new Missing(at + key, "not a whole number >= 0");
        return v.asLong();
    }

    private static boolean bool(JsonNode n, String key, String at) throws Missing {
        JsonNode v = n.get(key);
        if (v == null || !v.isBoolean()) throw new Missing(at + key, "not true or false");
        return v.asBoolean();
    }
}
