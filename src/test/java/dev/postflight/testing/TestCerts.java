package dev.postflight.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made in the test, with exact validity windows, names, key types and signature
 * algorithms (keytool cannot make several per second, nor sign with SHA-1): a CA, intermediates,
 * leaves and self-signed certificates, and their keys as PEM in the forms certbot and openssl
 * write.
 */
public final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate, its key pair, and the chain a server would send (leaf first, no root). */
    public record Issued(X509Certificate cert, KeyPair keys, List<X509Certificate> chain) {
        public Issued {
            chain = List.copyOf(chain);
        }

        /** The chain as a fullchain.pem. */
        public String chainPem() {
            return pem(chain.toArray(X509Certificate[]::new));
        }

        public String certPem() {
            return pem(cert);
        }

        /** PKCS#8, {@code BEGIN PRIVATE KEY}. */
        public String keyPem() {
            return block("PRIVATE KEY", keys.getPrivate().getEncoded());
        }

        /** PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}). */
        public String legacyKeyPem() {
            PrivateKey k = keys.getPrivate();
            String type = k.getAlgorithm().equals("RSA") ? "RSA PRIVATE KEY" : "EC PRIVATE KEY";
            try {
                byte[] inner =
                        PrivateKeyInfo.getInstance(k.getEncoded())
                                .parsePrivateKey()
                                .toASN1Primitive()
                                .getEncoded();
                return block(type, inner);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private TestCerts() {}

    /** A root CA valid from a day ago for ten years. */
    public static Issued rootCa(String cn) {
        KeyPair keys = ec();
        Instant now = Instant.now();
        X509Certificate c =
                build(
                        cn,
                        List.of(),
                        now.minus(Duration.ofDays(1)),
                        now.plus(Duration.ofDays(3650)),
                        keys,
                        "CN=" + cn,
                        keys.getPrivate(),
                        "SHA256withECDSA",
                        true);
        return new Issued(c, keys, List.of(c));
    }

    /** A certificate signed by {@code issuer}; {@code ca} makes it an intermediate CA. */
    public static Issued issue(
            Issued issuer,
            String cn,
            List<String> names,
            Instant notBefore,
            Instant notAfter,
            KeyPair keys,
            String signatureAlgorithm,
            boolean ca) {
        X509Certificate c =
                build(
                        cn,
                        names,
                        notBefore,
                        notAfter,
                        keys,
                        issuer.cert().getSubjectX500Principal().getName(),
                        issuer.keys().getPrivate(),
                        signatureAlgorithm,
                        ca);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(c);
        if (!issuer.chain().isEmpty() && !isRoot(issuer.cert())) chain.addAll(issuer.chain());
        return new Issued(c, keys, chain);
    }

    /** An EC leaf for {@code names}, valid from {@code daysAgo} days ago for {@code daysLeft}. */
    public static Issued leaf(Issued issuer, List<String> names, long daysAgo, long daysLeft) {
        Instant now = Instant.now();
        return issue(
                issuer,
                names.get(0),
                names,
                now.minus(Duration.ofDays(daysAgo)),
                now.plus(Duration.ofDays(daysLeft)).plus(Duration.ofMinutes(10)),
                ec(),
                "SHA256withECDSA",
                false);
    }

    /** A self-signed leaf, as a server has before anyone ran certbot. */
    public static Issued selfSigned(List<String> names, long daysLeft) {
        KeyPair keys = ec();
        Instant now = Instant.now();
        X509Certificate c =
                build(
                        names.get(0),
                        names,
                        now.minus(Duration.ofDays(1)),
                        now.plus(Duration.ofDays(daysLeft)).plus(Duration.ofMinutes(10)),
                        keys,
                        "CN=" + names.get(0),
                        keys.getPrivate(),
                        "SHA256withECDSA",
                        false);
        return new Issued(c, keys, List.of(c));
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(X509Certificate... certs) {
        StringWriter w = new StringWriter();
        for (X509Certificate c : certs) {
            try {
                w.write(block("CERTIFICATE", c.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return w.toString();
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN "
                + type
                + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END "
                + type
                + "-----\n";
    }

    private static boolean isRoot(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
    }

    private static X509Certificate build(
            String cn,
            List<String> names,
            Instant notBefore,
            Instant notAfter,
            KeyPair keys,
            String issuerDn,
            PrivateKey issuerKey,
            String signatureAlgorithm,
            boolean ca) {
        try {
            JcaX509v3CertificateBuilder b =
                    new JcaX509v3CertificateBuilder(
                            new X500Name(issuerDn),
                            BigInteger.valueOf(SERIAL.incrementAndGet()),
                            Date.from(notBefore),
                            Date.from(notAfter),
                            new X500Name("CN=" + cn),
                            keys.getPublic());
            if (ca) b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            if (!names.isEmpty()) {
                GeneralName[] gn = new GeneralName[names.size()];
                for (int i = 0; i < gn.length; i++) {
                    String n = names.get(i);
                    gn[i] =
                            new GeneralName(
                                    n.matches("[0-9.]+")
                                            ? GeneralName.iPAddress
                                            : GeneralName.dNSName,
                                    n);
                }
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(gn));
            }
            var signer = new JcaContentSignerBuilder(signatureAlgorithm).build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }
}
