package dev.postflight.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keys, certificates and known_hosts lines made by the real {@code ssh-keygen}, as an admin makes
 * them: so a test checks postflight against OpenSSH's own formats, not against what we think they
 * are.
 */
public final class OpenSshKeys {
    private OpenSshKeys() {}

    /** A new ed25519 key at {@code file} (and {@code file.pub}), locked by {@code passphrase}. */
    public static Path generate(Path file, String passphrase) throws IOException {
        run(
                "ssh-keygen",
                "-q",
                "-t",
                "ed25519",
                "-C",
                file.getFileName().toString(),
                "-N",
                passphrase,
                "-f",
                file.toString());
        return file;
    }

    /** A new ECDSA P-256 key without passphrase at {@code file}. */
    public static Path generateEcdsa(Path file) throws IOException {
        run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", file.toString());
        return file;
    }

    /**
     * Signs {@code key}'s public half with the CA key {@code ca} for {@code principal}, valid from
     * five minutes ago for an hour: {@code KEY-cert.pub}. A host certificate when {@code host}.
     */
    public static Path certify(Path ca, Path key, String principal, boolean host)
            throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "ssh-keygen",
                                "-q",
                                "-s",
                                ca.toString(),
                                "-I",
                                "postflight-test-" + principal,
                                "-n",
                                principal,
                                "-V",
                                "-5m:+1h"));
        if (host) args.add("-h");
        args.add(key + ".pub");
        run(args.toArray(String[]::new));
        return Path.of(key + "-cert.pub");
    }

    /** The public half as OpenSSH writes it: {@code type base64} without the comment. */
    public static String publicKey(Path key) throws IOException {
        String[] parts = Files.readString(Path.of(key + ".pub"), StandardCharsets.UTF_8).split(" ");
        return parts[0] + " " + parts[1].strip();
    }

    /** Hashes every host name in the known_hosts {@code file} with {@code ssh-keygen -H}. */
    public static void hashKnownHosts(Path file) throws IOException {
        run("ssh-keygen", "-q", "-H", "-f", file.toString());
        Files.deleteIfExists(Path.of(file + ".old"));
    }

    static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try {
            if (!p.waitFor(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": still running after 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(
                    String.join(" ", command) + " exited " + p.exitValue() + ": " + output);
        }
        return output;
    }
}
