package dev.postflight.run;

import dev.postflight.transport.HostUnreachable;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What kind of failure kept a host out of reach, which many hosts can share: each host's reason
 * names its own address and port ({@code connection refused (10.0.0.7:22)}), so a fleet report
 * groups 40 refused hosts by this kind, not by their 40 different texts (issue 18).
 */
public enum UnreachableKind {
    NAME_NOT_RESOLVED("name not resolved"),
    REFUSED("connection refused"),
    TIMED_OUT("timed out"),
    NO_BANNER("no SSH banner"),
    AUTH_FAILED("authentication failed"),
    HOST_KEY_UNKNOWN("host key unknown"),
    HOST_KEY_CHANGED("host key changed"),
    HOST_KEY_REVOKED("host key revoked"),
    CONNECTION_LOST("connection lost"),
    JUMP_FAILED("jump host failed"),
    SSH_ERROR("SSH error"),
    /** The host's {@code --timeout} cut it off (connecting, or in the probe batch). */
    TIMEOUT_REACHED("--timeout reached"),
    INTERRUPTED("interrupted"),
    INTERNAL_ERROR("internal error"),
    /** The kind was not recorded: a JSON report of a postflight before kinds existed. */
    UNKNOWN("unknown");

    private final String label;

    UnreachableKind(String label) {
        this.label = label;
    }

    /** How the report names the kind: {@code connection refused}. */
    public String label() {
        return label;
    }

    /** The kind's name in the JSON report: {@code refused}, {@code host_key_changed}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code word} in a JSON report; empty for a word no kind has. */
    public static Optional<UnreachableKind> ofWord(String word) {
        return Arrays.stream(values())
                .filter(k -> k != UNKNOWN && k.word().equals(word))
                .findFirst();
    }

    /** The kind of a failure as the transport classified it. */
    static UnreachableKind of(HostUnreachable.Cause cause) {
        return switch (cause) {
            case DNS_FAILURE -> NAME_NOT_RESOLVED;
            case REFUSED -> REFUSED;
            case TIMED_OUT -> TIMED_OUT;
            case BANNER_STALLED -> NO_BANNER;
            case AUTH_FAILED -> AUTH_FAILED;
            case HOST_KEY_UNKNOWN -> HOST_KEY_UNKNOWN;
            case HOST_KEY_CHANGED -> HOST_KEY_CHANGED;
            case HOST_KEY_REVOKED -> HOST_KEY_REVOKED;
            case CONNECTION_LOST -> CONNECTION_LOST;
            case JUMP_FAILED -> JUMP_FAILED;
            case SSH_ERROR -> SSH_ERROR;
        };
    }
}
