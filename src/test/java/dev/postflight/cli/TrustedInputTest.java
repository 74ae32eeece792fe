package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.testing.CountingPort;
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
 * Issue 13, "never bypass a bastion, never guess at input": every mistake in the inventory, the
 * check files or the flags is exit 2 with its place, before any host is contacted. The hosts here
 * are {@link CountingPort}s: a test that expects nothing contacted asserts they saw no connection.
 */
class TrustedInputTest {
    @TempDir Path dir;
    CountingPort h1;
    CountingPort h2;
    Path checks;

    @BeforeEach
    void start() throws Exception {
        h1 = CountingPort.on("127.0.0.1");
        h2 = CountingPort.on("127.0.0.1");
        checks = write("c.yaml", "checks:\n  - { id: a, command: { run: \"true\" } }\n");
    }

    @AfterEach
    void stop() throws Exception {
        h1.close();
        h2.close();
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private Cli verify(String... args) {
        List<String> all =
                new ArrayList<>(
                        List.of(
                                "verify",
                                "--known-hosts",
                                dir.resolve("known_hosts").toString(),
                                "--ssh-config",
                                dir.resolve("no-config").toString(),
                                "--no-color"));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    private void assertNothingContacted() {
        assertEquals(0, h1.connections(), "connections to h1");
        assertEquals(0, h2.connections(), "connections to h2");
    }

    @Test
    void aJumpCycleIsALoadErrorAndNeitherHostIsContacted() throws Exception {
        Path inv =
                write(
                        "inv.yaml",
                        "hosts:\n  h1: { address: 127.0.0.1, port: "
                                + h1.port()
                                + ", jump: h2 }\n  h2: { address: 127.0.0.1, port: "
                                + h2.port()
                                + ", jump: h1 }\n");
        int col = ("  h1: { address: 127.0.0.1, port: " + h1.port() + ", jump: ").length() + 1;
        Cli r = verify("-i", inv.toString(), "-c", checks.toString(), "h2");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                inv
                        + ":2:"
                        + col
                        + ": jump: the jump hosts of 'h1' form a cycle (h1 -> h2 -> h1)\n"
                        + inv
                        + ":3:"
                        + col
                        + ": jump: the jump hosts of 'h2' form a cycle (h2 -> h1 -> h2)\n",
                r.err());
        assertEquals("", r.out());
        assertNothingContacted();
    }

    @Test
    void aJumpToAnUnknownHostIsALoadErrorEvenWithAUser() throws Exception {
        Path inv =
                write(
                        "inv.yaml",
                        "hosts:\n  bastion: { address: 127.0.0.1, port: "
                                + h1.port()
                                + " }\n  web1: { address: 127.0.0.1, port: "
                                + h2.port()
                                + ", jump: ops@bastoin }\n");
        int col = ("  web1: { address: 127.0.0.1, port: " + h2.port() + ", jump: ").length() + 1;
        Cli r = verify("-i", inv.toString(), "-c", checks.toString(), "web1");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                inv
                        + ":3:"
                        + col
                        + ": jump: 'bastoin' is not a host of this inventory (did you mean"
                        + " 'bastion'?)\n",
                r.err());
        assertNothingContacted();
    }

    @Test
    void anEmptyAddressIsALoadError() throws Exception {
        Path inv =
                write("inv.yaml", "hosts:\n  web1: { address: \"\", port: " + h1.port() + " }\n");
        Cli r = verify("-i", inv.toString(), "-c", checks.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                inv + ":2:20: address: must not be empty (leave it out to connect to 'web1')\n",
                r.err());
        assertNothingContacted();
    }

    @Test
    void aMissingIdentityIsALoadErrorNamingThePath() throws Exception {
        Path key = dir.resolve("keys/id_missing");
        Path inv =
                write(
                        "inv.yaml",
                        "defaults: { user: ops }\nhosts:\n  web1: { address: 127.0.0.1, port: "
                                + h1.port()
                                + ", identity: "
                                + key
                                + " }\n");
        int col =
                ("  web1: { address: 127.0.0.1, port: " + h1.port() + ", identity: ").length() + 1;
        Cli r = verify("-i", inv.toString(), "-c", checks.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(inv + ":3:" + col + ": identity: " + key + " does not exist\n", r.err());
        assertNothingContacted();
    }

    @Test
    void anIdentityThatIsAFolderIsALoadError() throws Exception {
        Path inv =
                write(
                        "inv.yaml",
                        "defaults: { identity: "
                                + dir
                                + " }\nhosts:\n  web1: { port: "
                                + h1.port()
                                + " }\n");
        Cli r = verify("-i", inv.toString(), "-c", checks.toString(), "web1");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(inv + ":1:23: identity: " + dir + " is a folder, not a key file\n", r.err());
        assertNothingContacted();
    }

    @Test
    void aHostWithAPortThatIsNotANumberIsAUsageError() {
        Cli r = verify("-c", checks.toString(), "127.0.0.1:notaport");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: HOST '127.0.0.1:notaport': 'notaport' is not a port" + " (1-65535)\n",
                r.err());
        Cli high = verify("-c", checks.toString(), "ops@127.0.0.1:99999");
        assertEquals(2, high.exit(), high.out() + high.err());
        assertEquals(
                "postflight: HOST 'ops@127.0.0.1:99999': '99999' is not a port" + " (1-65535)\n",
                high.err());
    }

    @Test
    void anIpv6HostInBracketsWithAPortIsContactedOnThatPort() throws Exception {
        try (CountingPort v6 = CountingPort.on("::1")) {
            Cli r = verify("-c", checks.toString(), "--timeout", "5s", "ops@[::1]:" + v6.port());
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("ops@::1:" + v6.port()), r.out());
            assertFalse(r.out().contains("resolve"), r.out());
            assertEquals(1, v6.connections(), r.out());
        }
    }

    @Test
    void approvingAFixTheChecklistDoesNotHaveIsAUsageError() throws Exception {
        Path c =
                write(
                        "fix.yaml",
                        """
                        checks:
                          - { id: a, command: { run: "true" }, fix: restart-php }
                        fixes:
                          restart-php:
                            why: php-fpm did not come back
                            approval: confirm
                            steps:
                              - run: "true"
                        """);
        Cli r =
                verify(
                        "-c",
                        c.toString(),
                        "--fix",
                        "--approve",
                        "restart-pgp",
                        "ops@127.0.0.1:" + h1.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: --approve: the checklist has no fix 'restart-pgp' (did you"
                        + " mean 'restart-php'?)\n",
                r.err());
        assertNothingContacted();
    }

    @Test
    void aRebootCheckWithoutTheWindowStartIsAnErrorBeforeAnyHostIsContacted() throws Exception {
        Path c = write("boot.yaml", "checks:\n  - id: rebooted\n    boot: { rebooted: true }\n");
        Cli r = verify("-c", c.toString(), "ops@127.0.0.1:" + h1.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                c
                        + ":2:5: boot check 'rebooted': rebooted: needs the window's start: run"
                        + " verify with --since or --windows-ended-within\n",
                r.err());
        assertNothingContacted();
    }

    @Test
    void aZeroTimeoutIsAUsageErrorNotAnInternalError() {
        Cli r = verify("-c", checks.toString(), "--timeout", "0s", "ops@127.0.0.1:" + h1.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: --timeout: '0s' is not a positive duration (e.g. 60s, 5m)\n", r.err());
        assertNothingContacted();
    }

    @Test
    void aReportPathThatIsAFolderIsRefusedBeforeAnyHostIsContacted() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("out.json"));
        Cli r =
                verify(
                        "-c",
                        checks.toString(),
                        "--report",
                        "json=" + folder,
                        "ops@127.0.0.1:" + h1.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: --report: cannot write " + folder + ": it is a folder\n", r.err());
        assertEquals("", r.out());
        assertNothingContacted();
    }

    @Test
    void anAuditLogInAFileInsteadOfAFolderIsRefusedBeforeAnyHostIsContacted() throws Exception {
        Path audit = checks.resolve("audit.jsonl");
        Cli r =
                verify(
                        "-c",
                        checks.toString(),
                        "--fix",
                        "--audit",
                        audit.toString(),
                        "ops@127.0.0.1:" + h1.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: --audit: cannot write " + audit + ": " + checks + " is not a folder\n",
                r.err());
        assertNothingContacted();
    }

    @Test
    void aPlanOutInAMissingFolderIsRefusedBeforeAnyHostIsContacted() throws Exception {
        Path plan = dir.resolve("plans/plan.json");
        Cli r =
                verify(
                        "-c",
                        checks.toString(),
                        "--fix",
                        "--plan-out",
                        plan.toString(),
                        "ops@127.0.0.1:" + h1.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: --plan-out: cannot write "
                        + plan
                        + ": folder "
                        + dir.resolve("plans")
                        + " does not exist\n",
                r.err());
        assertFalse(Files.exists(dir.resolve("plans")));
        assertNothingContacted();
    }

    @Test
    void knownHostsInAMissingFolderIsRefusedAndTheFolderIsNotCreated() throws Exception {
        Path known = dir.resolve("ssh/known_hosts");
        Cli r =
                Cli.run(
                        "verify",
                        "--known-hosts",
                        known.toString(),
                        "--accept-new-host-keys",
                        "-c",
                        checks.toString(),
                        "ops@127.0.0.1:" + h1.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: --known-hosts: folder " + dir.resolve("ssh") + " does not exist\n",
                r.err());
        assertFalse(Files.exists(dir.resolve("ssh")));
        assertNothingContacted();
    }

    @Test
    void checksFromAFolderAreVerifiedAsLintReadsThem() throws Exception {
        try (SshTestServer web = SshTestServer.start(Files.createDirectory(dir.resolve("web")))) {
            Path folder = Files.createDirectory(dir.resolve("checks"));
            Files.writeString(
                    folder.resolve("a.yaml"),
                    "checks:\n  - { id: a, command: { run: \"true\" } }\n");
            Files.writeString(
                    folder.resolve("b.yml"),
                    "checks:\n  - { id: b, command: { run: \"true\" } }\n");
            Files.writeString(folder.resolve("notes.txt"), "not a check file");
            web.writeKnownHosts(dir.resolve("known_hosts"));
            Path inv =
                    write(
                            "inv.yaml",
                            "hosts:\n  web1: { address: 127.0.0.1, user: ops, port: "
                                    + web.port()
                                    + ", identity: "
                                    + web.clientKey()
                                    + " }\n");
            Cli r = verify("-i", inv.toString(), "-c", folder.toString());
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("2 passed"), r.out());
        }
    }

    @Test
    void anInventoryHostWithAJumpNamedWithAUserOrPortIsRefusedNotReachedDirectly()
            throws Exception {
        Path inv =
                write(
                        "inv.yaml",
                        "hosts:\n  bastion: { address: 127.0.0.1, port: "
                                + h1.port()
                                + " }\n  web1: { jump: bastion }\n");
        Cli r = verify("-i", inv.toString(), "-c", checks.toString(), "ops@web1:" + h2.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: HOST 'ops@web1:"
                        + h2.port()
                        + "': web1 is reached through jump host bastion: name it as 'web1' (its"
                        + " user and port come from the inventory)\n",
                r.err());
        assertNothingContacted();
    }

    @Test
    void theDefaultJumpHostIsReachedDirectlyAndEveryOtherHostThroughIt() throws Exception {
        try (SshTestServer web = SshTestServer.start(Files.createDirectory(dir.resolve("web")));
                SshTestServer bastion =
                        SshTestServer.start(
                                Files.createDirectory(dir.resolve("bastion")),
                                java.util.Map.of(),
                                true)) {
            web.writeKnownHosts(dir.resolve("known_hosts"));
            bastion.writeKnownHosts(dir.resolve("known_hosts"));
            Path inv =
                    write(
                            "inv.yaml",
                            "defaults: { user: ops, jump: bastion }\nhosts:\n"
                                    + "  bastion: { address: 127.0.0.1, port: "
                                    + bastion.port()
                                    + ", identity: "
                                    + bastion.clientKey()
                                    + " }\n  web1: { address: 127.0.0.1, port: "
                                    + web.port()
                                    + ", identity: "
                                    + web.clientKey()
                                    + " }\n");
            // -v: a fleet's passing hosts are otherwise one line of names, without their headers.
            Cli r = verify("-i", inv.toString(), "-c", checks.toString(), "-v");
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(
                    r.out().contains("web1 (ssh ops@127.0.0.1:" + web.port() + " via bastion)"),
                    r.out());
            assertEquals(1, bastion.commands().size(), "bastion is verified too, directly");
        }
    }

    @Test
    void aTimeoutTooLargeToCountIsAUsageErrorNotAnInternalError() {
        Cli r =
                verify(
                        "-c",
                        checks.toString(),
                        "--timeout",
                        "99999999999999999999s",
                        "ops@127.0.0.1:" + h1.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: --timeout: '99999999999999999999s' is not a positive duration"
                        + " (e.g. 60s, 5m)\n",
                r.err());
        assertNothingContacted();
    }

    @Test
    void anAddressWithAPortIsALoadErrorNotADnsName() throws Exception {
        Path inv =
                write("inv.yaml", "hosts:\n  web1: { address: \"127.0.0.1:" + h1.port() + "\" }\n");
        Cli r = verify("-i", inv.toString(), "-c", checks.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                inv
                        + ":2:20: address: '127.0.0.1:"
                        + h1.port()
                        + "' is not a host name or IP address (a port goes in port:)\n",
                r.err());
        assertNothingContacted();
    }

    @Test
    void snapshotChecksItsOutputAndTimeoutBeforeAnyHostIsContacted() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("base.json"));
        Cli r =
                Cli.run(
                        "snapshot",
                        "--known-hosts",
                        dir.resolve("known_hosts").toString(),
                        "-o",
                        folder.toString(),
                        "ops@127.0.0.1:" + h1.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("postflight: -o: cannot write " + folder + ": it is a folder\n", r.err());
        Cli zero =
                Cli.run(
                        "snapshot",
                        "--timeout",
                        "0s",
                        "-o",
                        dir.resolve("b.json").toString(),
                        "ops@127.0.0.1:" + h1.port());
        assertEquals(2, zero.exit(), zero.out() + zero.err());
        assertEquals(
                "postflight: --timeout: '0s' is not a positive duration (e.g. 60s, 5m)\n",
                zero.err());
        assertNothingContacted();
    }

    @Test
    void aFleetGuardThatIsNotANumberIsAUsageError() {
        Cli r =
                verify(
                        "-c",
                        checks.toString(),
                        "--fix",
                        "--fleet-guard",
                        "NaN",
                        "ops@127.0.0.1:" + h1.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("postflight: --fleet-guard is a share between 0 and 1\n", r.err());
        assertNothingContacted();
    }

    @Test
    void aBaselineThatIsNotJsonIsOneLineWithoutJacksonInternals() throws Exception {
        Path base = write("base.json", "{not json");
        Cli r = verify("--baseline", base.toString(), "ops@127.0.0.1:" + h1.port());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                base
                        + ":1:1: --baseline: cannot read "
                        + base
                        + ": Unexpected character ('n' (code 110)): was expecting double-quote to"
                        + " start field name (line 1, column 2)\n",
                r.err());
        assertNothingContacted();
    }
}
