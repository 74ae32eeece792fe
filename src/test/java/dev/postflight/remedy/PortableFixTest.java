package dev.postflight.remedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.Problems;
import dev.postflight.inventory.Host;
import dev.postflight.run.CheckResult;
import dev.postflight.run.Connector;
import dev.postflight.run.RunListener;
import dev.postflight.run.RunReport;
import dev.postflight.run.Runner;
import dev.postflight.testing.PortableHost;
import dev.postflight.testing.SshTestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a fix runs on the shells of real fleets, as the probe batch does (issue 18): its lock,
 * worker launch, watch, history and unlock scripts are read by {@code sh} from stdin, never {@code
 * sh -s}, which posh refuses ({@code posh: -s: unknown option}).
 */
class PortableFixTest {
    private static final Path POSH = Path.of("/bin/posh");

    @TempDir Path dir;

    @Test
    void aFixRunsOnAHostWhoseShAndLoginShellArePosh() throws Exception {
        assumeTrue(PortableHost.available(POSH), "needs root, unshare(1) and posh");
        try (SshTestServer s = PortableHost.shAs(dir, POSH, POSH.toString())) {
            assertFixed(s);
        }
    }

    @Test
    void aFixRunsOnABusyBoxOnlyHost() throws Exception {
        assumeTrue(PortableHost.available(PortableHost.BUSYBOX), "needs root, unshare(1), busybox");
        try (SshTestServer s = PortableHost.busybox(dir)) {
            assertFixed(s);
        }
    }

    /** A missing marker file, created by the fix's step; its finally step leaves a second one. */
    private void assertFixed(SshTestServer s) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path marker = data.resolve("fixed");
        Path fin = data.resolve("finally-ran");
        Path file = dir.resolve("fix.yaml");
        Files.writeString(
                file,
                """
                checks:
                  - id: marker
                    file: { path: "%1$s" }
                    fix: make-marker
                fixes:
                  make-marker:
                    approval: auto
                    settle: 0s
                    retries: 0
                    steps:
                      - run: echo fixed > %1$s
                    finally:
                      - run: echo yes > %2$s
                """
                        .formatted(marker, fin));
        Checklist cl = ChecklistLoader.load(List.of(file));
        Host h = Host.at("portable", "127.0.0.1");
        Problems problems = new Problems();
        ChecklistBinder.Bound bound =
                ChecklistBinder.bind(cl, h.vars(), h.name(), h.reachAddress(), problems);
        problems.throwIfAny();
        Connector connector = PortableHost.connector(s, dir);
        Runner runner =
                new Runner(
                        new Runner.Options(
                                1, Duration.ofSeconds(30), connector, RunListener.NONE, "test"));
        RunReport report =
                runner.run(
                        cl.name(),
                        cl.files(),
                        cl.sha256(),
                        List.of(new Runner.Target(h, bound.checks())));
        StringWriter out = new StringWriter();
        RunReport fixed =
                new Remediator(
                                new Remediator.Options(
                                        "run1",
                                        "ops@runner",
                                        new Approvals(
                                                "ops@runner", false, Set.of(), Optional.empty()),
                                        false,
                                        false,
                                        1,
                                        1,
                                        0.5,
                                        false,
                                        Optional.empty(),
                                        new AuditLog(dir.resolve("audit.jsonl"), "run1", List.of()),
                                        new PrintWriter(out),
                                        () -> false),
                                connector,
                                runner,
                                Clock.systemUTC(),
                                Reverify.Sleeper.REAL,
                                List.of())
                        .remediate(
                                report,
                                List.of(new Remediator.Target(h, bound.checks(), bound.fixes())));
        assertEquals(
                "portable: make-marker: its 1 step succeeded; finally ran", out.toString().strip());
        CheckResult r = fixed.hosts().get(0).checks().get(0);
        assertEquals("fixed", r.status().word(), r.toString());
        assertEquals("fixed\n", Files.readString(marker));
        assertEquals("yes\n", Files.readString(fin));
        assertTrue(
                s.commands().stream().noneMatch(c -> c.equals("sh -s")),
                "no script is started with sh -s: " + s.commands());
    }
}
