package dev.postflight.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.check.HostProbe;
import dev.postflight.check.ProbeOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/**
 * Random and adversarial replies to a probe batch (issue 14): truncated and shifted frames, huge,
 * negative and overflowing sizes, repeated markers, guessed nonces, binary noise. Whatever a host
 * sends, parsing never throws, never keeps more than the reply's own bytes, and either returns
 * every probe's output exactly as framed or none at all. Each reply is built from a seed, so a
 * failure names the seed that reproduces it.
 */
class ProbeBatchFuzzTest {
    private static final List<HostProbe> PROBES =
            List.of(HostProbe.of("probe-a"), HostProbe.of("probe-b"), HostProbe.of("probe-c"));

    private static final String[] SIZES = {
        "-1",
        "-2147483648",
        "2147483647",
        "2147483648",
        "4294967296",
        "9223372036854775807",
        "99999999999999999999",
        "+5",
        " 5",
        "0x10",
        "",
        "05",
        "1e3",
        "١٢"
    };

    private enum Kind {
        VALID,
        BANNER,
        RANDOM,
        MARKER_SOUP,
        TRUNCATED,
        FLIPPED,
        INSERTED,
        DELETED,
        BAD_SIZE,
        GUESSED_NONCE,
        REPEATED_MARKER,
        TRAILING
    }

    @Property(tries = 12_000)
    void anyReplyGivesEveryOutputAsFramedOrNone(@ForAll long seed) {
        Random random = new Random(seed);
        ProbeBatch batch = new ProbeBatch(PROBES);
        List<ProbeOutput> sent = new ArrayList<>();
        for (int i = 0; i < PROBES.size(); i++) {
            sent.add(
                    new ProbeOutput(
                            random.nextInt(256), bytes(random, 64), bytes(random, 16), false));
        }
        byte[] valid = stream(batch.nonce(), sent);
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        Statistics.collect(kind);
        byte[] reply = mutate(kind, valid, batch.nonce(), random);

        ProbeBatch.Outputs o = batch.parse(reply);

        long kept =
                o.byScript().values().stream()
                        .mapToLong(p -> p.stdout().length + p.stderr().length)
                        .sum();
        assertTrue(kept <= reply.length, "kept more than the reply holds");
        if (o.complete()) {
            assertEquals(PROBES.size(), o.byScript().size());
            assertTrue(o.problem().isEmpty());
            List<ProbeOutput> got = PROBES.stream().map(p -> o.of(p).orElseThrow()).toList();
            byte[] framed = stream(batch.nonce(), got);
            assertTrue(
                    endsWith(reply, framed),
                    kind + ": judged outputs are not exactly what the reply frames");
        } else {
            assertTrue(o.byScript().isEmpty(), kind + ": partial outputs from a broken reply");
            assertTrue(o.problem().isPresent(), kind + ": no reason");
        }
        switch (kind) {
            case VALID, BANNER -> {
                assertTrue(o.complete(), kind + ": " + o.problem());
                for (int i = 0; i < PROBES.size(); i++) {
                    ProbeOutput got = o.of(PROBES.get(i)).orElseThrow();
                    assertEquals(sent.get(i).exitCode(), got.exitCode());
                    assertArrayEquals(sent.get(i).stdout(), got.stdout());
                    assertArrayEquals(sent.get(i).stderr(), got.stderr());
                }
            }
            case TRUNCATED, GUESSED_NONCE, TRAILING, BAD_SIZE ->
                    assertFalse(o.complete(), kind + " was accepted");
            default -> {
                // Noise may by chance still be a well-framed reply; the checks above hold.
            }
        }
    }

    /** What a batch prints from its frames marker on. */
    static byte[] stream(String nonce, List<ProbeOutput> outputs) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ascii("\n@@PF " + nonce + " frames " + outputs.size() + "\n"));
        for (int i = 0; i < outputs.size(); i++) {
            ProbeOutput o = outputs.get(i);
            b.writeBytes(
                    ascii(
                            "@@PF "
                                    + nonce
                                    + " "
                                    + i
                                    + " "
                                    + o.exitCode()
                                    + " "
                                    + o.stdout().length
                                    + " "
                                    + o.stderr().length
                                    + "\n"));
            b.writeBytes(o.stdout());
            b.writeBytes(o.stderr());
        }
        b.writeBytes(ascii("@@PF " + nonce + " end\n"));
        return b.toByteArray();
    }

    private static byte[] mutate(Kind kind, byte[] valid, String nonce, Random r) {
        return switch (kind) {
            case VALID -> valid;
            case BANNER -> concat(ascii("Welcome to web1\n\u001b[1mAuthorized use only\n"), valid);
            case RANDOM -> bytes(r, 2048);
            case MARKER_SOUP -> soup(nonce, r);
            case TRUNCATED -> Arrays.copyOf(valid, r.nextInt(valid.length));
            case FLIPPED -> {
                byte[] b = valid.clone();
                b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
                yield b;
            }
            case INSERTED -> {
                int at = r.nextInt(valid.length + 1);
                yield concat(
                        Arrays.copyOfRange(valid, 0, at),
                        bytes(r, 32),
                        Arrays.copyOfRange(valid, at, valid.length));
            }
            case DELETED -> {
                int at = r.nextInt(valid.length);
                int end = Math.min(valid.length, at + 1 + r.nextInt(32));
                yield concat(
                        Arrays.copyOfRange(valid, 0, at),
                        Arrays.copyOfRange(valid, end, valid.length));
            }
            case BAD_SIZE -> {
                String s = new String(valid, StandardCharsets.ISO_8859_1);
                String header = "@@PF " + nonce + " " + r.nextInt(3) + " ";
                int at = s.indexOf(header);
                int eol = s.indexOf('\n', at);
                String[] f = s.substring(at + header.length(), eol).split(" ");
                f[1 + r.nextInt(2)] = SIZES[r.nextInt(SIZES.length)];
                yield (s.substring(0, at + header.length())
                                + String.join(" ", f)
                                + s.substring(eol))
                        .getBytes(StandardCharsets.UTF_8);
            }
            case GUESSED_NONCE -> {
                byte[] n = new byte[8];
                r.nextBytes(n);
                yield new String(valid, StandardCharsets.ISO_8859_1)
                        .replace(nonce, HexFormat.of().formatHex(n))
                        .getBytes(StandardCharsets.ISO_8859_1);
            }
            case REPEATED_MARKER -> {
                String s = new String(valid, StandardCharsets.ISO_8859_1);
                String[] markers = {
                    "@@PF " + nonce + " end\n",
                    "\n@@PF " + nonce + " frames 3\n",
                    "@@PF " + nonce + " 1 0 0 0\n"
                };
                String m = markers[r.nextInt(markers.length)];
                int at = r.nextInt(s.length() + 1);
                yield (s.substring(0, at) + m + s.substring(at))
                        .getBytes(StandardCharsets.ISO_8859_1);
            }
            case TRAILING -> concat(valid, bytes(r, 8), new byte[] {'x'});
        };
    }

    /** Random pieces of real markers, numbers and noise. */
    private static byte[] soup(String nonce, Random r) {
        String[] pieces = {
            "\n@@PF " + nonce + " frames 3\n",
            "@@PF " + nonce + " ",
            "@@PF " + nonce + " end\n",
            "0 ",
            "1 ",
            "2 ",
            "255 ",
            "4294967295 ",
            "-7 ",
            "\n",
            "@@PF 0123456789abcdef 0 0 1 1\n"
        };
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int n = r.nextInt(40);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(4) == 0) b.writeBytes(bytes(r, 8));
            else b.writeBytes(ascii(pieces[r.nextInt(pieces.length)]));
        }
        return b.toByteArray();
    }

    private static byte[] bytes(Random r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return b.toByteArray();
    }

    private static boolean endsWith(byte[] hay, byte[] tail) {
        return hay.length >= tail.length
                && Arrays.equals(hay, hay.length - tail.length, hay.length, tail, 0, tail.length);
    }
}
