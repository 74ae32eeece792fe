package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postflight.testing.SshTestServer;
import dev.postflight.testing.Tarpit;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unreachable hosts of a fleet group by the kind of failure, not by its text (issue 18): each
 * refusal names its own address and port, so grouping by text never grouped two real hosts. Over
 * real loopback ports nothing listens on, and a tarpit that never sends an SSH banner.
 */
class UnreachableGroupsTest {
    @TempDir Path dir;
    SshTestServer web;
    Tarpit tarpit;
    Tarpit tarpit2;
    int[] closed = new int[3];

    @BeforeEach
    void start() throws Exception {
        web = SshTestServer.start(Files.createDirectory(dir.resolve("web")));
        tarpit = Tarpit.start();
        tarpit2 = Tarpit.start();
        ServerSocket[] held = new ServerSocket[closed.length];
        for (int i = 0; i < closed.length; i++) {
            held[i] = new ServerSocket(0);
            closed[i] = held[i].getLocalPort();
        }
        for (ServerSocket s : held) s.close();
    }

    @AfterEach
    void stop() throws Exception {
        web.close();
        tarpit.close();
        tarpit2.close();
    }

    private Cli verify(String... extra) throws Exception {
        StringBuilder inventory =
                new StringBuilder(
                        "defaults: { user: ops, identity: "
                                + web.clientKey()
                                + " }\nhosts:\n  web1: { address: 127.0.0.1, port: "
                                + web.port()
                                + " }\n");
        for (int i = 0; i < closed.length; i++)
            inventory
                    .append("  web")
                    .append(i + 2)
                    .append(": { address: 127.0.0.1, port: ")
                    .append(closed[i])
                    .append(" }\n");
        inventory
                .append("  web5: { address: 127.0.0.1, port: ")
                .append(tarpit.port())
                .append(" }\n");
        inventory
                .append("  web6: { address: 127.0.0.1, port: ")
                .append(tarpit2.port())
                .append(" }\n");
        Path inv = dir.resolve("inv.yaml");
        Files.writeString(inv, inventory.toString());
        Path checks = dir.resolve("c.yaml");
        Files.writeString(checks, "checks:\n  - { id: shell, command: { run: \"echo ok\" } }\n");
        Path known = dir.resolve("known_hosts");
        Files.writeString(known, web.knownHostsLine() + "\n");
        // The tarpit hosts give up on the banner after 1s, well inside their --timeout.
        Path config = dir.resolve("ssh_config");
        Files.writeString(config, "Host *\n    ConnectTimeout 1\n");
        String[] base = {
            "verify",
            "-i",
            inv.toString(),
            "-c",
            checks.toString(),
            "--known-hosts",
            known.toString(),
            "--ssh-config",
            config.toString(),
            "--timeout",
            "20s",
            "--no-color"
        };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Cli.run(args);
    }

    @Test
    void hostsRefusedOnTheirOwnPortsShareOneLineNamingEveryOne() throws Exception {
        Cli r = verify();
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(
                r.out().contains("\nUNREACHABLE connection refused: 3 hosts: web2…web4\n"),
                r.out());
        assertTrue(r.out().contains("\nUNREACHABLE no SSH banner: 2 hosts: web5, web6\n"), r.out());
        assertTrue(
                r.out()
                        .contains(
                                "\n            e.g. web2: connection refused (127.0.0.1:"
                                        + closed[0]
                                        + ")\n"),
                r.out());
        for (String h : new String[] {"web2", "web3", "web4", "web5", "web6"})
            assertFalse(r.out().contains("\n" + h + " (ssh "), h + " listed alone:\n" + r.out());
        assertTrue(
                r.out()
                        .contains(
                                "\nBy reason: unreachable (connection refused) 3 hosts,"
                                        + " unreachable (no SSH banner) 2\n"),
                r.out());
    }

    @Test
    void mergedShardsGroupTheirRefusedHostsTogetherAndKeepEachOnesKindAndReason() throws Exception {
        Path shard0 = dir.resolve("shard-0.json");
        Path shard1 = dir.resolve("shard-1.json");
        Cli first = verify("--shard", "0/2", "--report", "json=" + shard0);
        Cli second = verify("--shard", "1/2", "--report", "json=" + shard1);
        assertTrue(Files.exists(shard0) && Files.exists(shard1), first.err() + second.err());
        Path merged = dir.resolve("merged.json");
        Cli r =
                Cli.run(
                        "merge",
                        "--no-color",
                        shard0.toString(),
                        shard1.toString(),
                        "--report",
                        "json=" + merged);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(
                r.out().contains("\nUNREACHABLE connection refused: 3 hosts: web2…web4\n"),
                r.out());
        JsonNode hosts = new ObjectMapper().readTree(merged.toFile()).get("hosts");
        assertEquals(6, hosts.size());
        for (JsonNode h : hosts) {
            String name = h.get("name").asText();
            int n = Integer.parseInt(name.substring(3));
            if (n >= 2 && n <= 4) {
                assertEquals("refused", h.path("unreachable_kind").asText(), h.toString());
                assertEquals(
                        "connection refused (127.0.0.1:" + closed[n - 2] + ")",
                        h.get("unreachable").asText());
            } else if (n >= 5) {
                assertEquals("no_banner", h.path("unreachable_kind").asText(), h.toString());
            } else {
                assertFalse(h.has("unreachable_kind"), h.toString());
            }
        }
    }
}
