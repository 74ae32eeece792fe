package dev.postflight.check;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.LocalRun;
import dev.postflight.testing.TestCa;
import dev.postflight.transport.HttpProber;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The http check against a real HTTP(S) server (WireMock) with a certificate from a test CA. */
class HttpCheckTest {
    @TempDir static Path caDir;
    @TempDir Path dir;
    static WireMockServer server;
    static TestCa ca;

    @BeforeAll
    static void start() throws Exception {
        ca = TestCa.create(caDir, "site.test", List.of("site.test", "git.site.test", "localhost"));
        server =
                new WireMockServer(
                        wireMockConfig()
                                .bindAddress("127.0.0.1")
                                .dynamicPort()
                                .dynamicHttpsPort()
                                .keystorePath(ca.serverKeystore().toString())
                                .keystorePassword(TestCa.PASSWORD)
                                .keyManagerPassword(TestCa.PASSWORD)
                                .keystoreType("PKCS12"));
        server.start();
        server.stubFor(
                get("/").willReturn(
                                aResponse()
                                        .withStatus(200)
                                        .withHeader("Content-Type", "text/html")
                                        .withBody("<html>ok</html>")));
        server.stubFor(
                get("/down").willReturn(aResponse().withStatus(503).withBody("maintenance")));
        server.stubFor(
                get("/slow")
                        .willReturn(
                                aResponse().withStatus(200).withFixedDelay(600).withBody("late")));
        server.stubFor(
                get("/old").willReturn(aResponse().withStatus(301).withHeader("Location", "/")));
        server.stubFor(
                get("/to-plain")
                        .willReturn(
                                aResponse()
                                        .withStatus(302)
                                        .withHeader(
                                                "Location",
                                                "http://127.0.0.1:" + server.port() + "/")));
        server.stubFor(
                get("/to-secure")
                        .willReturn(
                                aResponse()
                                        .withStatus(301)
                                        .withHeader(
                                                "Location",
                                                "https://localhost:" + server.httpsPort() + "/")));
        server.stubFor(get("/vhost").willReturn(aResponse().withStatus(200).withBody("gitea")));
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private CheckResult run(String spec) throws Exception {
        String yaml =
                ("vars: { http: \"http://127.0.0.1:"
                        + server.port()
                        + "\", https: \"https://localhost:"
                        + server.httpsPort()
                        + "\", ca: \""
                        + ca.caPem()
                        + "\" }\nchecks:\n  - id: site\n    http: "
                        + spec
                        + "\n");
        HostResult r = LocalRun.run(dir, yaml);
        return check(r, "site");
    }

    @Test
    void passesWithStatusBodyAndHeaderAndSaysHowLongItTook() throws Exception {
        CheckResult c =
                run(
                        "{ url: \"{{ http }}/\", body_contains: \"</html>\", headers: { Content-Type: text/html } }");
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict().reason().matches("GET http://127.0.0.1:\\d+/: 200 in \\d+ms"),
                c.verdict().reason());
    }

    @Test
    void failsOnWrongStatusAndShowsTheBody() throws Exception {
        CheckResult c = run("{ url: \"{{ http }}/down\" }");
        assertEquals(Status.FAIL, c.status());
        assertTrue(
                c.verdict().reason().endsWith("/down: status 503, expected 200"),
                c.verdict().reason());
        assertEquals(List.of("body: maintenance"), c.verdict().details());
    }

    @Test
    void failsWhenSlowerThanMaxLatency() throws Exception {
        CheckResult c = run("{ url: \"{{ http }}/slow\", max_latency: 200ms }");
        assertEquals(Status.FAIL, c.status());
        assertTrue(c.verdict().reason().contains("max_latency 200ms"), c.verdict().reason());
    }

    @Test
    void redirectIsFollowedByDefaultAndVisibleWhenNot() throws Exception {
        assertEquals(Status.PASS, run("{ url: \"{{ http }}/old\" }").status());
        CheckResult c =
                run("{ url: \"{{ http }}/old\", follow_redirects: false, status: [301, 302] }");
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
    }

    /** Issue 14: a redirect from https to plain http is a downgrade, refused unless asked. */
    @Test
    void redirectFromHttpsToPlainHttpIsRefusedUnlessDowngradeIsAllowed() throws Exception {
        CheckResult c = run("{ url: \"{{ https }}/to-plain\", ca_file: \"{{ ca }}\" }");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertEquals(
                "GET https://localhost:"
                        + server.httpsPort()
                        + "/to-plain: refused the redirect (302) from https://localhost:"
                        + server.httpsPort()
                        + "/to-plain to http://127.0.0.1:"
                        + server.port()
                        + "/: a downgrade from HTTPS to plain HTTP (allow_downgrade: true follows"
                        + " it)",
                c.verdict().reason());

        CheckResult allowed =
                run(
                        "{ url: \"{{ https }}/to-plain\", ca_file: \"{{ ca }}\","
                                + " allow_downgrade: true }");
        assertEquals(Status.PASS, allowed.status(), allowed.verdict().reason());
        CheckResult upgrade = run("{ url: \"{{ http }}/to-secure\", ca_file: \"{{ ca }}\" }");
        assertEquals(Status.PASS, upgrade.status(), upgrade.verdict().reason());
    }

    @Test
    void httpsIsVerifiedByDefaultSoAPrivateCaIsUntrusted() throws Exception {
        CheckResult c = run("{ url: \"{{ https }}/\" }");
        assertEquals(Status.FAIL, c.status());
        assertTrue(c.verdict().reason().contains("TLS"), c.verdict().reason());
    }

    @Test
    void caFileTrustsAPrivateCaAndInsecureSkipsVerification() throws Exception {
        assertEquals(Status.PASS, run("{ url: \"{{ https }}/\", ca_file: \"{{ ca }}\" }").status());
        assertEquals(
                Status.PASS,
                run("{ url: \"https://127.0.0.1:" + server.httpsPort() + "/\", insecure: true }")
                        .status());
    }

    @Test
    void hostHeaderAddressesAVirtualHostByNameForHostAndSni() throws Exception {
        CheckResult c =
                run(
                        "{ url: \"https://127.0.0.1:"
                                + server.httpsPort()
                                + "/vhost\", host_header: git.site.test,"
                                + " ca_file: \"{{ ca }}\", body_contains: gitea }");
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        // Over TLS, OkHttp and WireMock speak HTTP/2, where the Host header is :authority.
        List<String> hosts =
                server.getAllServeEvents().stream()
                        .filter(e -> e.getRequest().getUrl().equals("/vhost"))
                        .map(e -> e.getRequest().getHost())
                        .toList();
        assertEquals(List.of("git.site.test"), hosts);
    }

    @Test
    void refusedConnectionIsAFailThatSaysSo() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        CheckResult c = run("{ url: \"http://127.0.0.1:" + closed + "/\", timeout: 2s }");
        assertEquals(Status.FAIL, c.status());
        assertTrue(c.verdict().reason().contains("connection refused"), c.verdict().reason());
        assertTrue(Files.exists(ca.caPem()));
    }

    /** The judgement alone, on a response built by hand: no server, no clock. */
    @Test
    void aHeaderWithAnotherValueFailsNamingTheValueThatCame() {
        HttpCheck spec =
                new HttpCheck(
                        "http://site.test/",
                        "GET",
                        List.of(200),
                        Optional.empty(),
                        Optional.empty(),
                        Map.of("Content-Type", "text/html"),
                        Optional.empty(),
                        true,
                        false,
                        Optional.empty(),
                        false,
                        Optional.empty(),
                        Duration.ofSeconds(10));
        HttpProber.Outcome json =
                new HttpProber.Outcome.Response(
                        200,
                        Map.of("content-type", List.of("application/json")),
                        new byte[0],
                        Duration.ofMillis(12),
                        "http://site.test/",
                        Optional.empty());
        Verdict v = spec.judge(json, Now.at(Instant.EPOCH));
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "GET http://site.test/: header Content-Type is 'application/json', expected"
                        + " 'text/html'",
                v.reason());
        assertEquals(List.of(), v.details());
    }
}
