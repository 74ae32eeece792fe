package dev.postflight.notify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --notify-on change}: sends when the failing host/check pairs differ from last time. */
class ChangeNotificationTest {
    @TempDir Path state;
    WireMockServer hook;

    @BeforeEach
    void start() {
        hook = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        hook.start();
        hook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(204)));
    }

    @AfterEach
    void stop() {
        hook.stop();
    }

    private Notifications change() throws Exception {
        return Notifications.parse(
                List.of("webhook=http://127.0.0.1:" + hook.port() + "/hook"),
                "change",
                Map.of("XDG_STATE_HOME", state.toString()));
    }

    private int sent() {
        return hook.findAll(anyRequestedFor(anyUrl())).size();
    }

    @Test
    void sendsTheFirstTimeNotTheSecondIdenticalTimeAndAgainWhenTheFailingSetChanges()
            throws Exception {
        assertEquals(List.of(), change().send(Runs.failing("after-maintenance", "ntp")));
        assertEquals(1, sent());
        Path file = state.resolve("postflight/last-after-maintenance.json");
        assertTrue(Files.readString(file).contains("\"web2/ntp\""), Files.readString(file));

        assertEquals(List.of(), change().send(Runs.failing("after-maintenance", "ntp")));
        assertEquals(1, sent(), "same failing set: no notification");

        assertEquals(List.of(), change().send(Runs.failing("after-maintenance", "ntp", "disk")));
        assertEquals(2, sent(), "disk now fails too");

        assertEquals(List.of(), change().send(Runs.failing("after-maintenance")));
        assertEquals(3, sent(), "all fixed is a change too");

        assertEquals(List.of(), change().send(Runs.failing("after-maintenance")));
        assertEquals(3, sent());
    }

    /** Issue 14: the state is 0600 in a folder created 0700, never written through a link. */
    @Test
    void stateIsPrivateAndNeverWrittenThroughASymlink() throws Exception {
        change().send(Runs.failing("after-maintenance", "ntp"));
        Path file = state.resolve("postflight/last-after-maintenance.json");
        assertEquals("rw-------", mode(file));
        assertEquals("rwx------", mode(file.getParent()));

        String precious = "{\"failing\": []}\n";
        Path victim = Files.writeString(state.resolve("victim"), precious);
        Path linked = state.resolve("postflight/last-redeployed-host.json");
        Files.createSymbolicLink(linked, victim);
        List<String> problems = change().send(Runs.failing("redeployed-host", "ntp"));
        assertEquals(
                List.of(
                        "notification state "
                                + linked
                                + " not written: it is a symbolic link to "
                                + victim
                                + "; postflight does not write through symbolic links"),
                problems);
        assertEquals(precious, Files.readString(victim));
    }

    private static String mode(Path p) throws Exception {
        return java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(p));
    }

    @Test
    void eachChecklistRemembersItsOwnLastRun() throws Exception {
        change().send(Runs.failing("after-maintenance", "ntp"));
        change().send(Runs.failing("redeployed-host", "ntp"));
        assertEquals(2, sent());
    }

    @Test
    void aChangeThatCouldNotBeSentIsSentAgainNextTime() throws Exception {
        hook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(503)));
        List<String> problems = change().send(Runs.failing("after-maintenance", "ntp"));
        assertEquals(
                List.of(
                        "notification webhook=http://127.0.0.1:"
                                + hook.port()
                                + "/…: 503 Service Unavailable"),
                problems);
        hook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(204)));
        assertEquals(List.of(), change().send(Runs.failing("after-maintenance", "ntp")));
        assertEquals(2, sent());
    }

    @Test
    void failSendsOnlyForAFailedRunAndAlwaysForEveryRun() throws Exception {
        Map<String, String> env = Map.of("XDG_STATE_HOME", state.toString());
        List<String> hookArg = List.of("webhook=http://127.0.0.1:" + hook.port() + "/hook");
        Notifications.parse(hookArg, "fail", env).send(Runs.failing("a"));
        assertEquals(0, sent());
        Notifications.parse(hookArg, "fail", env).send(Runs.failing("a", "ntp"));
        assertEquals(1, sent());
        Notifications.parse(hookArg, "always", env).send(Runs.failing("a"));
        assertEquals(2, sent());
        assertTrue(Files.notExists(state.resolve("postflight")), "only change keeps state");
    }
}
