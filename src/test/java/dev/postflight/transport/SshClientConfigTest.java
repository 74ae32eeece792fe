package dev.postflight.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshClientConfigTest {

    @TempDir Path dir;

    private SshClientConfig config(String text) throws Exception {
        Path file = dir.resolve("ssh_config");
        Files.writeString(file, text);
        return SshClientConfig.load(file);
    }

    @Test
    void inventoryValuesWinAndConfigFillsTheRest() throws Exception {
        SshClientConfig config =
                config(
                        """
                        Host web1
                            HostName 192.0.2.1
                            User root
                            Port 2200
                            IdentityFile /keys/web
                        """);

        ResolvedTarget t = config.resolve(SshTarget.named("web1").withUser("ops"));

        assertEquals("192.0.2.1", t.address());
        assertEquals("ops", t.user());
        assertEquals(2200, t.port());
        assertEquals(List.of(Path.of("/keys/web")), t.identities());
        assertEquals(Optional.empty(), t.jump());
    }

    @Test
    void unknownAliasFallsBackToOpenSshDefaults() throws Exception {
        ResolvedTarget t = config("Host web1\n    Port 2200\n").resolve(SshTarget.named("db1"));

        assertEquals("db1", t.address());
        assertEquals(22, t.port());
        assertEquals(System.getProperty("user.name"), t.user());
    }

    @Test
    void missingConfigFileIsAnEmptyConfig() throws Exception {
        ResolvedTarget t =
                SshClientConfig.load(dir.resolve("absent")).resolve(SshTarget.named("web1"));

        assertEquals("web1", t.address());
    }

    @Test
    void proxyJumpChainResolvesEachHopThroughTheConfig() throws Exception {
        SshClientConfig config =
                config(
                        """
                        Host outer
                            HostName 198.51.100.5
                        Host web1
                            HostName 10.0.0.5
                            ProxyJump admin@outer:2222,inner
                        """);

        ResolvedTarget t = config.resolve(SshTarget.named("web1").withUser("ops"));

        ResolvedTarget inner = t.jump().orElseThrow();
        ResolvedTarget outer = inner.jump().orElseThrow();
        assertEquals("inner", inner.alias());
        assertEquals("198.51.100.5", outer.address());
        assertEquals("admin", outer.user());
        assertEquals(2222, outer.port());
        assertEquals("ssh ops@10.0.0.5:22 via inner", t.describe());
    }

    @Test
    void inventoryJumpWinsOverConfigProxyJump() throws Exception {
        SshClientConfig config = config("Host web1\n    ProxyJump other\n");

        ResolvedTarget t =
                config.resolve(SshTarget.named("web1").withJump(SshTarget.named("bastion")));

        assertEquals("bastion", t.jump().orElseThrow().alias());
    }

    @Test
    void tildeInIdentityFileMeansHome() throws Exception {
        ResolvedTarget t =
                config("Host web1\n    IdentityFile ~/.ssh/web\n").resolve(SshTarget.named("web1"));

        assertTrue(
                t.identities()
                        .equals(List.of(Path.of(System.getProperty("user.home"), ".ssh", "web"))),
                t.identities().toString());
    }
}
