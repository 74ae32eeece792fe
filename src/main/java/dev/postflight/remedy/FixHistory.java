package dev.postflight.remedy;

import dev.postflight.input.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The host's fix history (for cooldowns), as the lock script printed it. Each run is recorded in
 * both clocks, the host's and the runner's, and judged by the runner's: seed 003's host clock jumps
 * back during the window, which made a fix of the hour before look 3 h in the future and its
 * failures "recent" (issue 13). When the two clocks tell different ages, the cooldown is not
 * applied and {@link #clockNote} says why.
 */
record FixHistory(long hostNow, Instant runnerNow, List<Entry> entries) {

    /** How far the two clocks may disagree about one age before it is not trusted. */
    static final Duration TOLERANCE = Duration.ofMinutes(2);

    /** One recorded fix run: {@code NAME HOST_EPOCH OUTCOME [RUNNER_EPOCH]}. */
    record Entry(String fix, long hostTime, String outcome, OptionalLong runnerTime) {
        static Optional<Entry> parse(String line) {
            String[] p = line.trim().split(" ");
            if ((p.length != 3 && p.length != 4) || !p[1].matches("\\d+")) return Optional.empty();
            OptionalLong runner =
                    p.length == 4 && p[3].matches("\\d+")
                            ? OptionalLong.of(Long.parseLong(p[3]))
                            : OptionalLong.empty();
            return Optional.of(new Entry(p[0], Long.parseLong(p[1]), p[2], runner));
        }
    }

    static FixHistory parse(String lockOutput, Instant runnerNow) {
        long now = runnerNow.getEpochSecond();
        List<Entry> entries = new ArrayList<>();
        for (String line : lockOutput.split("\n")) {
            if (line.startsWith("now=")) {
                try {
                    now = Long.parseLong(line.substring(4).trim());
                } catch (NumberFormatException e) {
                    // Keep the runner's clock.
                }
            } else {
                Entry.parse(line).ifPresent(entries::add);
            }
        }
        return new FixHistory(now, runnerNow, entries);
    }

    private Duration hostAge(Entry e) {
        return Duration.ofSeconds(hostNow - e.hostTime());
    }

    private Optional<Duration> runnerAge(Entry e) {
        return e.runnerTime().isPresent()
                ? Optional.of(
                        Duration.ofSeconds(runnerNow.getEpochSecond() - e.runnerTime().getAsLong()))
                : Optional.empty();
    }

    /** The age the cooldown may rely on: empty when the clocks disagree or it is negative. */
    private Optional<Duration> trustedAge(Entry e) {
        Duration host = hostAge(e);
        Optional<Duration> runner = runnerAge(e);
        if (runner.isPresent()) {
            if (runner.get().minus(host).abs().compareTo(TOLERANCE) > 0) return Optional.empty();
            return runner.get().isNegative() ? Optional.empty() : runner;
        }
        return host.isNegative() ? Optional.empty() : Optional.of(host);
    }

    private Optional<Entry> last(String fix) {
        List<Entry> mine = entries.stream().filter(e -> e.fix().equals(fix)).toList();
        return mine.isEmpty() ? Optional.empty() : Optional.of(mine.get(mine.size() - 1));
    }

    /**
     * Why {@code fix} must wait, if it ran within {@code cooldown}; "needs a human" after repeated
     * failure. Only ages both clocks agree on count; a negative age is never recent.
     */
    Optional<String> cooldown(String fix, Duration cooldown) {
        Optional<Entry> last = last(fix);
        if (last.isEmpty()) return Optional.empty();
        Optional<Duration> ago = trustedAge(last.get());
        if (ago.isEmpty() || ago.get().compareTo(cooldown) >= 0) return Optional.empty();
        long recentFailures =
                entries.stream()
                        .filter(e -> e.fix().equals(fix) && e.outcome().equals("failed"))
                        .filter(e ->
                                trustedAge(e)
                                        .filter(a -> a.compareTo(cooldown.multipliedBy(4)) < 0)
                                        .isPresent())
                        .count();
        String human =
                recentFailures >= 2
                        ? "; it failed "
                                + recentFailures
                                + " times recently: this host needs a human"
                        : "";
        return Optional.of(
                "cooldown: "
                        + fix
                        + " ran on this host "
                        + Durations.format(ago.get())
                        + " ago ("
                        + last.get().outcome()
                        + "), cooldown "
                        + Durations.format(cooldown)
                        + human
                        + "; postflight verify --fix --force runs it anyway");
    }

    /**
     * Why the cooldown of {@code fix} was not applied although it ran within it by one clock: the
     * host's and the runner's clocks disagree (or the host's went back), so its age is unknown.
     */
    Optional<String> clockNote(String fix, Duration cooldown) {
        Optional<Entry> last = last(fix);
        if (last.isEmpty() || trustedAge(last.get()).isPresent()) return Optional.empty();
        Duration host = hostAge(last.get());
        Optional<Duration> runner = runnerAge(last.get());
        boolean withinByOne =
                host.compareTo(cooldown) < 0
                        || runner.filter(r -> r.compareTo(cooldown) < 0).isPresent();
        if (!withinByOne) return Optional.empty();
        return Optional.of(
                "cooldown of "
                        + fix
                        + " not applied: the host's clock and the runner's disagree about when it"
                        + " last ran (host clock: "
                        + ago(host)
                        + runner.map(r -> ", runner clock: " + ago(r))
                                .orElse(", runner clock: not recorded")
                        + ")");
    }

    private static String ago(Duration d) {
        return d.isNegative()
                ? Durations.format(d.negated()) + " in the future"
                : Durations.format(d) + " ago";
    }
}
