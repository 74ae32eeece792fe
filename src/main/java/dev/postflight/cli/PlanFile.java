package dev.postflight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postflight.check.Status;
import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.InvalidInput;
import dev.postflight.checklist.Location;
import dev.postflight.files.SafeFiles;
import dev.postflight.remedy.Plan;
import dev.postflight.remedy.Remediator;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A saved fix plan ({@code verify --fix --plan-out}) for {@code postflight apply}: the checklist
 * and its hash, the inventory and vars, and per host its host key, its failed checks and the fixes
 * planned. Applying refuses a host whose key, failed checks or checklist changed since.
 */
record PlanFile(
        String created,
        List<String> files,
        String sha256,
        Optional<String> inventory,
        Map<String, String> vars,
        List<HostPlan> hosts) {
    static final String SCHEMA = "postflight.plan/v1";
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    record HostPlan(String host, String hostKey, List<String> failedChecks, List<String> fixes) {}

    static PlanFile of(
            RunReport report,
            List<Remediator.Target> targets,
            Checklist checklist,
            Optional<Path> inventory,
            Map<String, String> vars) {
        List<HostPlan> hosts = new ArrayList<>();
        for (HostResult h : report.hosts()) {
            if (h.unreachable().isPresent()) continue;
            Remediator.Target t =
                    targets.stream()
                            .filter(x -> x.host().name().equals(h.host()))
                            .findFirst()
                            .orElseThrow();
            Plan p = Plan.of(h, t.checks(), t.fixes());
            if (p.isEmpty()) continue;
            hosts.add(
                    new HostPlan(
                            h.host(),
                            h.hostKey().orElse(""),
                            failed(h),
                            p.fixes().stream().map(Plan.PlannedFix::name).toList()));
        }
        return new PlanFile(
                Instant.now().toString(),
                checklist.files().stream().map(Path::toString).toList(),
                checklist.sha256(),
                inventory.map(Path::toString),
                vars,
                hosts);
    }

    private static List<String> failed(HostResult h) {
        return h.checks().stream()
                .filter(c -> c.status() == Status.FAIL || c.status() == Status.WARN)
                .map(CheckResult::id)
                .sorted()
                .toList();
    }

    String summary() {
        int fixes = hosts.stream().mapToInt(h -> h.fixes().size()).sum();
        return fixes + " fix(es) on " + hosts.size() + " host(s)";
    }

    Set<String> fixNames() {
        Set<String> out = new LinkedHashSet<>();
        hosts.forEach(h -> out.addAll(h.fixes()));
        return out;
    }

    void write(Path file) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("schema", SCHEMA);
        n.put("created", created);
        ObjectNode cl = n.putObject("checklist");
        ArrayNode f = cl.putArray("files");
        files.forEach(f::add);
        cl.put("sha256", sha256);
        inventory.ifPresent(i -> n.put("inventory", i));
        ObjectNode v = n.putObject("vars");
        vars.forEach(v::put);
        ArrayNode hs = n.putArray("hosts");
        for (HostPlan h : hosts) {
            ObjectNode o = hs.addObject();
            o.put("host", h.host());
            o.put("host_key", h.hostKey());
            ArrayNode fc = o.putArray("failed_checks");
            h.failedChecks().forEach(fc::add);
            ArrayNode fx = o.putArray("fixes");
            h.fixes().forEach(fx::add);
        }
        SafeFiles.replace(file, JSON.writeValueAsString(n) + "\n");
    }

    static PlanFile read(Path file) throws InvalidInput {
        Location at = Location.of(file);
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (!SCHEMA.equals(n.path("schema").asText()))
                throw new InvalidInput(at, "not a postflight plan (schema " + SCHEMA + ")");
            List<String> files = new ArrayList<>();
            n.path("checklist").path("files").forEach(x -> files.add(x.asText()));
            Map<String, String> vars = new LinkedHashMap<>();
            n.path("vars")
                    .fields()
                    .forEachRemaining(e -> vars.put(e.getKey(), e.getValue().asText()));
            List<HostPlan> hosts = new ArrayList<>();
            for (JsonNode h : n.path("hosts")) {
                List<String> failed = new ArrayList<>();
                h.path("failed_checks").forEach(x -> failed.add(x.asText()));
                List<String> fixes = new ArrayList<>();
                h.path("fixes").forEach(x -> fixes.add(x.asText()));
                hosts.add(
                        new HostPlan(
                                h.path("host").asText(),
                                h.path("host_key").asText(),
                                failed,
                                fixes));
            }
            return new PlanFile(
                    n.path("created").asText(),
                    files,
                    n.path("checklist").path("sha256").asText(),
                    n.hasNonNull("inventory")
                            ? Optional.of(n.get("inventory").asText())
                            : Optional.empty(),
                    vars,
                    hosts);
        } catch (IOException e) {
            throw new InvalidInput(at, "cannot read the plan: " + e.getMessage());
        }
    }

    /** Refuses the whole plan when the checklist changed since it was made. */
    void checkChecklist(Checklist now) throws InvalidInput {
        if (!now.sha256().equals(sha256)) {
            throw new InvalidInput(
                    Location.of(Path.of(files.get(0))),
                    "the plan is stale: the checklist changed since it was made (sha256 "
                            + sha256.substring(0, 12)
                            + "… then, "
                            + now.sha256().substring(0, 12)
                            + "… now); make a new plan");
        }
    }

    /**
     * The targets whose host key and failed checks still match the plan; the others are refused,
     * saying why.
     */
    List<Remediator.Target> keepCurrent(
            RunReport report, List<Remediator.Target> targets, PrintWriter out) {
        List<Remediator.Target> keep = new ArrayList<>();
        for (HostPlan p : hosts) {
            HostResult h =
                    report.hosts().stream()
                            .filter(x -> x.host().equals(p.host()))
                            .findFirst()
                            .orElse(null);
            Remediator.Target t =
                    targets.stream()
                            .filter(x -> x.host().name().equals(p.host()))
                            .findFirst()
                            .orElse(null);
            if (h == null || t == null) continue;
            String now = h.hostKey().orElse("");
            if (!now.equals(p.hostKey())) {
                out.println(
                        p.host()
                                + ": plan refused: its host key changed since the plan ("
                                + p.hostKey()
                                + " then, "
                                + now
                                + " now)");
            } else if (!failed(h).equals(p.failedChecks())) {
                out.println(
                        p.host()
                                + ": plan refused: its failed checks changed since the plan ("
                                + p.failedChecks()
                                + " then, "
                                + failed(h)
                                + " now)");
            } else {
                keep.add(t);
            }
        }
        return keep;
    }
}
