package dev.postflight.run;

import dev.postflight.check.Check;
import dev.postflight.check.Severity;
import dev.postflight.check.Status;
import dev.postflight.check.Verdict;
import dev.postflight.inventory.Host;
import dev.postflight.transport.HttpProber;
import dev.postflight.transport.TcpProber;
import dev.postflight.transport.TlsProber;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
    static final Duration EXEC_MARGIN = Duration.ofSeconds(5);

    /** The most the clock's round trips may take on a host. */
    static final Duration CLOCK_SAMPLING = Duration.ofSeconds(5);

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
    private final List<HostSession> running = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean interrupted;

    public Runner(Options options) {
        this.options = options;
    }

    /** Stops new work and aborts running hosts; {@link #run} then reports what finished. */
    public void interrupt() {
        interrupted = true;
        synchronized (running) {
            for (HostSession r : running) r.abort("interrupted", UnreachableKind.INTERRUPTED);
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
                    results.add(internalError(targets.get(i), e));
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
            if (interrupted)
                return notRun(
                        t, "not run: interrupted before it started", UnreachableKind.INTERRUPTED);
            HostSession run =
                    new HostSession(
                            t,
                            Instant.now()
                                    .plus(options.connector().patience())
                                    .plus(options.hostTimeout()),
                            options,
                            http,
                            tcp,
                            tls);
            running.add(run);
            if (interrupted) run.abort("interrupted", UnreachableKind.INTERRUPTED);
            Future<HostResult> f = pool.submit(run::call);
            try {
                return awaitDeadline(f, run);
            } catch (TimeoutException e) {
                if (run.connecting()) {
                    try {
                        return f.get(CONNECT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (TimeoutException stillConnecting) {
                        // The connector did not honour the deadline: cut it off below.
                    } catch (ExecutionException failed) {
                        return internalError(t, failed);
                    }
                }
                run.abort(
                        run.deadlineReason(options.hostTimeout()), UnreachableKind.TIMEOUT_REACHED);
                try {
                    return f.get(EXEC_MARGIN.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException failed) {
                    return internalError(t, failed);
                } catch (TimeoutException stuck) {
                    f.cancel(true);
                    return notRun(
                            t,
                            run.deadlineReason(options.hostTimeout()),
                            UnreachableKind.TIMEOUT_REACHED);
                }
            } catch (ExecutionException e) {
                return internalError(t, e);
            } finally {
                running.remove(run);
            }
        } finally {
            slots.release();
        }
    }

    private HostResult internalError(Target t, ExecutionException e) {
        return notRun(t, "internal error: " + e.getCause(), UnreachableKind.INTERNAL_ERROR);
    }

    /**
     * Waits for {@code run} until its deadline, which moves when a host that was waited for comes
     * back: from then on it has its own {@code --timeout}.
     */
    private static HostResult awaitDeadline(Future<HostResult> f, HostSession run)
            throws InterruptedException, ExecutionException, TimeoutException {
        while (true) {
            Duration left = Duration.between(Instant.now(), run.deadline());
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

    private HostResult notRun(Target t, String why, UnreachableKind kind) {
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
                        0,
                        List.of(),
                        Optional.of(kind));
        options.listener().hostFinished(r);
        return r;
    }

    /** The id of the result that stands for "no check of the checklist applies to this host". */
    public static final String NO_CHECK_ID = "(no check)";

    /**
     * The error of a host whose every check was skipped by {@code when:}: a run must never say OK
     * for a host on which nothing was verified.
     */
    static CheckResult nothingApplies(int skipped) {
        return new CheckResult(
                NO_CHECK_ID,
                "checklist",
                Severity.CRITICAL,
                Verdict.error("no check applies to this host (" + skipped + " skipped by when:)"),
                Optional.empty());
    }

    static CheckResult result(Check c, Verdict v) {
        Verdict adjusted =
                c.severity() == Severity.WARNING && v.status() == Status.FAIL
                        ? v.withStatus(Status.WARN)
                        : v;
        return new CheckResult(c.id(), c.type(), c.severity(), adjusted, c.fix());
    }
}
