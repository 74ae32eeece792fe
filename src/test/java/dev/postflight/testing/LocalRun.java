package dev.postflight.testing;

import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Problems;
import dev.postflight.inventory.Host;
import dev.postflight.run.CheckResult;
import dev.postflight.run.Connector;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunListener;
import dev.postflight.run.RunReport;
import dev.postflight.run.Runner;
import dev.postflight.transport.LocalConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Test kit: writes a check file, loads it the way {@code postflight verify} does, and runs it
 * against a real host (this machine by default, or any {@link Connector}).
 */
public final class LocalRun {
    private LocalRun() {}

    public static Path write(Path dir, String name, String yaml) {
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, yaml);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Host localhost() {
        return Host.at("localhost", "127.0.0.1");
    }

    /** Loads {@code yaml} and runs it on this machine. */
    public static HostResult run(Path dir, String yaml) throws InvalidInput, InterruptedException {
        return run(dir, yaml, localhost(), (h, d) -> new LocalConnection()).hosts().get(0);
    }

    public static RunReport run(Path dir, String yaml, Host host, Connector connector)
            throws InvalidInput, InterruptedException {
        Path file = write(dir, "checks.yaml", yaml);
        Checklist cl = ChecklistLoader.load(List.of(file));
        Problems problems = new Problems();
        ChecklistBinder.Bound bound =
                ChecklistBinder.bind(cl, host.vars(), host.name(), host.reachAddress(), problems);
        problems.throwIfAny();
        Runner runner =
                new Runner(
                        new Runner.Options(
                                4, Duration.ofSeconds(30), connector, RunListener.NONE, "test"));
        return runner.run(
                cl.name(),
                cl.files(),
                cl.sha256(),
                List.of(new Runner.Target(host, bound.checks())));
    }

    /** The result of check {@code id}. */
    public static CheckResult check(HostResult r, String id) {
        return r.checks().stream()
                .filter(c -> c.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no check " + id + " in " + r.checks()));
    }
}
