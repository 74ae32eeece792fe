package dev.postflight.testing;

import dev.postflight.transport.ProcessTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * One exec request as a real {@code /bin/sh -c} process (or {@code shell + [command]}), its streams
 * pumped by virtual threads: what the test servers run for every exec.
 */
final class ShellCommand implements Command {

    private final List<String> shell;
    private final String command;
    private final Map<String, String> environment;
    private final boolean closeLikeOpenSsh;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Process process;
    private volatile String lost;
    private volatile boolean destroyed;

    ShellCommand(
            List<String> shell,
            String command,
            Map<String, String> environment,
            boolean closeLikeOpenSsh) {
        this.closeLikeOpenSsh = closeLikeOpenSsh;
        this.shell = shell;
        this.command = command;
        this.environment = environment;
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
    public void start(ChannelSession channel, Environment env) throws IOException {
        List<String> argv = new java.util.ArrayList<>(shell);
        argv.add(command);
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().putAll(environment);
        Process started = builder.start();
        process = started;
        Thread.ofVirtual().start(() -> pump(in, started.getOutputStream(), true, "stdin"));
        Thread stdout =
                Thread.ofVirtual()
                        .start(() -> pump(started.getInputStream(), out, false, "stdout"));
        Thread stderr =
                Thread.ofVirtual()
                        .start(() -> pump(started.getErrorStream(), err, false, "stderr"));
        Thread.ofVirtual()
                .start(() -> {
                    try {
                        int status = started.waitFor();
                        stdout.join();
                        stderr.join();
                        String lost = this.lost;
                        if (lost != null) {
                            // Never a clean exit over data the server dropped: say so, as 255.
                            try {
                                err.write(
                                        ("test server lost data: " + lost + "\n")
                                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                                err.flush();
                            } catch (IOException gone) {
                                // The client left; the exit status below is all it could get.
                            }
                            exit.onExit(255, "test server lost data: " + lost);
                            return;
                        }
                        exit.onExit(status);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
    }

    /**
     * Copies {@code from} to {@code to}. A failure on the channel's side (reading the client's
     * stdin, writing the output to the client while the channel is open) is remembered, so that the
     * exec does not end as a clean exit over data that was dropped; a process that exits without
     * reading all its stdin (broken pipe) is normal.
     */
    private void pump(InputStream from, OutputStream to, boolean closeTarget, String what) {
        byte[] buffer = new byte[32 * 1024];
        boolean reading = true;
        try {
            for (int n; (n = from.read(buffer)) >= 0; ) {
                reading = false;
                to.write(buffer, 0, n);
                to.flush();
                reading = true;
            }
        } catch (IOException e) {
            // The process or the channel ended; nothing more to copy. What the channel failed
            // on while the client still listened is remembered.
            boolean channelSide = closeTarget == reading;
            if (channelSide && !destroyed) lost = what + ": " + e;
        } finally {
            if (closeTarget) {
                try {
                    to.close();
                } catch (IOException e) {
                    // The process already exited; its stdin is gone either way.
                }
            }
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        destroyed = true;
        Process p = process;
        if (p != null && closeLikeOpenSsh) {
            for (java.io.Closeable pipe :
                    new java.io.Closeable[] {
                        p.getOutputStream(), p.getInputStream(), p.getErrorStream()
                    }) {
                try {
                    pipe.close();
                } catch (IOException e) {
                    // Already closed: the process ended.
                }
            }
        } else if (p != null) {
            // TERM first, so that a probe batch still running removes its folder in /dev/shm;
            // KILL what is left a second later. Off MINA's thread: the grace may take that long.
            Thread.ofVirtual().start(() -> ProcessTrees.end(p, Duration.ofSeconds(1)));
        }
    }
}
