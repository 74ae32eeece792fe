package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postflight.testing.SshTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black-box tests of {@code postflight snapshot} and {@code verify --baseline}: this machine, and a
 * real SSH server (MINA SSHD) that is "redeployed" with a new host key (seed 002).
 */
class BaselineCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void unchangedMachinePassesAndAnEditedBaselineFailsListingOsAndPort() throws Exception {
        try (java.net.ServerSocket held = fixedPort()) {
            editedBaseline(held);
        }
    }

    /** A listening port below the ephemeral range (the baseline leaves ephemeral ports out). */
    private static java.net.ServerSocket fixedPort() throws java.io.IOException {
        java.util.Random r = new java.util.Random();
        for (int i = 0; ; i++) {
            try {
                return new java.net.ServerSocket(20000 + r.nextInt(10000));
            } catch (java.net.BindException e) {
                if (i > 50) throw e;
            }
        }
    }

    private void editedBaseline(java.net.ServerSocket held) throws Exception {
        Path base = dir.resolve("base.json");
        Cli snap = Cli.run("snapshot", "--local", "-o", base.toString());
        assertEquals(0, snap.exit(), snap.out() + snap.err());
        assertTrue(snap.out().contains("baseline of 1 host written to " + base), snap.out());
        JsonNode doc = JSON.readTree(base.toFile());
        assertEquals("postflight.baseline/v1", doc.path("schema").asText());
        String name = doc.path("hosts").fieldNames().next();
        ObjectNode host = (ObjectNode) doc.path("hosts").path(name);
        assertTrue(!host.path("kernel").asText().isEmpty(), doc.toString());
        // Other processes on this machine open and close ports while the tests run: keep only a
        // port this test holds open, so "no longer listens" can only come from the edit below.
        assertTrue(
                host.path("ports").toString().contains("\"tcp/" + held.getLocalPort() + "\""),
                host.path("ports").toString());
        host.putArray("ports").add("tcp/" + held.getLocalPort());
        Files.writeString(base, JSON.writeValueAsString(doc));

        Cli same = Cli.run("verify", "--local", "--baseline", base.toString(), "--no-color");
        assertEquals(0, same.exit(), same.out() + same.err());

        host.put("os", "Debian GNU/Linux 11 (bullseye)");
        ((ArrayNode) host.withArray("ports")).add("tcp/1");
        Files.writeString(base, JSON.writeValueAsString(doc));
        Cli changed = Cli.run("verify", "--local", "--baseline", base.toString(), "--no-color");
        assertEquals(1, changed.exit(), changed.out() + changed.err());
        assertTrue(changed.out().contains("OS Debian GNU/Linux 11 (bullseye) → "), changed.out());
        assertTrue(changed.out().contains("port tcp/1 no longer listens"), changed.out());
    }

    @Test
    void aHostMissingFromTheBaselineIsAnErrorThatSaysHowToRecordIt() throws Exception {
        Path base = dir.resolve("base.json");
        Files.writeString(
                base,
                "{\"schema\":\"postflight.baseline/v1\",\"taken\":\"2026-11-20T01:55:00Z\","
                        + "\"hosts\":{}}");
        Cli r = Cli.run("verify", "--local", "--baseline", base.toString(), "--no-color", "-v");
        assertEquals(1, r.exit(), r.out() + r.err());
        String host = Fleet.localHost().name();
        assertTrue(
                r.out()
                        .contains(
                                "ERROR baseline  no baseline for "
                                        + host
                                        + " in "
                                        + base
                                        + ": nothing to compare it with; record it before the next"
                                        + " window with 'postflight snapshot -o "
                                        + base
                                        + "' over all hosts, "
                                        + host
                                        + " included"),
                r.out());
        assertTrue(r.out().contains("FAILED: 1 host"), r.out());
    }

    @Test
    void aFileThatIsNotABaselineIsAUsageError() throws Exception {
        Path base = dir.resolve("base.json");
        Files.writeString(base, "{\"schema\":\"postflight.plan/v1\"}");
        Cli r = Cli.run("verify", "--local", "--baseline", base.toString());
        assertEquals(2, r.exit());
        assertEquals(
                base
                        + ":1:1: --baseline: not a postflight baseline (schema"
                        + " postflight.baseline/v1); make one with 'postflight snapshot -o FILE'\n",
                r.err());
    }

    @Test
    void redeployedHostWithAReacceptedKeyFailsNamingBothFingerprints() throws Exception {
        try (SshTestServer web = SshTestServer.start(Files.createDirectory(dir.resolve("web")))) {
            Path inv =
                    Files.writeString(
                            dir.resolve("inv.yaml"),
                            "defaults: { user: ops, identity: "
                                    + web.clientKey()
                                    + " }\nhosts:\n  web1: { address: 127.0.0.1, port: "
                                    + web.port()
                                    + " }\n");
            Path before = web.writeKnownHosts(dir.resolve("known_hosts"));
            Path base = dir.resolve("base.json");
            String noConfig = dir.resolve("no-config").toString();
            Cli snap =
                    Cli.run(
                            "snapshot",
                            "-i",
                            inv.toString(),
                            "--known-hosts",
                            before.toString(),
                            "--ssh-config",
                            noConfig,
                            "-o",
                            base.toString());
            assertEquals(0, snap.exit(), snap.out() + snap.err());
            String old = web.hostKeyFingerprint();
            assertEquals(
                    old,
                    JSON.readTree(base.toFile())
                            .path("hosts")
                            .path("web1")
                            .path("host_key")
                            .asText());

            web.restartWithNewHostKey();
            Path reaccepted = web.writeKnownHosts(dir.resolve("known_hosts.new"));
            Cli r =
                    Cli.run(
                            "verify",
                            "-i",
                            inv.toString(),
                            "--known-hosts",
                            reaccepted.toString(),
                            "--ssh-config",
                            noConfig,
                            "--baseline",
                            base.toString(),
                            "--no-color");
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(
                    r.out().contains("host key " + old + " → " + web.hostKeyFingerprint()),
                    r.out());
        }
    }

    @Test
    void aHostThatCannotBeRecordedExitsOneAndTheOthersAreStillWritten() throws Exception {
        try (SshTestServer web = SshTestServer.start(Files.createDirectory(dir.resolve("web")))) {
            Path inv =
                    Files.writeString(
                            dir.resolve("inv.yaml"),
                            "defaults: { user: ops, identity: "
                                    + web.clientKey()
                                    + " }\nhosts:\n  web1: { address: 127.0.0.1, port: "
                                    + web.port()
                                    + " }\n");
            Path base = dir.resolve("base.json");
            Cli snap =
                    Cli.run(
                            "snapshot",
                            "-i",
                            inv.toString(),
                            "--known-hosts",
                            Files.writeString(dir.resolve("empty_known_hosts"), "").toString(),
                            "--ssh-config",
                            dir.resolve("no-config").toString(),
                            "-o",
                            base.toString());
            assertEquals(1, snap.exit(), snap.out() + snap.err());
            assertTrue(snap.out().startsWith("web1: NOT RECORDED: "), snap.out());
            assertTrue(
                    snap.out()
                            .endsWith(
                                    "baseline of 0 hosts written to "
                                            + base
                                            + " (1 not recorded)\n"),
                    snap.out());
            assertEquals(0, JSON.readTree(base.toFile()).path("hosts").size());
            assertEquals(java.util.List.of(), web.commands());
        }
    }
}
