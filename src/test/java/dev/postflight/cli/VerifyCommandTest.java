package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postflight.testing.SshTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Black-box tests of {@code postflight verify} against real SSH servers (MINA SSHD). */
class VerifyCommandTest {
    @TempDir Path dir;
    SshTestServer web;
    SshTestServer bastion;
    Path knownHosts;

    /** Twelve checks of the kinds the fleet benchmark uses; every one passes on this machine. */
    static final String TWELVE =
            """
            checklist: twelve
            checks:
              - { id: file-exists, file: { path: /etc/hostname } }
              - { id: file-age, file: { path: /etc/passwd, max_age: 36500d } }
              - { id: process, process: { pattern: "java|sshd|sh" } }
              - { id: disk, disk: { mount: /, max_used: 99% } }
              - { id: inodes, disk: { mount: /, max_inodes_used: 99% } }
              - { id: command-output, command: { run: "uname -s", stdout_contains: Linux } }
              - { id: file-contains, file: { path: /etc/passwd, contains: "root:" } }
              - { id: load, command: { run: "cat /proc/loadavg" } }
              - { id: file-absent, file: { path: /nonexistent/postflight, exists: false } }
              - { id: uid, command: { run: "id -u", stdout_matches: "^[0-9]+$" } }
              - { id: tmp-dir, file: { path: /tmp, type: directory } }
              - { id: shell, command: { run: "echo ok", stdout_contains: ok } }
            """;

    @BeforeEach
    void start() throws Exception {
        web = SshTestServer.start(Files.createDirectory(dir.resolve("web")));
        bastion =
                SshTestServer.start(Files.createDirectory(dir.resolve("bastion")), Map.of(), true);
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(
                knownHosts, web.knownHostsLine() + "\n" + bastion.knownHostsLine() + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        web.close();
        bastion.close();
    }

    private Path inventory() throws Exception {
        return write(
                "inv.yaml",
                "defaults: { user: ops, identity: "
                        + web.clientKey()
                        + " }\nhosts:\n  bastion: { address: 127.0.0.1, port: "
                        + bastion.port()
                        + ", identity: "
                        + bastion.clientKey()
                        + " }\n  web1: { address: 127.0.0.1, port: "
                        + web.port()
                        + ", jump: bastion }\ngroups:\n  web: { hosts: [web1], vars: { greeting: hello } }\n");
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private Cli verify(String... extra) throws Exception {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
                                "verify",
                                "-i",
                                inventory().toString(),
                                "--known-hosts",
                                knownHosts.toString(),
                                "--ssh-config",
                                dir.resolve("no-config").toString(),
                                "--no-color"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void twelveChecksOverAJumpHostMakeExactlyOneExecOnTheHost() throws Exception {
        Path checks = write("twelve.yaml", TWELVE);
        Cli r = verify("-c", checks.toString(), "--limit", "web");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(1, web.commands().size(), "commands: " + web.commands());
        assertEquals(List.of(), bastion.commands());
        assertTrue(
                r.out().contains("web1 (ssh ops@127.0.0.1:" + web.port() + " via bastion)"),
                r.out());
        assertTrue(r.out().contains("12 passed"), r.out());
        assertTrue(r.out().endsWith("OK: every critical check passed (exit 0)\n"), r.out());
    }

    @Test
    void aFailedCriticalCheckExitsOneAndEveryReportSaysWhy() throws Exception {
        Path checks =
                write(
                        "c.yaml",
                        """
                        checks:
                          - id: greeting
                            command: { run: "echo {{ greeting }}", stdout_contains: hello }
                          - id: backup-ran
                            file: { path: /nonexistent/last-success }
                          - id: optional
                            command: { run: "exit 1" }
                            severity: warning
                        """);
        Path json = dir.resolve("run.json");
        Path junit = dir.resolve("run.xml");
        Cli r =
                verify(
                        "web1",
                        "-c",
                        checks.toString(),
                        "--report",
                        "json=" + json,
                        "--report",
                        "junit=" + junit);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("FAIL  backup-ran"), r.out());
        assertTrue(r.out().contains("WARN  optional"), r.out());
        assertTrue(
                r.out()
                        .contains(
                                "FAILED: 1 host with a failed critical check or unreachable (exit 1)"),
                r.out());
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertEquals(1, doc.get("exit_code").asInt());
        assertEquals("fail", doc.at("/hosts/0/checks/1/status").asText());
        assertTrue(Files.readString(junit).contains("name=\"web1/backup-ran\""));
    }

    @Test
    void jsonOnStdoutIsTheWholeDocument() throws Exception {
        Path checks = write("c.yaml", "checks:\n  - { id: a, command: { run: \"true\" } }\n");
        Cli r = verify("web1", "-c", checks.toString(), "--format", "json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(
                "postflight.run/v1", new ObjectMapper().readTree(r.out()).get("schema").asText());
    }

    @Test
    void invalidCheckFileExitsTwoBeforeAnyHostIsContacted() throws Exception {
        Path checks = write("bad.yaml", "checks:\n  - id: a\n    command: { rnu: \"true\" }\n");
        Cli r = verify("web1", "-c", checks.toString());
        assertEquals(2, r.exit());
        assertEquals(
                checks
                        + ":3:14: command check 'a': missing required key 'run'\n"
                        + checks
                        + ":3:16: unknown key 'rnu' in command check 'a' (did you mean 'run'?)\n",
                r.err());
        assertEquals(List.of(), web.commands());
        assertEquals(List.of(), bastion.commands());
    }

    @Test
    void aHostNeverReachedHasTheDestinationTriedAsItsViaInTheJsonReportAsTheSchemaSays()
            throws Exception {
        web.restartWithNewHostKey();
        Path checks = write("c.yaml", "checks:\n  - { id: a, command: { run: \"true\" } }\n");
        Cli r = verify("web1", "-c", checks.toString(), "--format", "json");
        assertEquals(1, r.exit(), r.err());
        com.fasterxml.jackson.databind.JsonNode host =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(r.out())
                        .path("hosts")
                        .get(0);
        assertEquals("web1", host.path("name").asText());
        assertEquals(
                "ssh ops@127.0.0.1:" + web.port() + " via bastion",
                host.path("via").asText("absent"),
                r.out());
    }

    @Test
    void changedHostKeyStopsThatHostWithBothFingerprintsAndExitsOne() throws Exception {
        String old = web.hostKeyFingerprint();
        web.restartWithNewHostKey();
        Path checks = write("c.yaml", "checks:\n  - { id: a, command: { run: \"true\" } }\n");
        Cli r = verify("web1", "-c", checks.toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("UNREACHABLE"), r.out());
        assertTrue(r.out().contains(old) && r.out().contains(web.hostKeyFingerprint()), r.out());
        assertTrue(r.out().contains("ssh-keygen -R"), r.out());
        assertEquals(List.of(), web.commands());
    }

    @Test
    void anEmptySelectionIsAnErrorNotAPass() throws Exception {
        Path checks = write("c.yaml", "checks:\n  - { id: a, command: { run: \"true\" } }\n");
        Cli r = verify("-c", checks.toString(), "--limit", "db");
        assertEquals(2, r.exit());
        assertEquals(
                "postflight: --limit: no group or host named 'db' (did you mean 'web'?)\n",
                r.err());
    }

    @Test
    void unknownFlagIsAUsageErrorWithExitTwo() {
        Cli r = Cli.run("verify", "-c", "x.yaml", "--fxi");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("postflight: Unknown option: '--fxi'"), r.err());
    }

    @Test
    void helpListsTheExitCodes() {
        Cli r = Cli.run("verify", "--help");
        assertEquals(0, r.exit());
        assertTrue(
                r.out().contains("1     a critical check failed or a host was unreachable"),
                r.out());
    }
}
