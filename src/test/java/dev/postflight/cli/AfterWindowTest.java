package dev.postflight.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.postflight.testing.SshTestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's done-when, end to end: an hourly timer's run after a simulated provider window waits
 * for a host that is still rebooting, verifies it with the window's start as --since, reports what
 * changed since the snapshot taken before the window, and notifies a webhook (WireMock).
 */
class AfterWindowTest {
    @TempDir Path dir;
    SshTestServer web;
    WireMockServer hook;

    @AfterEach
    void stop() throws Exception {
        if (web != null) web.close();
        if (hook != null) hook.stop();
    }

    @Test
    void aTimerRunAfterAWindowWaitsForTheRebootingHostComparesWithTheSnapshotAndNotifies()
            throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        hook = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        hook.start();
        hook.stubFor(post(urlEqualTo("/hooks/ops")).willReturn(aResponse().withStatus(200)));
        web = SshTestServer.down(Files.createDirectory(dir.resolve("web")), port);
        web.comeUp();
        Path knownHosts = web.writeKnownHosts(dir.resolve("known_hosts"));
        String noConfig = dir.resolve("no-config").toString();
        String hostsYaml =
                "hosts:\n  web1: { address: 127.0.0.1, port: "
                        + port
                        + ", user: ops, identity: "
                        + web.clientKey()
                        + " }\n  db1: { address: 127.0.0.1, port: 1, user: ops }\n";
        Path before = Files.writeString(dir.resolve("before.yaml"), hostsYaml);
        Path base = dir.resolve("base.json");
        Cli snap =
                Cli.run(
                        "snapshot",
                        "-i",
                        before.toString(),
                        "--limit",
                        "web1",
                        "--known-hosts",
                        knownHosts.toString(),
                        "--ssh-config",
                        noConfig,
                        "-o",
                        base.toString());
        assertEquals(0, snap.exit(), snap.out() + snap.err());

        web.close(); // the provider's maintenance: the host reboots
        OffsetDateTime now =
                OffsetDateTime.now(ZoneOffset.ofHours(9)).truncatedTo(ChronoUnit.SECONDS);
        Path inventory =
                Files.writeString(
                        dir.resolve("inv.yaml"),
                        hostsYaml
                                + "maintenance:\n"
                                + "  - { name: kernel updates, hosts: [web1], start: "
                                + now.minusMinutes(70)
                                + ", end: "
                                + now.minusMinutes(10)
                                + " }\n"
                                + "  - { name: next week, hosts: [db1], start: "
                                + now.plusDays(7)
                                + ", end: "
                                + now.plusDays(7).plusHours(1)
                                + " }\n");
        Path checks =
                Files.writeString(
                        dir.resolve("c.yaml"),
                        """
                        checklist: after-window
                        checks:
                          - id: boot
                            boot: { max_oom_kills: 1000, failed_services: false }
                        """);

        CompletableFuture<Cli> run =
                CompletableFuture.supplyAsync(() ->
                        Cli.run(
                                "verify",
                                "-i",
                                inventory.toString(),
                                "--windows-ended-within",
                                "1h",
                                "--wait-for-host",
                                "30s",
                                "--timeout",
                                "10s",
                                "--baseline",
                                base.toString(),
                                "--notify",
                                "webhook=http://127.0.0.1:" + hook.port() + "/hooks/ops",
                                "--notify-on",
                                "always",
                                "-c",
                                checks.toString(),
                                "--known-hosts",
                                knownHosts.toString(),
                                "--ssh-config",
                                noConfig,
                                "--no-color"));
        Thread.sleep(Duration.ofSeconds(2));
        web.comeUp();
        Cli r = run.get(30, TimeUnit.SECONDS);
        assertEquals("", r.err());

        Matcher cameBack =
                Pattern.compile(
                                "web1 \\(ssh ops@127\\.0\\.0\\.1:"
                                        + port
                                        + ", came back after (\\d+\\.\\d+)s\\)")
                        .matcher(r.out());
        assertTrue(cameBack.find(), r.out());
        assertTrue(
                Double.parseDouble(cameBack.group(1)) >= 1.0, "waited for the reboot: " + r.out());
        assertFalse(r.out().contains("db1"), "db1's window is next week: " + r.out());
        assertTrue(r.out().contains("during the window"), "boot check saw the window: " + r.out());
        assertTrue(r.out().contains("since baseline "), "baseline check ran: " + r.out());

        List<LoggedRequest> sent = hook.findAll(anyRequestedFor(anyUrl()));
        assertEquals(1, sent.size(), r.err());
        JsonNode pf = new ObjectMapper().readTree(sent.get(0).getBodyAsString()).get("postflight");
        assertEquals("after-window", pf.get("checklist").asText());
        assertEquals(1, pf.get("counts").get("hosts").asInt());
        assertEquals(2, pf.get("counts").get("checks").asInt());
        assertEquals(r.exit(), pf.get("exit_code").asInt());
        assertEquals(pf.get("failing").isEmpty() ? 0 : 1, r.exit(), r.out() + r.err());
    }
}
