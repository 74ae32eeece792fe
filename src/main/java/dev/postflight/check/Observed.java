package dev.postflight.check;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Walks a check's {@link Probe}: lists the snippets and runner probes to run, and assembles what
 * they returned into the check's typed observation. This is where "could not run" is decided — a
 * snippet that timed out or whose tool is missing, output a parser cannot read, a clock that could
 * not be read — so that no check repeats it.
 */
public final class Observed {
    private Observed() {}

    static List<HostProbe> hostSnippets(Probe<?> p) {
        List<HostProbe> out = new ArrayList<>();
        walk(p, out, new ArrayList<>());
        return List.copyOf(out);
    }

    static List<RunnerProbe<?>> runnerProbes(Probe<?> p) {
        List<RunnerProbe<?>> out = new ArrayList<>();
        walk(p, new ArrayList<>(), out);
        return List.copyOf(out);
    }

    static boolean needsClock(Probe<?> p) {
        return switch (p) {
            case Probe.HostClock c -> true;
            case Probe.Both<?, ?, ?> b -> needsClock(b.first()) || needsClock(b.second());
            case Probe.Mapped<?, ?> m -> needsClock(m.probe());
            case Probe.Attempt<?> a -> needsClock(a.probe());
            case Probe.OnHost<?> h -> false;
            case Probe.OnRunner<?> r -> false;
            case Probe.HostKey k -> false;
            case Probe.Known<?> k -> false;
        };
    }

    private static void walk(Probe<?> p, List<HostProbe> host, List<RunnerProbe<?>> runner) {
        switch (p) {
            case Probe.OnHost<?> h -> host.add(h.snippet());
            case Probe.OnRunner<?> r -> runner.add(r.observe());
            case Probe.Both<?, ?, ?> b -> {
                walk(b.first(), host, runner);
                walk(b.second(), host, runner);
            }
            case Probe.Mapped<?, ?> m -> walk(m.probe(), host, runner);
            case Probe.Attempt<?> a -> walk(a.probe(), host, runner);
            case Probe.HostClock c -> {}
            case Probe.HostKey k -> {}
            case Probe.Known<?> k -> {}
        }
    }

    /** The runner-side part of a check as one probe returning each runner probe's result. */
    public static Optional<RunnerProbe<List<Object>>> runnerPart(CheckSpec<?> spec) {
        List<RunnerProbe<?>> probes = runnerProbes(spec.probe());
        if (probes.isEmpty()) return Optional.empty();
        return Optional.of(context -> {
            List<Object> results = new ArrayList<>();
            for (RunnerProbe<?> r : probes) results.add(r.observe(context));
            return results;
        });
    }

    /**
     * Judges what was observed for {@code spec}: the error of the first part that could not run,
     * else the check's own judgement of the assembled value.
     */
    public static <T> Verdict judge(CheckSpec<T> spec, Observation observation, Now now) {
        T seen;
        try {
            seen = assemble(spec.probe(), new Cursor(observation));
        } catch (NotRun e) {
            return e.verdict;
        } catch (RuntimeException e) {
            return Verdict.error("could not read the observation: " + e);
        }
        try {
            return spec.judge(seen, now);
        } catch (RuntimeException e) {
            return Verdict.error("could not judge the observation: " + e);
        }
    }

    /** Judges at the host clock the observation carries (tests, and runs with no clock). */
    public static <T> Verdict judge(CheckSpec<T> spec, Observation observation) {
        return judge(spec, observation, new Now(Instant.now(), observation.hostTime()));
    }

    /** The error verdict when a snippet could not do its work at all; empty when it ran. */
    static Optional<Verdict> didNotRun(String what, ProbeOutput o) {
        if (o.timedOut()) return Optional.of(Verdict.error(what + ": probe timed out on the host"));
        if (o.exitCode() == ProbeOutput.NOT_FOUND) {
            String e = o.err();
            return Optional.of(
                    Verdict.error(
                            what
                                    + ": "
                                    + (e.isEmpty()
                                            ? "command not found"
                                            : ProbeOutput.lastLine(e))));
        }
        return Optional.empty();
    }

    private static final class NotRun extends Exception {
        final transient Verdict verdict;

        NotRun(Verdict verdict) {
            super(verdict.reason(), null, false, false);
            this.verdict = verdict;
        }
    }

    private static final class Cursor {
        final Observation observation;
        int host;
        int runner;

        Cursor(Observation observation) {
            this.observation = observation;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T assemble(Probe<T> p, Cursor at) throws NotRun {
        return switch (p) {
            case Probe.OnHost<T> h -> {
                if (at.host >= at.observation.host().size()) {
                    throw new NotRun(Verdict.error(h.what() + ": probe produced no output"));
                }
                ProbeOutput o = at.observation.host().get(at.host++);
                Optional<Verdict> notRun = didNotRun(h.what(), o);
                if (notRun.isPresent()) throw new NotRun(notRun.get());
                try {
                    yield h.parse().parse(o);
                } catch (Probe.Unreadable e) {
                    throw new NotRun(e.verdict());
                }
            }
            case Probe.OnRunner<T> r -> {
                if (at.runner >= at.observation.runner().size()) {
                    throw new NotRun(Verdict.error("runner-side probe produced no result"));
                }
                yield (T) at.observation.runner().get(at.runner++);
            }
            case Probe.HostClock c ->
                    (T)
                            at.observation
                                    .hostTime()
                                    .orElseThrow(() ->
                                            new NotRun(
                                                    Verdict.error(
                                                            "the host's clock could not be read")));
            case Probe.HostKey k -> (T) at.observation.hostKey();
            case Probe.Known<T> k -> k.value();
            case Probe.Both<?, ?, T> b -> both(b, at);
            case Probe.Mapped<?, T> m -> mapped(m, at);
            case Probe.Attempt<?> a -> (T) attempt(a, at);
        };
    }

    private static <A, B, T> T both(Probe.Both<A, B, T> b, Cursor at) throws NotRun {
        A first = assemble(b.first(), at);
        B second = assemble(b.second(), at);
        return b.combine().apply(first, second);
    }

    private static <A, T> T mapped(Probe.Mapped<A, T> m, Cursor at) throws NotRun {
        return m.map().apply(assemble(m.probe(), at));
    }

    private static <T> Probe.Attempted<T> attempt(Probe.Attempt<T> a, Cursor at) {
        // A failed part still consumes its outputs, so the parts after it read their own.
        int host = at.host + hostSnippets(a.probe()).size();
        int runner = at.runner + runnerProbes(a.probe()).size();
        try {
            return new Probe.Attempted<>(Optional.of(assemble(a.probe(), at)), Optional.empty());
        } catch (NotRun e) {
            return new Probe.Attempted<>(Optional.empty(), Optional.of(e.verdict));
        } finally {
            at.host = host;
            at.runner = runner;
        }
    }
}
