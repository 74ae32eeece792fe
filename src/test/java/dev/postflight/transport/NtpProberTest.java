package dev.postflight.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.testing.NtpResponder;
import dev.postflight.transport.NtpProber.Outcome;
import dev.postflight.transport.NtpProber.Outcome.Failed;
import dev.postflight.transport.NtpProber.Outcome.Reading;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NtpProberTest {
    private static final Duration TIMEOUT = Duration.ofMillis(200);
    private static final Duration TOLERANCE = Duration.ofMillis(5);

    private final NtpProber prober = new NtpProber();

    @ParameterizedTest(name = "offset {0} ms")
    @ValueSource(longs = {-3 * 3_600_000L, -2_000, 150, 0})
    void measuresTheServerOffsetWithinFiveMilliseconds(long millis) throws Exception {
        Duration offset = Duration.ofMillis(millis);
        try (NtpResponder ntp = NtpResponder.start(offset)) {
            Instant before = Instant.now();
            Reading r = assertInstanceOf(Reading.class, query(ntp, 1));

            assertWithin(offset, r.offset());
            assertEquals("127.0.0.1", r.server());
            assertEquals(InetAddress.getByName("127.0.0.1"), r.address());
            assertEquals(2, r.stratum());
            assertTrue(!r.delay().isNegative() && r.delay().compareTo(TIMEOUT) < 0, r.toString());
            assertTrue(!r.runnerTime().isBefore(before) && !r.runnerTime().isAfter(Instant.now()));
        }
    }

    @Test
    void keepsTheOffsetsSubMillisecondPart() throws Exception {
        // commons-net's own TimeInfo offset is whole milliseconds; ours comes from the raw
        // timestamps, so a whole-millisecond result would mean the nanoseconds were lost.
        Duration offset = Duration.ofMillis(150).plusNanos(250_000);
        try (NtpResponder ntp = NtpResponder.start(offset)) {
            Reading r = assertInstanceOf(Reading.class, query(ntp, 1));

            assertWithin(offset, r.offset());
            assertNotEquals(0, r.offset().toNanos() % 1_000_000, r.offset().toString());
        }
    }

    @Test
    void silentServerFailsAfterEveryAttemptTimedOutAndSaysHowMany() throws Exception {
        try (NtpResponder ntp = NtpResponder.start(Duration.ZERO)) {
            ntp.setSilent(true);
            long start = System.nanoTime();
            Failed f = assertInstanceOf(Failed.class, query(ntp, 3));

            assertEquals(
                    "127.0.0.1:" + ntp.port() + ": no NTP answer within 200ms (3 attempts)",
                    f.message());
            assertEquals("127.0.0.1", f.server());
            assertTrue(
                    Duration.ofNanos(System.nanoTime() - start).compareTo(TIMEOUT.multipliedBy(3))
                            >= 0);
            assertEquals(3, ntp.awaitRequests(3, Duration.ofSeconds(5)));
        }
    }

    @Test
    void retriesWhenARequestIsLost() throws Exception {
        try (NtpResponder ntp = NtpResponder.start(Duration.ofSeconds(-2))) {
            ntp.ignoreNext(1);
            Reading r = assertInstanceOf(Reading.class, query(ntp, 2));

            assertWithin(Duration.ofSeconds(-2), r.offset());
            assertEquals(2, ntp.requests());
        }
    }

    @Test
    void leapIndicatorThreeIsAnUnsynchronisedServer() throws Exception {
        try (NtpResponder ntp = NtpResponder.start(Duration.ZERO)) {
            ntp.setLeap(3);
            Failed f = assertInstanceOf(Failed.class, query(ntp, 1));

            assertEquals(
                    "127.0.0.1:"
                            + ntp.port()
                            + ": server is unsynchronised (stratum 2 / leap 3 — not synced to any"
                            + " source)",
                    f.message());
        }
    }

    @Test
    void kissOfDeathIsAnUnsynchronisedServerAndNamesTheCode() throws Exception {
        try (NtpResponder ntp = NtpResponder.start(Duration.ZERO)) {
            ntp.setKissOfDeath("RATE");
            Failed f = assertInstanceOf(Failed.class, query(ntp, 1));

            assertEquals(
                    "127.0.0.1:"
                            + ntp.port()
                            + ": server is unsynchronised (stratum 0 / leap 0 — kiss-o'-death RATE)",
                    f.message());
        }
    }

    @Test
    void answerWithAnotherOriginateTimestampIsRejectedAsSpoofedOrStale() throws Exception {
        try (NtpResponder ntp = NtpResponder.start(Duration.ZERO)) {
            ntp.setWrongOriginate(true);
            Failed f = assertInstanceOf(Failed.class, query(ntp, 3));

            assertEquals(
                    "127.0.0.1:"
                            + ntp.port()
                            + ": answer does not match the request (wrong originate timestamp:"
                            + " spoofed or stale)",
                    f.message());
            assertEquals(1, ntp.requests());
        }
    }

    @Test
    void nameThatDoesNotResolveIsADnsFailure() throws Exception {
        Outcome o = prober.query("ntp.postflight.invalid", NtpProber.PORT, TIMEOUT, 3);

        assertEquals(
                new Failed(
                        "ntp.postflight.invalid", "DNS: ntp.postflight.invalid does not resolve"),
                o);
    }

    private Outcome query(NtpResponder ntp, int attempts) throws InterruptedException {
        return prober.query("127.0.0.1", ntp.port(), TIMEOUT, attempts);
    }

    static void assertWithin(Duration expected, Duration actual) {
        assertTrue(
                actual.minus(expected).abs().compareTo(TOLERANCE) <= 0,
                "expected " + expected + " ± " + TOLERANCE + ", measured " + actual);
    }
}
