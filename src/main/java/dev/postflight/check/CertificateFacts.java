package dev.postflight.check;

import dev.postflight.transport.CertificateNames;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What the {@code tls} and {@code cert_file} checks both say about a certificate: its name, issuer,
 * how long it stays valid against the warn and critical limits, which chain certificates run out
 * before it, and what makes it weak. The two checks must read alike, as seed 002 checks the same
 * certificate once as a file and once as served.
 */
final class CertificateFacts {
    private CertificateFacts() {}

    /** A judged part of a certificate verdict: how bad, and the phrase for the reason. */
    record Finding(Status status, String text) {}

    /** The subject CN, else the first subjectAltName, else the subject DN. */
    static String name(X509Certificate c) {
        return CertificateNames.commonName(c.getSubjectX500Principal())
                .or(() -> CertificateNames.all(c).stream().findFirst())
                .orElse(c.getSubjectX500Principal().getName());
    }

    static String issuer(X509Certificate c) {
        return CertificateNames.shortName(c.getIssuerX500Principal());
    }

    static boolean selfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) return false;
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static String date(Instant t) {
        return t.atZone(ZoneOffset.UTC).toLocalDate().toString();
    }

    /** Whole days from {@code now} to the certificate's end, rounded down. */
    static long daysLeft(X509Certificate c, Instant now) {
        return Duration.between(now, c.getNotAfter().toInstant()).toDays();
    }

    /** The validity of the certificate itself, judged against the limits, with its issuer. */
    static Finding validity(X509Certificate c, Instant now, int warnDays, int criticalDays) {
        Instant from = c.getNotBefore().toInstant();
        Instant until = c.getNotAfter().toInstant();
        String by = ", issued by " + issuer(c);
        if (now.isBefore(from)) {
            long in = Duration.between(now, from).toDays();
            return new Finding(
                    Status.FAIL, "not valid before " + date(from) + " (in " + days(in) + ")" + by);
        }
        if (now.isAfter(until)) {
            long ago = Duration.between(until, now).toDays();
            return new Finding(
                    Status.FAIL,
                    "expired "
                            + (ago == 0 ? "today" : days(ago) + " ago")
                            + " (on "
                            + date(until)
                            + ")"
                            + by);
        }
        long left = daysLeft(c, now);
        String until2 = " (until " + date(until) + ")";
        if (left <= criticalDays) {
            return new Finding(
                    Status.FAIL,
                    "expires in " + days(left) + until2 + ", critical_days " + criticalDays + by);
        }
        if (left <= warnDays) {
            return new Finding(
                    Status.WARN,
                    "expires in " + days(left) + until2 + ", warn_days " + warnDays + by);
        }
        return new Finding(Status.PASS, "valid " + days(left) + until2 + by);
    }

    /**
     * Chain certificates (after the leaf) that run out before the leaf and within warn_days: the
     * site breaks when they do, whatever the leaf says.
     */
    static List<Finding> chainExpiry(List<X509Certificate> chain, Instant now, int warnDays) {
        List<Finding> out = new ArrayList<>();
        if (chain.size() < 2) return out;
        Instant leafEnd = chain.get(0).getNotAfter().toInstant();
        for (X509Certificate c : chain.subList(1, chain.size())) {
            Instant end = c.getNotAfter().toInstant();
            if (!end.isBefore(leafEnd)) continue;
            if (now.isAfter(end)) {
                out.add(
                        new Finding(
                                Status.FAIL,
                                "chain certificate " + name(c) + " expired on " + date(end)));
            } else if (daysLeft(c, now) <= warnDays) {
                out.add(
                        new Finding(
                                Status.FAIL,
                                "chain certificate "
                                        + name(c)
                                        + " expires in "
                                        + days(daysLeft(c, now))
                                        + " (until "
                                        + date(end)
                                        + "), before the certificate"));
            }
        }
        return out;
    }

    /** Small RSA keys and SHA-1/MD5 signatures, in the leaf and intermediates (not a root). */
    static List<Finding> weaknesses(List<X509Certificate> chain) {
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            if (i > 0 && selfSigned(c)) continue;
            String who = i == 0 ? "" : " (chain certificate " + name(c) + ")";
            if (c.getPublicKey() instanceof RSAKey rsa && rsa.getModulus().bitLength() < 2048) {
                out.add(
                        new Finding(
                                Status.WARN,
                                "weak key: RSA "
                                        + rsa.getModulus().bitLength()
                                        + " bits, below 2048"
                                        + who));
            }
            String alg = c.getSigAlgName().toUpperCase(Locale.ROOT);
            boolean weak = alg.startsWith("SHA1") || alg.startsWith("MD5") || alg.startsWith("MD2");
            if (weak && !(i == 0 && selfSigned(c))) {
                out.add(new Finding(Status.WARN, "weak signature: " + c.getSigAlgName() + who));
            }
        }
        return out;
    }

    /** The worst status of the findings (pass when there are none). */
    static Status worst(List<Finding> findings) {
        Status s = Status.PASS;
        for (Finding f : findings) if (f.status().ordinal() > s.ordinal()) s = f.status();
        return s;
    }

    static Verdict verdict(String subject, List<Finding> findings, List<String> details) {
        List<String> texts = findings.stream().map(Finding::text).toList();
        String reason = subject + ": " + String.join("; ", texts);
        return new Verdict(worst(findings), reason, details);
    }

    /** The detail lines describing a certificate and the rest of its chain. */
    static List<String> details(List<X509Certificate> chain) {
        List<String> out = new ArrayList<>();
        X509Certificate leaf = chain.get(0);
        List<String> sans = CertificateNames.all(leaf);
        out.add("names: " + (sans.isEmpty() ? "(no subjectAltName)" : String.join(", ", sans)));
        out.add("subject: " + leaf.getSubjectX500Principal().getName());
        out.add("issuer: " + leaf.getIssuerX500Principal().getName());
        out.add("serial: " + HexFormat.of().formatHex(leaf.getSerialNumber().toByteArray()));
        out.add("not before: " + leaf.getNotBefore().toInstant());
        out.add("not after: " + leaf.getNotAfter().toInstant());
        out.add("key: " + keyText(leaf) + ", signed with " + leaf.getSigAlgName());
        for (int i = 1; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            out.add(
                    "chain["
                            + i
                            + "]: "
                            + c.getSubjectX500Principal().getName()
                            + ", until "
                            + c.getNotAfter().toInstant());
        }
        return out;
    }

    private static String keyText(X509Certificate c) {
        if (c.getPublicKey() instanceof RSAKey rsa) {
            return "RSA " + rsa.getModulus().bitLength() + " bits";
        }
        if (c.getPublicKey() instanceof ECKey ec) {
            return "EC " + ec.getParams().getOrder().bitLength() + " bits";
        }
        return c.getPublicKey().getAlgorithm();
    }

    static String days(long n) {
        return n + (n == 1 ? " day" : " days");
    }
}
