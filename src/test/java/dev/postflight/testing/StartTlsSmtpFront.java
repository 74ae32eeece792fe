package dev.postflight.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * STARTTLS in front of a plain SMTP server (GreenMail, which speaks SMTP and implicit-TLS SMTPS but
 * has no STARTTLS): greets, answers EHLO offering STARTTLS (or, built {@link #withoutStartTls},
 * offering only AUTH), refuses every other command before TLS with {@code 530 Must issue a STARTTLS
 * command first}, as Postfix with {@code smtpd_tls_security_level = encrypt} does, and after the
 * TLS handshake relays the decrypted session to the server behind it byte for byte. It records each
 * command it saw in clear and each TLS session's protocol, so a test can prove what crossed the
 * wire unencrypted. The certificate is a {@link TestCa} one: no JVM trusts it by default.
 */
public final class StartTlsSmtpFront implements AutoCloseable {
    private final ServerSocket listener;
    private final int backendPort;
    private final boolean offerStartTls;
    private final SSLContext tls;
    private final List<String> clearCommands = new CopyOnWriteArrayList<>();
    private final List<String> tlsSessions = new CopyOnWriteArrayList<>();
    private final List<String> handshakeFailures = new CopyOnWriteArrayList<>();

    private StartTlsSmtpFront(TestCa ca, int backendPort, boolean offerStartTls)
            throws IOException {
        this.backendPort = backendPort;
        this.offerStartTls = offerStartTls;
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ca.serverKeystore())) {
                ks.load(in, TestCa.PASSWORD.toCharArray());
            }
            KeyManagerFactory kmf =
                    KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, TestCa.PASSWORD.toCharArray());
            tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(this::accept);
    }

    /** A front offering STARTTLS with a certificate that {@code ca} signed (for 127.0.0.1). */
    public static StartTlsSmtpFront start(TestCa ca, int backendPort) throws IOException {
        return new StartTlsSmtpFront(ca, backendPort, true);
    }

    /** A front that offers AUTH but not STARTTLS: a server where TLS is off. */
    public static StartTlsSmtpFront withoutStartTls(TestCa ca, int backendPort) throws IOException {
        return new StartTlsSmtpFront(ca, backendPort, false);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The commands the client sent before TLS (in clear), in order. */
    public List<String> clearCommands() {
        return List.copyOf(clearCommands);
    }

    /** One entry per completed TLS handshake: its protocol, e.g. {@code TLSv1.3}. */
    public List<String> tlsSessions() {
        return List.copyOf(tlsSessions);
    }

    /** Handshakes the client broke off (e.g. it did not trust the certificate). */
    public List<String> handshakeFailures() {
        return List.copyOf(handshakeFailures);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                Thread.ofPlatform().daemon().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            write(out, "220 front.test ESMTP\r\n");
            while (true) {
                String line = readLine(in);
                if (line == null) return;
                clearCommands.add(line);
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" ->
                            write(
                                    out,
                                    offerStartTls
                                            ? "250-front.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
                                            : "250-front.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
                    case "HELO" -> write(out, "250 front.test\r\n");
                    case "QUIT" -> {
                        write(out, "221 2.0.0 Bye\r\n");
                        return;
                    }
                    case "STARTTLS" -> {
                        if (!offerStartTls) {
                            write(out, "502 5.5.1 STARTTLS not available\r\n");
                            continue;
                        }
                        write(out, "220 2.0.0 Ready to start TLS\r\n");
                        relayOverTls(client);
                        return;
                    }
                    default -> write(out, "530 5.7.0 Must issue a STARTTLS command first\r\n");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private void relayOverTls(Socket client) throws IOException {
        SSLSocket secured =
                (SSLSocket)
                        tls.getSocketFactory()
                                .createSocket(
                                        client,
                                        client.getInetAddress().getHostAddress(),
                                        client.getPort(),
                                        false);
        secured.setUseClientMode(false);
        try {
            secured.startHandshake();
        } catch (IOException e) {
            handshakeFailures.add(String.valueOf(e.getMessage()));
            return;
        }
        tlsSessions.add(secured.getSession().getProtocol());
        try (secured;
                Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort)) {
            InputStream fromBackend = backend.getInputStream();
            if (readLine(fromBackend) == null) return; // its greeting: the client had ours
            Thread up = Thread.ofPlatform().daemon().start(() -> pump(secured, backend));
            pump(backend, secured);
            up.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // one side closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException | UnsupportedOperationException e) {
                // SSLSocket: closing is all it offers
                try {
                    to.close();
                } catch (IOException ignored) {
                    // closed already
                }
            }
        }
    }

    /** A CRLF line read byte by byte: nothing of a following TLS handshake is consumed. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') break;
            if (b != '\r') line.write(b);
        }
        if (b == -1 && line.size() == 0) return null;
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
