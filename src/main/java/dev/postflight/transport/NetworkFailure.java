package dev.postflight.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Names a failed network operation the way an operator would say it. */
final class NetworkFailure {
    private NetworkFailure() {}

    public static String describe(IOException e, String target) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (e instanceof UnknownHostException) {
            return "DNS: " + target + " does not resolve";
        }
        if (e instanceof ConnectException) {
            return "connection refused (" + target + ")";
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host (" + target + ")";
        }
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            return "timed out (" + target + ")";
        }
        if (e instanceof SSLPeerUnverifiedException) {
            return "TLS: " + e.getMessage();
        }
        if (e instanceof SSLHandshakeException || e instanceof SSLException) {
            String m = root.getMessage() == null ? e.getMessage() : root.getMessage();
            if (m != null && m.contains("unable to find valid certification path")) {
                m = "certificate not trusted (unknown issuer)";
            }
            return "TLS handshake failed: " + m;
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage() + " (" + target + ")";
    }
}
