package dev.postflight.transport;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.UserInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * The host key check of one SSH session. JSch only says "reject HostKey"; wrapping the repository
 * lets us tell the operator exactly what happened (unknown or changed, which fingerprints, which
 * known_hosts name) because after a provider reinstall the admin must decide, not the tool. A
 * changed key is never accepted here, whatever the options say.
 */
final class HostKeyCheck implements HostKeyRepository {

    /** What the check saw, for the error message and {@link HostConnection#hostKeyFingerprint}. */
    enum Outcome {
        MATCHED,
        ADDED,
        UNKNOWN,
        CHANGED,
        REVOKED
    }

    private final KnownHostsFile file;
    private final boolean acceptNew;
    private volatile Outcome outcome;
    private volatile String knownHostsName;
    private volatile String offeredFingerprint;
    private volatile String offeredType;
    private volatile List<String> previousFingerprints = List.of();

    HostKeyCheck(KnownHostsFile file, boolean acceptNew) {
        this.file = file;
        this.acceptNew = acceptNew;
    }

    @Override
    public int check(String host, byte[] key) {
        knownHostsName = host;
        offeredFingerprint = KnownHostsFile.fingerprint(key);
        offeredType = typeOf(host, key);
        if (file.revoked(host, key)) {
            outcome = Outcome.REVOKED;
            return NOT_INCLUDED;
        }
        int result = file.check(host, key);
        if (result == OK) {
            outcome = Outcome.MATCHED;
            return OK;
        }
        List<HostKey> known = file.keysOf(host);
        if (!known.isEmpty()) {
            // A key of another type for a known host is treated as a change as well: accepting
            // it silently would let anyone who can answer for the address in.
            previousFingerprints =
                    known.stream()
                            .map(k -> k.getType() + " " + KnownHostsFile.fingerprint(k))
                            .distinct()
                            .toList();
            outcome = Outcome.CHANGED;
            return CHANGED;
        }
        if (acceptNew) {
            try {
                file.append(host, key);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            outcome = Outcome.ADDED;
            return OK;
        }
        outcome = Outcome.UNKNOWN;
        return NOT_INCLUDED;
    }

    Optional<Outcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    Optional<String> offeredFingerprint() {
        return Optional.ofNullable(offeredFingerprint);
    }

    /** The operator's message for an unknown or changed key; empty when the key matched. */
    Optional<HostUnreachable> refusal(String alias) {
        if (outcome == Outcome.UNKNOWN) {
            return Optional.of(
                    new HostUnreachable(
                            HostUnreachable.Cause.HOST_KEY_UNKNOWN,
                            "host key of "
                                    + alias
                                    + " ("
                                    + knownHostsName
                                    + ") is not in "
                                    + file.path()
                                    + "; it offered "
                                    + offeredType
                                    + " "
                                    + offeredFingerprint
                                    + ". Verify this fingerprint with the host's console or"
                                    + " provider, then re-run with --accept-new-host-keys"));
        }
        if (outcome == Outcome.CHANGED) {
            return Optional.of(
                    new HostUnreachable(
                            HostUnreachable.Cause.HOST_KEY_CHANGED,
                            "host key of "
                                    + alias
                                    + " ("
                                    + knownHostsName
                                    + ") has CHANGED: "
                                    + file.path()
                                    + " has "
                                    + String.join(", ", previousFingerprints)
                                    + ", the host now offers "
                                    + offeredType
                                    + " "
                                    + offeredFingerprint
                                    + ". If the host was reinstalled and you verified the new"
                                    + " fingerprint, remove the old key with: ssh-keygen -R '"
                                    + knownHostsName
                                    + "' -f '"
                                    + file.path()
                                    + "', then re-run with --accept-new-host-keys"));
        }
        if (outcome == Outcome.REVOKED) {
            return Optional.of(revoked(alias, offeredType + " " + offeredFingerprint));
        }
        return Optional.empty();
    }

    /** The operator's message for a revoked host key or certificate ({@code what} names it). */
    HostUnreachable revoked(String alias, String what) {
        return new HostUnreachable(
                HostUnreachable.Cause.HOST_KEY_REVOKED,
                "host key of "
                        + alias
                        + " ("
                        + what
                        + ") is marked @revoked in "
                        + file.path()
                        + ": refusing to connect. A revoked key may be in someone else's hands;"
                        + " ask the host's owner for its new key before you trust this host"
                        + " again");
    }

    private static String typeOf(String host, byte[] key) {
        try {
            return new HostKey(host, key).getType();
        } catch (com.jcraft.jsch.JSchException e) {
            return "unsupported-type";
        }
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
        throw new UnsupportedOperationException("host keys are added only by HostKeyCheck.check");
    }

    @Override
    public void remove(String host, String type) {
        throw new UnsupportedOperationException("postflight never removes known host keys");
    }

    @Override
    public void remove(String host, String type, byte[] key) {
        throw new UnsupportedOperationException("postflight never removes known host keys");
    }

    @Override
    public String getKnownHostsRepositoryID() {
        return file.path().toString();
    }

    @Override
    public HostKey[] getHostKey() {
        return file.repository().getHostKey();
    }

    @Override
    public HostKey[] getHostKey(String host, String type) {
        return file.keysOf(host).stream()
                .filter(k -> type == null || k.getType().equals(type))
                .toArray(HostKey[]::new);
    }
}
