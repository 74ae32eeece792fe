package dev.postflight.transport;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * One private key file as postflight offers it: whether a passphrase locks it, its public half
 * (from {@code KEY.pub}, or from the key itself where the format keeps it in clear, as OpenSSH's
 * own format does) to recognise the same key in ssh-agent, and the OpenSSH certificate beside it
 * ({@code KEY-cert.pub}).
 *
 * @param publicBlob the public key in SSH wire form; empty when neither file gives it
 */
record KeyFile(
        Path path, boolean encrypted, Optional<byte[]> publicBlob, Optional<Path> certificate) {

    static final String CERTIFICATE_SUFFIX = "-cert.pub";

    KeyFile {
        publicBlob = publicBlob.map(byte[]::clone);
    }

    /**
     * Reads the key file at {@code path} (and its {@code .pub} and certificate, when there).
     *
     * @throws JSchException when it is not a private key JSch can read
     */
    static KeyFile read(Path path) throws JSchException {
        KeyPair pair = KeyPair.load(new JSch(), path.toString(), null);
        try {
            Path cert = Path.of(path + CERTIFICATE_SUFFIX);
            byte[] blob = pair.getPublicKeyBlob();
            return new KeyFile(
                    path,
                    pair.isEncrypted(),
                    Optional.ofNullable(blob).filter(b -> b.length > 0),
                    Files.isReadable(cert) ? Optional.of(cert) : Optional.empty());
        } finally {
            pair.dispose();
        }
    }

    /** Whether {@code passphrase} unlocks the key. */
    boolean unlocks(byte[] passphrase) throws JSchException {
        KeyPair pair = KeyPair.load(new JSch(), path.toString(), null);
        try {
            return pair.decrypt(passphrase);
        } finally {
            pair.dispose();
        }
    }

    /** Whether {@code blob} (an agent key, say) is this key's public half. */
    boolean hasPublicKey(byte[] blob) {
        return publicBlob.isPresent() && Arrays.equals(publicBlob.get(), blob);
    }
}
