package dev.postflight.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/** Opens a TCP connection from the runner, telling refused from timed out from DNS failure. */
public final class TcpProber {

    /** The outcome of one connect attempt. */
    public sealed interface Outcome {
        record Connected(Duration latency) implements Outcome {}

        record Refused(String message) implements Outcome {}

        record TimedOut(String message) implements Outcome {}

        record Unresolved(String message) implements Outcome {}

        record Failed(String message) implements Outcome {}
    }

    public Outcome connect(String host, int port, Duration timeout) {
        String target = host + ":" + port;
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                return new Outcome.Unresolved("DNS: " + host + " does not resolve");
            }
            s.connect(address, (int) Math.max(1, timeout.toMillis()));
            return new Outcome.Connected(Duration.ofNanos(System.nanoTime() - start));
        } catch (ConnectException e) {
            return new Outcome.Refused("connection refused (" + target + ")");
        } catch (SocketTimeoutException e) {
            return new Outcome.TimedOut(
                    "no answer within " + timeout.toMillis() + "ms (" + target + ", filtered?)");
        } catch (UnknownHostException e) {
            return new Outcome.Unresolved("DNS: " + host + " does not resolve");
        } catch (IOException e) {
            return new Outcome.Failed(NetworkFailure.describe(e, target));
        }
    }
}
