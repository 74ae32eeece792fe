package dev.postflight.check;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private key read from a PEM file with the JDK alone (the host needs no openssl): PKCS#8 ({@code
 * BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) and SEC1 ({@code BEGIN EC PRIVATE
 * KEY}), the three forms certbot and openssl write. The legacy forms are wrapped into PKCS#8 with
 * the algorithm identifier of the certificate they should belong to.
 */
final class PemPrivateKey {
    private static final Pattern BLOCK =
            Pattern.compile(
                    "-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private PemPrivateKey() {}

    /** Whether the key matches the certificate, or why that cannot be told. */
    sealed interface Match {
        record Matches() implements Match {}

        record DoesNotMatch(String why) implements Match {}

        record Unreadable(String why) implements Match {}
    }

    static Match against(String pem, X509Certificate cert) {
        Matcher m = BLOCK.matcher(pem);
        if (!m.find()) return new Match.Unreadable("no PEM private key in it");
        String kind = m.group(1);
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            return new Match.Unreadable("broken base64 in " + kind);
        }
        PublicKey pub = cert.getPublicKey();
        byte[] pkcs8 =
                switch (kind) {
                    case "PRIVATE KEY" -> der;
                    case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> {
                        boolean rsa = kind.startsWith("RSA");
                        if (rsa != pub.getAlgorithm().equals("RSA")
                                || !rsa && !pub.getAlgorithm().equals("EC")) {
                            yield null;
                        }
                        yield wrap(der, algorithmIdentifier(pub.getEncoded()));
                    }
                    case "ENCRYPTED PRIVATE KEY" -> new byte[0];
                    default -> new byte[0];
                };
        if (pkcs8 == null) {
            return new Match.DoesNotMatch(
                    "it is an " + kind + ", the certificate has a " + pub.getAlgorithm() + " key");
        }
        if (pkcs8.length == 0) {
            return new Match.Unreadable(kind.toLowerCase(Locale.ROOT) + " not supported");
        }
        PrivateKey key;
        try {
            key =
                    KeyFactory.getInstance(pub.getAlgorithm())
                            .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return new Match.DoesNotMatch(
                    "it is not a " + pub.getAlgorithm() + " key like the certificate's");
        }
        if (key instanceof RSAKey priv && pub instanceof RSAKey pubRsa) {
            return priv.getModulus().equals(pubRsa.getModulus())
                    ? new Match.Matches()
                    : new Match.DoesNotMatch("RSA modulus differs");
        }
        return signatureMatches(key, pub);
    }

    /** Signs a random nonce with the key and verifies it with the certificate's public key. */
    private static Match signatureMatches(PrivateKey key, PublicKey pub) {
        String alg =
                switch (pub.getAlgorithm()) {
                    case "EC" -> "SHA256withECDSA";
                    case "DSA" -> "SHA256withDSA";
                    case "RSASSA-PSS" -> "RSASSA-PSS";
                    default -> pub.getAlgorithm(); // Ed25519, Ed448, EdDSA
                };
        try {
            byte[] nonce = new byte[32];
            new SecureRandom().nextBytes(nonce);
            Signature s = Signature.getInstance(alg);
            if (alg.equals("RSASSA-PSS")) {
                s.setParameter(
                        new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            }
            s.initSign(key);
            s.update(nonce);
            byte[] sig = s.sign();
            s.initVerify(pub);
            s.update(nonce);
            return s.verify(sig)
                    ? new Match.Matches()
                    : new Match.DoesNotMatch("a signature made with it does not verify");
        } catch (GeneralSecurityException e) {
            return new Match.Unreadable("cannot sign with it: " + e.getMessage());
        }
    }

    /** PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING legacy }. */
    private static byte[] wrap(byte[] legacy, byte[] algorithmIdentifier) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithmIdentifier);
        body.writeBytes(tlv(0x04, legacy));
        return tlv(0x30, body.toByteArray());
    }

    /** The first element of a SubjectPublicKeyInfo: the key's AlgorithmIdentifier, verbatim. */
    private static byte[] algorithmIdentifier(byte[] spki) {
        int[] outer = header(spki, 0);
        int start = outer[0];
        int[] inner = header(spki, start);
        return Arrays.copyOfRange(spki, start, inner[0] + inner[1]);
    }

    /** {offset of the content, content length} of the DER element at {@code at}. */
    private static int[] header(byte[] der, int at) {
        int len = der[at + 1] & 0xff;
        int off = at + 2;
        if (len >= 0x80) {
            int n = len & 0x7f;
            len = 0;
            for (int i = 0; i < n; i++) len = (len << 8) | (der[off + i] & 0xff);
            off += n;
        }
        return new int[] {off, len};
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            byte[] len = BigInteger.valueOf(n).toByteArray();
            int skip = len[0] == 0 ? 1 : 0;
            out.write(0x80 | (len.length - skip));
            out.write(len, skip, len.length - skip);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
