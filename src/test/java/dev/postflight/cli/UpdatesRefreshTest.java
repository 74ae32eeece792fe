package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postflight.testing.SshTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code updates: { refresh: true }} refreshes the package lists (a write to the host's package
 * cache) only in a run with --fix, the admin's approval of changes. The host is a real SSH login
 * whose {@code apt-get} is a test shim that records each call: a real {@code apt-get update} must
 * never run on the machine that runs the tests.
 */
class UpdatesRefreshTest {
    @TempDir Path dir;

    private static final String CHECKS =
            """
            checks:
              - id: patched
                updates: { refresh: true, become: true, reboot: false }
            """;

    @Test
    void withoutFixTheListsAreNotRefreshedAndTheVerdictSaysSoWithFixTheyAre() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path calls = dir.resolve("calls");
        Path aptGet = bin.resolve("apt-get");
        Files.writeString(
                aptGet,
                "#!/bin/sh\n"
                        + "echo \"apt-get $*\" >>"
                        + calls
                        + "\n"
                        + "case \"$1\" in\n"
                        + "  update) echo 'Reading package lists...' ;;\n"
                        + "  -s) echo 'Inst libssl3 [3.0.14-1~deb12u1] (3.0.15-1~deb12u1"
                        + " Debian-Security:12/stable-security [amd64])' ;;\n"
                        + "esac\n");
        Files.setPosixFilePermissions(aptGet, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path checks = dir.resolve("c.yaml");
        Files.writeString(checks, CHECKS);
        try (SshTestServer host =
                SshTestServer.start(
                        Files.createDirectory(dir.resolve("host")),
                        Map.of("PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin"),
                        false)) {
            Path inventory = dir.resolve("inv.yaml");
            Files.writeString(
                    inventory,
                    "hosts:\n  web1: { address: 127.0.0.1, port: "
                            + host.port()
                            + ", user: ops, identity: "
                            + host.clientKey()
                            + " }\n");
            String kh = host.writeKnownHosts(dir.resolve("kh")).toString();
            List<String> common =
                    List.of(
                            "verify",
                            "-i",
                            inventory.toString(),
                            "-c",
                            checks.toString(),
                            "--known-hosts",
                            kh,
                            "--ssh-config",
                            dir.resolve("none").toString(),
                            "--no-color");

            Cli read = Cli.run(common.toArray(String[]::new));
            assertEquals(1, read.exit(), read.out() + read.err());
            assertTrue(
                    read.out()
                            .matches(
                                    "(?s).*FAIL +patched +1 security update pending: libssl3; apt:"
                                            + " 1 update pending, 1 security[^\\n]*, package lists"
                                            + " not refreshed: refresh needs --fix\\n.*"),
                    read.out());
            assertEquals(List.of("apt-get -s upgrade"), Files.readAllLines(calls));

            // --dry-run sends no change, so no refresh either.
            List<String> dryRun = new java.util.ArrayList<>(common);
            dryRun.addAll(
                    List.of("--fix", "--dry-run", "--audit", dir.resolve("dry.jsonl").toString()));
            Cli dry = Cli.run(dryRun.toArray(String[]::new));
            assertTrue(dry.out().contains("refresh needs --fix"), dry.out() + dry.err());
            assertEquals(
                    List.of("apt-get -s upgrade", "apt-get -s upgrade"), Files.readAllLines(calls));

            List<String> withFix = new java.util.ArrayList<>(common);
            withFix.addAll(List.of("--fix", "--audit", dir.resolve("audit.jsonl").toString()));
            Cli fixed = Cli.run(withFix.toArray(String[]::new));
            assertEquals(1, fixed.exit(), fixed.out() + fixed.err());
            assertTrue(
                    fixed.out()
                            .matches(
                                    "(?s).*FAIL +patched +1 security update pending: libssl3; apt:"
                                            + " 1 update pending, 1 security[^\\n]* \\(refreshed:"
                                            + " apt-get update -q\\)\\n.*"),
                    fixed.out());
            assertEquals(
                    List.of(
                            "apt-get -s upgrade",
                            "apt-get -s upgrade",
                            "apt-get update -q",
                            "apt-get -s upgrade"),
                    Files.readAllLines(calls));
        }
    }

    @Test
    void aSavedPlanAndItsApplyDoNotRefreshTheLists() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path calls = dir.resolve("calls");
        Path aptGet = bin.resolve("apt-get");
        Files.writeString(
                aptGet,
                "#!/bin/sh\n"
                        + "echo \"apt-get $*\" >>"
                        + calls
                        + "\n"
                        + "case \"$1\" in\n"
                        + "  -s) echo 'Inst libssl3 [3.0.14-1~deb12u1] (3.0.15-1~deb12u1"
                        + " Debian-Security:12/stable-security [amd64])' ;;\n"
                        + "esac\n");
        Files.setPosixFilePermissions(aptGet, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path checks = dir.resolve("c.yaml");
        Files.writeString(
                checks,
                """
                checks:
                  - id: patched
                    updates: { refresh: true, become: true, reboot: false }
                    fix: note
                fixes:
                  note:
                    approval: auto
                    steps:
                      - run: "true"
                """);
        try (SshTestServer host =
                SshTestServer.start(
                        Files.createDirectory(dir.resolve("host")),
                        Map.of("PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin"),
                        false)) {
            Path inventory = dir.resolve("inv.yaml");
            Files.writeString(
                    inventory,
                    "hosts:\n  web1: { address: 127.0.0.1, port: "
                            + host.port()
                            + ", user: ops, identity: "
                            + host.clientKey()
                            + " }\n");
            String kh = host.writeKnownHosts(dir.resolve("kh")).toString();
            Path plan = dir.resolve("plan.json");
            String audit = dir.resolve("audit.jsonl").toString();
            Cli saved =
                    Cli.run(
                            "verify",
                            "-i",
                            inventory.toString(),
                            "-c",
                            checks.toString(),
                            "--known-hosts",
                            kh,
                            "--ssh-config",
                            dir.resolve("none").toString(),
                            "--no-color",
                            "--audit",
                            audit,
                            "--fix",
                            "--plan-out",
                            plan.toString());
            assertTrue(saved.out().contains("plan saved to " + plan), saved.out() + saved.err());
            Cli applied =
                    Cli.run(
                            "apply",
                            plan.toString(),
                            "--known-hosts",
                            kh,
                            "--ssh-config",
                            dir.resolve("none").toString(),
                            "--audit",
                            audit);
            assertTrue(
                    applied.out().contains("refresh needs --fix"), applied.out() + applied.err());
            assertTrue(
                    Files.readAllLines(calls).stream()
                            .allMatch(l -> l.equals("apt-get -s upgrade")),
                    String.join("\n", Files.readAllLines(calls)));
            assertTrue(Files.readAllLines(calls).size() >= 2, "the plan and the apply verified");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Runs {@code verify} against a host whose {@code apt-get} is a shim: {@code update} prints
     * {@code updateOutput} and exits {@code updateExit}; each call is appended to {@code calls}.
     */
    private Cli verifyWithShim(
            String checklist, String updateOutput, int updateExit, String... extra)
            throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path aptGet = bin.resolve("apt-get");
        Files.writeString(
                aptGet,
                "#!/bin/sh\n"
                        + "echo \"apt-get $*\" >>"
                        + dir.resolve("calls")
                        + "\n"
                        + "case \"$1\" in\n"
                        + "  update) echo '"
                        + updateOutput
                        + "'; exit "
                        + updateExit
                        + " ;;\n"
                        + "  -s) echo 'Inst libssl3 [3.0.14-1~deb12u1] (3.0.15-1~deb12u1"
                        + " Debian-Security:12/stable-security [amd64])' ;;\n"
                        + "esac\n");
        Files.setPosixFilePermissions(aptGet, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path checks = dir.resolve("c.yaml");
        Files.writeString(checks, checklist);
        try (SshTestServer host =
                SshTestServer.start(
                        Files.createDirectories(dir.resolve("host")),
                        Map.of("PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin"),
                        false)) {
            Path inventory = dir.resolve("inv.yaml");
            Files.writeString(
                    inventory,
                    "hosts:\n  web1: { address: 127.0.0.1, port: "
                            + host.port()
                            + ", user: ops, identity: "
                            + host.clientKey()
                            + " }\n");
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "verify",
                                    "-i",
                                    inventory.toString(),
                                    "-c",
                                    checks.toString(),
                                    "--known-hosts",
                                    host.writeKnownHosts(dir.resolve("kh")).toString(),
                                    "--ssh-config",
                                    dir.resolve("none").toString(),
                                    "--no-color",
                                    "--audit",
                                    dir.resolve("audit.jsonl").toString()));
            args.addAll(List.of(extra));
            return Cli.run(args.toArray(String[]::new));
        }
    }

    private List<JsonNode> audit() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Path file = dir.resolve("audit.jsonl");
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file)) out.add(JSON.readTree(line));
        return out;
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private List<String> calls() throws Exception {
        return Files.readAllLines(dir.resolve("calls"));
    }

    @Test
    void aRefreshWithFixIsInTheAuditLogWithWhoTheCommandItsExitAndOutcome() throws Exception {
        Cli fixed = verifyWithShim(CHECKS, "Reading package lists...", 0, "--fix");
        assertEquals(1, fixed.exit(), fixed.out() + fixed.err());
        assertEquals(List.of("apt-get update -q", "apt-get -s upgrade"), calls());

        List<JsonNode> records = audit();
        assertEquals(
                List.of("run", "host-change"),
                records.stream().map(n -> n.get("event").asText()).toList());
        JsonNode refresh = records.get(1);
        assertEquals(
                List.of(
                        "time",
                        "run_id",
                        "event",
                        "host",
                        "check",
                        "what",
                        "command",
                        "approved_by",
                        "approved_how",
                        "exit",
                        "succeeded",
                        "output_tail"),
                fieldNames(refresh));
        assertEquals("web1", refresh.get("host").asText());
        assertEquals("patched", refresh.get("check").asText());
        assertEquals("refresh the package lists", refresh.get("what").asText());
        assertEquals("apt-get update -q", refresh.get("command").asText());
        assertEquals(records.get(0).get("operator").asText(), refresh.get("approved_by").asText());
        assertEquals("--fix", refresh.get("approved_how").asText());
        assertEquals(0, refresh.get("exit").asInt());
        assertTrue(refresh.get("succeeded").asBoolean());
        assertEquals("Reading package lists...", refresh.get("output_tail").asText());
        assertEquals(records.get(0).get("run_id"), refresh.get("run_id"));
    }

    @Test
    void withoutFixNothingIsRefreshedAndNothingIsRecorded() throws Exception {
        Cli read = verifyWithShim(CHECKS, "Reading package lists...", 0);
        assertEquals(1, read.exit(), read.out() + read.err());
        assertEquals(List.of("apt-get -s upgrade"), calls());
        assertEquals(List.of(), audit(), "a run without --fix writes no audit record");

        Cli dry = verifyWithShim(CHECKS, "Reading package lists...", 0, "--fix", "--dry-run");
        assertEquals(1, dry.exit(), dry.out() + dry.err());
        assertEquals(List.of("apt-get -s upgrade", "apt-get -s upgrade"), calls());
        assertFalse(
                audit().stream().anyMatch(n -> n.get("event").asText().equals("host-change")),
                audit().toString());
    }

    @Test
    void aFailedRefreshIsRecordedAsFailedWithItsExitAndLastLine() throws Exception {
        Cli fixed =
                verifyWithShim(
                        CHECKS, "E: Could not get lock /var/lib/apt/lists/lock", 100, "--fix");
        assertEquals(1, fixed.exit(), fixed.out() + fixed.err());
        assertTrue(
                fixed.out()
                        .contains(
                                "  ERROR patched  updates: refresh: apt-get update -q failed: E:"
                                        + " Could not get lock /var/lib/apt/lists/lock\n"),
                fixed.out());
        List<JsonNode> records = audit();
        JsonNode refresh =
                records.stream()
                        .filter(n -> n.get("event").asText().equals("host-change"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(records.toString()));
        assertEquals("apt-get update -q", refresh.get("command").asText());
        assertEquals(100, refresh.get("exit").asInt());
        assertFalse(refresh.get("succeeded").asBoolean());
        assertEquals(
                "E: Could not get lock /var/lib/apt/lists/lock",
                refresh.get("output_tail").asText());
    }

    @Test
    void aRefreshWhenAFixedCheckIsVerifiedAgainIsRecordedBeforeTheRecheck() throws Exception {
        Cli fixed =
                verifyWithShim(
                        """
                        checks:
                          - id: patched
                            updates: { refresh: true, become: true, reboot: false }
                            fix: note
                        fixes:
                          note:
                            approval: auto
                            settle: 0s
                            retries: 0
                            steps:
                              - run: "true"
                        """,
                        "Reading package lists...",
                        0,
                        "--fix");
        assertEquals(1, fixed.exit(), fixed.out() + fixed.err());
        assertEquals(
                List.of(
                        "apt-get update -q",
                        "apt-get -s upgrade",
                        "apt-get update -q",
                        "apt-get -s upgrade"),
                calls());
        assertEquals(
                List.of(
                        "run",
                        "host-change",
                        "approval",
                        "about-to-run",
                        "step-result",
                        "fix-result",
                        "host-change",
                        "reverify"),
                audit().stream().map(n -> n.get("event").asText()).toList());
    }

    @Test
    void refreshWithoutBecomeIsRefusedAtItsKey() throws Exception {
        Path checks = dir.resolve("c.yaml");
        Files.writeString(checks, "checks:\n  - id: patched\n    updates: { refresh: true }\n");
        Cli r = Cli.run("lint", checks.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                checks
                        + ":3:25: refresh: true needs become: true (refreshing the package lists"
                        + " needs root; a root login needs no sudo)\n",
                r.err());
    }
}
