package dev.postflight.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.postflight.input.InvalidInput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code webhook=env:NAME}: the URL comes from the environment and is a secret of the run. */
class WebhookSecretTest {
    private static final String URL = "https://hooks.example.org/services/T0/B0/s3cret";

    @Test
    void aWebhookFromTheEnvironmentIsUsedAndRedactedEverywhere() throws Exception {
        Notifications n =
                Notifications.parse(
                        List.of("webhook=env:PF_HOOK"), "fail", Map.of("PF_HOOK", URL + "\n"));
        assertEquals(1, n.notifiers().size());
        assertEquals(URL, ((WebhookNotifier) n.notifiers().get(0)).url().toString());
        assertEquals(List.of(URL), n.secretValues());
    }

    @Test
    void aUrlOnTheCommandLineIsNotTreatedAsASecret() throws Exception {
        Notifications n = Notifications.parse(List.of("webhook=" + URL), "fail", Map.of());
        assertEquals(List.of(), n.secretValues());
    }

    @Test
    void whatTheVariableHoldsIsNotEchoedWhenItIsNotAUrl() {
        InvalidInput e =
                assertThrows(
                        InvalidInput.class,
                        () ->
                                Notifications.parse(
                                        List.of("webhook=env:PF_HOOK"),
                                        "fail",
                                        Map.of("PF_HOOK", "not-a-url-s3cret")));
        assertEquals(
                "postflight: --notify webhook=env:PF_HOOK: what it holds is not an http or https URL",
                e.getMessage().strip());
    }
}
