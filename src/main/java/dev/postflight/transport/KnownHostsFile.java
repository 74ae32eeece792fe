package dev.postflight.transport;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import dev.postflight.files.SafeFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The OpenSSH known_hosts file, read once per run through JSch's parser (plain, {@code [host]:port}
 * and hashed entries) and appended to, as OpenSSH's {@code accept-new} does, when the operator
 * allowed new keys. Appending a line rather than letting JSch rewrite the whole file keeps the
 * admin's comments and ordering intact.
 */
final class KnownHostsFile {

    private final Path path;
    private final HostKeyRepository entries;
    private final List<HostKey> acceptedThisRun = new ArrayList<>();

    private KnownHostsFile(Path path, HostKeyRepository entries) {
        this.path = path;
        this.entries = entries;
    }

    static KnownHostsFile load(Path path) throws IOException {
        JSch reader = new JSch();
        try {
            reader.setKnownHosts(path.toString());
        } catch (JSchException e) {
            throw new IOException("cannot read known hosts " + path + ": " + e.getMessage(), e);
        }
        return new KnownHostsFile(path, reader.getHostKeyRepository());
    }

    Path path() {
        return path;
    }

    /**
     * Matches {@code key} offered by {@code host} (known_hosts name form) with the file. As in
     * OpenSSH, a host on a port other than 22 ({@code [host]:port}) is looked up under that name
     * only: a key recorded for the bare address belongs to port 22 (JSch would fall back to it).
     */
    synchronized int check(String host, byte[] key) {
        String offered = Base64.getEncoder().encodeToString(key);
        for (HostKey accepted : acceptedThisRun) {
            if (accepted.getHost().equals(host) && accepted.getKey().equals(offered)) {
                return HostKeyRepository.OK;
            }
        }
        int result = entries.check(host, key);
        if (bareName(host).isEmpty()) {
            return result;
        }
        List<HostKey> own = keysOf(host);
        if (result == HostKeyRepository.OK
                && own.stream().anyMatch(k -> k.getKey().equals(offered))) {
            return HostKeyRepository.OK;
        }
        return own.isEmpty() ? HostKeyRepository.NOT_INCLUDED : HostKeyRepository.CHANGED;
    }

    /** Every key the file (or this run) holds for {@code host} under that very name, any type. */
    synchronized List<HostKey> keysOf(String host) {
        List<HostKey> keys = new ArrayList<>(found(host));
        bareName(host).ifPresent(bare -> keys.removeAll(found(bare)));
        for (HostKey accepted : acceptedThisRun) {
            if (accepted.getHost().equals(host)) {
                keys.add(accepted);
            }
        }
        return keys;
    }

    /** Plain entries only: a {@code @cert-authority} or {@code @revoked} line is no host's key. */
    private List<HostKey> found(String host) {
        HostKey[] found = entries.getHostKey(host, null);
        return found == null
                ? List.of()
                : Arrays.stream(found).filter(k -> k.getMarker().isEmpty()).toList();
    }

    /**
     * Whether a {@code @revoked} line whose host pattern matches {@code host} holds {@code key}. As
     * in OpenSSH, a revoked key is refused even where a plain line for the same key accepts it.
     */
    synchronized boolean revoked(String host, byte[] key) {
        String offered = Base64.getEncoder().encodeToString(key);
        HostKey[] all = entries.getHostKey();
        if (all == null) return false;
        HostKey[] named = entries.getHostKey(host, null);
        List<HostKey> exact = named == null ? List.of() : Arrays.asList(named);
        for (HostKey k : all) {
            if (!"@revoked".equals(k.getMarker()) || !k.getKey().equals(offered)) continue;
            if (exact.contains(k) || HostPatterns.matches(k.getHost(), host)) return true;
        }
        return false;
    }

    /** {@code 127.0.0.1} for {@code [127.0.0.1]:2222}; empty for a name without a port. */
    private static Optional<String> bareName(String host) {
        int end = host.indexOf("]:");
        return host.startsWith("[") && end > 1
                ? Optional.of(host.substring(1, end))
                : Optional.empty();
    }

    /**
     * Appends {@code host type base64} to the file, creating it 0600 (and its missing folders, such
     * as {@code ~/.ssh}, 0700) if needed; never through a symbolic link.
     */
    synchronized void append(String host, byte[] key) throws IOException {
        HostKey entry;
        try {
            entry = new HostKey(host, key);
        } catch (JSchException e) {
            throw new IOException("unsupported host key for " + host + ": " + e.getMessage(), e);
        }
        String line = host + " " + entry.getType() + " " + entry.getKey() + "\n";
        boolean needsNewline =
                Files.exists(path)
                        && Files.size(path) > 0
                        && !Files.readString(path, StandardCharsets.UTF_8).endsWith("\n");
        SafeFiles.append(path, (needsNewline ? "\n" : "") + line, false);
        acceptedThisRun.add(entry);
    }

    /** {@code SHA256:base64-without-padding}, as {@code ssh-keygen -l} and ssh print it. */
    static String fingerprint(byte[] keyBlob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyBlob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static String fingerprint(HostKey key) {
        return fingerprint(Base64.getDecoder().decode(key.getKey()));
    }

    HostKeyRepository repository() {
        return entries;
    }
}
