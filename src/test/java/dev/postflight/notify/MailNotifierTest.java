package dev.postflight.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Mail notifications against a real SMTP server (GreenMail) on a free loopback port. */
class MailNotifierTest {
    @RegisterExtension
    static GreenMailExtension smtp =
            new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
                    .withConfiguration(
                            GreenMailConfiguration.aConfig()
                                    .withUser("postflight@example.org", "postflight", "s3cret"))
                    .withPerMethodLifecycle(true);

    @TempDir Path dir;

    private Map<String, String> env(String... more) {
        Map<String, String> env =
                new java.util.HashMap<>(
                        Map.of(
                                "POSTFLIGHT_SMTP_HOST",
                                "127.0.0.1",
                                "POSTFLIGHT_SMTP_PORT",
                                String.valueOf(smtp.getSmtp().getPort()),
                                "POSTFLIGHT_SMTP_FROM",
                                "postflight@example.org",
                                "XDG_STATE_HOME",
                                dir.toString()));
        for (int i = 0; i < more.length; i += 2) env.put(more[i], more[i + 1]);
        return env;
    }

    @Test
    void aFailedRunIsMailedWithTheSummaryAsSubjectAndTheHumanReportAsBody() throws Exception {
        Notifications n = Notifications.parse(List.of("mail=ops@example.org"), "fail", env());
        List<String> problems = n.send(Runs.failing("web-after-maintenance", "ntp", "disk"));
        assertEquals(List.of(), problems);
        MimeMessage[] got = smtp.getReceivedMessages();
        assertEquals(1, got.length);
        assertEquals(
                "[postflight] CRITICAL web-after-maintenance: 2 checks failed on 1 of 3 hosts",
                got[0].getSubject());
        assertEquals("postflight@example.org", got[0].getFrom()[0].toString());
        assertEquals("ops@example.org", got[0].getAllRecipients()[0].toString());
        String body = ((String) got[0].getContent()).replace("\r\n", "\n");
        assertTrue(body.contains("web2"), body);
        assertTrue(body.contains("ntpd: inactive"), body);
        assertTrue(!body.contains("\u001b["), "no colour codes: " + body);
    }

    @Test
    void withAUserThePasswordComesFromAFileAndAuthenticates() throws Exception {
        Path password = dir.resolve("smtp-password");
        Files.writeString(password, "s3cret\n");
        Notifications n =
                Notifications.parse(
                        List.of("mail=ops@example.org"),
                        "always",
                        env(
                                "POSTFLIGHT_SMTP_USER",
                                "postflight",
                                "POSTFLIGHT_SMTP_PASSWORD_FILE",
                                password.toString()));
        assertEquals(List.of(), n.send(Runs.failing("after-maintenance", "ntp")));
        assertEquals(1, smtp.getReceivedMessages().length);
    }

    @Test
    void theSmtpPasswordIsOneOfTheSecretsEveryOutputRedacts() throws Exception {
        Path password = dir.resolve("smtp-password");
        Files.writeString(password, "s3cret\n");
        Notifications n =
                Notifications.parse(
                        List.of("mail=ops@example.org"),
                        "always",
                        env(
                                "POSTFLIGHT_SMTP_USER",
                                "postflight",
                                "POSTFLIGHT_SMTP_PASSWORD_FILE",
                                password.toString()));
        assertEquals(List.of("s3cret"), n.secretValues());
        assertEquals(
                "AUTH postflight <redacted>",
                dev.postflight.input.Secrets.of(n.secretValues()).redact("AUTH postflight s3cret"));
    }

    @Test
    void aWrongPasswordIsReportedAsARefusedAuth() throws Exception {
        Path password = dir.resolve("smtp-password");
        Files.writeString(password, "wrong\n");
        Notifications n =
                Notifications.parse(
                        List.of("mail=ops@example.org"),
                        "always",
                        env(
                                "POSTFLIGHT_SMTP_USER",
                                "postflight",
                                "POSTFLIGHT_SMTP_PASSWORD_FILE",
                                password.toString()));
        List<String> problems = n.send(Runs.failing("after-maintenance", "ntp"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(
                problems.get(0).startsWith("notification mail=ops@example.org: AUTH "),
                problems.toString());
        assertEquals(0, smtp.getReceivedMessages().length);
    }

    @Test
    void requiredStartTlsOnAServerWithoutItSendsNothing() throws Exception {
        Notifications n =
                Notifications.parse(
                        List.of("mail=ops@example.org"),
                        "always",
                        env("POSTFLIGHT_SMTP_STARTTLS", "required"));
        List<String> problems = n.send(Runs.failing("after-maintenance", "ntp"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("does not offer STARTTLS"), problems.toString());
        assertEquals(0, smtp.getReceivedMessages().length);
    }

    @Test
    void aUserWithoutAPasswordFileIsAnInputError() {
        var e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        dev.postflight.input.InvalidInput.class,
                        () ->
                                Notifications.parse(
                                        List.of("mail=ops@example.org"),
                                        "fail",
                                        env("POSTFLIGHT_SMTP_USER", "postflight")));
        assertTrue(e.getMessage().contains("POSTFLIGHT_SMTP_PASSWORD_FILE"), e.getMessage());
    }
}
