package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postflight.testing.NtpdShimHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code postflight apply} (issue 13): a plan is no approval, it is bound to every input that
 * decides what runs, and it works from any working directory.
 */
class ApplyPlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;
    NtpdShimHost host;
    Path checks;
    Path inventory;
    Path audit;
    Path plan;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(NtpdShimHost.available(), "needs root and unshare(1) for the shim host");
        host = NtpdShimHost.start(Files.createDirectory(dir.resolve("host")));
        audit = dir.resolve("audit.jsonl");
        plan = dir.resolve("plan.json");
        checks =
                write(
                        "time.yaml",
                        host.timeChecklist()
                                + """
                                  restart-web:
                                    approval: confirm
                                    steps:
                                      - run: "true"
                                """);
        inventory = write("inv.yaml", inventoryText(""));
        Files.writeString(dir.resolve("kh"), host.server().knownHostsLine() + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        if (host != null) host.close();
    }

    private String inventoryText(String hostExtra) {
        return host.inventory(1, hostExtra);
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** Saves the plan with every path given relative to this JVM's working directory. */
    private void savePlan(String... extra) throws Exception {
        Path cwd = Path.of("").toAbsolutePath();
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "verify",
                                "-i",
                                cwd.relativize(inventory).toString(),
                                "-c",
                                cwd.relativize(checks).toString(),
                                "--known-hosts",
                                cwd.relativize(dir.resolve("kh")).toString(),
                                "--ssh-config",
                                cwd.relativize(dir.resolve("none")).toString(),
                                "--audit",
                                cwd.relativize(audit).toString(),
                                "--no-color",
                                "--fix",
                                "--plan-out",
                                plan.toString()));
        args.addAll(List.of(extra));
        Cli saved = Cli.run(args.toArray(String[]::new));
        assertEquals(1, saved.exit(), saved.out() + saved.err());
        assertTrue(saved.out().contains("plan saved to " + plan), saved.out());
    }

    private Cli apply(String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "apply",
                                plan.toString(),
                                "--known-hosts",
                                dir.resolve("kh").toString(),
                                "--ssh-config",
                                dir.resolve("none").toString(),
                                "--audit",
                                audit.toString()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private void editPlan(Consumer<ObjectNode> edit) throws Exception {
        ObjectNode n = (ObjectNode) JSON.readTree(plan.toFile());
        edit.accept(n);
        Files.writeString(plan, JSON.writeValueAsString(n));
    }

    private static ObjectNode web1(ObjectNode plan) {
        return (ObjectNode) plan.get("hosts").get(0);
    }

    private List<JsonNode> audit(String event) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(audit)) {
            JsonNode n = JSON.readTree(line);
            if (n.get("event").asText().equals(event)) out.add(n);
        }
        return out;
    }

    private void assertRefusedBeforeAnyHostIsContacted(Cli r, String message) throws Exception {
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(plan + ":1:1: plan refused: " + message), r.err());
        assertEquals(1, host.server().commands().size(), "only the plan's probe batch");
        assertFalse(host.ntpdRunning());
    }

    @Test
    void applyWithoutApprovalRunsNoConfirmFixAndSaysHowToApproveIt() throws Exception {
        savePlan();
        Cli r = apply();
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(
                r.out()
                        .contains(
                                "fix resync-clock not run: needs approval: no terminal; use --approve resync-clock or --yes"),
                r.out());
        assertEquals(2, host.server().commands().size(), "two probe batches, no fix");
        assertFalse(host.ntpdRunning());
        JsonNode approval = audit("approval").get(0);
        assertEquals("needs_approval", approval.get("decision").asText());
        assertEquals("nobody", approval.get("by").asText());
    }

    @Test
    void applyWithApproveRunsTheFixAndTheAuditSaysExactlyThat() throws Exception {
        savePlan();
        Cli r = apply("--approve", "resync-clock");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(host.ntpdRunning());
        JsonNode approval = audit("approval").get(0);
        assertEquals("run", approval.get("decision").asText());
        assertEquals("--approve resync-clock", approval.get("how").asText());
        assertEquals("apply", audit("run").get(0).get("mode").asText());
    }

    @Test
    void applyWithYesRecordsYesAsHowItWasApproved() throws Exception {
        savePlan();
        Cli r = apply("--yes");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("--yes", audit("approval").get(0).get("how").asText());
    }

    @Test
    void approvingAnotherFixDoesNotApproveThePlannedOne() throws Exception {
        savePlan();
        Cli r = apply("--approve", "restart-web");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("fix resync-clock not run: needs approval"), r.out());
        assertFalse(host.ntpdRunning());
    }

    @Test
    void varsEditedInThePlanAreRefusedNamingTheVar() throws Exception {
        savePlan("--var", "ntp_server=ntp.example.net");
        editPlan(p -> ((ObjectNode) p.get("vars")).put("ntp_server", "evil.example.com"));
        assertRefusedBeforeAnyHostIsContacted(
                apply("--yes"), "vars of host web1 changed: ntp_server");
    }

    @Test
    void aVarDigestEditedInThePlanIsRefused() throws Exception {
        savePlan();
        editPlan(p -> ((ObjectNode) web1(p).get("vars_sha256")).put("marker", "0".repeat(64)));
        assertRefusedBeforeAnyHostIsContacted(apply("--yes"), "vars of host web1 changed: marker");
    }

    @Test
    void anInventoryVarAddedSinceThePlanIsRefusedNamingTheVarAndTheStep() throws Exception {
        savePlan();
        Files.writeString(inventory, inventoryText(", vars: { ntp_server: evil.example.com }"));
        Cli r = apply("--yes");
        assertRefusedBeforeAnyHostIsContacted(r, "vars of host web1 changed: ntp_server");
        assertTrue(
                r.err().contains("plan refused: fix resync-clock's step 2 changed on host web1"),
                r.err());
    }

    @Test
    void theInventoryEntryEditedInThePlanIsRefused() throws Exception {
        savePlan();
        editPlan(p -> ((ObjectNode) web1(p).get("inventory_entry")).put("user", "root"));
        assertRefusedBeforeAnyHostIsContacted(
                apply("--yes"), "inventory entry of host web1 changed: user (root then, ops now)");
    }

    @Test
    void theInventoryEntryChangedSinceThePlanIsRefused() throws Exception {
        savePlan();
        Files.writeString(
                inventory, Files.readString(inventory).replace("user: ops", "user: root"));
        assertRefusedBeforeAnyHostIsContacted(
                apply("--yes"), "inventory entry of host web1 changed: user (ops then, root now)");
    }

    @Test
    void aFixStepDigestEditedInThePlanIsRefusedNamingTheStep() throws Exception {
        savePlan();
        editPlan(p -> {
            ObjectNode fix = (ObjectNode) web1(p).get("fixes").get(0);
            ((ArrayNode) fix.get("steps_sha256")).set(1, "0".repeat(64));
        });
        assertRefusedBeforeAnyHostIsContacted(
                apply("--yes"), "fix resync-clock's step 2 changed on host web1");
    }

    @Test
    void aFixAddedToThePlanIsRefused() throws Exception {
        savePlan();
        editPlan(p -> {
            ObjectNode extra = ((ArrayNode) web1(p).get("fixes")).addObject();
            extra.put("name", "wipe-disk");
            extra.putArray("steps_sha256").add("0".repeat(64));
            extra.putArray("finally_sha256");
        });
        assertRefusedBeforeAnyHostIsContacted(
                apply("--yes"), "fix wipe-disk is not in the checklist (host web1)");
    }

    @Test
    void aCheckFileChangedSinceThePlanIsRefusedNamingTheFile() throws Exception {
        savePlan();
        Files.writeString(checks, Files.readString(checks).replace("-b {{", "-B {{"));
        assertRefusedBeforeAnyHostIsContacted(
                apply("--yes"), "check file " + checks + " changed since the plan");
    }

    @Test
    void aCheckFileDigestEditedInThePlanIsRefused() throws Exception {
        savePlan();
        editPlan(p ->
                ((ObjectNode) p.get("checklist").get("file_sha256"))
                        .put(checks.toString(), "0".repeat(64)));
        assertRefusedBeforeAnyHostIsContacted(
                apply("--yes"), "check file " + checks + " changed since the plan");
    }

    @Test
    void aHostKeyEditedInThePlanRefusesThatHost() throws Exception {
        savePlan();
        editPlan(p -> web1(p).put("host_key", "SHA256:AAAA"));
        Cli r = apply("--yes");
        assertTrue(
                r.out().contains("web1: plan refused: its host key changed since the plan"),
                r.out());
        assertFalse(host.ntpdRunning());
    }

    @Test
    void aFixRemovedFromThePlanRefusesThatHost() throws Exception {
        savePlan();
        editPlan(p -> ((ArrayNode) web1(p).get("fixes")).remove(0));
        Cli r = apply("--yes");
        assertTrue(
                r.out()
                        .contains(
                                "web1: plan refused: its fixes changed since the plan ([] then, [resync-clock] now)"),
                r.out());
        assertFalse(host.ntpdRunning());
    }

    /** A guard, not a regression test: the var digests added for issue 13 hold no values. */
    @Test
    void thePlanHoldsNoVarValueButThoseGivenWithVar() throws Exception {
        Files.writeString(inventory, inventoryText(", vars: { api_token: s3cr3t-t0ken }"));
        savePlan("--var", "ntp_server=ntp.example.net");
        String text = Files.readString(plan);
        assertFalse(text.contains("s3cr3t-t0ken"), text);
        assertFalse(text.contains(host.dir() + "/synced"), text);
        assertEquals(1, text.split("ntp.example.net", -1).length - 1, text);
    }

    @Test
    void thePlanStoresAbsolutePathsAndAppliesFromAnotherWorkingDirectory() throws Exception {
        savePlan();
        JsonNode p = JSON.readTree(plan.toFile());
        assertEquals(checks.toString(), p.get("checklist").get("files").get(0).asText());
        assertEquals(inventory.toString(), p.get("inventory").asText());
        assertEquals(dir.resolve("kh").toString(), p.get("known_hosts").asText());
        assertEquals(dir.resolve("none").toString(), p.get("ssh_config").asText());
        assertEquals(audit.toString(), p.get("audit").asText());

        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Process apply =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                "dev.postflight.cli.Main",
                                "apply",
                                plan.toString(),
                                "--yes")
                        .directory(elsewhere.toFile())
                        .redirectErrorStream(true)
                        .start();
        assertTrue(apply.waitFor(60, TimeUnit.SECONDS));
        String out = new String(apply.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, apply.exitValue(), out);
        assertTrue(host.ntpdRunning());
        assertEquals("--yes", audit("approval").get(0).get("how").asText());
    }
}
