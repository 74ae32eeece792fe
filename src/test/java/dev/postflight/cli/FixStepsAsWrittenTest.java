package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postflight.testing.SshTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A templated fix step reaches the host as {@code pf_v1='…'} then {@code echo to "${pf_v1}"}
 * (input/ShellTemplate), but an admin reads it as the check file has it, as {@code --dry-run} shows
 * it: {@code echo to {{ server }}; exit 3}, in the audit log's step and fix records, the progress
 * line and the human and HTML reports. The exact script stays in the audit's "about-to-run" record,
 * a secret's value redacted there and shown nowhere.
 */
class FixStepsAsWrittenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "tok-s3cr3t-XYZ";

    @TempDir Path dir;
    SshTestServer host;
    Path inventory;

    @BeforeEach
    void start() throws Exception {
        host = SshTestServer.start(Files.createDirectory(dir.resolve("host")));
        inventory = dir.resolve("inv.yaml");
        Files.writeString(
                inventory,
                "hosts:\n  web1: { address: 127.0.0.1, port: "
                        + host.port()
                        + ", user: ops, identity: "
                        + host.clientKey()
                        + " }\n");
        host.writeKnownHosts(dir.resolve("kh"));
    }

    @AfterEach
    void stop() throws Exception {
        if (host != null) host.close();
    }

    private Cli fix(String step) throws Exception {
        Path checks = dir.resolve("c.yaml");
        Files.writeString(
                checks,
                """
                vars:
                  server: ntp.example.net
                  tok: { value: "%s", secret: true }
                checks:
                  - id: marker
                    command: { run: "test -e %s" }
                    fix: make-marker
                fixes:
                  make-marker:
                    approval: auto
                    settle: 0s
                    retries: 0
                    steps:
                      - run: %s
                """
                        .formatted(SECRET, dir.resolve("marker"), step));
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "verify",
                                "-i",
                                inventory.toString(),
                                "-c",
                                checks.toString(),
                                "--known-hosts",
                                dir.resolve("kh").toString(),
                                "--ssh-config",
                                dir.resolve("none").toString(),
                                "--no-color",
                                "--fix",
                                "--audit",
                                dir.resolve("audit.jsonl").toString(),
                                "--report",
                                "html=" + dir.resolve("report.html")));
        return Cli.run(args.toArray(String[]::new));
    }

    private List<JsonNode> audit(String event) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("audit.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.get("event").asText().equals(event)) out.add(n);
        }
        return out;
    }

    @Test
    void aFailedTemplatedStepIsShownAsWrittenInTheAuditTheProgressAndTheReports() throws Exception {
        Cli r = fix("echo to {{ server }}; exit 3");
        assertEquals(1, r.exit(), r.out() + r.err());

        String summary =
                "make-marker: step 1 (echo to {{ server }}; exit 3) exit 3: to ntp.example.net";
        assertTrue(r.out().contains("web1: " + summary + "\n"), r.out());
        assertTrue(r.out().contains("  fix FAILED " + summary + "\n"), r.out());
        assertFalse(r.out().contains("pf_v1"), r.out());

        JsonNode step = audit("step-result").get(0);
        assertEquals("echo to {{ server }}; exit 3", step.get("command").asText());
        assertEquals(3, step.get("exit").asInt());
        assertEquals(summary, audit("fix-result").get(0).get("summary").asText());
        assertEquals(
                "step: pf_v1='ntp.example.net'\necho to \"${pf_v1}\"; exit 3",
                audit("about-to-run").get(0).get("commands").get(0).asText(),
                "the exact script is still recorded before it is sent");

        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("step 1 (echo to {{ server }}; exit 3) exit 3"), html);
        assertFalse(html.contains("pf_v1"), html);
    }

    @Test
    void aSecretTemplateValueIsInNeitherTheAuditNorTheReports() throws Exception {
        Cli r = fix("test {{ tok }} = wrong");
        assertEquals(1, r.exit(), r.out() + r.err());

        String summary = "make-marker: step 1 (test {{ tok }} = wrong) exit 1";
        assertTrue(r.out().contains("  fix FAILED " + summary + "\n"), r.out());
        JsonNode step = audit("step-result").get(0);
        assertEquals("test {{ tok }} = wrong", step.get("command").asText());
        assertEquals(
                "step: pf_v1='<redacted>'\ntest \"${pf_v1}\" = wrong",
                audit("about-to-run").get(0).get("commands").get(0).asText());

        String everything =
                r.out()
                        + r.err()
                        + Files.readString(dir.resolve("audit.jsonl"))
                        + Files.readString(dir.resolve("report.html"));
        assertFalse(everything.contains("s3cr3t"), everything);
    }
}
