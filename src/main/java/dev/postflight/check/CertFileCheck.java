package dev.postflight.check;

import dev.postflight.input.Fields;
import dev.postflight.input.Template;
import dev.postflight.transport.CertificateNames;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A certificate file on the host, and the files nginx needs: the PEM parses, its private key
 * matches it, it covers the names it must, it is not close to expiry, and (with {@code nginx_refs})
 * every {@code ssl_certificate} and {@code ssl_certificate_key} file the nginx configuration names
 * exists. Seed 002: after a redeploy the Let's Encrypt files were missing and nginx would not
 * start; certificate files and the service that needs them are checked together.
 *
 * <p>Files are read with the probe's own rights first and with {@code sudo -n} only when permission
 * is denied ({@code /etc/letsencrypt/live} is root's alone); parsing happens here, so the host
 * needs no openssl. Days left are counted on the runner's clock, which is the clients' time, not on
 * a host clock that may have stood still in the maintenance window (seed 003).
 */
record CertFileCheck(
        String path,
        Optional<String> key,
        List<String> names,
        int warnDays,
        int criticalDays,
        boolean nginxRefs)
        implements CheckSpec<CertFileCheck.Seen> {

    /** How much of a PEM file is read at most: a long chain is a few kilobytes. */
    static final int READ_LIMIT = 256 * 1024;

    static final int MISSING = 3;
    static final int DENIED = 4;

    public CertFileCheck {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must be absolute, got '" + path + "'");
        }
        key.filter(k -> !k.startsWith("/"))
                .ifPresent(k -> {
                    throw new IllegalArgumentException(
                            "key must be an absolute path, got '" + k + "'");
                });
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
        names = List.copyOf(names);
    }

    static Optional<CertFileCheck> parse(Fields f) {
        String path = f.requiredText("path");
        Optional<String> key = f.text("key");
        List<String> names = f.textList("names");
        int warn = f.integer("warn_days").orElse(21);
        int critical = f.integer("critical_days").orElse(7);
        boolean nginx = f.bool("nginx_refs").orElse(false);
        if (path.isEmpty()) return Optional.empty();
        return f.build(() -> new CertFileCheck(path, key, names, warn, critical, nginx));
    }

    /**
     * The certificate file as read: it does not exist, it is not PEM, or its chain (empty when the
     * file holds no certificate).
     */
    sealed interface CertFile {
        record Missing() implements CertFile {}

        record NotPem(String why) implements CertFile {}

        record Chain(List<X509Certificate> certificates) implements CertFile {}
    }

    /** The private key file's PEM text; empty when the file does not exist. */
    record KeyFile(Optional<String> pem) {}

    /** The certificate file, and its key file as far as it could be read ({@code key} given). */
    record Certificate(CertFile file, Optional<Probe.Attempted<KeyFile>> key) {}

    /**
     * The two parts the check judges apart and combines, each as far as it could be observed: the
     * certificate with its key, and ({@code nginx_refs}) the files nginx names.
     */
    record Seen(
            Probe.Attempted<Certificate> certificate,
            Optional<Probe.Attempted<NginxCertRefs>> nginx) {}

    @Override
    public Probe<Seen> probe() {
        Probe<CertFile> file = Probe.host("read " + path, readFile(path), this::certFile);
        Probe<Certificate> certificate =
                key.map(k ->
                                Probe.both(
                                        file,
                                        Probe.attempt(
                                                Probe.host(
                                                        "read " + k,
                                                        readFile(k),
                                                        o -> keyFile(k, o))),
                                        (f, kf) -> new Certificate(f, Optional.of(kf))))
                        .orElseGet(() -> file.map(f -> new Certificate(f, Optional.empty())));
        Probe<Probe.Attempted<Certificate>> tried = Probe.attempt(certificate);
        return nginxRefs
                ? Probe.both(
                        tried,
                        Probe.attempt(NginxCertRefs.probe()),
                        (c, n) -> new Seen(c, Optional.of(n)))
                : tried.map(c -> new Seen(c, Optional.empty()));
    }

    /** Exit 3 is a file that does not exist; any other failure is a file that cannot be read. */
    private CertFile certFile(ProbeOutput o) throws Probe.Unreadable {
        if (o.exitCode() == MISSING) return new CertFile.Missing();
        if (o.exitCode() != 0) throw new Probe.Unreadable(path + ": cannot read: " + orExit(o));
        try {
            return new CertFile.Chain(parseChain(o.stdout()));
        } catch (CertificateException e) {
            return new CertFile.NotPem(e.getMessage());
        }
    }

    private static KeyFile keyFile(String k, ProbeOutput o) throws Probe.Unreadable {
        if (o.exitCode() == MISSING) return new KeyFile(Optional.empty());
        if (o.exitCode() != 0) {
            throw new Probe.Unreadable("cannot read key " + k + ": " + orExit(o));
        }
        return new KeyFile(Optional.of(o.out()));
    }

    /**
     * Prints the file (bounded); exit 3 when it does not exist, 4 when it cannot be read even with
     * {@code sudo -n}. A path under a directory the probe cannot search is tried with sudo.
     */
    static String readFile(String file) {
        return "p="
                + Template.shellQuote(file)
                + "\nn="
                + READ_LIMIT
                + "\n"
                + """
                if [ -r "$p" ]; then head -c "$n" -- "$p"; exit $?; fi
                d=${p%/*}
                while [ -n "$d" ] && [ ! -e "$d" ]; do d=${d%/*}; done
                if [ -e "$p" ] || { [ -n "$d" ] && [ ! -x "$d" ]; }; then
                  if sudo -n head -c "$n" -- "$p" 2>/dev/null; then exit 0; fi
                  if sudo -n true 2>/dev/null; then echo "no such file" >&2; exit 3; fi
                  echo "permission denied, and sudo -n is not allowed" >&2; exit 4
                fi
                echo "no such file" >&2; exit 3
                """;
    }

    /**
     * Days left are counted on the runner's clock: the clients' time, not a host clock that may
     * have stood still in the maintenance window (seed 003).
     */
    @Override
    public Verdict judge(Seen seen, Now now) {
        Verdict cert = judged(seen.certificate(), c -> judgeCertificate(c, now.runner()));
        return seen.nginx().map(n -> cert.combine(judged(n, r -> r.judge(path)))).orElse(cert);
    }

    /** A part's judgement, or the error saying why it could not be observed. */
    private static <T> Verdict judged(Probe.Attempted<T> part, Function<T, Verdict> judge) {
        return part.value().map(judge).orElseGet(() -> part.notRun().orElseThrow());
    }

    private Verdict judgeCertificate(Certificate seen, Instant now) {
        List<X509Certificate> chain;
        switch (seen.file()) {
            case CertFile.Missing m -> {
                return Verdict.fail(path + ": does not exist");
            }
            case CertFile.NotPem n -> {
                return Verdict.fail(path + ": not a PEM certificate (" + n.why() + ")");
            }
            case CertFile.Chain c -> chain = c.certificates();
        }
        if (chain.isEmpty()) return Verdict.fail(path + ": holds no PEM certificate");
        X509Certificate leaf = chain.get(0);
        List<CertificateFacts.Finding> findings = new ArrayList<>();
        List<String> details = new ArrayList<>();
        seen.key()
                .flatMap(read -> keyFinding(key.orElseThrow(), read, leaf, details))
                .ifPresent(findings::add);
        List<String> uncovered =
                names.stream().filter(n -> !CertificateNames.covers(leaf, n)).toList();
        if (!uncovered.isEmpty()) {
            List<String> sans = CertificateNames.all(leaf);
            findings.add(
                    new CertificateFacts.Finding(
                            Status.FAIL,
                            "does not cover "
                                    + String.join(", ", uncovered)
                                    + " ("
                                    + (sans.isEmpty()
                                            ? "no subjectAltName"
                                            : "valid for " + String.join(", ", sans))
                                    + ")"));
        }
        findings.addAll(CertificateFacts.chainExpiry(chain, now, warnDays));
        findings.addAll(CertificateFacts.weaknesses(chain));
        findings.add(CertificateFacts.validity(leaf, now, warnDays, criticalDays));
        details.addAll(CertificateFacts.details(chain));
        return CertificateFacts.verdict(
                path + " (" + CertificateFacts.name(leaf) + ")", findings, details);
    }

    private static Optional<CertificateFacts.Finding> keyFinding(
            String k, Probe.Attempted<KeyFile> read, X509Certificate leaf, List<String> details) {
        if (read.notRun().isPresent()) {
            return Optional.of(
                    new CertificateFacts.Finding(Status.ERROR, read.notRun().get().reason()));
        }
        Optional<String> pem = read.value().orElseThrow().pem();
        if (pem.isEmpty()) {
            return Optional.of(
                    new CertificateFacts.Finding(Status.FAIL, "key " + k + " does not exist"));
        }
        return switch (PemPrivateKey.against(pem.get(), leaf)) {
            case PemPrivateKey.Match.Matches m -> {
                details.add("key: " + k + " matches the certificate");
                yield Optional.empty();
            }
            case PemPrivateKey.Match.DoesNotMatch m ->
                    Optional.of(
                            new CertificateFacts.Finding(
                                    Status.FAIL,
                                    "key "
                                            + k
                                            + " does not match the certificate ("
                                            + m.why()
                                            + ")"));
            case PemPrivateKey.Match.Unreadable m ->
                    Optional.of(
                            new CertificateFacts.Finding(
                                    Status.FAIL, "key " + k + " unusable: " + m.why()));
        };
    }

    static List<X509Certificate> parseChain(byte[] pem) throws CertificateException {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) return List.of();
        List<X509Certificate> out = new ArrayList<>();
        for (var c :
                CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(pem))) {
            out.add((X509Certificate) c);
        }
        return List.copyOf(out);
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder(path + " is a certificate");
        key.ifPresent(k -> s.append(" matching ").append(k));
        if (!names.isEmpty()) s.append(", covers ").append(String.join(", ", names));
        s.append(", more than ")
                .append(CertificateFacts.days(warnDays))
                .append(" left (fail at ")
                .append(criticalDays)
                .append(")");
        if (nginxRefs) s.append("; every certificate file nginx names exists");
        return s.toString();
    }

    static String orExit(ProbeOutput o) {
        String e = o.err();
        return e.isEmpty() ? "exit " + o.exitCode() : ProbeOutput.lastLine(e);
    }
}
