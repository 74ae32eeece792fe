package dev.postflight.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the user's ssh config decides the hops to a host. */
class SshClientConfigTest {
    @TempDir Path dir;

    private static List<String> hops(ResolvedTarget t) {
        List<String> out = new ArrayList<>();
        for (Optional<ResolvedTarget> h = Optional.of(t); h.isPresent(); h = h.get().jump())
            out.add(h.get().alias() + "=" + h.get().endpoint());
        return out;
    }

    @Test
    void aLaterHopOfAProxyJumpChainIsReachedThroughTheEarlierOneNotItsOwnProxyJump()
            throws Exception {
        Path config = dir.resolve("ssh_config");
        Files.writeString(
                config,
                """
                Host outer
                    HostName 192.0.2.1
                Host inner
                    HostName 192.0.2.2
                    ProxyJump sneaky
                Host sneaky
                    HostName 192.0.2.3
                Host web1
                    HostName 192.0.2.4
                    ProxyJump outer,inner
                """);
        ResolvedTarget web1 =
                SshClientConfig.load(config).resolve(SshTarget.named("web1").withUser("ops"));
        assertEquals(
                List.of(
                        "web1=ops@192.0.2.4:22",
                        "inner=" + System.getProperty("user.name") + "@192.0.2.2:22",
                        "outer=" + System.getProperty("user.name") + "@192.0.2.1:22"),
                hops(web1));
    }

    private SshClientConfig config(String text) throws Exception {
        Path config = dir.resolve("ssh_config");
        Files.writeString(config, text);
        return new SshClientConfig(
                new OpenSshConfig(config, dir, "alice", "runner.example", Map.of("ZONE", "eu")),
                dir);
    }

    @Test
    void identityAndCertificateFilesAreExpandedWithTheHostsFinalValues() throws Exception {
        ResolvedTarget web1 =
                config(
                                """
                                Host web1
                                    HostName %h.example
                                    IdentityFile ~/.ssh/id_%h_%r_%p
                                    IdentityFile /keys/${ZONE}/%n-%u-%L
                                    CertificateFile %d/certs/%r@%h-cert.pub
                                """)
                        .resolve(SshTarget.named("web1").withUser("ops").withPort(2200));
        assertEquals(
                List.of(
                        dir.resolve(".ssh/id_web1.example_ops_2200"),
                        Path.of("/keys/eu/web1-alice-runner")),
                web1.identities());
        assertEquals(
                List.of(dir.resolve("certs/ops@web1.example-cert.pub")),
                web1.options().certificates());
    }

    @Test
    void aProxyCommandIsExpandedForItsHostAndDroppedForALaterHopOfAChain() throws Exception {
        SshClientConfig c =
                config(
                        """
                        Host web1
                            ProxyJump outer,inner
                        Host outer inner
                            ProxyCommand socat - TCP:%h:%p,user=%r,alias=%n
                            HostName %h.example
                            Port 2222
                        """);
        ResolvedTarget web1 = c.resolve(SshTarget.named("web1"));
        ResolvedTarget inner = web1.jump().orElseThrow();
        ResolvedTarget outer = inner.jump().orElseThrow();
        assertEquals(Optional.empty(), web1.options().proxyCommand());
        assertEquals(Optional.empty(), inner.options().proxyCommand());
        assertEquals(
                Optional.of("socat - TCP:outer.example:2222,user=alice,alias=outer"),
                outer.options().proxyCommand());
        assertEquals(
                Optional.empty(),
                c.resolve(SshTarget.named("outer").withJump(SshTarget.named("bastion")))
                        .options()
                        .proxyCommand(),
                "an inventory jump replaces the config's ProxyCommand");
    }

    @Test
    void theConfigsFirstUserKnownHostsFileAndHostKeySettingsReachTheTarget() throws Exception {
        ResolvedTarget web1 =
                config(
                                """
                                Host web1
                                    UserKnownHostsFile ~/.ssh/fleet_%h /etc/other
                                    StrictHostKeyChecking accept-new
                                    HostKeyAlias Web1.Fleet
                                    ConnectTimeout 1m
                                    ServerAliveInterval 15s
                                    IdentitiesOnly yes
                                    IdentityAgent ~/agent.sock
                                """)
                        .resolve(SshTarget.named("web1"));
        SshHostOptions o = web1.options();
        assertEquals(Optional.of(dir.resolve(".ssh/fleet_web1")), o.knownHosts());
        assertEquals("accept-new", o.strictHostKeyChecking());
        assertEquals(Optional.of("web1.fleet"), o.hostKeyAlias());
        assertEquals(Optional.of(java.time.Duration.ofMinutes(1)), o.connectTimeout());
        assertEquals(java.time.Duration.ofSeconds(15), o.serverAliveInterval());
        assertEquals(true, o.identitiesOnly());
        assertEquals(Optional.of(dir.resolve("agent.sock").toString()), o.identityAgent());
    }
}
