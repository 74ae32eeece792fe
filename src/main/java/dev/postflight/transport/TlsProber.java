package dev.postflight.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS handshake from the runner that reports what the server presented instead of only whether it
 * was acceptable: the certificate chain, the negotiated protocol, whether the chain is trusted
 * (judged separately, so an expired, self-signed or unknown-issuer certificate is shown with its
 * details) and whether it covers the server name. SNI is the given name while the connection goes
 * to the given address, so each virtual host behind one nginx is seen as clients see it (seed 002).
 */
public final class TlsProber {

    /** What to connect to and how to judge trust. */
    public record Request(
            String address, int port, String serverName, Optional<Path> caFile, Duration timeout) {}

    /** What the handshake showed. */
    public sealed interface Outcome {
        /**
         * A completed handshake. {@code trustProblem} is empty when the chain is trusted, ignoring
         * validity dates (those are judged from {@code chain} itself).
         */
        record Handshake(
                List<X509Certificate> chain,
                String protocol,
                String cipherSuite,
                Optional<String> trustProblem,
                boolean nameCovered)
                implements Outcome {
            public Handshake {
                chain = List.copyOf(chain);
            }
        }

        record Failure(String message) implements Outcome {}
    }

    public Outcome probe(Request r) throws InterruptedException {
        String target = r.address() + ":" + r.port();
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, r.timeout().toMillis()));
        Socket plain = new Socket();
        try {
            InetSocketAddress address = new InetSocketAddress(r.address(), r.port());
            if (address.isUnresolved()) throw new UnknownHostException(r.address());
            plain.connect(address, millis);
            plain.setSoTimeout(millis);
        } catch (IOException e) {
            closeQuietly(plain);
            if (Thread.currentThread().isInterrupted()) throw new InterruptedException();
            return new Outcome.Failure(NetworkFailure.describe(e, target));
        }
        return handshake(r, plain);
    }

    /**
     * The same over {@code connected}, a connection already open to the request's address (a tunnel
     * through the host's SSH connection), closed at the request's timeout and after the handshake.
     */
    public Outcome probe(Request r, Socket connected) throws InterruptedException {
        try (Alarm alarm =
                Alarm.at(Instant.now().plus(r.timeout()), () -> closeQuietly(connected))) {
            Outcome o = handshake(r, connected);
            if (alarm.rang()) {
                return new Outcome.Failure("timed out (" + r.address() + ":" + r.port() + ")");
            }
            return o;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Closing only to end it; nothing more to do.
        }
    }

    private Outcome handshake(Request r, Socket connected) throws InterruptedException {
        String target = r.address() + ":" + r.port();
        X509ExtendedTrustManager real;
        try {
            real = r.caFile().isPresent() ? caTrust(r.caFile().get()) : systemTrust();
        } catch (IOException | GeneralSecurityException e) {
            closeQuietly(connected);
            return new Outcome.Failure("cannot use ca_file: " + e.getMessage());
        }
        CapturingTrust capture = new CapturingTrust(real);
        try (Socket plain = connected) {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {capture}, null);
            try (SSLSocket tls =
                    (SSLSocket)
                            ctx.getSocketFactory()
                                    .createSocket(plain, r.serverName(), r.port(), false)) {
                SSLParameters params = tls.getSSLParameters();
                if (!CertificateNames.isIpLiteral(r.serverName())) {
                    params.setServerNames(List.of(new SNIHostName(r.serverName())));
                }
                tls.setSSLParameters(params);
                tls.startHandshake();
                if (capture.chain.isEmpty()) {
                    return new Outcome.Failure("TLS: server sent no certificate (" + target + ")");
                }
                X509Certificate leaf = capture.chain.get(0);
                return new Outcome.Handshake(
                        capture.chain,
                        tls.getSession().getProtocol(),
                        tls.getSession().getCipherSuite(),
                        capture.problem,
                        CertificateNames.covers(leaf, r.serverName()));
            }
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) throw new InterruptedException();
            return new Outcome.Failure(NetworkFailure.describe(e, target));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return new Outcome.Failure("TLS: " + e.getMessage() + " (" + target + ")");
        }
    }

    private static X509ExtendedTrustManager systemTrust() throws GeneralSecurityException {
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        return extended(tmf.getTrustManagers());
    }

    private static X509ExtendedTrustManager caTrust(Path pem)
            throws IOException, GeneralSecurityException {
        X509TrustManager tm = HttpProber.trustManagerFor(pem);
        return extended(new TrustManager[] {tm});
    }

    private static X509ExtendedTrustManager extended(TrustManager[] tms)
            throws GeneralSecurityException {
        for (TrustManager tm : tms) {
            if (tm instanceof X509ExtendedTrustManager x) return x;
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /**
     * Accepts every server chain and records it with the real trust manager's opinion. Extending
     * {@link X509ExtendedTrustManager} keeps JSSE from wrapping it with its own checks, which would
     * fail the handshake before the chain could be shown.
     */
    private static final class CapturingTrust extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager real;
        private List<X509Certificate> chain = List.of();
        private Optional<String> problem = Optional.empty();

        CapturingTrust(X509ExtendedTrustManager real) {
            this.real = real;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType) {
            chain = certs == null ? List.of() : List.copyOf(Arrays.asList(certs));
            if (chain.isEmpty()) return;
            try {
                real.checkServerTrusted(certs, authType);
            } catch (CertificateException e) {
                if (!trustedIgnoringDates(chain, real.getAcceptedIssuers())) {
                    problem = Optional.of(describe(e));
                }
            } catch (RuntimeException e) {
                problem = Optional.of(String.valueOf(e.getMessage()));
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType, Socket s) {
            checkServerTrusted(certs, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine e) {
            checkServerTrusted(certs, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType, Socket s)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine e)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return real.getAcceptedIssuers();
        }
    }

    /**
     * Whether the chain leads to a trusted anchor when judged at a moment all its certificates are
     * valid: an expired but otherwise good certificate is reported as expired, not as untrusted.
     */
    static boolean trustedIgnoringDates(List<X509Certificate> chain, X509Certificate[] anchors) {
        Date from = null;
        Date to = null;
        for (X509Certificate c : chain) {
            if (from == null || c.getNotBefore().after(from)) from = c.getNotBefore();
            if (to == null || c.getNotAfter().before(to)) to = c.getNotAfter();
        }
        if (from == null || from.after(to) || anchors.length == 0) return false;
        try {
            Set<TrustAnchor> set = new HashSet<>();
            for (X509Certificate a : anchors) set.add(new TrustAnchor(a, null));
            PKIXParameters params = new PKIXParameters(set);
            params.setRevocationEnabled(false);
            params.setDate(from);
            List<X509Certificate> path = new ArrayList<>(chain);
            Set<X509Certificate> anchorSet = new HashSet<>(Arrays.asList(anchors));
            while (path.size() > 1 && anchorSet.contains(path.get(path.size() - 1))) {
                path.remove(path.size() - 1);
            }
            var certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String describe(CertificateException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = String.valueOf(root.getMessage());
        if (m.contains("unable to find valid certification path")
                || m.contains("No trusted certificate found")) {
            return "unknown issuer";
        }
        return m;
    }
}
