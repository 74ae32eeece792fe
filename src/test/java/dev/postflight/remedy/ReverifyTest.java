package dev.postflight.remedy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.Problems;
import dev.postflight.inventory.Host;
import dev.postflight.run.CheckResult;
import dev.postflight.run.RunListener;
import dev.postflight.run.Runner;
import dev.postflight.testing.LocalRun;
import dev.postflight.transport.LocalConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-verification's schedule, with a clock that moves only when the sleeper "sleeps": the checks
 * run for real on this machine (a file check), but no test waits for a settle time.
 */
class ReverifyTest {
    static final Instant FINISHED = Instant.parse("2026-11-23T03:15:00Z");

    @TempDir Path dir;
    Path marker;
    Host host = LocalRun.localhost();
    List<dev.postflight.check.Check> checks;
    Plan.PlannedFix fix;
    Runner runner;
    final MovingClock clock = new MovingClock(FINISHED.plusSeconds(10));
    final List<Duration> sleeps = new ArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();

    @BeforeEach
    void load() throws Exception {
        marker = dir.resolve("settled");
        Path file =
                LocalRun.write(
                        dir,
                        "checks.yaml",
                        """
                        checks:
                          - id: settled
                            file: { path: "%s" }
                            fix: restart-app
                        fixes:
                          restart-app:
                            approval: confirm
                            settle: 30s
                            retries: 2
                            steps:
                              - run: "true"
                        """
                                .formatted(marker));
        Checklist cl = ChecklistLoader.load(List.of(file));
        Problems problems = new Problems();
        ChecklistBinder.Bound bound =
                ChecklistBinder.bind(cl, Map.of(), host.name(), host.reachAddress(), problems);
        problems.throwIfAny();
        checks = bound.checks();
        runner =
                new Runner(
                        new Runner.Options(
                                1,
                                Duration.ofSeconds(30),
                                (h, d) -> new LocalConnection(),
                                RunListener.NONE,
                                "test"));
        var before =
                runner.run(
                        cl.name(),
                        cl.files(),
                        cl.sha256(),
                        List.of(new Runner.Target(host, checks)));
        fix = Plan.of(before.hosts().get(0), checks, bound.fixes()).fixes().get(0);
    }

    private Reverify reverify(Runnable onSecondSleep, boolean cancelled) {
        return new Reverify(
                (h, c) -> {
                    attempts.incrementAndGet();
                    return runner.run("reverify", List.of(), "", List.of(new Runner.Target(h, c)))
                            .hosts()
                            .get(0)
                            .checks();
                },
                clock,
                d -> {
                    sleeps.add(d);
                    clock.now = clock.now.plus(d);
                    if (sleeps.size() == 2) onSecondSleep.run();
                },
                () -> cancelled);
    }

    @Test
    void waitsWhatIsLeftOfTheSettleTimeThenTheWholeSettleTimeBeforeEachRetry() throws Exception {
        Map<String, CheckResult> r =
                reverify(() -> {}, false).after(FINISHED, host, checks, List.of(fix));

        assertEquals(
                List.of(Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(30)),
                sleeps,
                "10 s had passed since the fix finished; then 30 s before each of the 2 retries");
        assertEquals(3, attempts.get());
        assertEquals("fail", r.get("settled").status().word());
    }

    @Test
    void stopsRetryingOnceTheCheckPasses() throws Exception {
        Map<String, CheckResult> r =
                reverify(
                                () -> {
                                    try {
                                        Files.createFile(marker);
                                    } catch (java.io.IOException e) {
                                        throw new java.io.UncheckedIOException(e);
                                    }
                                },
                                false)
                        .after(FINISHED, host, checks, List.of(fix));

        assertEquals(List.of(Duration.ofSeconds(20), Duration.ofSeconds(30)), sleeps);
        assertEquals(2, attempts.get());
        assertEquals("pass", r.get("settled").status().word());
    }

    @Test
    void anInterruptedRunVerifiesOnceAndDoesNotRetry() throws Exception {
        Map<String, CheckResult> r =
                reverify(() -> {}, true).after(FINISHED, host, checks, List.of(fix));

        assertEquals(List.of(Duration.ofSeconds(20)), sleeps);
        assertEquals(1, attempts.get());
        assertEquals("fail", r.get("settled").status().word());
    }

    @Test
    void whenNoFixRanNothingIsVerifiedAndNothingWaited() throws Exception {
        assertEquals(Map.of(), reverify(() -> {}, false).after(FINISHED, host, checks, List.of()));
        assertEquals(List.of(), sleeps);
        assertEquals(0, attempts.get());
    }

    /** A clock that stands still until the test's sleeper moves it. */
    static final class MovingClock extends Clock {
        Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
