package dev.postflight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postflight.check.BaselineCheck;
import dev.postflight.check.Check;
import dev.postflight.check.HostFacts;
import dev.postflight.check.Severity;
import dev.postflight.checklist.Checklist;
import dev.postflight.files.SafeFiles;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.input.YamlFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The facts of hosts recorded by {@code postflight snapshot -o FILE} before a maintenance window,
 * read back by {@code verify --baseline FILE} to report what changed.
 */
record BaselineFile(Path file, Instant taken, Map<String, HostFacts> hosts) {
    static final String SCHEMA = "postflight.baseline/v1";
    static final String CHECK_ID = "baseline";
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    BaselineFile {
        hosts = Collections.unmodifiableMap(new TreeMap<>(hosts));
    }

    /** {@code checks} with the baseline check of {@code host} appended: a skip if none recorded. */
    List<Check> appendTo(String host, List<Check> checks) {
        HostFacts facts = hosts.get(host);
        List<Check> all = new ArrayList<>(checks);
        all.add(
                new Check(
                        CHECK_ID,
                        "baseline",
                        Severity.CRITICAL,
                        Optional.empty(),
                        List.of(),
                        facts == null
                                ? BaselineCheck.missing(
                                        "no baseline for "
                                                + host
                                                + " in "
                                                + file
                                                + ": nothing to compare it with; record it before"
                                                + " the next window with 'postflight snapshot -o "
                                                + file
                                                + "' over all hosts, "
                                                + host
                                                + " included")
                                : BaselineCheck.against(new BaselineCheck.Baseline(taken, facts)),
                        Location.of(file),
                        Optional.empty()));
        return all;
    }

    /** The checklist {@code verify --baseline} runs when no check file is given. */
    Checklist checklist() {
        return new Checklist("baseline", "", List.of(), "", Map.of(), List.of(), Map.of());
    }

    void write(Path to) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("taken", taken.toString());
        ObjectNode hs = root.putObject("hosts");
        hosts.forEach((name, f) -> {
            ObjectNode h = hs.putObject(name);
            f.hostKey().ifPresent(k -> h.put("host_key", k));
            h.put("os", f.os());
            h.put("kernel", f.kernel());
            h.put("boot_id", f.bootId());
            f.ports().forEach(h.putArray("ports")::add);
            f.services().forEach(h.putArray("services")::add);
            f.packages()
                    .ifPresent(p -> {
                        ObjectNode pk = h.putObject("packages");
                        pk.put("manager", p.manager());
                        pk.put("count", p.count());
                        pk.put("sha256", p.sha256());
                    });
            ObjectNode certs = h.putObject("certs");
            f.certs().forEach(certs::put);
        });
        SafeFiles.replace(to, JSON.writeValueAsString(root) + "\n");
    }

    static BaselineFile read(Path file) throws InvalidInput {
        Location at = Location.of(file);
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidInput(
                    at, "--baseline: cannot read " + file + ": " + YamlFiles.cause(e));
        }
        if (root == null || !SCHEMA.equals(root.path("schema").asText())) {
            throw new InvalidInput(
                    at,
                    "--baseline: not a postflight baseline (schema "
                            + SCHEMA
                            + "); make one with 'postflight snapshot -o FILE'");
        }
        Instant taken;
        try {
            taken = Instant.parse(root.path("taken").asText());
        } catch (DateTimeParseException e) {
            throw new InvalidInput(
                    at,
                    "--baseline: taken: '"
                            + root.path("taken").asText()
                            + "' is not an instant (e.g. 2026-11-20T01:55:00Z)");
        }
        Map<String, HostFacts> hosts = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.path("hosts").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode h = e.getValue();
            JsonNode pk = h.path("packages");
            Map<String, String> certs = new TreeMap<>();
            h.path("certs")
                    .fields()
                    .forEachRemaining(c -> certs.put(c.getKey(), c.getValue().asText()));
            String key = h.path("host_key").asText("");
            try {
                hosts.put(
                        e.getKey(),
                        new HostFacts(
                                key.isEmpty() ? Optional.empty() : Optional.of(key),
                                h.path("os").asText(""),
                                h.path("kernel").asText(""),
                                h.path("boot_id").asText(""),
                                texts(h.path("ports")),
                                texts(h.path("services")),
                                pk.isObject()
                                        ? Optional.of(
                                                new HostFacts.Packages(
                                                        pk.path("manager").asText(""),
                                                        pk.path("count").asInt(),
                                                        pk.path("sha256").asText("")))
                                        : Optional.empty(),
                                certs));
            } catch (IllegalArgumentException bad) {
                throw new InvalidInput(
                        at, "--baseline: hosts." + e.getKey() + "." + bad.getMessage());
            }
        }
        return new BaselineFile(file, taken, hosts);
    }

    private static List<String> texts(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
    }
}
