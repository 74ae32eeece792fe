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
import dev.postflight.check.Verdict;
import dev.postflight.input.Durations;
import dev.postflight.inventory.Host;
import dev.postflight.transport.ExecResult;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import dev.postflight.transport.HttpProber;
import dev.postflight.transport.TcpProber;
import dev.postflight.transport.TlsProber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One host's run: connect (or wait for the host to come back), send its one probe batch, read its
 * clock when a check needs it, run the runner-side probes alongside, and judge every check. {@link
 * #abort} may be called from another thread (Ctrl-C, the host's deadline).
 *
 * <p>About 400 lines: one host's whole life (connect or wait, exec, clock round trips, runner-side
 * probes, judging) shares the abort state another thread sets; the parts that do not need it are
 * SessionContext and BatchReading.
 */
final class HostSession {
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
            return String.format(Locale.ROOT, "%.1fs", (System.nanoTime() - sinceNanos) / 1e9);
        }
    }

    private final Runner.Options options;
    private final HttpProber http;
    private final TcpProber tcp;
    private final TlsProber tls;
    private final Runner.Target target;
    private volatile Instant deadline;
    private volatile Phase phase = Phase.of(Stage.STARTING);
    private final Object waitingLock = new Object();
    private Thread waiting;
    private volatile HostConnection connection;
    private final CompletableFuture<HostConnection> connected = new CompletableFuture<>();
    private volatile String abortReason;
    private volatile UnreachableKind abortKind;
    private final List<Future<?>> runnerSide = new ArrayList<>();

    HostSession(
            Runner.Target target,
            Instant deadline,
            Runner.Options options,
            HttpProber http,
            TcpProber tcp,
            TlsProber tls) {
        this.options = options;
        this.http = http;
        this.tcp = tcp;
        this.tls = tls;
        this.target = target;
        this.deadline = deadline;
    }

    /** Whether it is still connecting (a connector gets a grace past the deadline). */
    boolean connecting() {
        return phase.stage() == Stage.CONNECTING;
    }

    Instant deadline() {
        return deadline;
    }

    /** Ends the session from outside: {@code why} is every verdict's reason, of {@code kind}. */
    void abort(String why, UnreachableKind kind) {
        abortKind = kind;
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
        try (ExecutorService side = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<Check, Future<List<Object>>> runnerFutures = startRunnerSide(active, side);
            Gathered seen = new Gathered(""); // via: empty until the host is reached or tried
            // A host left with no check to run is still reached: "nothing applies" must never
            // hide that it is down.
            boolean wantsConnection =
                    active.isEmpty() || active.stream().anyMatch(c -> c.spec().needsConnection());
            if (wantsConnection || early.isPresent()) {
                gather(early, active, runnerFutures, seen);
            }
            List<CheckResult> results = new ArrayList<>();
            for (Check c : target.checks()) {
                Verdict v =
                        c.skip().isPresent()
                                ? Verdict.skip(c.skip().get())
                                : judge(c, seen, runnerFutures.get(c));
                results.add(Runner.result(c, v));
            }
            if (active.isEmpty()) results.add(Runner.nothingApplies(target.checks().size()));
            HostResult hr =
                    new HostResult(
                            host.name(),
                            seen.via,
                            seen.hostKey,
                            seen.unreachable,
                            results,
                            Duration.ofNanos(System.nanoTime() - t0),
                            seen.execs,
                            List.of(),
                            seen.unreachableKind);
            options.listener().hostFinished(hr);
            return hr;
        }
    }

    /** What the session gathered from the host for the checks to be judged on. */
    private static final class Gathered {
        ProbeBatch.Outputs outputs = new ProbeBatch.Outputs(Map.of(), false, Optional.empty());
        Optional<HostTime> hostTime = Optional.empty();
        String via;
        Optional<String> hostKey = Optional.empty();
        Optional<String> unreachable = Optional.empty();
        Optional<UnreachableKind> unreachableKind = Optional.empty();

        /** Why on-host outputs are missing, when the batch did not come back whole. */
        String missingWhy = "";

        int execs;

        Gathered(String via) {
            this.via = via;
        }
    }

    /** Starts the runner-side probes, in parallel with connecting and the batch. */
    private Map<Check, Future<List<Object>>> startRunnerSide(
            List<Check> active, ExecutorService side) {
        Map<Check, Future<List<Object>>> futures = new LinkedHashMap<>();
        for (Check c : active) {
            Optional<RunnerProbe<List<Object>>> probe = Observed.runnerPart(c.spec());
            if (probe.isEmpty()) continue;
            Future<List<Object>> f = side.submit(() -> probe.get().observe(context(target.host())));
            synchronized (runnerSide) {
                runnerSide.add(f);
            }
            futures.put(c, f);
        }
        return futures;
    }

    /** Connects (or takes the waited-for connection), sends the batch, keeps tunnels open. */
    private void gather(
            Optional<Connected> early,
            List<Check> active,
            Map<Check, Future<List<Object>>> runnerFutures,
            Gathered seen)
            throws InterruptedException {
        Host host = target.host();
        List<HostProbe> probes = new ArrayList<>();
        for (Check c : active) probes.addAll(c.spec().hostProbes());
        ProbeBatch batch = new ProbeBatch(probes);
        boolean wantsClock = active.stream().anyMatch(c -> c.spec().needsHostTime());
        try (HostConnection conn = early.isPresent() ? early.get().connection() : connect(host)) {
            connection = conn;
            if (abortReason != null)
                throw new HostUnreachable(HostUnreachable.Cause.CONNECTION_LOST, abortReason);
            seen.via = conn.describe();
            seen.hostKey = conn.hostKeyFingerprint();
            connected.complete(conn);
            options.listener().hostConnected(host, seen.via);
            if (!batch.isEmpty() || wantsClock) exchange(conn, batch, wantsClock, seen);
            phase = Phase.of(Stage.RUNNER_SIDE);
            awaitTunnelUsers(active, runnerFutures);
        } catch (HostUnreachable e) {
            connected.completeExceptionally(e);
            // Read once: an abort landing in between must not pair its reason with the
            // transport's kind. (abort writes the kind before the reason, so it is visible here.)
            String aborted = abortReason;
            String why = aborted != null ? aborted : e.getMessage();
            seen.unreachable = Optional.of(why);
            // The kind many hosts can share (a fleet report groups by it): the abort's, else the
            // failure as the transport classified it.
            seen.unreachableKind =
                    Optional.of(aborted != null ? abortKind : UnreachableKind.of(e.kind()));
            if (seen.via.isEmpty()) seen.via = e.tried();
            options.listener().hostUnreachable(host, why);
        } finally {
            connection = null;
        }
    }

    /** The one exec of the probe batch, then the clock's round trips when a check needs them. */
    private void exchange(HostConnection conn, ProbeBatch batch, boolean wantsClock, Gathered seen)
            throws HostUnreachable, InterruptedException {
        phase = Phase.of(Stage.EXEC);
        Duration execTimeout =
                min(
                        batch.longestTimeout().plus(Runner.EXEC_MARGIN),
                        Duration.between(Instant.now(), deadline));
        options.listener().batchSent(target.host(), batch.size());
        seen.execs++;
        ExecResult r =
                conn.exec(
                        batch.command(),
                        batch.script(execTimeout).getBytes(StandardCharsets.UTF_8),
                        execTimeout);
        if (r.cutOffAt().isPresent()) {
            // Cut off: none of it is judged, the other hosts go on.
            seen.missingWhy = "output over " + BatchReading.bytes(r.cutOffAt().getAsLong());
        } else {
            seen.outputs = batch.parse(r.stdout());
            seen.hostTime = seen.outputs.clock().map(clock -> BatchReading.hostTime(clock, r));
        }
        if (!seen.outputs.complete() && seen.missingWhy.isEmpty()) {
            seen.missingWhy = BatchReading.missing(seen.outputs, r, execTimeout);
            // Bytes no batch prints: nothing of this exec is believed.
            if (BatchReading.framingBroken(seen.outputs, r)) seen.hostTime = Optional.empty();
        }
        if (wantsClock && seen.hostTime.isPresent()) {
            seen.execs++;
            // Round trips on the open session bound the reading far better than the batch's
            // start; the batch's reading is the fallback.
            Optional<HostTime> sampled =
                    ClockSampler.sample(
                            conn,
                            min(Runner.CLOCK_SAMPLING, Duration.between(Instant.now(), deadline)));
            if (sampled.isPresent()) seen.hostTime = sampled;
        }
    }

    /**
     * With {@code --wait-for-host}: connects before anything else is probed (a web check of a host
     * still booting only says it is down), and starts this host's {@code --timeout} when it
     * answers.
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
            long queued = System.nanoTime();
            try (Connector.Turn turn = options.connector().turn(host)) {
                // Waiting behind other hosts' handshakes through the same jump host is not this
                // host's time: its deadline moves by that wait (the runner re-reads it).
                deadline = deadline.plusNanos(System.nanoTime() - queued);
                return options.connector().connect(host, deadline);
            }
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
                    "SSH connect did not finish " + limit + " (connecting for " + p.elapsed() + ")";
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

    private Verdict judge(Check c, Gathered seen, Future<List<Object>> runnerFuture)
            throws InterruptedException {
        ProbeBatch.Outputs outputs = seen.outputs;
        Optional<String> unreachable = seen.unreachable;
        String missingWhy = seen.missingWhy;
        Optional<HostTime> hostTime = seen.hostTime;
        Optional<String> hostKey = seen.hostKey;
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
            } catch (TimeoutException | CancellationException e) {
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
            } catch (ExecutionException | TimeoutException | CancellationException e) {
                // The check's own judgement reports what went wrong.
            }
        }
    }

    private RunnerContext context(Host host) {
        return new SessionContext(host, () -> deadline, connected, http, tcp, tls);
    }

    /** The outcome of waiting for a host: its connection, or why it did not come back. */
    private record Connected(Optional<HostConnection> open, Optional<HostUnreachable> failed) {
        HostConnection connection() throws HostUnreachable {
            if (failed.isPresent()) throw failed.get();
            return open.orElseThrow();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
