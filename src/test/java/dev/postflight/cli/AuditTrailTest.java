package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.postflight.testing.NtpdShimHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log is a user-facing format (README "Audit log"): every event name, field and value of
 * representative fix runs against seed 003's shim host, compared with golden files in {@code
 * src/test/resources/golden/audit-*.jsonl}. What differs from run to run (time, run id, host key,
 * temporary paths, digests of outputs naming them, the operator) is replaced by a placeholder;
 * fields are compared sorted by name, and their order is pinned by {@link
 * #everyRecordKeepsTheFieldOrderTheReadmeShows}. Regenerate with {@code -Dgolden.update=true} and
 * review the diff.
 */
class AuditTrailTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;
    NtpdShimHost host;
    Path checks;
    Path audit;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(NtpdShimHost.available(), "needs root and unshare(1) for the shim host");
        host = NtpdShimHost.start(Files.createDirectory(dir.resolve("host")));
        audit = dir.resolve("audit.jsonl");
        checks = dir.resolve("time.yaml");
        Files.writeString(checks, host.timeChecklist());
        Files.writeString(dir.resolve("kh"), host.server().knownHostsLine() + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        if (host != null) host.close();
    }

    private Cli verify(int hosts, String... extra) throws Exception {
        Path inv = dir.resolve("inv.yaml");
        Files.writeString(inv, host.inventory(hosts, ""));
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "verify",
                                "-i",
                                inv.toString(),
                                "-c",
                                checks.toString(),
                                "--known-hosts",
                                dir.resolve("kh").toString(),
                                "--ssh-config",
                                dir.resolve("none").toString(),
                                "--no-color",
                                "--audit",
                                audit.toString()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void aFixThatSucceedsRecordsApprovalCommandsEveryStepItsResultAndTheRecheck() throws Exception {
        assertEquals(0, verify(1, "--fix", "--yes").exit());
        assertAuditMatches("audit-fix-succeeded.jsonl");
    }

    @Test
    void aFailingStepRecordsItsExitTheFinallyStepAndAFailedFixResult() throws Exception {
        host.breakNtpdate();
        assertEquals(1, verify(1, "--fix", "--yes").exit());
        assertAuditMatches("audit-fix-failed.jsonl");
    }

    @Test
    void aFixWithoutApprovalRecordsOnlyTheDecision() throws Exception {
        assertEquals(1, verify(1, "--fix").exit());
        assertAuditMatches("audit-not-approved.jsonl");
    }

    @Test
    void aLockedHostThenABrokenLockThenAStaleLockAreEachRecorded() throws Exception {
        Path lock = Files.createDirectories(host.home().resolve(".local/state/postflight/lock"));
        Process worker = new ProcessBuilder("sleep", "300").start();
        try {
            Files.writeString(
                    lock.resolve("owner"),
                    "run=other\nowner=alice@runner2\nsince=1795440000\npid=" + worker.pid() + "\n");
            assertEquals(1, verify(1, "--fix", "--yes").exit());
            assertEquals(0, verify(1, "--fix", "--yes", "--break-lock", "alice's run died").exit());
        } finally {
            worker.destroy();
        }
        new ProcessBuilder(host.dir().resolve("init.d/ntpd").toString(), "stop").start().waitFor();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.createDirectories(lock);
        Files.writeString(
                lock.resolve("owner"),
                "run=other\nowner=alice@runner2\nsince=1795440000\npid=" + gone.pid() + "\n");
        assertEquals(0, verify(1, "--fix", "--yes", "--force").exit());
        assertAuditMatches("audit-locks.jsonl");
    }

    @Test
    void theFleetGuardAndADryRunAreRecorded() throws Exception {
        assertEquals(1, verify(6, "--fix", "--yes").exit());
        assertEquals(1, verify(1, "--fix", "--dry-run").exit());
        assertAuditMatches("audit-guard-and-dry-run.jsonl");
    }

    @Test
    void everyRecordKeepsTheFieldOrderTheReadmeShows() throws Exception {
        host.breakNtpdate();
        verify(1, "--fix", "--yes");
        Map<String, List<String>> order =
                Map.of(
                        "approval",
                        List.of(
                                "time",
                                "run_id",
                                "event",
                                "host",
                                "fix",
                                "checks",
                                "level",
                                "decision",
                                "by",
                                "how"),
                        "about-to-run",
                        List.of(
                                "time",
                                "run_id",
                                "event",
                                "host",
                                "fix",
                                "checks",
                                "host_key",
                                "become",
                                "approved_by",
                                "approved_how",
                                "commands"),
                        "step-result",
                        List.of(
                                "time",
                                "run_id",
                                "event",
                                "host",
                                "fix",
                                "checks",
                                "step",
                                "command",
                                "started",
                                "exit",
                                "output_tail",
                                "output_sha256"),
                        "fix-result",
                        List.of(
                                "time",
                                "run_id",
                                "event",
                                "host",
                                "fix",
                                "checks",
                                "succeeded",
                                "summary",
                                "finally_completed",
                                "state_dir"),
                        "reverify",
                        List.of("time", "run_id", "event", "host", "check", "status", "reason"));
        for (String line : Files.readAllLines(audit)) {
            JsonNode n = JSON.readTree(line);
            List<String> expected = order.get(n.get("event").asText());
            if (expected == null) continue;
            List<String> names = new ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            assertEquals(expected, names, line);
        }
    }

    private void assertAuditMatches(String golden) throws Exception {
        String actual = normalized(Files.readAllLines(audit));
        Path file = GOLDEN.resolve(golden);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(file))
            fail("golden file " + file + " does not exist; actual:\n" + actual);
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual);
    }

    /** One line per record, fields sorted by name, what varies between runs as a placeholder. */
    private String normalized(List<String> lines) throws Exception {
        String operator = null;
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            ObjectNode n = (ObjectNode) JSON.readTree(line);
            if (n.get("event").asText().equals("run")) operator = n.get("operator").asText();
            Map<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sorted.put(e.getKey(), placeholder(e.getKey(), e.getValue(), operator));
            }
            out.append(JSON.writeValueAsString(sorted)).append('\n');
        }
        return out.toString();
    }

    private JsonNode placeholder(String key, JsonNode value, String operator) {
        switch (key) {
            case "time", "run_id", "host_key", "output_sha256", "runner_host", "operator" -> {
                return TextNode.valueOf("<" + key + ">");
            }
            case "checklist_sha256", "files" -> {
                return TextNode.valueOf("<" + key + ">");
            }
            default -> {}
        }
        if (value.isArray()) {
            var a = JSON.createArrayNode();
            value.forEach(v -> a.add(placeholder("", v, operator)));
            return a;
        }
        if (!value.isTextual()) return value;
        String s = value.asText().replace(dir.toString(), "$DIR");
        if (operator != null) s = s.replace(operator, "<operator>");
        s = s.replaceAll("worker pid \\d+ running", "worker pid <pid> running");
        s = s.replaceAll("/fix-[A-Za-z0-9._-]+", "/fix-<id>");
        s = s.replaceAll("modified [^ ]+ ago", "modified <age> ago");
        return TextNode.valueOf(s);
    }
}
