package dev.postflight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postflight.check.Status;
import dev.postflight.checklist.Checklist;
import dev.postflight.files.SafeFiles;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.input.Plural;
import dev.postflight.input.Problems;
import dev.postflight.input.YamlFiles;
import dev.postflight.inventory.Host;
import dev.postflight.remedy.AuditLog;
import dev.postflight.remedy.Fix;
import dev.postflight.remedy.Plan;
import dev.postflight.remedy.Remediator;
import dev.postflight.remedy.StepCommand;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A saved fix plan ({@code verify --fix --plan-out}) for {@code postflight apply}: absolute paths
 * of the check files, inventory, known_hosts, ssh config and audit log, the {@code --var} values,
 * except those of secret vars (apply is given them again with {@code --var}; the plan keeps only
 * their names), and per host its host key, its failed checks and the fixes planned. It is bound to
 * every input that decides what runs: the SHA-256 of each check file, per host the inventory entry,
 * a SHA-256 of each var's value (never the value: vars may be secret) and of each planned fix
 * step's exact command. Applying refuses the plan when any of them changed (issue 13), and a host
 * whose key or failed checks changed. A plan approves nothing: apply asks for approval as {@code
 * verify --fix}.
 *
 * <p>Over 400 lines on purpose: the plan file is a format users keep and apply later
 * (postflight.plan/v2); writing it, reading it and checking every input it is bound to belong
 * together, so that a field cannot be written without being checked.
 */
record PlanFile(
        Path source,
        String created,
        List<String> files,
        String sha256,
        Map<String, String> fileSha256,
        Optional<String> inventory,
        Optional<String> knownHosts,
        Optional<String> sshConfig,
        Optional<String> audit,
        Map<String, String> vars,
        List<String> secretVars,
        List<HostPlan> hosts) {
    static final String SCHEMA = "postflight.plan/v2";
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    record HostPlan(
            String host,
            String hostKey,
            Map<String, String> inventoryEntry,
            Map<String, String> varsSha256,
            List<String> failedChecks,
            List<FixPlan> fixes) {}

    /** A planned fix and the SHA-256 of each of its steps' exact commands. */
    record FixPlan(String name, List<String> stepsSha256, List<String> finallySha256) {}

    /** What decides, for one host, what a plan runs there: its entry, its vars, its fixes. */
    record HostInputs(Host host, Map<String, Optional<String>> vars, Map<String, Fix> fixes) {}

    /** The files a plan names, made absolute against the working directory of the run. */
    record Paths(
            Optional<Path> inventory,
            Optional<Path> knownHosts,
            Optional<Path> sshConfig,
            Optional<Path> audit) {}

    static PlanFile of(
            Path source,
            RunReport report,
            List<Remediator.Target> targets,
            Checklist checklist,
            Paths paths,
            Map<String, String> vars,
            Map<String, HostInputs> inputs)
            throws IOException {
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
            HostInputs in = inputs.get(h.host());
            hosts.add(
                    new HostPlan(
                            h.host(),
                            h.hostKey().orElse(""),
                            entry(in.host()),
                            varsSha256(in.vars()),
                            failed(h),
                            p.fixes().stream()
                                    .map(f -> fixPlan(f.name(), f.steps(), f.finallySteps()))
                                    .toList()));
        }
        Map<String, String> fileSha256 = new LinkedHashMap<>();
        for (Path f : checklist.files()) fileSha256.put(absolute(f), digestOf(f));
        // A secret --var is not written down: apply is given it again (its digest still binds).
        Map<String, String> clear = new LinkedHashMap<>();
        List<String> secret = new ArrayList<>();
        vars.forEach((k, v) -> {
            Checklist.Var declared = checklist.vars().get(k);
            if (declared != null && declared.secret()) secret.add(k);
            else clear.put(k, v);
        });
        return new PlanFile(
                source,
                Instant.now().toString(),
                List.copyOf(fileSha256.keySet()),
                checklist.sha256(),
                fileSha256,
                paths.inventory().map(PlanFile::absolute),
                paths.knownHosts().map(PlanFile::absolute),
                paths.sshConfig().map(PlanFile::absolute),
                paths.audit().map(PlanFile::absolute),
                clear,
                secret,
                hosts);
    }

    private static String absolute(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    private static String digestOf(Path f) throws IOException {
        return HexFormat.of()
                .formatHex(newSha256().digest(Files.readAllBytes(f.toAbsolutePath().normalize())));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> entry(Host h) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("address", h.address().orElse(""));
        e.put("port", h.port().isPresent() ? String.valueOf(h.port().getAsInt()) : "");
        e.put("user", h.user().orElse(""));
        e.put("jump", h.jump().orElse(""));
        e.put("identity", h.identity().map(PlanFile::absolute).orElse(""));
        return e;
    }

    private static Map<String, String> varsSha256(Map<String, Optional<String>> vars) {
        Map<String, String> out = new LinkedHashMap<>();
        vars.forEach(
                (k, v) -> out.put(k, v.map(x -> AuditLog.digest(k + "=" + x)).orElse("unset")));
        return out;
    }

    private static FixPlan fixPlan(String name, List<StepCommand> steps, List<StepCommand> fin) {
        return new FixPlan(name, commandsSha256(steps), commandsSha256(fin));
    }

    private static List<String> commandsSha256(List<StepCommand> steps) {
        return steps.stream().map(s -> AuditLog.digest(s.command() + "\0" + s.timeout())).toList();
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
        return Plural.of(fixes, "fix") + " on " + Plural.of(hosts.size(), "host");
    }

    void write() throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("schema", SCHEMA);
        n.put("created", created);
        ObjectNode cl = n.putObject("checklist");
        ArrayNode f = cl.putArray("files");
        files.forEach(f::add);
        cl.put("sha256", sha256);
        ObjectNode fs = cl.putObject("file_sha256");
        fileSha256.forEach(fs::put);
        inventory.ifPresent(i -> n.put("inventory", i));
        knownHosts.ifPresent(i -> n.put("known_hosts", i));
        sshConfig.ifPresent(i -> n.put("ssh_config", i));
        audit.ifPresent(i -> n.put("audit", i));
        ObjectNode v = n.putObject("vars");
        vars.forEach(v::put);
        if (!secretVars.isEmpty()) secretVars.forEach(n.putArray("secret_vars")::add);
        ArrayNode hs = n.putArray("hosts");
        for (HostPlan h : hosts) {
            ObjectNode o = hs.addObject();
            o.put("host", h.host());
            o.put("host_key", h.hostKey());
            ObjectNode e = o.putObject("inventory_entry");
            h.inventoryEntry().forEach(e::put);
            ObjectNode vs = o.putObject("vars_sha256");
            h.varsSha256().forEach(vs::put);
            ArrayNode fc = o.putArray("failed_checks");
            h.failedChecks().forEach(fc::add);
            ArrayNode fx = o.putArray("fixes");
            for (FixPlan p : h.fixes()) {
                ObjectNode x = fx.addObject();
                x.put("name", p.name());
                p.stepsSha256().forEach(x.putArray("steps_sha256")::add);
                p.finallySha256().forEach(x.putArray("finally_sha256")::add);
            }
        }
        SafeFiles.replace(source, JSON.writeValueAsString(n) + "\n");
    }

    static PlanFile read(Path file) throws InvalidInput {
        Location at = Location.of(file);
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (!SCHEMA.equals(n.path("schema").asText()))
                throw new InvalidInput(
                        at,
                        "not a postflight plan of this version (schema "
                                + SCHEMA
                                + "); make a new plan with verify --fix --plan-out");
            List<HostPlan> hosts = new ArrayList<>();
            for (JsonNode h : n.path("hosts")) {
                List<FixPlan> fixes = new ArrayList<>();
                for (JsonNode x : h.path("fixes")) {
                    fixes.add(
                            new FixPlan(
                                    x.path("name").asText(),
                                    strings(x.path("steps_sha256")),
                                    strings(x.path("finally_sha256"))));
                }
                hosts.add(
                        new HostPlan(
                                h.path("host").asText(),
                                h.path("host_key").asText(),
                                map(h.path("inventory_entry")),
                                map(h.path("vars_sha256")),
                                strings(h.path("failed_checks")),
                                fixes));
            }
            return new PlanFile(
                    file,
                    n.path("created").asText(),
                    strings(n.path("checklist").path("files")),
                    n.path("checklist").path("sha256").asText(),
                    map(n.path("checklist").path("file_sha256")),
                    text(n, "inventory"),
                    text(n, "known_hosts"),
                    text(n, "ssh_config"),
                    text(n, "audit"),
                    map(n.path("vars")),
                    strings(n.path("secret_vars")),
                    hosts);
        } catch (IOException e) {
            throw new InvalidInput(at, "cannot read the plan: " + YamlFiles.cause(e));
        }
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static Map<String, String> map(JsonNode o) {
        Map<String, String> out = new LinkedHashMap<>();
        o.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static Optional<String> text(JsonNode n, String key) {
        return n.hasNonNull(key) ? Optional.of(n.get(key).asText()) : Optional.empty();
    }

    /**
     * Refuses the whole plan, before any host is contacted, when a check file, the checklist, a
     * host's inventory entry or vars, or a planned fix's commands differ from the plan; every
     * difference is named.
     */
    void checkInputs(Checklist now, Map<String, HostInputs> inputs) throws InvalidInput {
        Problems problems = new Problems();
        Location at = Location.of(source);
        for (Map.Entry<String, String> f : fileSha256.entrySet()) {
            String current;
            try {
                current = digestOf(Path.of(f.getKey()));
            } catch (IOException e) {
                current = "unreadable";
            }
            if (!current.equals(f.getValue()))
                problems.add(
                        at, "plan refused: check file " + f.getKey() + " changed since the plan");
        }
        List<String> nowFiles = now.files().stream().map(PlanFile::absolute).toList();
        if (!nowFiles.equals(List.copyOf(fileSha256.keySet())) || !nowFiles.equals(files))
            problems.add(
                    at,
                    "plan refused: the check files changed since the plan ("
                            + String.join(", ", fileSha256.keySet())
                            + " then, "
                            + String.join(", ", nowFiles)
                            + " now)");
        // The files' own digests name the file; this one catches an edit of the plan's sha256.
        if (problems.isEmpty() && !now.sha256().equals(sha256))
            problems.add(
                    at,
                    "plan refused: the checklist changed since the plan (sha256 "
                            + abbrev(sha256)
                            + " then, "
                            + abbrev(now.sha256())
                            + " now)");
        for (HostPlan p : hosts) {
            HostInputs in = inputs.get(p.host());
            if (in == null) {
                problems.add(at, "plan refused: host " + p.host() + " is no longer selected");
                continue;
            }
            List<String> entry = changes(p.inventoryEntry(), entry(in.host()), true);
            if (!entry.isEmpty())
                problems.add(
                        at,
                        "plan refused: inventory entry of host "
                                + p.host()
                                + " changed: "
                                + String.join(", ", entry));
            List<String> vars = changes(p.varsSha256(), varsSha256(in.vars()), false);
            if (!vars.isEmpty())
                problems.add(
                        at,
                        "plan refused: vars of host "
                                + p.host()
                                + " changed: "
                                + String.join(", ", vars));
            for (FixPlan f : p.fixes()) {
                Fix fix = in.fixes().get(f.name());
                if (fix == null) {
                    problems.add(
                            at,
                            "plan refused: fix "
                                    + f.name()
                                    + " is not in the checklist (host "
                                    + p.host()
                                    + ")");
                    continue;
                }
                FixPlan current =
                        fixPlan(
                                f.name(),
                                fix.steps().stream()
                                        .map(s -> StepCommand.of(s, fix.timeout()))
                                        .toList(),
                                fix.finallySteps().stream()
                                        .map(s -> StepCommand.of(s, fix.timeout()))
                                        .toList());
                stepChanges(
                        problems,
                        at,
                        p.host(),
                        f.name(),
                        "step",
                        f.stepsSha256(),
                        current.stepsSha256());
                stepChanges(
                        problems,
                        at,
                        p.host(),
                        f.name(),
                        "finally step",
                        f.finallySha256(),
                        current.finallySha256());
            }
        }
        problems.throwIfAny();
    }

    private static String abbrev(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
    }

    /** The keys whose values differ, with both values when they can be shown. */
    private static List<String> changes(
            Map<String, String> then, Map<String, String> now, boolean show) {
        List<String> out = new ArrayList<>();
        for (String k : new TreeSet<>(union(then, now))) {
            String a = then.get(k);
            String b = now.get(k);
            if (Objects.equals(a, b)) continue;
            out.add(show ? k + " (" + shown(a) + " then, " + shown(b) + " now)" : k);
        }
        return out;
    }

    private static List<String> union(Map<String, String> a, Map<String, String> b) {
        List<String> keys = new ArrayList<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    private static String shown(String v) {
        return v == null ? "absent" : v.isEmpty() ? "unset" : v;
    }

    private static void stepChanges(
            Problems problems,
            Location at,
            String host,
            String fix,
            String kind,
            List<String> then,
            List<String> now) {
        for (int i = 0; i < Math.max(then.size(), now.size()); i++) {
            String a = i < then.size() ? then.get(i) : null;
            String b = i < now.size() ? now.get(i) : null;
            if (Objects.equals(a, b)) continue;
            String what = a == null ? "was added" : b == null ? "was removed" : "changed";
            problems.add(
                    at,
                    "plan refused: fix "
                            + fix
                            + "'s "
                            + kind
                            + " "
                            + (i + 1)
                            + " "
                            + what
                            + " on host "
                            + host);
        }
    }

    /**
     * The targets whose host key, failed checks and planned fixes still match the plan; the others
     * are refused, saying why.
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
            List<String> planned = p.fixes().stream().map(FixPlan::name).toList();
            List<String> fixesNow =
                    Plan.of(h, t.checks(), t.fixes()).fixes().stream()
                            .map(Plan.PlannedFix::name)
                            .toList();
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
            } else if (!fixesNow.equals(planned)) {
                out.println(
                        p.host()
                                + ": plan refused: its fixes changed since the plan ("
                                + planned
                                + " then, "
                                + fixesNow
                                + " now)");
            } else {
                keep.add(t);
            }
        }
        return keep;
    }
}
