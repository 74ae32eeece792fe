package dev.postflight.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Black-box tests of {@code verify --notify webhook=URL} on this machine (--local, no SSH). */
class NotifyCommandTest {
    @TempDir Path dir;
    WireMockServer hook;

    static final String FAILING =
            """
            checklist: notify-test
            checks:
              - { id: tmp-dir, file: { path: /tmp, type: directory } }
              - { id: backup-ran, file: { path: /nonexistent/postflight/last-success } }
            """;
    static final String PASSING =
            """
            checklist: notify-test
            checks:
              - { id: tmp-dir, file: { path: /tmp, type: directory } }
            """;

    @BeforeEach
    void start() {
        hook = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        hook.start();
        hook.stubFor(
                post(urlEqualTo("/services/T0/B0/secret")).willReturn(aResponse().withStatus(200)));
    }

    @AfterEach
    void stop() {
        hook.stop();
    }

    private String url() {
        return "http://127.0.0.1:" + hook.port() + "/services/T0/B0/secret";
    }

    private Cli verify(String checklist, String... extra) throws Exception {
        Path checks = dir.resolve("checks.yaml");
        Files.writeString(checks, checklist);
        List<String> args =
                new java.util.ArrayList<>(
                        List.of("verify", "--local", "-c", checks.toString(), "--no-color"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void aFailedRunPostsSlackTextAndThePostflightObjectToTheWebhook() throws Exception {
        Cli r = verify(FAILING, "--notify", "webhook=" + url());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals("", r.err());
        List<LoggedRequest> sent = hook.findAll(anyRequestedFor(anyUrl()));
        assertEquals(1, sent.size());
        assertTrue(sent.get(0).getHeader("Content-Type").startsWith("application/json"));
        JsonNode body = new ObjectMapper().readTree(sent.get(0).getBodyAsString());
        String text = body.get("text").asText();
        assertTrue(
                text.startsWith(
                        "[postflight] CRITICAL notify-test: 1 check failed on 1 of 1 host\n"),
                text);
        assertTrue(text.contains("/backup-ran: fail (critical) - "), text);
        JsonNode pf = body.get("postflight");
        assertEquals("notify-test", pf.get("checklist").asText());
        assertEquals(1, pf.get("exit_code").asInt());
        assertEquals(2, pf.get("counts").get("checks").asInt());
        assertEquals(1, pf.get("counts").get("pass").asInt());
        assertEquals(1, pf.get("counts").get("fail").asInt());
        assertEquals(1, pf.get("failing").size());
        assertEquals("backup-ran", pf.get("failing").get(0).get("check").asText());
        assertEquals("critical", pf.get("failing").get(0).get("severity").asText());
    }

    @Test
    void aWebhookAnswering500IsReportedWithoutItsSecretPathAndTheExitCodeStaysOne()
            throws Exception {
        hook.stubFor(
                post(urlEqualTo("/services/T0/B0/secret"))
                        .willReturn(aResponse().withStatus(500).withStatusMessage("Server Error")));
        Cli r = verify(FAILING, "--notify", "webhook=" + url());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: notification webhook=http://127.0.0.1:"
                        + hook.port()
                        + "/…: 500 Server Error\n",
                r.err());
    }

    @Test
    void anUnreachableWebhookOnAPassingRunWithAlwaysIsReportedAndTheExitCodeStaysZero()
            throws Exception {
        int port = hook.port();
        hook.stop();
        Cli r =
                verify(
                        PASSING,
                        "--notify",
                        "webhook=http://127.0.0.1:" + port + "/x",
                        "--notify-on",
                        "always");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(
                r.err()
                        .startsWith(
                                "postflight: notification webhook=http://127.0.0.1:"
                                        + port
                                        + "/…: connection refused"),
                r.err());
    }

    @Test
    void aPassingRunNotifiesWithAlwaysButNotWithTheDefaultFail() throws Exception {
        Cli quiet = verify(PASSING, "--notify", "webhook=" + url());
        assertEquals(0, quiet.exit(), quiet.out() + quiet.err());
        assertEquals(0, hook.findAll(anyRequestedFor(anyUrl())).size());

        Cli always = verify(PASSING, "--notify", "webhook=" + url(), "--notify-on", "always");
        assertEquals(0, always.exit(), always.out() + always.err());
        List<LoggedRequest> sent = hook.findAll(anyRequestedFor(anyUrl()));
        assertEquals(1, sent.size());
        JsonNode body = new ObjectMapper().readTree(sent.get(0).getBodyAsString());
        assertEquals(
                "[postflight] OK notify-test: 1 check passed on 1 host", body.get("text").asText());
        assertEquals(0, body.get("postflight").get("exit_code").asInt());
    }

    @Test
    void badNotifyValuesExitTwoWithEveryMistakeBeforeAnyCheckRuns() throws Exception {
        Cli r =
                verify(
                        FAILING,
                        "--notify",
                        "slack=#ops",
                        "--notify",
                        "webhook=ftp://example.org/x",
                        "--notify",
                        "mail=not-an-address",
                        "--notify-on",
                        "sometimes");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("", r.out());
        assertTrue(
                r.err()
                        .contains(
                                "--notify: 'slack=#ops' must be webhook=URL|@FILE|env:NAME or mail=ADDR"),
                r.err());
        assertTrue(r.err().contains("'ftp://example.org/x' is not an http or https URL"), r.err());
        assertTrue(r.err().contains("'not-an-address' is not a mail address"), r.err());
        assertTrue(
                r.err().contains("--notify-on: 'sometimes' is not one of fail, change, always"),
                r.err());
        assertEquals(0, hook.findAll(anyRequestedFor(anyUrl())).size());
    }

    @Test
    void aWebhookUrlFromAFileIsPostedToAndItsSecretPathShowsNowhere() throws Exception {
        Path file = Files.writeString(dir.resolve("hook"), url() + "\n");
        Path json = dir.resolve("report.json");
        Cli r =
                verify(
                        FAILING,
                        "--notify",
                        "webhook=@" + file,
                        "--report",
                        "json=" + json,
                        "--notify-on",
                        "always");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals(1, hook.findAll(anyRequestedFor(anyUrl())).size());
        for (String shown : List.of(r.out(), r.err(), Files.readString(json))) {
            assertTrue(!shown.contains("T0/B0/secret"), shown);
        }
    }

    @Test
    void anUnreadableWebhookFileOrAnUnsetVariableIsAnInputErrorBeforeAnythingRuns()
            throws Exception {
        Cli file = verify(FAILING, "--notify", "webhook=@" + dir.resolve("absent"));
        assertEquals(2, file.exit(), file.out() + file.err());
        assertTrue(
                file.err()
                        .contains(
                                "--notify webhook=@" + dir.resolve("absent") + ": cannot read it"),
                file.err());
        Cli env = verify(FAILING, "--notify", "webhook=env:PF_TEST_UNSET_HOOK_VARIABLE");
        assertEquals(2, env.exit(), env.out() + env.err());
        assertTrue(
                env.err()
                        .contains(
                                "--notify webhook=env:PF_TEST_UNSET_HOOK_VARIABLE:"
                                        + " PF_TEST_UNSET_HOOK_VARIABLE is not set"),
                env.err());
        assertEquals(0, hook.findAll(anyRequestedFor(anyUrl())).size());
    }
}
