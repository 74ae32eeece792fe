package dev.postflight.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The rounds of {@link HostConnection#converse} over a command's input and output streams, the same
 * for an SSH channel and a local process: write one line, read the reply's lines, note both
 * instants. A reply line is capped, so a host cannot make the runner buffer without end.
 */
final class Conversation {
    private static final int MAX_LINE = 4096;

    private Conversation() {}

    /**
     * Runs up to {@code rounds} rounds, fewer once {@code enough} says so; ends early (with the
     * rounds done so far) when the output ends.
     */
    static List<Exchange> rounds(
            InputStream in,
            OutputStream out,
            int rounds,
            int linesPerRound,
            Predicate<List<Exchange>> enough)
            throws IOException {
        List<Exchange> done = new ArrayList<>();
        for (int r = 0; r < rounds && !enough.test(done); r++) {
            Instant sent = Instant.now();
            out.write('\n');
            out.flush();
            List<String> reply = new ArrayList<>();
            for (int l = 0; l < linesPerRound; l++) {
                String line = readLine(in);
                if (line == null) return done;
                reply.add(line);
            }
            done.add(new Exchange(sent, reply, Instant.now()));
        }
        return done;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            if (b == '\n') return line.toString(StandardCharsets.UTF_8);
            if (line.size() < MAX_LINE) line.write(b);
        }
    }
}
