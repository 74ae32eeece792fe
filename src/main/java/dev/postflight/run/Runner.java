package dev.postflight.run;

import dev.postflight.check.Check;
import dev.postflight.check.HostProbe;
import dev.postflight.check.HostTime;
import dev.postflight.check.Now;
import dev.postflight.check.Observation;
import dev.postflight.check.Observed;
import dev.postflight.check.ProbeOutput;
import dev.postflight.check.RunnerContext;
import dev.postflight.check.RunnerProbe;
import dev.postflight.check.Severity;
import dev.postflight.check.Status;
import dev.postflight.check.Verdict;
import dev.postflight.checklist.Durations;
import dev.postflight.inventory.Host;
import dev.postflight.transport.ExecResult;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import dev.postflight.transport.HttpProber;
import dev.postflight.transport.TcpProber;
import dev.postflight.transport.TlsProber;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a checklist over hosts: each host on its own virtual thread (bounded by {@code
 * --concurrency}), its runner-side probes in parallel with its one batched exec, each host bounded
 * by {@code --timeout} so that one hung host never delays the others.
 */
public final class Runner {
    /** Room the exec gets beyond the longest probe timeout, for connection and framing. */
    private static final Duration EXEC_MARGIN = Duration.ofSeconds(5);

    /** The most the clock's round trips may take on a host. */
    private static final Duration CLOCK_SAMPLING = Duration.ofSeconds(5);

    /**
     * How long a host still connecting at its deadline is given to report it: the connector holds
     * the same deadline and knows the precise phase (no banner, TCP connect), so its verdict wins
     * the race with this guard's generic one.
     */
    private static final Duration CONNECT_GRACE = Duration.ofSeconds(2);

    /** How often the guard of a host that may still be coming back looks at its deadline. */
    private static final Duration DEADLINE_RECHECK = Duration.ofSeconds(1);

    /** One host and the checks bound to it. */
    public record Target(Host host, List<Check> checks) {}

    /** How to run. */
    public record Options(
            int concurrency,
            Duration hostTimeout,
            Connector connector,
            RunListener listener,
            String version) {}

    private final Options options;
    private final HttpProber http = new HttpProber();
    private final TcpProber tcp = new TcpProber();
    private final TlsProber tls = new TlsProber();
    private final List<HostRun> running = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean interrupted;

    public Runner(Options options) {
        this.options = options;
    }

    /** Stops new work and aborts running hosts; {@link #run} then reports what finished. */
    public void interrupt() {
        interrupted = true;
        synchronized (running) {
            for (HostRun r : running) r.abort("interrupted");
        }
    }

    public RunReport run(String checklist, List<Path> files, String sha256, List<Target> targets)
            throws InterruptedException {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        String runId = UUID.randomUUID().toString();
        Semaphore slots = new Semaphore(Math.max(1, options.concurrency()), true);
        List<Future<HostResult>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Target t : targets) {
                futures.add(pool.submit(() -> runBounded(t, slots, pool)));
            }
            List<HostResult> results = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    results.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    results.add(notRun(targets.get(i), "internal error: " + e.getCause()));
                }
            }
            return new RunReport(
                    runId,
                    options.version(),
                    started,
                    Duration.ofNanos(System.nanoTime() - t0),
                    checklist,
                    files,
                    sha256,
                    results,
                    interrupted);
        }
    }

    private HostResult runBounded(Target t, Semaphore slots, ExecutorService pool)
            throws InterruptedException {
        slots.acquire();
        try {
            if (interrupted) return notRun(t, "not run: interrupted before it started");
            HostRun run =
                    new HostRun(
                            t,
                            Instant.now()
                                    .plus(options.connector().patience())
                                    .plus(options.hostTimeout()));
            running.add(run);
            if (interrupted) run.abort("interrupted");
            Future<HostResult> f = pool.submit(run::call);
            try {
                return awaitDeadline(f, run);
            } catch (TimeoutException e) {
                if (run.phase.stage() == Stage.CONNECTING) {
                    try {
                        return f.get(CONNECT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (TimeoutException stillConnecting) {
                        // The connector did not honour the deadline: cut it off below.
                    } catch (ExecutionException failed) {
                        return notRun(t, "internal error: " + failed.getCause());
                    }
                }
                run.abort(run.deadlineReason(options.hostTimeout()));
                try {
                    return f.get(EXEC_MARGIN.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException failed) {
                    return notRun(t, "internal error: " + failed.getCause());
                } catch (TimeoutException stuck) {
                    f.cancel(true);
                    return notRun(t, run.deadlineReason(options.hostTimeout()));
                }
            } catch (ExecutionException e) {
                return notRun(t, "internal error: " + e.getCause());
            } finally {
                running.remove(run);
            }
        } finally {
            slots.release();
        }
    }

    /**
     * Waits for {@code run} until its deadline, which moves when a host that was waited for comes
     * back: from then on it has its own {@code --timeout}.
     */
    private static HostResult awaitDeadline(Future<HostResult> f, HostRun run)
            throws InterruptedException, ExecutionException, TimeoutException {
        while (true) {
            Duration left = Duration.between(Instant.now(), run.deadline);
            if (left.isNegative() || left.isZero()) {
                return f.get(0, TimeUnit.MILLISECONDS);
            }
            try {
                return f.get(
                        Math.min(left.toMillis(), DEADLINE_RECHECK.toMillis()),
                        TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // the deadline may have moved: look again
            }
        }
    }

    private HostResult notRun(Target t, String why) {
        List<CheckResult> checks = new ArrayList<>();
        for (Check c : t.checks()) checks.add(result(c, Verdict.error(why)));
        HostResult r =
                new HostResult(
                        t.host().name(),
                        "",
                        Optional.empty(),
                        Optional.of(why),
                        checks,
                        Duration.ZERO,
                        0);
        options.listener().hostFinished(r);
        return r;
    }

    /** The id of the result that stands for "no check of the checklist applies to this host". */
    public static final String NO_CHECK_ID = "(no check)";

    /**
     * The error of a host whose every check was skipped by {@code when:}: a run must never say OK
     * for a host on which nothing was verified.
     */
    private static CheckResult nothingApplies(int skipped) {
        return new CheckResult(
                NO_CHECK_ID,
                "checklist",
                Severity.CRITICAL,
                Verdict.error("no check applies to this host (" + skipped + " skipped by when:)"),
                Optional.empty());
    }

    private static CheckResult result(Check c, Verdict v) {
        Verdict adjusted =
                c.severity() == Severity.WARNING && v.status() == Status.FAIL
                        ? new Verdict(Status.WARN, v.reason(), v.details())
                        : v;
        return new CheckResult(c.id(), c.type(), c.severity(), adjusted, c.fix());
    }

    /** The stages of one host's run that a deadline verdict can name. */
    private enum Stage {
        STARTING,
        CONNECTING,
        CONNECTED,
        EXEC,
        RUNNER_SIDE
    }

    /** What a host is doing, since when: the deadline verdict names it. */
    private record Phase(Stage stage, long sinceNanos) {
        static Phase of(Stage stage) {
            return new Phase(stage, System.nanoTime());
        }

        String elapsed() {
            return String.format(
                    java.util.Locale.ROOT, "%.1fs", (System.nanoTime() - sinceNanos) / 1e9);
        }
    }

    /** One host's run; {@link #abort} may be called from another thread. */
    private final class HostRun {
        private final Target target;
        private volatile Instant deadline;
        private volatile Phase phase = Phase.of(Stage.STARTING);
        private final Object waitingLock = new Object();
        private Thread waiting;
        private volatile HostConnection connection;
        private final java.util.concurrent.CompletableFuture<HostConnection> connected =
                new java.util.concurrent.CompletableFuture<>();
        private volatile String abortReason;
        private final List<Future<?>> runnerSide = new ArrayList<>();

        HostRun(Target target, Instant deadline) {
            this.target = target;
            this.deadline = deadline;
        }

        void abort(String why) {
            abortReason = why;
            HostConnection c = connection;
            if (c != null) c.close();
            // A connect in progress (a tarpit, a filtered port) is interrupted, which closes its
            // socket, rather than left to run into the connector's own timeouts.
            synchronized (waitingLock) {
                if (waiting != null) waiting.interrupt();
            }
            synchronized (runnerSide) {
                runnerSide.forEach(f -> f.cancel(true));
            }
        }

        HostResult call() throws InterruptedException {
            long t0 = System.nanoTime();
            Host host = target.host();
            options.listener().hostStarted(host);
            List<Check> active = target.checks().stream().filter(c -> c.skip().isEmpty()).toList();

            Optional<Connected> early =
                    options.connector().patience().isPositive()
                            ? Optional.of(waitForHost(host))
                            : Optional.empty();
            Map<Check, Future<List<Object>>> runnerFutures = new LinkedHashMap<>();
            try (ExecutorService side = Executors.newVirtualThreadPerTaskExecutor()) {
                for (Check c : active) {
                    Optional<RunnerProbe<List<Object>>> probe = Observed.runnerPart(c.spec());
                    if (probe.isEmpty()) continue;
                    Future<List<Object>> f = side.submit(() -> probe.get().observe(context(host)));
                    synchronized (runnerSide) {
                        runnerSide.add(f);
                    }
                    runnerFutures.put(c, f);
                }

                List<HostProbe> probes = new ArrayList<>();
                for (Check c : active) probes.addAll(c.spec().hostProbes());
                ProbeBatch batch = new ProbeBatch(probes);
                ProbeBatch.Outputs outputs =
                        new ProbeBatch.Outputs(Map.of(), false, Optional.empty());
                Optional<HostTime> hostTime = Optional.empty();
                boolean wantsClock = active.stream().anyMatch(c -> c.spec().needsHostTime());
                // A host left with no check to run is still reached: "nothing applies" must never
                // hide that it is down.
                boolean wantsConnection =
                        active.isEmpty()
                                || active.stream().anyMatch(c -> c.spec().needsConnection());
                String via = host.name();
                Optional<String> hostKey = Optional.empty();
                Optional<String> unreachable = Optional.empty();
                String missingWhy = "";
                int execs = 0;
                if (wantsConnection || early.isPresent()) {
                    try (HostConnection conn =
                            early.isPresent() ? early.get().connection() : connect(host)) {
                        connection = conn;
                        if (abortReason != null)
                            throw new HostUnreachable(
                                    HostUnreachable.Cause.CONNECTION_LOST, abortReason);
                        via = conn.describe();
                        hostKey = conn.hostKeyFingerprint();
                        connected.complete(conn);
                        options.listener().hostConnected(host, via);
                        if (!batch.isEmpty() || wantsClock) {
                            phase = Phase.of(Stage.EXEC);
                            Duration execTimeout =
                                    min(
                                            batch.longestTimeout().plus(EXEC_MARGIN),
                                            Duration.between(Instant.now(), deadline));
                            options.listener().batchSent(host, batch.size());
                            execs++;
                            ExecResult r =
                                    conn.exec(
                                            batch.command(),
                                            batch.script(execTimeout)
                                                    .getBytes(StandardCharsets.UTF_8),
                                            execTimeout);
                            if (r.cutOffAt().isPresent()) {
                                // Cut off: none of it is judged, the other hosts go on.
                                missingWhy = "output over " + bytes(r.cutOffAt().getAsLong());
                            } else {
                                outputs = batch.parse(r.stdout());
                                hostTime = outputs.clock().map(clock -> hostTime(clock, r));
                            }
                            if (!outputs.complete() && missingWhy.isEmpty()) {
                                missingWhy = missing(outputs, r, execTimeout);
                                // Bytes no batch prints: nothing of this exec is believed.
                                if (framingBroken(outputs, r)) hostTime = Optional.empty();
                            }
                            if (wantsClock && hostTime.isPresent()) {
                                execs++;
                                // Round trips on the open session bound the reading far better
                                // than the batch's start; the batch's reading is the fallback.
                                Optional<HostTime> sampled =
                                        ClockSampler.sample(
                                                conn,
                                                min(
                                                        CLOCK_SAMPLING,
                                                        Duration.between(Instant.now(), deadline)));
                                if (sampled.isPresent()) hostTime = sampled;
                            }
                        }
                        phase = Phase.of(Stage.RUNNER_SIDE);
                        awaitTunnelUsers(active, runnerFutures);
                    } catch (HostUnreachable e) {
                        connected.completeExceptionally(e);
                        String why = abortReason != null ? abortReason : e.getMessage();
                        unreachable = Optional.of(why);
                        options.listener().hostUnreachable(host, why);
                    } finally {
                        connection = null;
                    }
                }

                List<CheckResult> results = new ArrayList<>();
                for (Check c : target.checks()) {
                    if (c.skip().isPresent()) {
                        results.add(result(c, Verdict.skip(c.skip().get())));
                        continue;
                    }
                    results.add(
                            result(
                                    c,
                                    judge(
                                            c,
                                            outputs,
                                            unreachable,
                                            missingWhy,
                                            runnerFutures.get(c),
                                            hostTime,
                                            hostKey)));
                }
                if (active.isEmpty()) results.add(nothingApplies(target.checks().size()));
                HostResult hr =
                        new HostResult(
                                host.name(),
                                via,
                                hostKey,
                                unreachable,
                                results,
                                Duration.ofNanos(System.nanoTime() - t0),
                                execs);
                options.listener().hostFinished(hr);
                return hr;
            }
        }

        /**
         * With {@code --wait-for-host}: connects before anything else is probed (a web check of a
         * host still booting only says it is down), and starts this host's {@code --timeout} when
         * it answers.
         */
        private Connected waitForHost(Host host) throws InterruptedException {
            try {
                HostConnection c = connect(host);
                deadline = Instant.now().plus(options.hostTimeout());
                return new Connected(Optional.of(c), Optional.empty());
            } catch (HostUnreachable e) {
                return new Connected(Optional.empty(), Optional.of(e));
            }
        }

        /** Connects, unless {@link #abort} interrupts it first (then: unreachable, with why). */
        private HostConnection connect(Host host) throws HostUnreachable, InterruptedException {
            phase = Phase.of(Stage.CONNECTING);
            synchronized (waitingLock) {
                waiting = Thread.currentThread();
            }
            try {
                if (abortReason != null)
                    throw new HostUnreachable(HostUnreachable.Cause.CONNECTION_LOST, abortReason);
                return options.connector().connect(host, deadline);
            } catch (InterruptedException e) {
                if (abortReason == null) throw e;
                throw new HostUnreachable(HostUnreachable.Cause.CONNECTION_LOST, abortReason);
            } finally {
                synchronized (waitingLock) {
                    waiting = null;
                    if (abortReason != null) Thread.interrupted();
                }
                phase = Phase.of(Stage.CONNECTED);
            }
        }

        /** The verdict of a host cut off at its deadline: what it was doing, and for how long. */
        String deadlineReason(Duration timeout) {
            Phase p = phase;
            String limit = "within --timeout " + Durations.format(timeout);
            return switch (p.stage()) {
                case CONNECTING ->
                        "SSH connect did not finish "
                                + limit
                                + " (connecting for "
                                + p.elapsed()
                                + ")";
                case EXEC ->
                        "exec did not finish "
                                + limit
                                + " (probe batch running for "
                                + p.elapsed()
                                + ")";
                case RUNNER_SIDE ->
                        "runner-side probes did not finish "
                                + limit
                                + " (running for "
                                + p.elapsed()
                                + " after the exec)";
                case STARTING, CONNECTED -> "did not finish " + limit;
            };
        }

        private Verdict judge(
                Check c,
                ProbeBatch.Outputs outputs,
                Optional<String> unreachable,
                String missingWhy,
                Future<List<Object>> runnerFuture,
                Optional<HostTime> hostTime,
                Optional<String> hostKey)
                throws InterruptedException {
            if (c.spec().needsHostTime() && hostTime.isEmpty()) {
                if (unreachable.isPresent())
                    return Verdict.error("host unreachable: " + unreachable.get());
                if (abortReason != null) return Verdict.error(abortReason);
                return Verdict.error(
                        "the host's clock could not be read"
                                + (missingWhy.isEmpty() ? "" : ": " + missingWhy));
            }
            if (c.spec().needsConnection() && unreachable.isPresent()) {
                // A runner-side probe that tunnels through the host's SSH connection could not
                // run either: an error, never a failure of the thing it would have checked.
                if (runnerFuture != null) runnerFuture.cancel(true);
                return Verdict.error("host unreachable: " + unreachable.get());
            }
            List<ProbeOutput> host = new ArrayList<>();
            for (HostProbe p : c.spec().hostProbes()) {
                Optional<ProbeOutput> o = outputs.of(p);
                if (o.isEmpty()) {
                    if (unreachable.isPresent())
                        return Verdict.error("host unreachable: " + unreachable.get());
                    if (abortReason != null) return Verdict.error(abortReason);
                    return Verdict.error(
                            missingWhy.isEmpty() ? "probe produced no output" : missingWhy);
                }
                host.add(o.get());
            }
            List<Object> runner = List.of();
            if (runnerFuture != null) {
                try {
                    Duration left = Duration.between(Instant.now(), deadline);
                    runner = runnerFuture.get(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | java.util.concurrent.CancellationException e) {
                    runnerFuture.cancel(true);
                    return Verdict.error(
                            abortReason != null
                                    ? abortReason
                                    : "runner-side probe did not finish in time");
                } catch (ExecutionException e) {
                    return Verdict.error("runner-side probe failed: " + e.getCause());
                }
            }
            return Observed.judge(
                    c.spec(),
                    new Observation(host, runner, hostTime, hostKey),
                    new Now(Instant.now(), hostTime));
        }

        /** Keeps the connection open until the runner-side probes that tunnel through it end. */
        private void awaitTunnelUsers(
                List<Check> active, Map<Check, Future<List<Object>>> runnerFutures)
                throws InterruptedException {
            for (Check c : active) {
                Future<List<Object>> f = runnerFutures.get(c);
                if (f == null || !c.spec().needsConnection() || !c.spec().hostProbes().isEmpty())
                    continue;
                try {
                    Duration left = Duration.between(Instant.now(), deadline);
                    f.get(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS);
                } catch (ExecutionException
                        | TimeoutException
                        | java.util.concurrent.CancellationException e) {
                    // The check's own judgement reports what went wrong.
                }
            }
        }

        private RunnerContext context(Host host) {
            return new RunnerContext() {
                @Override
                public String hostName() {
                    return host.name();
                }

                @Override
                public String hostAddress() {
                    return host.reachAddress();
                }

                @Override
                public Duration timeout() {
                    return Duration.between(Instant.now(), deadline);
                }

                @Override
                public HttpProber http() {
                    return http;
                }

                @Override
                public TcpProber tcp() {
                    return tcp;
                }

                @Override
                public TlsProber tls() {
                    return tls;
                }

                @Override
                public java.net.Socket tunnel(String to, int port)
                        throws java.io.IOException, InterruptedException {
                    HostConnection c;
                    try {
                        Duration left = Duration.between(Instant.now(), deadline);
                        c = connected.get(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS);
                    } catch (ExecutionException e) {
                        throw new java.io.IOException(
                                "via ssh: " + e.getCause().getMessage(), e.getCause());
                    } catch (TimeoutException e) {
                        throw new java.io.IOException(
                                "via ssh: the host's connection was not ready in time");
                    }
                    try {
                        return c.openTunnel(to, port, Duration.between(Instant.now(), deadline));
                    } catch (HostUnreachable e) {
                        java.net.ConnectException refused =
                                new java.net.ConnectException(e.getMessage());
                        refused.initCause(e);
                        throw refused;
                    }
                }
            };
        }
    }

    /**
     * Where the host read its clock, on the runner's clock: after the command was sent, and before
     * its first output arrived when the clock line was that first output (else before the whole
     * exec ended: a login banner came first, so only the looser bound is honest).
     */
    private static HostTime hostTime(HostClock clock, ExecResult r) {
        Instant latest = clock.first() ? r.firstOutput().orElse(r.received()) : r.received();
        return new HostTime(
                clock.time(), clock.resolution(), clock.resolutionName(), r.sent(), latest);
    }

    /** The outcome of waiting for a host: its connection, or why it did not come back. */
    private record Connected(Optional<HostConnection> open, Optional<HostUnreachable> failed) {
        HostConnection connection() throws HostUnreachable {
            if (failed.isPresent()) throw failed.get();
            return open.orElseThrow();
        }
    }

    /** Why the on-host checks of a batch that did not come back whole have no output. */
    private static String missing(ProbeBatch.Outputs outputs, ExecResult r, Duration execTimeout) {
        if (r.timedOut())
            return "probe batch did not finish within " + Durations.format(execTimeout);
        if (!framingBroken(outputs, r)) {
            String err = new String(r.stderr(), StandardCharsets.UTF_8).strip();
            return "probe batch ended early"
                    + r.exitStatus().stream()
                            .mapToObj(s -> " (exit " + s + ")")
                            .findFirst()
                            .orElse("")
                    + (err.isEmpty() ? "" : ": " + lastLine(err));
        }
        return "probe output framing broken: " + outputs.problem().orElse("incomplete");
    }

    /**
     * True when the batch's output is not what a batch prints: bytes out of frame, or a stream cut
     * short although the batch ended well. A batch that timed out or failed merely ended early.
     */
    private static boolean framingBroken(ProbeBatch.Outputs outputs, ExecResult r) {
        if (outputs.complete() || r.timedOut()) return false;
        boolean failed = r.exitStatus().isEmpty() || r.exitStatus().getAsInt() != 0;
        return !(outputs.truncated() && failed);
    }

    /** A byte count as the cap is written: {@code 16 MiB}, {@code 512 KiB}, {@code 1000 bytes}. */
    static String bytes(long n) {
        if (n >= 1L << 20 && n % (1L << 20) == 0) return (n >> 20) + " MiB";
        if (n >= 1L << 10 && n % (1L << 10) == 0) return (n >> 10) + " KiB";
        return n + (n == 1 ? " byte" : " bytes");
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String lastLine(String s) {
        int nl = s.lastIndexOf('\n');
        return nl < 0 ? s : s.substring(nl + 1);
    }
}
