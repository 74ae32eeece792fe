package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.testing.SshTestServer;
import dev.postflight.testing.Tarpit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the user's SSH config does to {@code postflight verify} (issue 17): hosts named only in the
 * inventory, everything else from the config, against a real SSH server (MINA SSHD).
 */
class SshConfigTest {
    @TempDir Path dir;
    SshTestServer server;

    private static final String CHECKS =
            """
            checklist: shell
            checks:
              - { id: shell, command: { run: "echo ok", stdout_contains: ok } }
            """;

    @BeforeEach
    void start() throws Exception {
        server = SshTestServer.start(Files.createDirectory(dir.resolve("server")));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** {@code verify} of hosts known to the inventory by name only. */
    private Cli verify(Path sshConfig, List<String> extra, String... hosts) throws Exception {
        StringBuilder inv = new StringBuilder("hosts:\n");
        for (String h : hosts) inv.append("  ").append(h).append(": {}\n");
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "verify",
                                "-i",
                                write("inv.yaml", inv.toString()).toString(),
                                "-c",
                                write("checks.yaml", CHECKS).toString(),
                                "--ssh-config",
                                sshConfig.toString(),
                                "--no-color"));
        args.addAll(extra);
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void aProxyCommandHostIsReachedOverTheCommandsStdioAndItsKeyCheckedUnderHostKeyAlias()
            throws Exception {
        Path knownHosts =
                write(
                        "known_hosts",
                        server.knownHostsLine().replace(server.knownHostsName(), "web1-key")
                                + "\n");
        Path config =
                write(
                        "ssh_config",
                        """
                        Host web1
                            HostName web1.invalid
                            Port %d
                            User %s
                            IdentityFile %s
                            HostKeyAlias web1-key
                            ProxyCommand socat - TCP:127.0.0.1:%%p
                        """
                                .formatted(server.port(), server.user(), server.clientKey()));
        Cli r = verify(config, List.of("--known-hosts", knownHosts.toString()), "web1");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("web1 (ssh ops@web1.invalid:" + server.port() + ")"), r.out());
        assertEquals(1, server.commands().size(), server.commands().toString());
    }

    @Test
    void aProxyCommandThatFailsIsReportedWithItsExitCodeAndLastStderrLine() throws Exception {
        Path config =
                write(
                        "ssh_config",
                        """
                        Host web1
                            ProxyCommand sh -c 'echo starting >&2; echo "gateway %h:%p refused" >&2; exit 3'
                        """);
        Cli r =
                verify(
                        config,
                        List.of("--known-hosts", dir.resolve("known_hosts").toString()),
                        "web1");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(
                r.out()
                        .contains(
                                "ProxyCommand 'sh -c 'echo starting >&2; echo \"gateway web1:22"
                                        + " refused\" >&2; exit 3'' ended before an SSH banner"
                                        + " (exit 3: gateway web1:22 refused)"),
                r.out());
    }

    @Test
    void unsupportedKeywordsAreWarnedOnceEachWithFileAndLineEvenForSeveralHosts() throws Exception {
        Path knownHosts = server.writeKnownHosts(dir.resolve("known_hosts"));
        Path extra = write("extra.conf", "Host *\n    ControlPersist 10m\n    Compression yes\n");
        Path config =
                write(
                        "ssh_config",
                        """
                        Host web*
                            HostName 127.0.0.1
                            Port %d
                            User %s
                            IdentityFile %s
                            ControlMaster auto
                            LocalForward 8080 localhost:80
                            ForwardAgent no
                        Include %s
                        """
                                .formatted(
                                        server.port(), server.user(), server.clientKey(), extra));
        Cli r = verify(config, List.of("--known-hosts", knownHosts.toString()), "web1", "web2");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: warning: "
                        + config
                        + ":6: controlmaster is not supported by postflight and is ignored\n"
                        + "postflight: warning: "
                        + config
                        + ":7: localforward is not supported by postflight and is ignored\n"
                        + "postflight: warning: "
                        + extra
                        + ":2: controlpersist is not supported by postflight and is ignored\n",
                r.err());
    }

    @Test
    void acceptNewFromTheConfigAddsTheKeyToTheConfigsUserKnownHostsFile() throws Exception {
        Path fleet = dir.resolve("fleet_known_hosts");
        Path config =
                write(
                        "ssh_config",
                        """
                        Host web1
                            HostName 127.0.0.1
                            Port %d
                            User %s
                            IdentityFile %s
                            UserKnownHostsFile %s %s
                            StrictHostKeyChecking accept-new
                        """
                                .formatted(
                                        server.port(),
                                        server.user(),
                                        server.clientKey(),
                                        fleet,
                                        dir.resolve("second_known_hosts")));
        Cli r = verify(config, List.of(), "web1");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(server.knownHostsLine() + "\n", Files.readString(fleet));
    }

    @Test
    void connectTimeoutFromTheConfigLimitsTheWaitForABanner() throws Exception {
        try (Tarpit tarpit = Tarpit.start()) {
            Path config =
                    write(
                            "ssh_config",
                            """
                            Host slow
                                HostName 127.0.0.1
                                Port %d
                                IdentityFile %s
                                ConnectTimeout 1
                            """
                                    .formatted(tarpit.port(), server.clientKey()));
            Cli r =
                    verify(
                            config,
                            List.of(
                                    "--known-hosts",
                                    dir.resolve("known_hosts").toString(),
                                    "--timeout",
                                    "20s"),
                            "slow");
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(
                    r.out().contains("TCP connected but no SSH banner after 1.0s"),
                    r.out() + r.err());
        }
    }
}
