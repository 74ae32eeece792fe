package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.testing.SshTestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --wait-for-host} against a real SSH server (MINA SSHD) that is still down when the run
 * starts: its port refuses connections until the server comes up (seed 001).
 */
class WaitForHostTest {
    @TempDir Path dir;
    SshTestServer web;
    Path inventory;
    Path knownHosts;
    Path checks;

    @BeforeEach
    void prepare() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        web = SshTestServer.down(Files.createDirectory(dir.resolve("web")), port);
        knownHosts = web.writeKnownHosts(dir.resolve("known_hosts"));
        inventory =
                Files.writeString(
                        dir.resolve("inv.yaml"),
                        "hosts:\n  web1: { address: 127.0.0.1, port: "
                                + port
                                + ", user: ops, identity: "
                                + web.clientKey()
                                + " }\n");
        checks =
                Files.writeString(
                        dir.resolve("c.yaml"),
                        "checks:\n  - { id: shell, command: { run: \"echo ok\", stdout_contains: ok } }\n");
    }

    @AfterEach
    void stop() throws Exception {
        web.close();
    }

    private Cli verify(String... extra) {
        String[] base = {
            "verify",
            "-i",
            inventory.toString(),
            "-c",
            checks.toString(),
            "--known-hosts",
            knownHosts.toString(),
            "--ssh-config",
            dir.resolve("no-config").toString(),
            "--no-color"
        };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Cli.run(args);
    }

    @Test
    void aHostThatRefusesUntilItComesUpIsVerifiedAndTheReportSaysWhenItCameBack() throws Exception {
        Duration delay = Duration.ofMillis(2500);
        Thread boot =
                Thread.ofVirtual()
                        .start(() -> {
                            try {
                                Thread.sleep(delay);
                                web.comeUp();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        Cli r = verify("--wait-for-host", "1m", "--timeout", "10s");
        boot.join();
        assertEquals(0, r.exit(), r.out() + r.err());
        Matcher m =
                Pattern.compile(
                                "web1 \\(ssh ops@127\\.0\\.0\\.1:"
                                        + web.port()
                                        + ", came back after (\\d+\\.\\d+)s\\)")
                        .matcher(r.out());
        assertTrue(m.find(), r.out());
        double after = Double.parseDouble(m.group(1));
        assertTrue(after >= 2.5 && after < 2.5 + 10, "came back after " + after + "s");
        assertEquals(1, web.commands().size(), web.commands().toString());
    }

    @Test
    void aHostThatNeverComesBackIsUnreachableForTheWaitWithTheLastCause() {
        Cli r = verify("--wait-for-host", "3s", "--timeout", "10s");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(
                r.out()
                        .contains(
                                "UNREACHABLE unreachable for 3s (last: connection refused (127.0.0.1:"
                                        + web.port()
                                        + "))"),
                r.out());
    }

    @Test
    void theHostTimeoutStartsWhenTheHostComesBack() throws Exception {
        Thread boot =
                Thread.ofVirtual()
                        .start(() -> {
                            try {
                                Thread.sleep(Duration.ofMillis(3500));
                                web.comeUp();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        Cli r = verify("--wait-for-host", "1m", "--timeout", "3s");
        boot.join();
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("came back after"), r.out());
    }

    @Test
    void aWaitThatIsNotADurationIsAUsageError() {
        Cli r = verify("--wait-for-host", "soon");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(
                r.err()
                        .contains(
                                "postflight: --wait-for-host: 'soon' is not a positive"
                                        + " duration (e.g. 90s, 15m)"),
                r.err());
    }
}
