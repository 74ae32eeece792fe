package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postflight.testing.SshTestServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unreachable host's header names the address that was tried, as a reached host's does (issue
 * 19): over a real loopback port nothing listens on, directly and through a jump host.
 */
class UnreachableHeaderTest {
    @TempDir Path dir;
    SshTestServer web;
    SshTestServer bastion;
    Path knownHosts;
    int closed;

    @BeforeEach
    void start() throws Exception {
        web = SshTestServer.start(Files.createDirectory(dir.resolve("web")));
        bastion =
                SshTestServer.start(Files.createDirectory(dir.resolve("bastion")), Map.of(), true);
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(
                knownHosts, web.knownHostsLine() + "\n" + bastion.knownHostsLine() + "\n");
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
    }

    @AfterEach
    void stop() throws Exception {
        web.close();
        bastion.close();
    }

    private Cli verify(String... extra) throws Exception {
        Path inventory = dir.resolve("inv.yaml");
        Files.writeString(
                inventory,
                "defaults: { user: ops, identity: "
                        + web.clientKey()
                        + " }\nhosts:\n  bastion: { address: 127.0.0.1, port: "
                        + bastion.port()
                        + ", identity: "
                        + bastion.clientKey()
                        + " }\n  web1: { address: 127.0.0.1, port: "
                        + web.port()
                        + " }\n  web3: { address: 127.0.0.1, port: "
                        + closed
                        + " }\n  web4: { address: 127.0.0.1, port: "
                        + closed
                        + ", jump: bastion }\ngroups:\n  web: { hosts: [web1, web3, web4] }\n");
        Path checks = dir.resolve("c.yaml");
        Files.writeString(checks, "checks:\n  - { id: shell, command: { run: \"echo ok\" } }\n");
        String[] base = {
            "verify",
            "-i",
            inventory.toString(),
            "-c",
            checks.toString(),
            "--known-hosts",
            knownHosts.toString(),
            "--ssh-config",
            dir.resolve("no-config").toString(),
            "--no-color",
            "--limit",
            "web"
        };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Cli.run(args);
    }

    @Test
    void anUnreachableHostsHeaderNamesTheAddressTriedAndTheJumpHost() throws Exception {
        Cli r = verify();
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(
                r.out().contains("\nweb3 (ssh ops@127.0.0.1:" + closed + ")  unreachable · "),
                r.out());
        assertTrue(
                r.out()
                        .contains(
                                "\nweb4 (ssh ops@127.0.0.1:"
                                        + closed
                                        + " via bastion)  unreachable · "),
                r.out());
        assertTrue(r.out().contains("UNREACHABLE connection refused"), r.out());
    }

    @Test
    void onlyProblemsLeavesTheLineOfPassingHostsOut() throws Exception {
        Cli all = verify();
        assertTrue(all.out().contains("\nPassed: 1 host: web1\n"), all.out());
        Cli problems = verify("--only-problems");
        assertEquals(1, problems.exit(), problems.out() + problems.err());
        assertTrue(!problems.out().contains("web1"), problems.out());
        assertTrue(
                problems.out().contains("\nweb3 (ssh ops@127.0.0.1:" + closed + ")"),
                problems.out());
    }

    @Test
    void theJsonViaOfAnUnreachableHostIsTheDestinationTried() throws Exception {
        Path json = dir.resolve("run.json");
        Cli r = verify("--report", "json=" + json);
        assertEquals(1, r.exit(), r.out() + r.err());
        JsonNode hosts = new ObjectMapper().readTree(json.toFile()).get("hosts");
        for (JsonNode h : hosts) {
            String expected =
                    switch (h.get("name").asText()) {
                        case "web1" -> "ssh ops@127.0.0.1:" + web.port();
                        case "web3" -> "ssh ops@127.0.0.1:" + closed;
                        default -> "ssh ops@127.0.0.1:" + closed + " via bastion";
                    };
            assertEquals(expected, h.get("via").asText(), h.toString());
        }
        assertEquals(3, hosts.size());
    }
}
