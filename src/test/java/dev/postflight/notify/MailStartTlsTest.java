package dev.postflight.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.postflight.input.InvalidInput;
import dev.postflight.testing.StartTlsSmtpFront;
import dev.postflight.testing.TestCa;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: mail over STARTTLS with a certificate no JVM trusts by default (a private CA), against
 * GreenMail behind {@link StartTlsSmtpFront}, which refuses every command before STARTTLS and
 * records what crossed the wire in clear.
 */
class MailStartTlsTest {
    @RegisterExtension
    static GreenMailExtension greenMail =
            new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
                    .withConfiguration(
                            GreenMailConfiguration.aConfig()
                                    .withUser("postflight@example.org", "postflight", "s3cret"))
                    .withPerMethodLifecycle(true);

    @TempDir Path dir;
    TestCa ca;
    StartTlsSmtpFront front;

    @BeforeEach
    void createCa() throws Exception {
        ca =
                TestCa.create(
                        Files.createDirectories(dir.resolve("ca")),
                        "127.0.0.1",
                        List.of("127.0.0.1"));
    }

    @AfterEach
    void stop() throws Exception {
        if (front != null) front.close();
    }

    private Map<String, String> env(String... more) throws Exception {
        Path password = Files.writeString(dir.resolve("smtp-password"), "s3cret\n");
        Map<String, String> env =
                new HashMap<>(
                        Map.of(
                                "POSTFLIGHT_SMTP_HOST",
                                "127.0.0.1",
                                "POSTFLIGHT_SMTP_PORT",
                                String.valueOf(front.port()),
                                "POSTFLIGHT_SMTP_FROM",
                                "postflight@example.org",
                                "POSTFLIGHT_SMTP_USER",
                                "postflight",
                                "POSTFLIGHT_SMTP_PASSWORD_FILE",
                                password.toString(),
                                "XDG_STATE_HOME",
                                dir.toString()));
        for (int i = 0; i < more.length; i += 2) env.put(more[i], more[i + 1]);
        return env;
    }

    private List<String> send(Map<String, String> env) throws Exception {
        return Notifications.parse(List.of("mail=ops@example.org"), "fail", env)
                .send(Runs.failing("web-after-maintenance", "ntp"));
    }

    @Test
    void withTheCaFileTheMailGoesOverStartTlsAndNothingButEhloAndStartTlsIsInClear()
            throws Exception {
        front = StartTlsSmtpFront.start(ca, greenMail.getSmtp().getPort());

        List<String> problems = send(env("POSTFLIGHT_SMTP_CA_FILE", ca.caPem().toString()));

        assertEquals(List.of(), problems);
        MimeMessage[] got = greenMail.getReceivedMessages();
        assertEquals(1, got.length);
        assertEquals(
                "[postflight] CRITICAL web-after-maintenance: 1 check failed on 1 of 3 hosts",
                got[0].getSubject());
        String body = ((String) got[0].getContent()).replace("\r\n", "\n");
        assertTrue(body.contains("ntpd: inactive"), body);
        assertEquals(1, front.tlsSessions().size(), "one TLS session");
        assertTrue(front.tlsSessions().get(0).startsWith("TLSv1."), front.tlsSessions().toString());
        assertEquals(
                List.of("EHLO", "STARTTLS"),
                front.clearCommands().stream().map(c -> c.split(" ")[0]).toList(),
                "AUTH, MAIL and the message only inside TLS: " + front.clearCommands());
    }

    @Test
    void withoutTheCaFileTheUntrustedCertificateFailsTheNotificationAndNothingIsSent()
            throws Exception {
        front = StartTlsSmtpFront.start(ca, greenMail.getSmtp().getPort());

        List<String> problems = send(env());

        assertEquals(
                List.of(
                        "notification mail=ops@example.org: STARTTLS with 127.0.0.1:"
                                + front.port()
                                + " failed: the server's certificate is not trusted (unable to find"
                                + " valid certification path to requested target); if a private CA"
                                + " signed it, give that CA's certificate (PEM) in"
                                + " POSTFLIGHT_SMTP_CA_FILE; no credentials and no mail were sent"),
                problems);
        assertEquals(0, greenMail.getReceivedMessages().length);
        assertEquals(List.of(), front.tlsSessions());
        assertEquals(
                List.of("EHLO", "STARTTLS"),
                front.clearCommands().stream().map(c -> c.split(" ")[0]).toList());
    }

    /**
     * verify reads its SMTP settings from the environment, so this run is a separate JVM: the
     * failed notification is one line on stderr, and the report and exit code are those of the
     * checks.
     */
    @Test
    void anUntrustedCertificateLeavesTheRunsReportAndExitCodeAsTheChecksMadeThem()
            throws Exception {
        front = StartTlsSmtpFront.start(ca, greenMail.getSmtp().getPort());
        Path checks =
                Files.writeString(
                        dir.resolve("checks.yaml"),
                        """
                        checklist: mail-test
                        checks:
                          - { id: backup-ran, file: { path: /nonexistent/postflight/last-success } }
                        """);
        ProcessBuilder pb =
                new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.postflight.cli.Main",
                        "verify",
                        "--local",
                        "-c",
                        checks.toString(),
                        "--no-color",
                        "--notify",
                        "mail=ops@example.org");
        pb.environment().putAll(env());
        pb.redirectError(dir.resolve("stderr").toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        String err = Files.readString(dir.resolve("stderr"));
        assertEquals(1, p.exitValue(), out + err);
        assertTrue(out.contains("FAIL  backup-ran"), out);
        assertTrue(out.contains("FAILED: 1 host with a failed critical check"), out);
        assertEquals(
                "postflight: notification mail=ops@example.org: STARTTLS with 127.0.0.1:"
                        + front.port()
                        + " failed: the server's certificate is not trusted (unable to find valid"
                        + " certification path to requested target); if a private CA signed it,"
                        + " give that CA's certificate (PEM) in POSTFLIGHT_SMTP_CA_FILE; no"
                        + " credentials and no mail were sent\n",
                err);
        assertEquals(0, greenMail.getReceivedMessages().length);
    }

    @Test
    void requiredStartTlsOnAServerThatDoesNotOfferItSendsNoCredentials() throws Exception {
        front = StartTlsSmtpFront.withoutStartTls(ca, greenMail.getSmtp().getPort());

        List<String> problems =
                send(
                        env(
                                "POSTFLIGHT_SMTP_STARTTLS",
                                "required",
                                "POSTFLIGHT_SMTP_CA_FILE",
                                ca.caPem().toString()));

        assertEquals(
                List.of(
                        "notification mail=ops@example.org: 127.0.0.1:"
                                + front.port()
                                + " does not offer STARTTLS (POSTFLIGHT_SMTP_STARTTLS=required)"),
                problems);
        assertEquals(
                List.of("EHLO"),
                front.clearCommands().stream()
                        .map(c -> c.split(" ")[0])
                        .filter(c -> !c.equals("QUIT"))
                        .toList(),
                "no AUTH, no MAIL: " + front.clearCommands());
        assertEquals(0, greenMail.getReceivedMessages().length);
    }

    @Test
    void aCaFileThatHoldsNoCertificateIsAnInputError() throws Exception {
        front = StartTlsSmtpFront.start(ca, greenMail.getSmtp().getPort());
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");

        InvalidInput e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        InvalidInput.class,
                        () -> send(env("POSTFLIGHT_SMTP_CA_FILE", notPem.toString())));

        assertTrue(
                e.getMessage()
                        .contains(
                                "POSTFLIGHT_SMTP_CA_FILE: cannot use "
                                        + notPem
                                        + " (it must name a PEM file holding the CA certificate of"
                                        + " the SMTP server)"),
                e.getMessage());
    }
}
