package dev.postflight.check;

import dev.postflight.input.Fields;
import dev.postflight.transport.CertificateNames;
import dev.postflight.transport.TlsProber;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The certificate a TLS server presents, seen from the runner as clients see it: trusted, valid for
 * the server name (sent as SNI, so each virtual host behind one nginx is checked with its own name,
 * seed 002), not close to expiry, not weak, and negotiated with a recent enough protocol. An
 * untrusted or expired certificate is still shown with its subject, issuer and dates.
 */
record TlsCheck(
        Optional<String> address,
        int port,
        Optional<String> serverName,
        Optional<Path> caFile,
        int warnDays,
        int criticalDays,
        Optional<String> minTls,
        boolean viaSsh)
        implements CheckSpec<TlsCheck.Probed> {

    static final List<String> PROTOCOLS = List.of("1.2", "1.3");
    private static final List<String> ORDER =
            List.of("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);

    public TlsCheck {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
        if (warnDays < 0) throw new IllegalArgumentException("warn_days must not be negative");
        if (criticalDays < 0) {
            throw new IllegalArgumentException("critical_days must not be negative");
        }
        if (criticalDays > warnDays) {
            throw new IllegalArgumentException(
                    "critical_days ("
                            + criticalDays
                            + ") must not exceed warn_days ("
                            + warnDays
                            + ")");
        }
        minTls.filter(v -> !PROTOCOLS.contains(v))
                .ifPresent(v -> {
                    throw new IllegalArgumentException("min_tls must be 1.2 or 1.3, got " + v);
                });
    }

    static Optional<TlsCheck> parse(Fields f) {
        Optional<String> address = f.text("address");
        int port = f.integer("port").orElse(443);
        Optional<String> serverName = f.text("server_name");
        Optional<Path> caFile = f.text("ca_file").map(Path::of);
        int warn = f.integer("warn_days").orElse(21);
        int critical = f.integer("critical_days").orElse(7);
        Optional<String> minTls = f.choice("min_tls", PROTOCOLS);
        boolean viaSsh = f.choice("via", List.of("ssh", "direct")).orElse("direct").equals("ssh");
        return f.build(() ->
                new TlsCheck(address, port, serverName, caFile, warn, critical, minTls, viaSsh));
    }

    /** What the runner probe observed, with the name and address it used. */
    record Probed(String serverName, String target, TlsProber.Outcome outcome) {}

    @Override
    public Probe<Probed> probe() {
        return Probe.runner(ctx -> {
            String name = serverName.orElse(ctx.hostName());
            Duration timeout =
                    ctx.timeout().compareTo(MAX_TIMEOUT) < 0 ? ctx.timeout() : MAX_TIMEOUT;
            if (viaSsh) {
                // Through the host's own SSH connection: the address is as the host sees it.
                String addr = address.orElse("127.0.0.1");
                String target = addr + ":" + port + " via ssh";
                TlsProber.Outcome o;
                try {
                    o =
                            ctx.tls()
                                    .probe(
                                            new TlsProber.Request(
                                                    addr, port, name, caFile, timeout),
                                            ctx.tunnel(addr, port));
                } catch (ConnectException e) {
                    o = new TlsProber.Outcome.Failure(e.getMessage());
                } catch (IOException e) {
                    return new Probed(name, target, new TlsProber.Outcome.Failure(e.getMessage()));
                }
                if (o instanceof TlsProber.Outcome.Failure f) {
                    o =
                            new TlsProber.Outcome.Failure(
                                    "via ssh to "
                                            + addr
                                            + ":"
                                            + port
                                            + ": "
                                            + f.message()
                                            + " (nothing answers there on the host, or its"
                                            + " sshd refuses TCP forwarding: AllowTcpForwarding)");
                }
                return new Probed(name, target, o);
            }
            String addr = address.orElse(ctx.hostAddress());
            TlsProber.Outcome o =
                    ctx.tls().probe(new TlsProber.Request(addr, port, name, caFile, timeout));
            return new Probed(name, addr + ":" + port, o);
        });
    }

    /** {@code via: ssh} tunnels through the host's SSH connection (hosts behind a bastion). */
    @Override
    public boolean needsConnection() {
        return viaSsh;
    }

    /** Days left are counted on the runner's clock: the clients' time. */
    @Override
    public Verdict judge(Probed p, Now now) {
        return switch (p.outcome()) {
            case TlsProber.Outcome.Failure failure ->
                    Verdict.fail(p.serverName() + ": " + failure.message());
            case TlsProber.Outcome.Handshake h ->
                    judge(p.serverName(), p.target(), h, now.runner());
        };
    }

    private Verdict judge(String name, String target, TlsProber.Outcome.Handshake h, Instant now) {
        List<X509Certificate> chain = h.chain();
        X509Certificate leaf = chain.get(0);
        List<CertificateFacts.Finding> findings = new ArrayList<>();
        h.trustProblem()
                .ifPresent(t ->
                        findings.add(
                                new CertificateFacts.Finding(
                                        Status.FAIL,
                                        CertificateFacts.selfSigned(leaf)
                                                ? "self-signed, not trusted"
                                                : "not trusted: " + t)));
        if (!h.nameCovered()) {
            List<String> sans = CertificateNames.all(leaf);
            findings.add(
                    new CertificateFacts.Finding(
                            Status.FAIL,
                            "does not cover "
                                    + name
                                    + " ("
                                    + (sans.isEmpty()
                                            ? "no subjectAltName"
                                            : "valid for " + String.join(", ", sans))
                                    + ")"));
        }
        minTls.filter(min -> below(h.protocol(), min))
                .ifPresent(min ->
                        findings.add(
                                new CertificateFacts.Finding(
                                        Status.FAIL,
                                        "negotiated " + h.protocol() + ", min_tls " + min)));
        findings.addAll(CertificateFacts.chainExpiry(chain, now, warnDays));
        findings.addAll(CertificateFacts.weaknesses(chain));
        findings.add(CertificateFacts.validity(leaf, now, warnDays, criticalDays));
        List<String> details = new ArrayList<>();
        details.add(
                "server: "
                        + target
                        + ", SNI "
                        + name
                        + ", "
                        + h.protocol()
                        + " "
                        + h.cipherSuite());
        details.addAll(CertificateFacts.details(chain));
        return CertificateFacts.verdict(CertificateFacts.name(leaf), findings, details);
    }

    /** Whether a negotiated protocol ("TLSv1.2") is older than {@code min} ("1.3"). */
    static boolean below(String protocol, String min) {
        int got = ORDER.indexOf(protocol);
        int want = ORDER.indexOf("TLSv" + min);
        return got >= 0 && got < want;
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("TLS on ");
        s.append(address.orElse("the host's address")).append(':').append(port);
        s.append(" (SNI ").append(serverName.orElse("the host's name")).append(")");
        s.append(": trusted");
        caFile.ifPresent(c -> s.append(" by ").append(c));
        s.append(", name covered, more than ")
                .append(CertificateFacts.days(warnDays))
                .append(" left (fail at ")
                .append(criticalDays)
                .append(")");
        minTls.ifPresent(m -> s.append(", TLS ").append(m).append(" or newer"));
        return s.toString();
    }
}
