package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postflight.testing.OpenSshKeys;
import dev.postflight.testing.OpenSshServer;
import dev.postflight.testing.SshTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: a host's key file locked by a passphrase, with no ssh-agent holding it and no terminal
 * to ask (a timer, CI), is a configuration error found before any host is contacted; it used to
 * reach every host and fail each with "authentication failed", never saying "passphrase".
 */
class LockedKeyTest {
    @TempDir Path dir;
    private OpenSshServer sshd;
    private Path key;
    private Path knownHosts;

    @BeforeEach
    void start() throws Exception {
        key = OpenSshKeys.generate(dir.resolve("deploy_key"), "s3cret passphrase");
        sshd =
                OpenSshServer.start(
                        dir.resolve("sshd"),
                        OpenSshServer.Setup.authorizing(Path.of(key + ".pub")));
        knownHosts =
                Files.writeString(
                        dir.resolve("known_hosts"),
                        sshd.knownHostsName() + " " + sshd.hostKey() + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        sshd.close();
    }

    private Path inventory(String more) throws Exception {
        return Files.writeString(
                dir.resolve("inv.yaml"),
                "hosts:\n  web1: { address: 127.0.0.1, port: "
                        + sshd.port()
                        + ", user: "
                        + sshd.user()
                        + ", identity: "
                        + key
                        + " }\n"
                        + more);
    }

    private String expected() {
        return key
                + ":1:1: identity file of host web1 is protected by a passphrase, and neither does"
                + " ssh-agent hold it nor is there a terminal to ask for it: load it into"
                + " ssh-agent with: ssh-add "
                + key
                + "\n";
    }

    @Test
    void verifyExitsTwoNamingTheKeyAndSshAddBeforeContactingAnyHost() throws Exception {
        Path checks =
                Files.writeString(
                        dir.resolve("c.yaml"),
                        "checks:\n  - { id: a, command: { run: \"true\" } }\n");

        Cli r =
                Cli.run(
                        "verify",
                        "-i",
                        inventory("").toString(),
                        "-c",
                        checks.toString(),
                        "--known-hosts",
                        knownHosts.toString(),
                        "--ssh-config",
                        dir.resolve("no-config").toString(),
                        "--no-color");

        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(expected(), r.err());
        assertEquals("", r.out());
        assertEquals(0, sshd.connections());
    }

    @Test
    void snapshotExitsTwoTheSameWay() throws Exception {
        Cli r =
                Cli.run(
                        "snapshot",
                        "-i",
                        inventory("").toString(),
                        "--known-hosts",
                        knownHosts.toString(),
                        "--ssh-config",
                        dir.resolve("no-config").toString(),
                        "-o",
                        dir.resolve("base.json").toString());

        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(expected(), r.err());
        assertEquals(0, sshd.connections());
    }

    @Test
    void aLockedKeyOfTheJumpHostOfASelectedHostStopsTheRun() throws Exception {
        Path inv =
                Files.writeString(
                        dir.resolve("inv.yaml"),
                        "hosts:\n  bastion: { address: 127.0.0.1, port: "
                                + sshd.port()
                                + ", user: "
                                + sshd.user()
                                + ", identity: "
                                + key
                                + " }\n  web2: { address: 10.0.0.5, jump: bastion }\n");

        Cli r =
                Cli.run(
                        "snapshot",
                        "-i",
                        inv.toString(),
                        "--limit",
                        "web2",
                        "--known-hosts",
                        knownHosts.toString(),
                        "--ssh-config",
                        dir.resolve("no-config").toString(),
                        "-o",
                        dir.resolve("base.json").toString());

        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(expected().replace("host web1", "host bastion"), r.err());
        assertEquals(0, sshd.connections());
    }

    @Test
    void aLockedKeyOfAHostLeftOutByLimitDoesNotStopTheRun() throws Exception {
        try (SshTestServer web2 = SshTestServer.start(Files.createDirectory(dir.resolve("web2")))) {
            Path inv =
                    inventory(
                            "  web2: { address: 127.0.0.1, port: "
                                    + web2.port()
                                    + ", user: ops, identity: "
                                    + web2.clientKey()
                                    + " }\n");
            web2.writeKnownHosts(knownHosts);

            Cli r =
                    Cli.run(
                            "snapshot",
                            "-i",
                            inv.toString(),
                            "--limit",
                            "web2",
                            "--known-hosts",
                            knownHosts.toString(),
                            "--ssh-config",
                            dir.resolve("no-config").toString(),
                            "-o",
                            dir.resolve("base.json").toString());

            assertEquals(0, r.exit(), r.out() + r.err());
            assertEquals(0, sshd.connections());
        }
    }
}
