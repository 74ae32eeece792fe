package dev.postflight.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.testing.OpenSshKeys;
import dev.postflight.testing.OpenSshServer;
import dev.postflight.testing.SshAgentProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 against a real OpenSSH sshd and a real ssh-agent: passphrase-protected keys, user and
 * host certificates, and known_hosts markers, as admins' setups use them.
 */
class OpenSshPeerTest {
    private static final String PASSPHRASE = "correct horse battery staple";

    @TempDir Path dir;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) c.close();
    }

    private <T extends AutoCloseable> T closing(T resource) {
        cleanup.add(resource);
        return resource;
    }

    private OpenSshServer sshd(OpenSshServer.Setup setup) throws Exception {
        return closing(OpenSshServer.start(dir.resolve("sshd"), setup));
    }

    private Path knownHosts(String... lines) throws Exception {
        return Files.writeString(dir.resolve("known_hosts"), String.join("\n", lines) + "\n");
    }

    private SshConnector connector(Path knownHosts, Map<String, String> env) throws Exception {
        return new SshConnector(
                new SshOptions(
                        knownHosts, dir.resolve("no-config"), false, Duration.ofSeconds(5), true),
                env);
    }

    private static SshTarget target(OpenSshServer sshd, Path identity) {
        return SshTarget.named("web1")
                .withAddress(sshd.host())
                .withPort(sshd.port())
                .withUser(sshd.user())
                .withIdentity(identity);
    }

    private String runs(SshConnector connector, SshTarget target) throws Exception {
        try (HostConnection c = connector.connect(target, Instant.now().plusSeconds(20))) {
            ExecResult r = c.exec("echo logged in", new byte[0], Duration.ofSeconds(10));
            return new String(r.stdout(), java.nio.charset.StandardCharsets.UTF_8).strip();
        }
    }

    @Test
    void aPassphraseKeyLoadedInSshAgentLogsInThroughTheAgent() throws Exception {
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), PASSPHRASE);
        OpenSshServer sshd = sshd(OpenSshServer.Setup.authorizing(Path.of(key + ".pub")));
        SshAgentProcess agent = closing(SshAgentProcess.start(dir.resolve("agent")));
        agent.add(key, PASSPHRASE);
        SshConnector connector =
                connector(
                        knownHosts(sshd.knownHostsName() + " " + sshd.hostKey()),
                        agent.environment());

        connector.unlockKeys(List.of(target(sshd, key)), PassphrasePrompt.NONE);
        assertEquals("logged in", runs(connector, target(sshd, key)));
        assertEquals(1, sshd.connections());
    }

    @Test
    void theAgentKeyOfTheHostsKeyFileGoesFirstSoAFullAgentDoesNotUseUpMaxAuthTries()
            throws Exception {
        SshAgentProcess agent = closing(SshAgentProcess.start(dir.resolve("agent")));
        for (int i = 0; i < 7; i++) {
            agent.add(OpenSshKeys.generate(dir.resolve("unrelated_" + i), ""), "");
        }
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), PASSPHRASE);
        agent.add(key, PASSPHRASE);
        OpenSshServer sshd = sshd(OpenSshServer.Setup.authorizing(Path.of(key + ".pub")));
        SshConnector connector =
                connector(
                        knownHosts(sshd.knownHostsName() + " " + sshd.hostKey()),
                        agent.environment());

        assertEquals("logged in", runs(connector, target(sshd, key)));
    }

    @Test
    void anAuthenticationFailureNamesTheLockedKeyItCouldNotOffer() throws Exception {
        Path key = OpenSshKeys.generate(dir.resolve("deploy_key"), PASSPHRASE);
        OpenSshServer sshd = sshd(OpenSshServer.Setup.authorizing(Path.of(key + ".pub")));
        SshConnector connector =
                connector(knownHosts(sshd.knownHostsName() + " " + sshd.hostKey()), Map.of());

        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () -> connector.connect(target(sshd, key), Instant.now().plusSeconds(20)));

        assertEquals(HostUnreachable.Cause.AUTH_FAILED, e.kind());
        assertEquals(
                "authentication failed for "
                        + sshd.user()
                        + "@web1 (tried publickey: "
                        + key
                        + " (protected by a passphrase and not in ssh-agent: ssh-add "
                        + key
                        + "); server accepts: publickey)",
                e.getMessage());
    }

    @Test
    void aPassphraseKeyWithoutAgentOrTerminalIsRefusedBeforeAnyConnection() throws Exception {
        Path key = OpenSshKeys.generate(dir.resolve("deploy_key"), PASSPHRASE);
        OpenSshServer sshd = sshd(OpenSshServer.Setup.authorizing(Path.of(key + ".pub")));
        SshConnector connector =
                connector(knownHosts(sshd.knownHostsName() + " " + sshd.hostKey()), Map.of());

        LockedKey e =
                assertThrows(
                        LockedKey.class,
                        () ->
                                connector.unlockKeys(
                                        List.of(target(sshd, key)), PassphrasePrompt.NONE));

        assertEquals(
                "identity file of host web1 is protected by a passphrase, and neither does"
                        + " ssh-agent hold it nor is there a terminal to ask for it: load it into"
                        + " ssh-agent with: ssh-add "
                        + key,
                e.getMessage());
        assertEquals(key, e.key());
        assertEquals(0, sshd.connections());
    }

    @Test
    void aPassphraseTypedAtTheTerminalUnlocksTheKeyOnceForTheRun() throws Exception {
        Path key = OpenSshKeys.generate(dir.resolve("deploy_key"), PASSPHRASE);
        OpenSshServer sshd = sshd(OpenSshServer.Setup.authorizing(Path.of(key + ".pub")));
        SshConnector connector =
                connector(knownHosts(sshd.knownHostsName() + " " + sshd.hostKey()), Map.of());
        List<Path> asked = new ArrayList<>();
        PassphrasePrompt terminal =
                k -> {
                    asked.add(k);
                    return Optional.of(PASSPHRASE.toCharArray());
                };

        connector.unlockKeys(List.of(target(sshd, key), target(sshd, key)), terminal);

        assertEquals(List.of(key), asked);
        assertEquals("logged in", runs(connector, target(sshd, key)));
    }

    @Test
    void aWrongPassphraseStopsTheRunNamingTheKey() throws Exception {
        Path key = OpenSshKeys.generate(dir.resolve("deploy_key"), PASSPHRASE);
        OpenSshServer sshd = sshd(OpenSshServer.Setup.authorizing(Path.of(key + ".pub")));
        SshConnector connector = connector(knownHosts(), Map.of());

        LockedKey e =
                assertThrows(
                        LockedKey.class,
                        () ->
                                connector.unlockKeys(
                                        List.of(target(sshd, key)),
                                        k -> Optional.of("wrong".toCharArray())));

        assertEquals(
                "wrong passphrase for identity file "
                        + key
                        + " of host web1; or load it into ssh-agent with: ssh-add "
                        + key,
                e.getMessage());
    }

    @Test
    void aUserCertificateBesideTheKeyLogsInWhereOnlyTheCaIsTrusted() throws Exception {
        Path ca = OpenSshKeys.generate(dir.resolve("user_ca"), "");
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), "");
        OpenSshServer sshd =
                sshd(OpenSshServer.Setup.authorizing().withTrustedUserCa(Path.of(ca + ".pub")));
        OpenSshKeys.certify(ca, key, sshd.user(), false);
        SshConnector connector =
                connector(knownHosts(sshd.knownHostsName() + " " + sshd.hostKey()), Map.of());

        assertEquals("logged in", runs(connector, target(sshd, key)));
    }

    @Test
    void aUserCertificateNamedByCertificateFileInTheSshConfigLogsIn() throws Exception {
        Path ca = OpenSshKeys.generate(dir.resolve("user_ca"), "");
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), "");
        Path other = OpenSshKeys.generate(dir.resolve("id_other"), "");
        OpenSshServer sshd =
                sshd(OpenSshServer.Setup.authorizing().withTrustedUserCa(Path.of(ca + ".pub")));
        Path certs = Files.createDirectory(dir.resolve("certs"));
        Path cert =
                Files.move(
                        OpenSshKeys.certify(ca, key, sshd.user(), false),
                        certs.resolve("web1-cert.pub"));
        Path otherCert =
                Files.move(
                        OpenSshKeys.certify(ca, other, "someone-else", false),
                        certs.resolve("other-cert.pub"));
        Path config =
                Files.writeString(
                        dir.resolve("ssh_config"),
                        "Host web1\n  CertificateFile "
                                + otherCert
                                + "\n  CertificateFile "
                                + cert
                                + "\n");
        SshConnector connector =
                new SshConnector(
                        new SshOptions(
                                knownHosts(sshd.knownHostsName() + " " + sshd.hostKey()),
                                config,
                                false,
                                Duration.ofSeconds(5),
                                false),
                        Map.of());

        assertEquals("logged in", runs(connector, target(sshd, key)));
    }

    @Test
    void aHostCertificateSignedByACertAuthorityInKnownHostsIsAccepted() throws Exception {
        Path ca = OpenSshKeys.generate(dir.resolve("host_ca"), "");
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), "");
        OpenSshServer sshd =
                sshd(
                        OpenSshServer.Setup.authorizing(Path.of(key + ".pub"))
                                .withHostCertificateBy(ca));
        SshConnector connector =
                connector(
                        knownHosts("@cert-authority [127.0.0.1]:* " + OpenSshKeys.publicKey(ca)),
                        Map.of());

        assertEquals("logged in", runs(connector, target(sshd, key)));
    }

    @Test
    void aHostCertificateOfAnUntrustedCaIsAnUnknownKeyNotAChangedOne() throws Exception {
        Path ca = OpenSshKeys.generate(dir.resolve("host_ca"), "");
        Path otherCa = OpenSshKeys.generate(dir.resolve("other_ca"), "");
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), "");
        OpenSshServer sshd =
                sshd(
                        OpenSshServer.Setup.authorizing(Path.of(key + ".pub"))
                                .withHostCertificateBy(ca));
        SshConnector connector =
                connector(
                        knownHosts(
                                "@cert-authority "
                                        + sshd.knownHostsName()
                                        + " "
                                        + OpenSshKeys.publicKey(otherCa)),
                        Map.of());

        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () -> connector.connect(target(sshd, key), Instant.now().plusSeconds(20)));

        assertEquals(HostUnreachable.Cause.HOST_KEY_UNKNOWN, e.kind(), e.getMessage());
    }

    @Test
    void aHostKeyMarkedRevokedIsRefusedEvenWhereAPlainLineAcceptsIt() throws Exception {
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), "");
        OpenSshServer sshd = sshd(OpenSshServer.Setup.authorizing(Path.of(key + ".pub")));
        Path knownHosts =
                knownHosts(
                        sshd.knownHostsName() + " " + sshd.hostKey(),
                        "@revoked * " + sshd.hostKey());
        SshConnector connector = connector(knownHosts, Map.of());

        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () -> connector.connect(target(sshd, key), Instant.now().plusSeconds(20)));

        assertEquals(HostUnreachable.Cause.HOST_KEY_REVOKED, e.kind());
        assertEquals(
                "host key of web1 (ssh-ed25519 "
                        + KnownHostsFile.fingerprint(
                                java.util.Base64.getDecoder().decode(sshd.hostKey().split(" ")[1]))
                        + ") is marked @revoked in "
                        + knownHosts
                        + ": refusing to connect. A revoked key may be in someone else's hands;"
                        + " ask the host's owner for its new key before you trust this host"
                        + " again",
                e.getMessage());
    }

    @Test
    void aHostCertificateWhoseKeyIsRevokedIsRefused() throws Exception {
        Path ca = OpenSshKeys.generate(dir.resolve("host_ca"), "");
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), "");
        OpenSshServer sshd =
                sshd(
                        OpenSshServer.Setup.authorizing(Path.of(key + ".pub"))
                                .withHostCertificateBy(ca));
        Path knownHosts =
                knownHosts(
                        "@cert-authority * " + OpenSshKeys.publicKey(ca),
                        "@revoked * " + sshd.hostKey());
        SshConnector connector = connector(knownHosts, Map.of());

        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () -> connector.connect(target(sshd, key), Instant.now().plusSeconds(20)));

        assertEquals(HostUnreachable.Cause.HOST_KEY_REVOKED, e.kind());
        assertTrue(
                e.getMessage().startsWith("host key of web1 (its certificate: ")
                        && e.getMessage().contains(") is marked @revoked in " + knownHosts),
                e.getMessage());
    }

    @Test
    void aHashedKnownHostsEntryIsAccepted() throws Exception {
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), "");
        OpenSshServer sshd = sshd(OpenSshServer.Setup.authorizing(Path.of(key + ".pub")));
        Path knownHosts = knownHosts(sshd.knownHostsName() + " " + sshd.hostKey());
        OpenSshKeys.hashKnownHosts(knownHosts);
        assertTrue(Files.readString(knownHosts).startsWith("|1|"));

        assertEquals("logged in", runs(connector(knownHosts, Map.of()), target(sshd, key)));
    }

    @Test
    void theOneKnownKeyOfAHostWithSeveralIsTheOneChecked() throws Exception {
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), "");
        OpenSshServer sshd =
                sshd(OpenSshServer.Setup.authorizing(Path.of(key + ".pub")).withEcdsaHostKey());
        Path knownHosts = knownHosts(sshd.knownHostsName() + " " + sshd.ecdsaHostKey());

        assertEquals("logged in", runs(connector(knownHosts, Map.of()), target(sshd, key)));
    }

    @Test
    void identitiesOnlyOffersNoAgentKeyButThoseOfTheHostsKeyFiles() throws Exception {
        Path agentOnly = OpenSshKeys.generate(dir.resolve("agent_only"), "");
        Path named = OpenSshKeys.generate(dir.resolve("id_named"), "");
        OpenSshServer sshd = sshd(OpenSshServer.Setup.authorizing(Path.of(agentOnly + ".pub")));
        SshAgentProcess agent = closing(SshAgentProcess.start(dir.resolve("agent")));
        agent.add(agentOnly, "");
        Path known = knownHosts(sshd.knownHostsName() + " " + sshd.hostKey());
        SshTarget web1 =
                SshTarget.named("web1")
                        .withAddress(sshd.host())
                        .withPort(sshd.port())
                        .withUser(sshd.user());
        for (String only : List.of("no", "yes")) {
            Path config =
                    Files.writeString(
                            dir.resolve("ssh_config_" + only),
                            "Host web1\n  IdentityFile "
                                    + named
                                    + "\n  IdentitiesOnly "
                                    + only
                                    + "\n");
            SshConnector connector =
                    new SshConnector(
                            new SshOptions(known, config, false, Duration.ofSeconds(5), true),
                            agent.environment());
            if (only.equals("no")) {
                assertEquals("logged in", runs(connector, web1), "the agent's key is offered");
            } else {
                HostUnreachable e =
                        assertThrows(
                                HostUnreachable.class,
                                () -> connector.connect(web1, Instant.now().plusSeconds(20)));
                assertEquals(HostUnreachable.Cause.AUTH_FAILED, e.kind(), e.getMessage());
            }
        }
    }
}
