package dev.postflight.notify;

import dev.postflight.transport.HttpProber;
import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilderException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import javax.net.ssl.SSLException;
import org.apache.commons.net.smtp.AuthenticatingSMTPClient;
import org.apache.commons.net.smtp.SMTPReply;

/**
 * Mails the human report (no colour) to one address over SMTP with commons-net. STARTTLS is used
 * whenever the server offers it, and required with {@code POSTFLIGHT_SMTP_STARTTLS=required}. The
 * password is read from a file at send time: it never appears on a command line (visible in {@code
 * ps}) nor as an environment value (visible in {@code /proc/PID/environ} and unit files). A
 * password is never sent in clear text to a server that is not on this machine. The server's
 * certificate is checked against the JVM's trusted CAs, or only against the PEM file {@code
 * POSTFLIGHT_SMTP_CA_FILE} (a private CA) when set; a certificate that is not trusted fails the
 * notification, naming the problem, before anything else is sent.
 */
record MailNotifier(String to, Smtp smtp) implements Notifier {

    /** How to reach the SMTP server, from the {@code POSTFLIGHT_SMTP_*} environment. */
    public record Smtp(
            String host,
            int port,
            boolean startTlsRequired,
            Optional<String> user,
            Optional<Path> passwordFile,
            String from,
            Duration timeout,
            Optional<Path> caFile) {}

    @Override
    public String label() {
        return "mail=" + to;
    }

    @Override
    public void send(Message message) throws IOException {
        int millis = (int) smtp.timeout().toMillis();
        AuthenticatingSMTPClient client = new AuthenticatingSMTPClient("TLS", false, "UTF-8");
        client.setConnectTimeout(millis);
        client.setDefaultTimeout(millis);
        client.setEndpointCheckingEnabled(true);
        if (smtp.caFile().isPresent()) {
            try {
                client.setTrustManager(HttpProber.trustManagerFor(smtp.caFile().get()));
            } catch (GeneralSecurityException e) {
                throw new IOException(
                        "POSTFLIGHT_SMTP_CA_FILE: cannot use " + smtp.caFile().get() + ": " + e, e);
            }
        }
        try {
            client.connect(smtp.host(), smtp.port());
            client.setSoTimeout(millis);
            expect(client, "connect");
            String helo = localName();
            expectCode(client, client.ehlo(helo), "EHLO");
            boolean tls = false;
            if (offers(client, "STARTTLS")) {
                try {
                    if (!client.execTLS()) throw refused(client, "STARTTLS");
                } catch (SSLException e) {
                    throw untrusted(e);
                }
                tls = true;
                expectCode(client, client.ehlo(helo), "EHLO after STARTTLS");
            } else if (smtp.startTlsRequired()) {
                throw new IOException(
                        smtp.host()
                                + ":"
                                + smtp.port()
                                + " does not offer STARTTLS (POSTFLIGHT_SMTP_STARTTLS=required)");
            }
            if (smtp.user().isPresent()) authenticate(client, tls);
            if (!client.setSender(smtp.from())) throw refused(client, "MAIL FROM");
            if (!client.addRecipient(to)) throw refused(client, "RCPT TO");
            Writer data = client.sendMessageData();
            if (data == null) throw refused(client, "DATA");
            try (data) {
                data.write(mail(message));
            }
            if (!client.completePendingCommand()) throw refused(client, "message");
            client.logout();
        } finally {
            if (client.isConnected()) client.disconnect();
        }
    }

    /** A failed TLS handshake, said as what the operator can do about it. */
    private IOException untrusted(SSLException e) {
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        String reason = root.getMessage() == null ? root.toString() : root.getMessage();
        boolean certificate =
                root instanceof CertPathBuilderException
                        || root instanceof java.security.cert.CertificateException
                        || String.valueOf(e.getMessage()).contains("PKIX");
        return new IOException(
                "STARTTLS with "
                        + smtp.host()
                        + ":"
                        + smtp.port()
                        + " failed: "
                        + (certificate
                                ? "the server's certificate is not trusted ("
                                        + reason
                                        + ")"
                                        + (smtp.caFile().isPresent()
                                                ? " by POSTFLIGHT_SMTP_CA_FILE "
                                                        + smtp.caFile().get()
                                                : "; if a private CA signed it, give that CA's"
                                                        + " certificate (PEM) in"
                                                        + " POSTFLIGHT_SMTP_CA_FILE")
                                : reason)
                        + "; no credentials and no mail were sent",
                e);
    }

    private void authenticate(AuthenticatingSMTPClient client, boolean tls) throws IOException {
        if (!tls && !InetAddress.getByName(smtp.host()).isLoopbackAddress()) {
            throw new IOException(
                    "will not send the SMTP password in clear text: "
                            + smtp.host()
                            + " does not offer STARTTLS");
        }
        Path file = smtp.passwordFile().orElseThrow();
        String password = Files.readString(file, StandardCharsets.UTF_8).strip();
        AuthenticatingSMTPClient.AUTH_METHOD method =
                offersAuth(client, "PLAIN")
                        ? AuthenticatingSMTPClient.AUTH_METHOD.PLAIN
                        : AuthenticatingSMTPClient.AUTH_METHOD.LOGIN;
        try {
            if (!client.auth(method, smtp.user().get(), password))
                throw refused(client, "AUTH " + method.name());
        } catch (GeneralSecurityException e) {
            throw new IOException("AUTH " + method.name() + ": " + e.getMessage(), e);
        }
    }

    private static boolean offers(AuthenticatingSMTPClient client, String extension) {
        return Arrays.stream(client.getReplyStrings())
                .map(l -> l.length() > 4 ? l.substring(4).strip() : "")
                .anyMatch(e ->
                        e.equalsIgnoreCase(extension)
                                || e.toUpperCase(Locale.ROOT).startsWith(extension + " "));
    }

    /** Whether the last EHLO listed this SASL mechanism ({@code 250-AUTH LOGIN PLAIN}). */
    private static boolean offersAuth(AuthenticatingSMTPClient client, String mechanism) {
        return Arrays.stream(client.getReplyStrings())
                .map(l -> l.length() > 4 ? l.substring(4).strip().toUpperCase(Locale.ROOT) : "")
                .filter(e -> e.startsWith("AUTH ") || e.startsWith("AUTH="))
                .anyMatch(e -> Arrays.asList(e.substring(5).split("\\s+")).contains(mechanism));
    }

    private static void expect(AuthenticatingSMTPClient client, String step) throws IOException {
        if (!SMTPReply.isPositiveCompletion(client.getReplyCode())) throw refused(client, step);
    }

    private static void expectCode(AuthenticatingSMTPClient client, int code, String step)
            throws IOException {
        if (!SMTPReply.isPositiveCompletion(code)) throw refused(client, step);
    }

    private static IOException refused(AuthenticatingSMTPClient client, String step) {
        return new IOException(step + " refused: " + client.getReplyString().strip());
    }

    /** The message as RFC 5322 text; commons-net dot-stuffs it and turns LF into CRLF. */
    String mail(Message m) {
        String body = m.report();
        boolean ascii = StandardCharsets.US_ASCII.newEncoder().canEncode(body);
        StringBuilder out = new StringBuilder();
        out.append("From: ").append(smtp.from()).append('\n');
        out.append("To: ").append(to).append('\n');
        out.append("Subject: ").append(header(m.subject())).append('\n');
        out.append("Date: ")
                .append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now()))
                .append('\n');
        out.append("Message-ID: <")
                .append(UUID.randomUUID())
                .append('@')
                .append(smtp.from().substring(smtp.from().indexOf('@') + 1))
                .append(">\n");
        out.append("MIME-Version: 1.0\n");
        out.append("Content-Type: text/plain; charset=UTF-8\n");
        out.append("Auto-Submitted: auto-generated\n");
        if (ascii) {
            out.append("Content-Transfer-Encoding: 7bit\n\n").append(body);
        } else {
            out.append("Content-Transfer-Encoding: base64\n\n")
                    .append(
                            Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII))
                                    .encodeToString(body.getBytes(StandardCharsets.UTF_8)))
                    .append('\n');
        }
        return out.toString();
    }

    /** A header value: as is when ASCII, else an RFC 2047 encoded word. */
    private static String header(String s) {
        if (StandardCharsets.US_ASCII.newEncoder().canEncode(s)) return s;
        return "=?UTF-8?B?"
                + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8))
                + "?=";
    }

    static String localName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
