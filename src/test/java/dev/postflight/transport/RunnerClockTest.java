package dev.postflight.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the runner's own time daemon says, read from its tool's one line (issue 15). */
class RunnerClockTest {

    @Test
    void chronyGivesABoundFromItsOffsetRootDelayAndDispersion() {
        // |system time| 0.012 ms + root delay 23 ms / 2 + root dispersion 1 ms
        RunnerClock.State s =
                RunnerClock.parse("chrony Normal 0.000012000,0.023000000,0.001000000");
        assertEquals(Optional.empty(), s.notSynchronised());
        assertEquals(Optional.of(Duration.ofNanos(12_512_000)), s.bound());
    }

    @Test
    void chronyNotSynchronisedSaysSoWithoutNumbers() {
        RunnerClock.State s =
                RunnerClock.parse("chrony Not synchronised 0.000000000,1.000000000,1.000000000");
        assertEquals(
                Optional.of("the runner's own clock is not synchronised (chrony Not synchronised)"),
                s.notSynchronised());
        assertEquals(Optional.empty(), s.bound());
    }

    @Test
    void timedatectlSynchronisedHasNoBound() {
        RunnerClock.State s = RunnerClock.parse("timedatectl yes");
        assertEquals(Optional.empty(), s.notSynchronised());
        assertEquals(Optional.empty(), s.bound());
    }

    @Test
    void noToolMeansUnknown() {
        assertEquals(
                Optional.of(
                        "the runner's synchronisation is unknown (no timedatectl, chronyc or ntpq)"),
                RunnerClock.parse("none").notSynchronised());
    }
}
