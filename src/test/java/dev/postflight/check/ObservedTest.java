package dev.postflight.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postflight.input.Amount;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The runner's one place for "could not run": no check type repeats these tests. */
class ObservedTest {
    private static final DiskCheck DISK =
            new DiskCheck(Optional.empty(), new Amount(80, true), new Amount(80, true));
    private static final Now NOW = Now.at(Instant.parse("2026-12-06T12:00:00Z"));

    private static ProbeOutput out(int exit, String stdout, String stderr, boolean timedOut) {
        return new ProbeOutput(
                exit,
                stdout.getBytes(StandardCharsets.UTF_8),
                stderr.getBytes(StandardCharsets.UTF_8),
                timedOut);
    }

    @Test
    void aMissingToolIsAnErrorNamingTheProbeAndTheShellsLastLine() {
        Verdict v =
                Observed.judge(
                        DISK, Observation.ofHost(out(127, "", "no df command\n", false)), NOW);
        assertEquals(Status.ERROR, v.status());
        assertEquals("df: no df command", v.reason());
    }

    @Test
    void aTimedOutSnippetIsAnErrorNeverAVerdictOnWhatItPrinted() {
        Verdict v = Observed.judge(DISK, Observation.ofHost(out(0, "@@blocks\n", "", true)), NOW);
        assertEquals(Status.ERROR, v.status());
        assertEquals("df: probe timed out on the host", v.reason());
    }

    @Test
    void outputTheParserCannotReadIsAnErrorWithItsReason() {
        Verdict v =
                Observed.judge(
                        DISK, Observation.ofHost(out(0, "garbage\n", "df: oops", false)), NOW);
        assertEquals(Status.ERROR, v.status());
        assertEquals("df printed no filesystems: df: oops", v.reason());
    }

    @Test
    void aMissingOutputIsAnErrorNotAPass() {
        Verdict v = Observed.judge(DISK, Observation.ofHost(), NOW);
        assertEquals(Status.ERROR, v.status());
        assertEquals("df: probe produced no output", v.reason());
    }

    @Test
    void probesListTheirSnippetsInOrderAndAnAttemptedPartThatFailedStillConsumesItsOutput() {
        Probe<String> a = Probe.host("a", "echo a", o -> o.out().strip());
        Probe<String> b = Probe.host("b", "echo b", o -> o.out().strip());
        Probe<String> c = Probe.host("c", "echo c", o -> o.out().strip());
        Probe<String> all =
                Probe.both(
                        Probe.both(
                                a,
                                Probe.attempt(b),
                                (x, y) ->
                                        x
                                                + "|"
                                                + y.value().orElse("-")
                                                + y.notRun().map(Verdict::reason).orElse("")),
                        c,
                        (x, y) -> x + "|" + y);
        CheckSpec<String> spec =
                new CheckSpec<>() {
                    @Override
                    public Probe<String> probe() {
                        return all;
                    }

                    @Override
                    public Verdict judge(String seen, Now now) {
                        return Verdict.pass(seen);
                    }

                    @Override
                    public String describe() {
                        return "demo";
                    }
                };
        assertEquals(
                List.of("echo a", "echo b", "echo c"),
                spec.hostProbes().stream().map(HostProbe::script).toList());
        Verdict v =
                Observed.judge(
                        spec,
                        Observation.ofHost(
                                out(0, "A\n", "", false),
                                out(127, "", "b: not found", false),
                                out(0, "C\n", "", false)),
                        NOW);
        assertEquals("A|-b: b: not found|C", v.reason());
    }
}
