package dev.postflight.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A real TLS server on 127.0.0.1 that presents a different certificate per SNI name, the way one
 * nginx serves a site, a git server and a CI server (seed 002). Clients that send an unknown name,
 * or none, get the fallback certificate. It completes handshakes and closes; it serves no data.
 */
public final class SniTlsServer implements AutoCloseable {
    private final SSLServerSocket socket;
    private final Thread acceptor;

    private SniTlsServer(SSLServerSocket socket) {
        this.socket = socket;
        this.acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    public static SniTlsServer start(
            Map<String, TestCerts.Issued> byName, TestCerts.Issued fallback)
            throws IOException, GeneralSecurityException {
        return start(byName, fallback, Optional.empty());
    }

    /** The same, limited to one protocol (e.g. "TLSv1.2") when given. */
    public static SniTlsServer start(
            Map<String, TestCerts.Issued> byName,
            TestCerts.Issued fallback,
            Optional<String> onlyProtocol)
            throws IOException, GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {new SniKeys(Map.copyOf(byName), fallback)}, null, null);
        SSLServerSocket s =
                (SSLServerSocket)
                        ctx.getServerSocketFactory()
                                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        onlyProtocol.ifPresent(p -> s.setEnabledProtocols(new String[] {p}));
        return new SniTlsServer(s);
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket c = socket.accept();
                Thread.ofVirtual().start(() -> serve((SSLSocket) c));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serve(SSLSocket c) {
        try (c) {
            c.setSoTimeout(5000);
            c.startHandshake();
            InputStream in = c.getInputStream();
            while (in.read() >= 0) {
                // the client only looks at the handshake; wait for it to close
            }
        } catch (IOException e) {
            // a client that gives up mid-handshake is what some tests do
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        acceptor.interrupt();
    }

    /** Picks the certificate by the SNI name the client sent. */
    private static final class SniKeys extends X509ExtendedKeyManager {
        private static final String FALLBACK = "\0fallback";
        private final Map<String, TestCerts.Issued> byName;
        private final TestCerts.Issued fallback;

        SniKeys(Map<String, TestCerts.Issued> byName, TestCerts.Issued fallback) {
            this.byName = byName;
            this.fallback = fallback;
        }

        private TestCerts.Issued of(String alias) {
            return FALLBACK.equals(alias) ? fallback : byName.get(alias);
        }

        private String choose(String keyType, SSLSession session) {
            String alias = FALLBACK;
            if (session instanceof ExtendedSSLSession ext) {
                for (SNIServerName n : ext.getRequestedServerNames()) {
                    if (n instanceof SNIHostName h && byName.containsKey(h.getAsciiName())) {
                        alias = h.getAsciiName();
                    }
                }
            }
            String alg = of(alias).keys().getPrivate().getAlgorithm();
            boolean fits =
                    keyType.equals(alg)
                            || keyType.startsWith("EC") && alg.equals("EC")
                            || keyType.equals("RSASSA-PSS") && alg.equals("RSA");
            return fits ? alias : null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket s) {
            return choose(keyType, ((SSLSocket) s).getHandshakeSession());
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine e) {
            return choose(keyType, e.getHandshakeSession());
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return of(alias).chain().toArray(X509Certificate[]::new);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return of(alias).keys().getPrivate();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return List.of(FALLBACK).toArray(String[]::new);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket s) {
            return null;
        }
    }
}
