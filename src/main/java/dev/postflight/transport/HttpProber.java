package dev.postflight.transport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * HTTP(S) requests from the runner through one shared OkHttp client (one connection pool for the
 * whole run). A virtual host is addressed by name, for both the Host header and TLS SNI, while the
 * connection goes to the host's own address (seed 002: several sites behind one nginx must each be
 * checked with their own name).
 */
public final class HttpProber {
    /** How much of a body is kept for content checks. */
    static final int MAX_BODY = 1 << 20;

    /** Built on first use: runs without HTTP checks need not load OkHttp (and Kotlin) at all. */
    private volatile OkHttpClient base;

    private OkHttpClient base() {
        OkHttpClient b = base;
        if (b == null) {
            synchronized (this) {
                if (base == null) {
                    base = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
                }
                b = base;
            }
        }
        return b;
    }

    /**
     * What to send. {@code virtualHost} replaces the URL's host for Host and SNI. A redirect from
     * https to plain http is followed only with {@code allowDowngrade} (issue 14).
     */
    public record Request(
            String method,
            String url,
            Map<String, String> headers,
            Optional<String> virtualHost,
            boolean followRedirects,
            boolean allowDowngrade,
            boolean insecure,
            Optional<Path> caFile,
            Duration timeout) {}

    /** What came back. */
    public sealed interface Outcome {
        record Response(
                int status,
                Map<String, List<String>> headers,
                byte[] body,
                Duration latency,
                String finalUrl,
                Optional<String> tlsVersion)
                implements Outcome {}

        record Failure(String message) implements Outcome {}
    }

    public Outcome send(Request r) throws InterruptedException {
        HttpUrl url = HttpUrl.parse(r.url());
        if (url == null) return new Outcome.Failure("not an http(s) URL: " + r.url());
        OkHttpClient.Builder b =
                base().newBuilder()
                        .callTimeout(r.timeout().toMillis(), TimeUnit.MILLISECONDS)
                        .connectTimeout(r.timeout().toMillis(), TimeUnit.MILLISECONDS)
                        .readTimeout(r.timeout().toMillis(), TimeUnit.MILLISECONDS)
                        .followRedirects(r.followRedirects())
                        .followSslRedirects(r.followRedirects());
        AtomicReference<String> downgrade = new AtomicReference<>();
        if (r.followRedirects() && !r.allowDowngrade()) {
            // Seen on each hop: a downgrade loses its Location, so OkHttp stops there.
            b.addNetworkInterceptor(chain -> {
                Response resp = chain.proceed(chain.request());
                HttpUrl from = chain.request().url();
                String location = resp.header("Location");
                HttpUrl to = location == null ? null : from.resolve(location);
                if (from.isHttps() && resp.isRedirect() && to != null && !to.isHttps()) {
                    downgrade.compareAndSet(
                            null,
                            "refused the redirect ("
                                    + resp.code()
                                    + ") from "
                                    + from
                                    + " to "
                                    + to
                                    + ": a downgrade from HTTPS to plain HTTP (allow_downgrade:"
                                    + " true follows it)");
                    return resp.newBuilder().removeHeader("Location").build();
                }
                return resp;
            });
        }
        if (r.virtualHost().isPresent()) {
            String name = r.virtualHost().get();
            String realHost = url.host();
            b.dns(hostname -> {
                if (hostname.equalsIgnoreCase(name)) {
                    return List.of(InetAddress.getAllByName(realHost));
                }
                return Dns.SYSTEM.lookup(hostname);
            });
            url = url.newBuilder().host(name).build();
        }
        try {
            configureTls(b, r);
        } catch (IOException | GeneralSecurityException e) {
            return new Outcome.Failure("cannot use ca_file: " + e.getMessage());
        }
        okhttp3.Request.Builder rb = new okhttp3.Request.Builder().url(url);
        r.headers().forEach(rb::header);
        String method = r.method().toUpperCase(Locale.ROOT);
        RequestBody body =
                List.of("POST", "PUT", "PATCH").contains(method)
                        ? RequestBody.create(new byte[0])
                        : null;
        rb.method(method, body);
        long start = System.nanoTime();
        String target = url.host() + ":" + url.port();
        try (Response resp = b.build().newCall(rb.build()).execute()) {
            if (downgrade.get() != null) return new Outcome.Failure(downgrade.get());
            byte[] bytes = readBounded(resp.body());
            Duration latency = Duration.ofNanos(System.nanoTime() - start);
            Optional<String> tls =
                    Optional.ofNullable(resp.handshake()).map(h -> h.tlsVersion().javaName());
            return new Outcome.Response(
                    resp.code(),
                    resp.headers().toMultimap(),
                    bytes,
                    latency,
                    resp.request().url().toString(),
                    tls);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) throw new InterruptedException();
            return new Outcome.Failure(NetworkFailure.describe(e, target));
        }
    }

    private static byte[] readBounded(ResponseBody body) throws IOException {
        try (InputStream in = body.byteStream()) {
            return in.readNBytes(MAX_BODY);
        }
    }

    private static void configureTls(OkHttpClient.Builder b, Request r)
            throws IOException, GeneralSecurityException {
        if (r.insecure()) {
            X509TrustManager trustAll =
                    new X509TrustManager() {
                        @Override
                        public void checkClientTrusted(X509Certificate[] c, String a) {}

                        @Override
                        public void checkServerTrusted(X509Certificate[] c, String a) {}

                        @Override
                        public X509Certificate[] getAcceptedIssuers() {
                            return new X509Certificate[0];
                        }
                    };
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trustAll}, null);
            b.sslSocketFactory(ctx.getSocketFactory(), trustAll).hostnameVerifier((h, s) -> true);
        } else if (r.caFile().isPresent()) {
            X509TrustManager tm = trustManagerFor(r.caFile().get());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {tm}, null);
            b.sslSocketFactory(ctx.getSocketFactory(), tm);
        }
    }

    /** A trust manager that trusts exactly the certificates in a PEM file (a private CA). */
    public static X509TrustManager trustManagerFor(Path pem)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) throw new GeneralSecurityException("no certificate in " + pem);
            int i = 0;
            for (var c : certs) ks.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }
}
