package dev.postflight.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * The clock conversation of postflight's {@code ClockSampler}, answered as bash would for {@link
 * SimulatedFleet}'s replaying hosts: for every line it reads, {@code $EPOCHREALTIME bash} and a
 * line {@code .}. {@link ReplayedShell} reads its whole input before it answers, so a conversation
 * sent to it waited for the sampler's timeout on every host.
 */
final class ReplayedClock implements Command {
    private InputStream in;
    private OutputStream out;
    private ExitCallback exit;

    /** Whether {@code command} is the clock sampler's conversation. */
    static boolean is(String command) {
        return command.contains("EPOCHREALTIME") && command.contains("while read -r x");
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {}

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        Thread.ofVirtual()
                .start(() -> {
                    try (BufferedReader lines =
                            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                        while (lines.readLine() != null) {
                            Instant now = Instant.now();
                            String reply =
                                    String.format(
                                            "%d.%06d bash%n.%n",
                                            now.getEpochSecond(), now.getNano() / 1000);
                            out.write(reply.getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                        exit.onExit(0);
                    } catch (IOException e) {
                        exit.onExit(255, String.valueOf(e));
                    }
                });
    }

    @Override
    public void destroy(ChannelSession channel) {}
}
