package dev.postflight.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.inventory.Host;
import dev.postflight.transport.ExecResult;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import dev.postflight.transport.HostUnreachable.Cause;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The waiting rule on a virtual clock. The host here is a scripted {@link Connector}: fifteen
 * minutes of backoff cannot be produced for real in a fast test; the real SSH server version is
 * {@code cli.WaitForHostTest}.
 */
class WaitingConnectorTest {
    static final Host HOST = Host.at("web1", "127.0.0.1");

    /** A clock that only moves when the connector sleeps or an attempt takes time. */
    static final class VirtualTime implements InstantSource, WaitingConnector.Sleeper {
        Instant now = Instant.parse("2026-11-23T05:00:00Z");
        final List<Duration> pauses = new ArrayList<>();

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public void sleep(Duration d) {
            pauses.add(d);
            now = now.plus(d);
        }
    }

    /** Fails with the given causes in order, each attempt taking {@code cost}, then connects. */
    static Connector host(VirtualTime t, Duration cost, Deque<Cause> failures) {
        return (h, deadline) -> {
            t.now = t.now.plus(cost);
            Cause c = failures.poll();
            if (c != null) throw new HostUnreachable(c, c.label() + " (127.0.0.1:22)");
            return new Up();
        };
    }

    static final class Up implements HostConnection {
        @Override
        public ExecResult exec(String command, byte[] stdin, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String describe() {
            return "ssh ops@127.0.0.1:22";
        }

        @Override
        public Optional<String> hostKeyFingerprint() {
            return Optional.empty();
        }

        @Override
        public void close() {}
    }

    static WaitingConnector waiting(VirtualTime t, Connector inner, Duration wait) {
        RandomGenerator middle =
                new RandomGenerator() {
                    @Override
                    public long nextLong() {
                        return 0;
                    }

                    @Override
                    public double nextDouble() {
                        return 0.5;
                    }
                };
        return new WaitingConnector(inner, wait, Duration.ofSeconds(60), t, t, middle);
    }

    static Deque<Cause> times(int n, Cause c) {
        Deque<Cause> d = new ArrayDeque<>();
        for (int i = 0; i < n; i++) d.add(c);
        return d;
    }

    @Test
    void backsOffFromOneSecondDoublingToThirtyAndSaysHowLongTheHostTookToComeBack()
            throws Exception {
        VirtualTime t = new VirtualTime();
        HostConnection c =
                waiting(t, host(t, Duration.ZERO, times(7, Cause.REFUSED)), Duration.ofMinutes(15))
                        .connect(HOST, t.now.plus(Duration.ofMinutes(16)));
        assertEquals(
                List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L),
                t.pauses.stream().map(Duration::toSeconds).toList());
        assertEquals("ssh ops@127.0.0.1:22, came back after 1m31s", c.describe());
    }

    @Test
    void aHostThatAnswersAtOnceIsNotMarkedAsComingBack() throws Exception {
        VirtualTime t = new VirtualTime();
        HostConnection c =
                waiting(t, host(t, Duration.ZERO, new ArrayDeque<>()), Duration.ofMinutes(15))
                        .connect(HOST, t.now.plus(Duration.ofMinutes(16)));
        assertEquals("ssh ops@127.0.0.1:22", c.describe());
        assertEquals(List.of(), t.pauses);
    }

    @Test
    void givesUpAtTheEndOfTheWaitNamingTheLastCause() {
        VirtualTime t = new VirtualTime();
        Deque<Cause> causes = times(200, Cause.TIMED_OUT);
        causes.addFirst(Cause.REFUSED);
        Instant start = t.now;
        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () ->
                                waiting(
                                                t,
                                                host(t, Duration.ofSeconds(5), causes),
                                                Duration.ofMinutes(15))
                                        .connect(HOST, t.now.plus(Duration.ofMinutes(16))));
        assertEquals(Cause.TIMED_OUT, e.kind());
        assertEquals(
                "unreachable for 15m (last: TCP connect timed out (127.0.0.1:22))", e.getMessage());
        Duration waited = Duration.between(start, t.now);
        assertTrue(
                waited.compareTo(Duration.ofMinutes(15)) >= 0
                        && waited.compareTo(Duration.ofMinutes(15).plusSeconds(5)) <= 0,
                "waited " + waited);
    }

    @Test
    void givingUpKeepsTheDestinationTriedForTheReportsHeader() {
        VirtualTime t = new VirtualTime();
        Connector refusing =
                (h, deadline) -> {
                    t.now = t.now.plusSeconds(5);
                    throw new HostUnreachable(Cause.REFUSED, "connection refused (127.0.0.1:22)")
                            .tried("ssh ops@127.0.0.1:22 via bastion");
                };
        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () ->
                                waiting(t, refusing, Duration.ofMinutes(1))
                                        .connect(HOST, t.now.plus(Duration.ofMinutes(2))));
        assertEquals("ssh ops@127.0.0.1:22 via bastion", e.tried());
    }

    @Test
    void neverSleepsPastTheCallersDeadline() {
        VirtualTime t = new VirtualTime();
        Instant deadline = t.now.plus(Duration.ofSeconds(10));
        assertThrows(
                HostUnreachable.class,
                () ->
                        waiting(
                                        t,
                                        host(t, Duration.ZERO, times(100, Cause.BANNER_STALLED)),
                                        Duration.ofMinutes(15))
                                .connect(HOST, deadline));
        assertEquals(deadline, t.now);
        assertEquals(List.of(1L, 2L, 4L, 3L), t.pauses.stream().map(Duration::toSeconds).toList());
    }

    @Test
    void aChangedHostKeyIsFinalAtOnce() {
        VirtualTime t = new VirtualTime();
        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () ->
                                waiting(
                                                t,
                                                host(
                                                        t,
                                                        Duration.ZERO,
                                                        times(1, Cause.HOST_KEY_CHANGED)),
                                                Duration.ofMinutes(15))
                                        .connect(HOST, t.now.plus(Duration.ofMinutes(16))));
        assertEquals("host key changed (127.0.0.1:22)", e.getMessage());
        assertEquals(List.of(), t.pauses);
    }

    @Test
    void authFailuresAreRetriedAndTheMessageSaysWhy() {
        VirtualTime t = new VirtualTime();
        HostUnreachable e =
                assertThrows(
                        HostUnreachable.class,
                        () ->
                                waiting(
                                                t,
                                                host(
                                                        t,
                                                        Duration.ZERO,
                                                        times(100, Cause.AUTH_FAILED)),
                                                Duration.ofSeconds(30))
                                        .connect(HOST, t.now.plus(Duration.ofMinutes(16))));
        assertEquals(
                "unreachable for 30s (last: authentication failed (127.0.0.1:22); authentication"
                        + " failures were retried: sshd may accept logins before accounts and"
                        + " keys are ready after boot)",
                e.getMessage());
    }

    @Test
    void jitterStaysWithinTwentyPercent() {
        VirtualTime t = new VirtualTime();
        WaitingConnector low =
                new WaitingConnector(
                        (h, d) -> new Up(),
                        Duration.ofMinutes(1),
                        Duration.ofSeconds(60),
                        t,
                        t,
                        new RandomGenerator() {
                            @Override
                            public long nextLong() {
                                return 0;
                            }

                            @Override
                            public double nextDouble() {
                                return 0;
                            }
                        });
        assertEquals(Duration.ofMillis(8000), low.jittered(Duration.ofSeconds(10)));
    }
}
