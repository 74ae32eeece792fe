package dev.postflight.transport;

import static dev.postflight.transport.NtpProberTest.assertWithin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.testing.NtpResponder;
import dev.postflight.transport.NtpProber.Outcome.Failed;
import dev.postflight.transport.NtpProber.Outcome.Reading;
import dev.postflight.transport.NtpReference.Result;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NtpReferenceTest {
    private static final Duration TIMEOUT = Duration.ofMillis(200);

    private final NtpReference reference = new NtpReference();

    @Test
    void takesTheMedianOfTheGoodServersAndDropsTheOneFiveSecondsOff() throws Exception {
        try (NtpResponder a = NtpResponder.start(Duration.ofMillis(100));
                NtpResponder b = NtpResponder.start(Duration.ofMillis(120));
                NtpResponder c = NtpResponder.start(Duration.ofMillis(5_100))) {
            Result r = reference.measure(List.of(a.server(), b.server(), c.server()), TIMEOUT, 2);

            assertWithin(Duration.ofMillis(110), r.offset().orElseThrow());
            assertEquals(
                    List.of(a.server(), b.server()),
                    r.used().stream().map(Reading::server).toList());
            assertEquals(1, r.dropped().size());
            NtpReference.Falseticker dropped = r.dropped().getFirst();
            assertEquals(c.server(), dropped.reading().server());
            assertWithin(Duration.ofMillis(5_100), dropped.reading().offset());
            assertTrue(
                    dropped.message().startsWith("dropped " + c.server() + " (+5.1")
                            || dropped.message().startsWith("dropped " + c.server() + " (+5.09"),
                    dropped.message());
            assertTrue(
                    dropped.message()
                            .matches(
                                    ".*s\\) as a falseticker, (4\\.9|5\\.0)\\d\\ds from the median"),
                    dropped.message());
            assertEquals(List.of(), r.failed());
            // The kept readings are 20 ms apart: the uncertainty covers half of that at least.
            assertTrue(r.uncertainty().compareTo(Duration.ofMillis(10)) >= 0, r.toString());
        }
    }

    @Test
    void usesTheOneServerThatAnswersAndListsTheSilentOne() throws Exception {
        try (NtpResponder good = NtpResponder.start(Duration.ofMillis(-40));
                NtpResponder silent = NtpResponder.start(Duration.ZERO)) {
            silent.setSilent(true);
            Result r = reference.measure(List.of(silent.server(), good.server()), TIMEOUT, 2);

            assertWithin(Duration.ofMillis(-40), r.offset().orElseThrow());
            assertEquals(List.of(good.server()), r.used().stream().map(Reading::server).toList());
            assertEquals(List.of(), r.dropped());
            assertEquals(
                    List.of(
                            new Failed(
                                    silent.server(),
                                    silent.server() + ": no NTP answer within 200ms (2 attempts)")),
                    r.failed());
            assertEquals(r.used().getFirst().delay().dividedBy(2), r.uncertainty());
        }
    }

    @Test
    void noAnswerAtAllGivesNoOffsetAndEveryReasonInTheOrderGiven() throws Exception {
        try (NtpResponder one = NtpResponder.start(Duration.ZERO);
                NtpResponder two = NtpResponder.start(Duration.ZERO)) {
            one.setSilent(true);
            two.setLeap(3);
            long start = System.nanoTime();
            Result r =
                    reference.measure(
                            List.of(one.server(), "ntp.postflight.invalid", two.server()),
                            TIMEOUT,
                            3);

            assertEquals(Optional.empty(), r.offset());
            assertEquals(Duration.ZERO, r.uncertainty());
            assertEquals(List.of(), r.used());
            assertEquals(
                    List.of(
                            one.server() + ": no NTP answer within 200ms (3 attempts)",
                            "DNS: ntp.postflight.invalid does not resolve",
                            two.server()
                                    + ": server is unsynchronised (stratum 2 / leap 3 — not synced"
                                    + " to any source)"),
                    r.failed().stream().map(Failed::message).toList());
            // Asked in parallel: far less than the silent server's 3 × 200 ms plus the others.
            assertTrue(
                    Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5))
                            < 0);
        }
    }

    @Test
    void twoDisagreeingServersAreBothKeptAndTheDisagreementIsTheUncertainty() throws Exception {
        // Pure arithmetic on given readings: no server can be made to disagree more truthfully.
        Result r = NtpReference.combine(List.of(reading("ntp1", 0, 4), reading("ntp2", 1_000, 2)));

        assertEquals(Optional.of(Duration.ofMillis(500)), r.offset());
        assertEquals(2, r.used().size());
        assertEquals(List.of(), r.dropped());
        assertEquals(Duration.ofMillis(2 + 500), r.uncertainty());
    }

    @Test
    void aPortThatIsNotANumberIsReportedForThatServer() throws Exception {
        Result r = reference.measure(List.of("127.0.0.1:ntp"), TIMEOUT, 1);

        assertEquals(
                List.of(
                        new Failed(
                                "127.0.0.1:ntp",
                                "127.0.0.1:ntp: port must be a number from 1 to 65535")),
                r.failed());
    }

    private static Reading reading(String server, long offsetMillis, long delayMillis)
            throws Exception {
        return new Reading(
                server,
                InetAddress.getByName("127.0.0.1"),
                Duration.ofMillis(offsetMillis),
                Duration.ofMillis(delayMillis),
                2,
                Instant.now());
    }
}
