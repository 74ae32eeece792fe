package dev.postflight.remedy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cooldowns judged by the runner's clock; a host clock that went back is said, not obeyed. */
class FixHistoryTest {
    static final long HOST_NOW = 1_800_000_000L;
    static final Instant RUNNER_NOW = Instant.ofEpochSecond(HOST_NOW);
    static final Duration HOUR = Duration.ofHours(1);

    private static FixHistory history(String lines) {
        return FixHistory.parse("locked-by-us\nnow=" + HOST_NOW + "\n" + lines, RUNNER_NOW);
    }

    @Test
    void failuresRecordedInTheHostsFutureAreNotRecentAndTheReasonSaysTheClocksDisagree() {
        // Seed 003: the host's clock went back 2h48m after these runs were recorded.
        long future = HOST_NOW + 10_080;
        FixHistory h =
                history(
                        ("resync-clock %d failed\n".repeat(4))
                                .formatted(future, future, future, future));

        assertEquals(Optional.empty(), h.cooldown("resync-clock", HOUR));
        assertEquals(
                Optional.of(
                        "cooldown of resync-clock not applied: the host's clock and the runner's"
                                + " disagree about when it last ran (host clock: 2h48m in the"
                                + " future, runner clock: not recorded)"),
                h.clockNote("resync-clock", HOUR));
    }

    @Test
    void theRunnersClockIsTheOneTheCooldownUsesWhenBothAgree() {
        long tenMinutesAgo = HOST_NOW - 600;
        FixHistory h =
                history("resync-clock %d ok %d\n".formatted(tenMinutesAgo, tenMinutesAgo + 30));

        assertEquals(
                Optional.of(
                        "cooldown: resync-clock ran on this host 9m30s ago (ok), cooldown 1h00m;"
                                + " postflight verify --fix --force runs it anyway"),
                h.cooldown("resync-clock", HOUR));
        assertEquals(Optional.empty(), h.clockNote("resync-clock", HOUR));
    }

    @Test
    void whenTheClocksDisagreeTheFixIsNotRefusedAndTheNoteGivesBothAges() {
        // Recorded 10 minutes ago by the runner, when the host's clock was 3 h behind.
        long runner = HOST_NOW - 600;
        FixHistory h = history("resync-clock %d failed %d\n".formatted(runner - 10_800, runner));

        assertEquals(Optional.empty(), h.cooldown("resync-clock", HOUR));
        assertEquals(
                Optional.of(
                        "cooldown of resync-clock not applied: the host's clock and the runner's"
                                + " disagree about when it last ran (host clock: 3h10m ago, runner"
                                + " clock: 10m00s ago)"),
                h.clockNote("resync-clock", HOUR));
    }

    @Test
    void onlyFailuresWithATrustedAgeMakeTheHostNeedAHuman() {
        long recent = HOST_NOW - 300;
        long future = HOST_NOW + 10_080;
        FixHistory h =
                history(
                        "resync-clock %d failed\nresync-clock %d failed\nresync-clock %d failed %d\n"
                                .formatted(future, future, recent, recent));

        assertEquals(
                Optional.of(
                        "cooldown: resync-clock ran on this host 5m00s ago (failed), cooldown 1h00m;"
                                + " postflight verify --fix --force runs it anyway"),
                h.cooldown("resync-clock", HOUR));
    }
}
