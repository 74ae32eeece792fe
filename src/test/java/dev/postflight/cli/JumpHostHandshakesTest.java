package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.testing.OpenSshKeys;
import dev.postflight.testing.OpenSshServer;
import dev.postflight.testing.SshTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet behind one bastion (seed 004's runner per data centre): the default concurrency starts up
 * to 1024 hosts at once, but a real OpenSSH bastion drops unauthenticated connections past {@code
 * MaxStartups} (default 10:30:100). postflight lets {@code SshConnector.JUMP_HANDSHAKES} handshakes
 * through one jump host at a time, so no host reads as unreachable because of the runner's own
 * rush.
 */
class JumpHostHandshakesTest {
    @TempDir Path dir;

    @Test
    void fortyHostsBehindABastionWithMaxStartups10AreAllReached() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/sshd")), "needs /usr/sbin/sshd");
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), "");
        // MaxStartups 10: sshd refuses every unauthenticated connection past the 10th.
        try (OpenSshServer bastion =
                        OpenSshServer.start(
                                dir.resolve("bastion"),
                                OpenSshServer.Setup.authorizing(Path.of(key + ".pub"))
                                        .withConfig("MaxStartups 10"));
                SshTestServer target =
                        SshTestServer.start(
                                Files.createDirectories(dir.resolve("target")), Map.of(), false)) {
            StringBuilder inv =
                    new StringBuilder("hosts:\n")
                            .append("  bastion: { address: 127.0.0.1, port: ")
                            .append(bastion.port())
                            .append(", user: ")
                            .append(bastion.user())
                            .append(", identity: ")
                            .append(key)
                            .append(" }\n");
            for (int i = 1; i <= 40; i++) {
                inv.append(String.format("  web%02d: { address: 127.0.0.1, port: ", i))
                        .append(target.port())
                        .append(", user: ")
                        .append(target.user())
                        .append(", identity: ")
                        .append(target.clientKey())
                        .append(", jump: bastion }\n");
            }
            Path inventory = Files.writeString(dir.resolve("inv.yaml"), inv);
            Path known =
                    Files.writeString(
                            dir.resolve("known_hosts"),
                            bastion.knownHostsName()
                                    + " "
                                    + bastion.hostKey()
                                    + "\n"
                                    + target.knownHostsLine()
                                    + "\n");
            Path checks =
                    Files.writeString(
                            dir.resolve("c.yaml"),
                            "checklist: via-bastion\nchecks:\n"
                                    + "  - { id: echo, command: { run: \"echo ok\","
                                    + " stdout_contains: ok } }\n");
            Cli r =
                    Cli.run(
                            "verify",
                            "-i",
                            inventory.toString(),
                            "-c",
                            checks.toString(),
                            "--limit",
                            "web*",
                            "--known-hosts",
                            known.toString(),
                            "--ssh-config",
                            dir.resolve("no-config").toString(),
                            "--no-color");
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("Passed: 40 hosts: web01…web40"), r.out());
            assertFalse(bastion.log().contains("MaxStartups throttling"), bastion.log());
        }
    }
}
