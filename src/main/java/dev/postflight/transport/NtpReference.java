package dev.postflight.transport;

import dev.postflight.transport.NtpProber.Outcome;
import dev.postflight.transport.NtpProber.Outcome.Failed;
import dev.postflight.transport.NtpProber.Outcome.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The runner's clock correction, from several NTP servers asked at once. One server can be wrong (a
 * falseticker), and the runner's own clock can be as wrong as the host it judges (seed 003: a
 * paused VM ran 3 hours behind), so host clocks are compared against this, not against the runner's
 * clock alone.
 *
 * <p>The offset is the median of the readings; a reading further from the median than max(100 ms, 4
 * × the median absolute deviation) is dropped as a falseticker and the median of the rest is taken.
 * With two readings neither can be outvoted: both are kept and their disagreement shows in the
 * uncertainty.
 */
public final class NtpReference {
    /** Below this, disagreement between servers is network jitter, not a wrong server. */
    static final Duration MIN_FALSETICKER_DISTANCE = Duration.ofMillis(100);

    private final NtpProber prober;

    public NtpReference() {
        this(new NtpProber());
    }

    public NtpReference(NtpProber prober) {
        this.prober = prober;
    }

    /** A reading outvoted by the others. */
    public record Falseticker(Reading reading, Duration fromMedian) {
        /** For example {@code dropped ntp3 (+5.200s) as a falseticker, 5.180s from the median}. */
        public String message() {
            return "dropped "
                    + reading.server()
                    + " ("
                    + signed(reading.offset())
                    + ") as a falseticker, "
                    + signed(fromMedian.abs()).substring(1)
                    + " from the median";
        }
    }

    /**
     * What the servers said together.
     *
     * @param offset add it to the runner's clock to get the servers' time; empty when no server
     *     gave a usable answer
     * @param uncertainty how far the true offset may be from {@code offset}: half the largest round
     *     trip of the used readings plus the largest distance of a used reading from {@code
     *     offset}; zero when {@code offset} is empty
     * @param used the readings the offset was taken from, in the order the servers were given
     * @param dropped falsetickers, in the order the servers were given
     * @param failed servers without a usable answer, each with the reason
     */
    public record Result(
            Optional<Duration> offset,
            Duration uncertainty,
            List<Reading> used,
            List<Falseticker> dropped,
            List<Failed> failed) {
        public Result {
            used = List.copyOf(used);
            dropped = List.copyOf(dropped);
            failed = List.copyOf(failed);
            if (offset.isPresent() == used.isEmpty()) {
                throw new IllegalArgumentException(
                        "offset must be present exactly when used is not empty");
            }
        }
    }

    /**
     * Asks every server in parallel and combines the answers.
     *
     * @param servers {@code host}, {@code host:port} or {@code [ipv6]:port}; port 123 by default
     * @param timeout per request
     * @param attempts requests per server at most, the next only after a timeout
     */
    public Result measure(List<String> servers, Duration timeout, int attempts)
            throws InterruptedException {
        if (servers.isEmpty()) throw new IllegalArgumentException("servers must not be empty");
        List<Outcome> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Outcome>> answers = new ArrayList<>();
            for (String server : servers) {
                answers.add(threads.submit(() -> query(server, timeout, attempts)));
            }
            for (Future<Outcome> answer : answers) {
                outcomes.add(result(answer));
            }
        }
        return combine(outcomes);
    }

    private Outcome query(String server, Duration timeout, int attempts)
            throws InterruptedException {
        String host = server;
        int port = NtpProber.PORT;
        int colon = server.lastIndexOf(':');
        boolean bracketed = server.startsWith("[");
        if (colon > 0
                && (bracketed
                        ? server.lastIndexOf(']') == colon - 1
                        : colon == server.indexOf(':'))) {
            host = server.substring(bracketed ? 1 : 0, bracketed ? colon - 1 : colon);
            try {
                port = Integer.parseInt(server.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                return new Failed(server, server + ": port must be a number from 1 to 65535");
            }
        } else if (bracketed && server.endsWith("]")) {
            host = server.substring(1, server.length() - 1);
        }
        Outcome outcome = prober.query(host, port, timeout, attempts);
        // Report under the name the user gave, port included.
        return switch (outcome) {
            case Reading r ->
                    new Reading(
                            server,
                            r.address(),
                            r.offset(),
                            r.delay(),
                            r.stratum(),
                            r.runnerTime());
            case Failed f -> f.server().equals(server) ? f : new Failed(server, f.message());
        };
    }

    private static Outcome result(Future<Outcome> answer) throws InterruptedException {
        try {
            return answer.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InterruptedException) throw new InterruptedException();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        }
    }

    /** The falseticker vote and the median, on outcomes in the order the servers were given. */
    static Result combine(List<Outcome> outcomes) {
        List<Reading> readings = new ArrayList<>();
        List<Failed> failed = new ArrayList<>();
        for (Outcome o : outcomes) {
            switch (o) {
                case Reading r -> readings.add(r);
                case Failed f -> failed.add(f);
            }
        }
        if (readings.isEmpty()) {
            return new Result(Optional.empty(), Duration.ZERO, List.of(), List.of(), failed);
        }
        Duration median = median(readings.stream().map(Reading::offset).toList());
        Duration mad = median(readings.stream().map(r -> r.offset().minus(median).abs()).toList());
        Duration limit = max(MIN_FALSETICKER_DISTANCE, mad.multipliedBy(4));
        List<Reading> used = new ArrayList<>();
        List<Falseticker> dropped = new ArrayList<>();
        for (Reading r : readings) {
            Duration distance = r.offset().minus(median).abs();
            if (distance.compareTo(limit) > 0) {
                dropped.add(new Falseticker(r, r.offset().minus(median)));
            } else {
                used.add(r);
            }
        }
        Duration chosen = median(used.stream().map(Reading::offset).toList());
        Duration halfRoundTrip =
                used.stream().map(Reading::delay).max(Comparator.naturalOrder()).orElseThrow();
        Duration spread =
                used.stream()
                        .map(r -> r.offset().minus(chosen).abs())
                        .max(Comparator.naturalOrder())
                        .orElseThrow();
        return new Result(
                Optional.of(chosen),
                halfRoundTrip.dividedBy(2).plus(spread),
                used,
                dropped,
                failed);
    }

    private static Duration median(List<Duration> values) {
        List<Duration> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        if (n % 2 == 1) return sorted.get(n / 2);
        return sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** {@code +5.200s}, {@code -10800.000s}, {@code +0.150s}: millisecond precision, signed. */
    static String signed(Duration d) {
        long micros = d.toNanos() / 1_000;
        return String.format(Locale.ROOT, "%+.3fs", micros / 1_000_000.0);
    }
}
