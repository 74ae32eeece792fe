package dev.postflight.run;

import dev.postflight.check.HostTime;
import dev.postflight.transport.Exchange;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Measures the host's clock the way NTP's clock filter does (issue 15): over the host's open SSH
 * session, a small command answers each line the runner sends with the host's time, several times,
 * and the round with the shortest round trip is kept. Unlike the reading at the start of the probe
 * batch, whose bounding interval begins before the channel is even opened (every such reading came
 * out 23-54 ms ahead on a loaded lab), each round is bounded by its own send and reply.
 *
 * <p>Where the reading falls in a round is known, not guessed: bash answers from {@code
 * $EPOCHREALTIME} at once, so the reading sits at the round's midpoint; without bash, {@code date}
 * reads the clock at the end of its run and a second {@code date} of the same cost runs before the
 * reply ends, which puts the first reading at the midpoint again.
 */
final class ClockSampler {
    /** Rounds always taken; more, up to {@link #MAX_ROUNDS}, while none was quick. */
    static final int ROUNDS = 5;

    static final int MAX_ROUNDS = 20;

    /**
     * A round trip this short bounds the reading to ±2 ms: after {@link #ROUNDS} rounds, enough. On
     * a loaded runner or host most rounds are slow; the quick one among more rounds is what turns a
     * straddled limit into a verdict (issue 15: "take another sample").
     */
    static final Duration QUICK = Duration.ofMillis(4);

    /**
     * For any login shell (csh too): one single-quoted {@code sh -c} argument without {@code !}.
     */
    static final String COMMAND =
            "sh -c '"
                    + ("pf_date='while read -r x; do date +\"%s.%N date\"; date +%N >/dev/null;"
                                    + " echo .; done'; command -v bash >/dev/null 2>&1 && exec"
                                    + " bash -c '[ -n \"${EPOCHREALTIME:-}\" ] || exec sh -c"
                                    + " \"$1\"; while read -r x; do echo \"$EPOCHREALTIME bash\";"
                                    + " echo .; done' bash \"$pf_date\"; eval \"$pf_date\"")
                            .replace("'", "'\\''")
                    + "'";

    private ClockSampler() {}

    /** The best round's reading, or empty when the host's tools cannot give a sub-second one. */
    static Optional<HostTime> sample(HostConnection connection, Duration timeout)
            throws InterruptedException {
        List<Exchange> rounds;
        try {
            rounds = connection.converse(COMMAND, MAX_ROUNDS, 2, ClockSampler::enough, timeout);
        } catch (HostUnreachable e) {
            return Optional.empty();
        }
        return best(rounds);
    }

    static boolean enough(List<Exchange> rounds) {
        return rounds.size() >= ROUNDS
                && rounds.stream()
                        .anyMatch(r ->
                                Duration.between(r.sent(), r.received()).compareTo(QUICK) <= 0);
    }

    static Optional<HostTime> best(List<Exchange> rounds) {
        return rounds.stream()
                .filter(r -> reading(r).isPresent())
                .min(Comparator.comparing(r -> Duration.between(r.sent(), r.received())))
                .flatMap(r -> reading(r).map(h -> h.bounded(r.sent(), r.received(), rounds)));
    }

    /** What one round's first reply line says: the host's time and how it was read. */
    private record Reading(Instant time, Duration resolution, String how) {
        HostTime bounded(Instant sent, Instant received, List<Exchange> rounds) {
            return new HostTime(
                    time,
                    resolution,
                    how + ", best of " + rounds.size() + " round trips",
                    sent,
                    received);
        }
    }

    private static Optional<Reading> reading(Exchange r) {
        if (r.reply().size() != 2 || !r.reply().get(1).equals(".")) return Optional.empty();
        String[] f = r.reply().get(0).strip().split(" ");
        if (f.length != 2 || !f[0].matches("\\d{9,12}[.,]\\d{6,9}")) return Optional.empty();
        BigDecimal seconds = new BigDecimal(f[0].replace(',', '.'));
        long whole = seconds.longValue();
        long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
        Instant t = Instant.ofEpochSecond(whole, nanos);
        return switch (f[1]) {
            case "bash" ->
                    Optional.of(
                            new Reading(
                                    t,
                                    Duration.ofNanos(1000),
                                    "microseconds (bash EPOCHREALTIME)"));
            case "date" ->
                    Optional.of(new Reading(t, Duration.ofNanos(1), "nanoseconds (date +%N)"));
            default -> Optional.empty();
        };
    }
}
