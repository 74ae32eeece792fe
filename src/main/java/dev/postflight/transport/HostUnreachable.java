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

    /** How reaching the host was tried ({@code ssh ops@203.0.113.13:22}), or empty. */
    private final String tried;

    public HostUnreachable(Cause cause, String message) {
        this(cause, message, null, "");
    }

    public HostUnreachable(Cause cause, String message, Throwable underlying) {
        this(cause, message, underlying, "");
    }

    private HostUnreachable(Cause cause, String message, Throwable underlying, String tried) {
        super(message, underlying);
        this.cause = cause;
        this.tried = tried;
    }

    /**
     * The same failure, saying how the host was tried: the report's header of an unreachable host
     * names the address that refused as it does for a reached one (issue 19).
     */
    public HostUnreachable tried(String destination) {
        HostUnreachable e = new HostUnreachable(cause, getMessage(), getCause(), destination);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** How reaching the host was tried, e.g. {@code ssh ops@10.0.0.5:22 via bastion}; or empty. */
    public String tried() {
        return tried;
    }

    public Cause kind() {
        return cause;
    }
}
