package dev.postflight.transport;

/**
 * A host could not be reached or was lost, with the precise cause an operator needs to act:
 * "connection refused" and "no SSH banner within 10s" call for different next steps (seed 001).
 */
public final class HostUnreachable extends Exception {

    /** The distinguishable ways of not reaching a host. */
    public enum Cause {
        DNS_FAILURE("name does not resolve"),
        REFUSED("connection refused"),
        TIMED_OUT("TCP connect timed out"),
        BANNER_STALLED("TCP connected but no SSH banner"),
        AUTH_FAILED("authentication failed"),
        HOST_KEY_UNKNOWN("host key unknown"),
        HOST_KEY_CHANGED("host key changed"),
        HOST_KEY_REVOKED("host key revoked"),
        CONNECTION_LOST("connection lost"),
        JUMP_FAILED("jump host failed"),
        SSH_ERROR("SSH error");

        private final String label;

        Cause(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Cause cause;

    public HostUnreachable(Cause cause, String message) {
        super(message);
        this.cause = cause;
    }

    public HostUnreachable(Cause cause, String message, Throwable underlying) {
        super(message, underlying);
        this.cause = cause;
    }

    public Cause kind() {
        return cause;
    }
}
