package dev.postflight.cli;

import dev.postflight.testing.SshTestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A fleet of named hosts for shard and merge tests: every host is a real SSH login on one MINA SSHD
 * server (127.0.0.1), told apart by its inventory name and a {@code state} var the checks read, so
 * hosts pass, fail a critical check or warn; and one host whose port refuses connections is
 * unreachable. Host {@code hNN}'s state: every fifth is {@code bad}, every third {@code meh}.
 */
record TestFleet(SshTestServer server, Path inventory, Path knownHosts, Path checks)
        implements AutoCloseable {

    static final String CHECKS =
            """
            checklist: fleet
            checks:
              - { id: shell, command: { run: "echo ok", stdout_contains: ok } }
              - { id: state, command: { run: 'test "{{ state }}" != bad' } }
              - { id: soft, command: { run: 'test "{{ state }}" != meh' }, severity: warning }
              - { id: name, command: { run: "echo {{ host.name }}", stdout_contains: h } }
            """;

    static TestFleet start(Path dir, int hosts) throws IOException {
        SshTestServer server = SshTestServer.start(Files.createDirectories(dir.resolve("sshd")));
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path inventory = dir.resolve("inventory.yaml");
        Files.writeString(inventory, inventoryText(server, hosts, closed));
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, server.knownHostsLine() + "\n");
        Path checks = dir.resolve("fleet.yaml");
        Files.writeString(checks, CHECKS);
        return new TestFleet(server, inventory, knownHosts, checks);
    }

    /** Hosts h01…hNN; the last one is unreachable (a port nothing listens on). */
    static String inventoryText(SshTestServer server, int hosts, int closedPort) {
        StringBuilder inv =
                new StringBuilder(
                        "defaults: { user: ops, identity: " + server.clientKey() + " }\n");
        inv.append("hosts:\n");
        for (String name : names(hosts)) {
            int i = Integer.parseInt(name.substring(1));
            String state = i % 5 == 0 ? "bad" : i % 3 == 0 ? "meh" : "good";
            int port = i == hosts ? closedPort : server.port();
            inv.append("  ")
                    .append(name)
                    .append(": { address: 127.0.0.1, port: ")
                    .append(port)
                    .append(", vars: { state: ")
                    .append(state)
                    .append(" } }\n");
        }
        return inv.toString();
    }

    static List<String> names(int hosts) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= hosts; i++) names.add(String.format("h%02d", i));
        return names;
    }

    /** The verify command line for this fleet, followed by {@code extra}. */
    List<String> verify(String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "verify",
                                "-i",
                                inventory.toString(),
                                "-c",
                                checks.toString(),
                                "--known-hosts",
                                knownHosts.toString(),
                                "--ssh-config",
                                inventory.resolveSibling("no-ssh-config").toString(),
                                "--timeout",
                                "20s",
                                "--no-color"));
        args.addAll(List.of(extra));
        return args;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
