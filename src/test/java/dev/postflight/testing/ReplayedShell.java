package dev.postflight.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * An exec of postflight's probe batch answered from a recording, for {@link SimulatedFleet}: the
 * first exec of each batch (command and script, its nonce aside) runs in a real {@code /bin/sh -c};
 * every later one gets that run's stdout, stderr and exit status with its own nonce and a fresh
 * clock reading. On a small machine where process creation is slow, this keeps thousands of
 * simulated hosts from measuring the host side's forks instead of postflight.
 */
final class ReplayedShell implements Command {

    private static final Pattern NONCE = Pattern.compile("@@PF ([0-9a-f]{16}) clock");
    private static final String PLACEHOLDER = "@NONCE@";

    /** One real run, with its nonce replaced by {@link #PLACEHOLDER}. */
    private record Recording(String stdout, byte[] stderr, int exit) {}

    /** The recordings of one fleet, shared by all its hosts, by batch shape. */
    static final class Recordings {
        private final Map<String, CompletableFuture<Recording>> byShape = new ConcurrentHashMap<>();
    }

    private final Map<String, CompletableFuture<Recording>> recordings;
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    ReplayedShell(Recordings recordings, String command) {
        this.recordings = recordings.byShape;
        this.command = command;
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
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        Thread.ofVirtual()
                .start(() -> {
                    try {
                        answer();
                    } catch (IOException | RuntimeException e) {
                        exit.onExit(255, String.valueOf(e));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        exit.onExit(255, "interrupted");
                    }
                });
    }

    private void answer() throws IOException, InterruptedException {
        byte[] script = in.readAllBytes();
        Matcher m = NONCE.matcher(command);
        String nonce = m.find() ? m.group(1) : "";
        String shape =
                (command + "\0" + new String(script, StandardCharsets.UTF_8))
                        .replace(nonce.isEmpty() ? PLACEHOLDER : nonce, PLACEHOLDER);
        CompletableFuture<Recording> mine = new CompletableFuture<>();
        CompletableFuture<Recording> recorded = recordings.putIfAbsent(shape, mine);
        if (recorded == null) {
            try {
                mine.complete(record(script, nonce));
            } catch (IOException | RuntimeException e) {
                recordings.remove(shape, mine);
                mine.completeExceptionally(e);
                throw e;
            }
            recorded = mine;
        }
        Recording r = recorded.join();
        Instant now = Instant.now();
        String clock =
                new BigDecimal(now.getEpochSecond())
                        .add(BigDecimal.valueOf(now.getNano(), 9))
                        .toPlainString();
        String stdout =
                r.stdout()
                        .replaceFirst(
                                "@@PF " + Pattern.quote(PLACEHOLDER) + " clock [0-9.]+ ns",
                                Matcher.quoteReplacement(
                                        "@@PF " + nonce + " clock " + clock + " ns"))
                        .replace(PLACEHOLDER, nonce);
        out.write(stdout.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        err.write(r.stderr());
        err.flush();
        exit.onExit(r.exit());
    }

    private Recording record(byte[] script, String nonce) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c", command)).start();
        Thread feed =
                Thread.ofVirtual()
                        .start(() -> {
                            try (OutputStream stdin = p.getOutputStream()) {
                                stdin.write(script);
                            } catch (IOException e) {
                                // The shell exited early; its output says why.
                            }
                        });
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread errors =
                Thread.ofVirtual()
                        .start(() -> {
                            try {
                                p.getErrorStream().transferTo(stderr);
                            } catch (IOException e) {
                                // Nothing more to copy.
                            }
                        });
        byte[] stdout = p.getInputStream().readAllBytes();
        int status = p.waitFor();
        feed.join();
        errors.join();
        String text = new String(stdout, StandardCharsets.ISO_8859_1);
        return new Recording(
                nonce.isEmpty() ? text : text.replace(nonce, PLACEHOLDER),
                stderr.toByteArray(),
                status);
    }

    @Override
    public void destroy(ChannelSession channel) {}
}
