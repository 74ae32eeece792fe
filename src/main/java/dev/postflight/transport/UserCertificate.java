package dev.postflight.transport;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * An OpenSSH user certificate file ({@code ssh-keygen -s}), read far enough to tell which key it
 * certifies: {@code CertificateFile} in the SSH config names certificates without saying for which
 * key, and OpenSSH pairs each with the identity whose public key it carries. Only the key part is
 * read; JSch parses and checks the rest when the certificate is offered.
 */
final class UserCertificate {
    private static final String SUFFIX = "-cert-v01@openssh.com";

    /** How many length-prefixed fields after the nonce make up the key, per key type. */
    private static final Map<String, Integer> KEY_FIELDS =
            Map.of(
                    "ssh-ed25519", 1,
                    "ssh-rsa", 2,
                    "ecdsa-sha2-nistp256", 2,
                    "ecdsa-sha2-nistp384", 2,
                    "ecdsa-sha2-nistp521", 2);

    private UserCertificate() {}

    /**
     * The certified public key in SSH wire form; empty for a file that is not such a certificate.
     */
    static Optional<byte[]> certifiedKey(Path file) {
        try {
            String[] parts = Files.readString(file, StandardCharsets.UTF_8).strip().split("\\s+");
            if (parts.length < 2 || !parts[0].endsWith(SUFFIX)) return Optional.empty();
            String base = parts[0].substring(0, parts[0].length() - SUFFIX.length());
            Integer fields = KEY_FIELDS.get(base);
            if (fields == null) return Optional.empty();
            ByteBuffer cert = ByteBuffer.wrap(Base64.getDecoder().decode(parts[1]));
            skip(cert); // certificate type
            skip(cert); // nonce
            int start = cert.position();
            for (int i = 0; i < fields; i++) skip(cert);
            byte[] name = base.getBytes(StandardCharsets.US_ASCII);
            ByteBuffer key = ByteBuffer.allocate(4 + name.length + cert.position() - start);
            key.putInt(name.length).put(name).put(cert.array(), start, cert.position() - start);
            return Optional.of(key.array());
        } catch (IOException | IllegalArgumentException | BufferUnderflowException e) {
            return Optional.empty();
        }
    }

    private static void skip(ByteBuffer b) {
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) throw new BufferUnderflowException();
        b.position(b.position() + length);
    }
}
