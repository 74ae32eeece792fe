package dev.postflight.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
}
