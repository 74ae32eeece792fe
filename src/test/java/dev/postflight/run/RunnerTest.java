package dev.postflight.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.check.Check;
import dev.postflight.check.Status;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.Problems;
import dev.postflight.inventory.Host;
import dev.postflight.testing.LocalRun;
import dev.postflight.testing.Tarpit;
import dev.postflight.transport.ExecResult;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import dev.postflight.transport.LocalConnection;
import dev.postflight.transport.SshConnector;
import dev.postflight.transport.SshOptions;
import dev.postflight.transport.SshTarget;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's promises: a hung host is cut off at --timeout, Ctrl-C reports what finished. */
class RunnerTest {
    @TempDir Path dir;

    private List<Check> checks(String yaml) throws Exception {
        Path f = LocalRun.write(dir, "c" + System.nanoTime() + ".yaml", yaml);
        Problems p = new Problems();
        ChecklistBinder.Bound b =
                ChecklistBinder.bind(
                        ChecklistLoader.load(List.of(f)), Map.of(), "h", "127.0.0.1", p);
        p.throwIfAny();
        return b.checks();
    }

    private static Host host(String name) {
        return Host.at(name, "127.0.0.1");
    }

    @Test
    void aHungHostIsCutOffAtItsTimeoutWithoutDelayingTheOthers() throws Exception {
        List<Check> hang =
                checks("checks:\n  - { id: hang, command: { run: \"sleep 60\", timeout: 60s } }\n");
        List<Check> quick = checks("checks:\n  - { id: quick, command: { run: \"true\" } }\n");
        Runner runner =
                new Runner(
                        new Runner.Options(
                                4,
                                Duration.ofSeconds(2),
                                (h, d) -> new LocalConnection(),
                                RunListener.NONE,
                                "test"));
        long t0 = System.nanoTime();
        RunReport r =
                runner.run(
                        "t",
                        List.of(),
                        "",
                        List.of(
                                new Runner.Target(host("slow"), hang),
                                new Runner.Target(host("fast"), quick)));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertEquals(Status.ERROR, r.hosts().get(0).checks().get(0).status());
        String reason = r.hosts().get(0).checks().get(0).verdict().reason();
        assertTrue(
                reason.matches(
                        "exec did not finish within --timeout 2\\.00s \\(probe batch running for"
                                + " [12]\\.\\ds\\)"),
                reason);
        assertEquals(Status.PASS, r.hosts().get(1).checks().get(0).status());
        assertEquals(1, r.exitCode());
        assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "took " + took);
    }

    @Test
    void interruptReportsWhatFinishedAndExits130() throws Exception {
        List<Check> hang =
                checks("checks:\n  - { id: hang, command: { run: \"sleep 60\", timeout: 60s } }\n");
        List<Check> quick = checks("checks:\n  - { id: quick, command: { run: \"true\" } }\n");
        CountDownLatch quickDone = new CountDownLatch(1);
        CountDownLatch slowSent = new CountDownLatch(1);
        RunListener listener =
                new RunListener() {
                    @Override
                    public void batchSent(Host host, int probes) {
                        if (host.name().equals("slow")) slowSent.countDown();
                    }

                    @Override
                    public void hostFinished(HostResult result) {
                        if (result.host().equals("fast")) quickDone.countDown();
                    }
                };
        Runner runner =
                new Runner(
                        new Runner.Options(
                                1,
                                Duration.ofSeconds(60),
                                (h, d) -> new LocalConnection(),
                                listener,
                                "test"));
        // A platform thread: the interrupt must arrive even if the run keeps every carrier
        // thread of the virtual-thread scheduler busy.
        Thread.ofPlatform()
                .start(() -> {
                    try {
                        slowSent.await();
                        // "fast" is done unless its virtual thread asked for the one slot after
                        // "slow"'s did (their start order varies): then it waits behind "slow".
                        quickDone.await(5, TimeUnit.SECONDS);
                        Thread.sleep(200);
                        runner.interrupt();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        RunReport r =
                runner.run(
                        "t",
                        List.of(),
                        "",
                        List.of(
                                new Runner.Target(host("fast"), quick),
                                new Runner.Target(host("slow"), hang),
                                new Runner.Target(host("later"), quick)));
        assertEquals(130, r.exitCode());
        CheckResult fast = r.hosts().get(0).checks().get(0);
        assertTrue(
                fast.status() == Status.PASS
                        || fast.verdict().reason().equals("not run: interrupted before it started"),
                fast.verdict().reason());
        assertEquals("interrupted", r.hosts().get(1).checks().get(0).verdict().reason());
        // Hosts take free slots in order (a fair semaphore), but the virtual threads that ask
        // for them may start in any order: "later" either ran before "slow" or never started.
        String later = r.hosts().get(2).checks().get(0).verdict().reason();
        assertTrue(
                later.equals("not run: interrupted before it started")
                        || r.hosts().get(2).checks().get(0).status() == Status.PASS,
                later);
    }

    /** The reasons of six hosts run against {@code port}, wired as the CLI does it. */
    private List<String> unreachableReasons(int port, Duration timeout) throws Exception {
        // As the CLI wires it: the connect and banner limits are the --timeout itself.
        SshConnector ssh =
                new SshConnector(
                        new SshOptions(
                                dir.resolve("known_hosts"),
                                dir.resolve("no-config"),
                                false,
                                timeout,
                                false));
        Connector connector =
                (h, deadline) ->
                        ssh.connect(
                                SshTarget.named(h.name())
                                        .withAddress("127.0.0.1")
                                        .withPort(port)
                                        .withUser("ops"),
                                deadline);
        List<Check> one = checks("checks:\n  - { id: up, command: { run: \"true\" } }\n");
        List<Runner.Target> targets = new ArrayList<>();
        for (int i = 0; i < 6; i++) targets.add(new Runner.Target(host("h" + i), one));
        RunReport r =
                new Runner(new Runner.Options(6, timeout, connector, RunListener.NONE, "test"))
                        .run("t", List.of(), "", targets);
        return r.hosts().stream().map(h -> h.checks().get(0).verdict().reason()).toList();
    }

    @Test
    void aTarpitShorterThanTheConnectLimitsIsAlwaysNoBannerNeverAGenericTimeout() throws Exception {
        try (Tarpit tarpit = Tarpit.start()) {
            // The silence is measured from the TCP connect, after the host's start (by as much as
            // half a second when JSch's first session of the JVM works out its key exchanges).
            for (String reason : unreachableReasons(tarpit.port(), Duration.ofSeconds(1))) {
                assertTrue(
                        reason.matches(
                                "host unreachable: TCP connected but no SSH banner after"
                                        + " [01]\\.\\ds \\(tarpit or overloaded sshd\\) from"
                                        + " ops@127\\.0\\.0\\.1:"
                                        + tarpit.port()),
                        reason);
            }
        }
    }

    @Test
    void aPortThatNeverAnswersIsAlwaysTcpConnectTimedOutNeverAGenericTimeout() throws Exception {
        try (Tarpit full = Tarpit.withFullQueue()) {
            for (String reason : unreachableReasons(full.port(), Duration.ofSeconds(1))) {
                assertTrue(
                        reason.matches(
                                "host unreachable: TCP connect to 127\\.0\\.0\\.1:"
                                        + full.port()
                                        + " timed out after [01]\\.\\ds \\(host down or"
                                        + " port filtered\\)"),
                        reason);
            }
        }
    }

    @Test
    void eachUnreachableHostCarriesTheKindOfItsFailureAndItsOwnReason() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        SshConnector ssh =
                new SshConnector(
                        new SshOptions(
                                dir.resolve("known_hosts"),
                                dir.resolve("no-config"),
                                false,
                                Duration.ofSeconds(5),
                                false));
        Connector connector =
                (h, deadline) ->
                        switch (h.name()) {
                            case "refused" ->
                                    ssh.connect(
                                            SshTarget.named("refused")
                                                    .withAddress("127.0.0.1")
                                                    .withPort(closed)
                                                    .withUser("ops"),
                                            deadline);
                            case "stuck" -> {
                                // A connector that ignores its deadline: the runner cuts it off.
                                Thread.sleep(60_000);
                                throw new AssertionError("not cut off");
                            }
                            case "lost" -> new LostInTheBatch();
                            default -> new LocalConnection();
                        };
        List<Check> one = checks("checks:\n  - { id: up, command: { run: \"true\" } }\n");
        List<Runner.Target> targets = new ArrayList<>();
        for (String name : List.of("refused", "stuck", "lost", "up"))
            targets.add(new Runner.Target(host(name), one));
        RunReport r =
                new Runner(
                                new Runner.Options(
                                        4, Duration.ofSeconds(1), connector, RunListener.NONE, "t"))
                        .run("t", List.of(), "", targets);
        Map<String, HostResult> hosts = new HashMap<>();
        for (HostResult h : r.hosts()) hosts.put(h.host(), h);
        assertEquals(Optional.of(UnreachableKind.REFUSED), hosts.get("refused").unreachableKind());
        assertEquals(
                Optional.of("connection refused (127.0.0.1:" + closed + ")"),
                hosts.get("refused").unreachable());
        assertEquals(
                Optional.of(UnreachableKind.TIMEOUT_REACHED), hosts.get("stuck").unreachableKind());
        assertTrue(
                hosts.get("stuck")
                        .unreachable()
                        .orElseThrow()
                        .startsWith("SSH connect did not finish within --timeout 1.00s"),
                hosts.get("stuck").unreachable().orElseThrow());
        assertEquals(
                Optional.of(UnreachableKind.CONNECTION_LOST), hosts.get("lost").unreachableKind());
        assertEquals(
                Optional.of("connection to lost dropped during the batch"),
                hosts.get("lost").unreachable());
        assertEquals(Optional.empty(), hosts.get("up").unreachableKind());
    }

    /**
     * A fake: a connection that drops in the middle of the probe batch, which loopback cannot
     * produce on cue.
     */
    private static final class LostInTheBatch implements HostConnection {
        @Override
        public ExecResult exec(String command, byte[] stdin, Duration timeout)
                throws HostUnreachable {
            throw new HostUnreachable(
                    HostUnreachable.Cause.CONNECTION_LOST,
                    "connection to lost dropped during the batch");
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

    @Test
    void listenersSeeTheEventsOfAHostInOrder() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        RunListener listener =
                new RunListener() {
                    @Override
                    public void hostStarted(Host host) {
                        events.add("started " + host.name());
                    }

                    @Override
                    public void hostConnected(Host host, String via) {
                        events.add("connected " + host.name() + " " + via);
                    }

                    @Override
                    public void batchSent(Host host, int probes) {
                        events.add("batch " + host.name() + " " + probes + " probes");
                    }

                    @Override
                    public void hostFinished(HostResult result) {
                        events.add("finished " + result.host() + " " + result.worst().word());
                    }
                };
        List<Check> two =
                checks(
                        "checks:\n  - { id: a, command: { run: \"true\" } }\n  - { id: b, command: { run: \"true\" } }\n  - { id: c, command: { run: \"true\" } }\n");
        new Runner(
                        new Runner.Options(
                                1,
                                Duration.ofSeconds(30),
                                (h, d) -> new LocalConnection(),
                                listener,
                                "test"))
                .run("t", List.of(), "", List.of(new Runner.Target(host("web1"), two)));
        assertEquals(
                List.of(
                        "started web1",
                        "connected web1 local",
                        "batch web1 1 probes",
                        "finished web1 pass"),
                events);
    }
}
