package dev.postflight.check;

import java.util.List;
import java.util.Optional;

/**
 * Transitional: a check type still written against the raw {@link Observation} (its snippets, its
 * runner probe, its own "did the probe run?" test). Each type moves to {@link CheckSpec}'s typed
 * observe-then-judge shape in its own commit; this interface goes when the last one has.
 */
interface LegacySpec extends CheckSpec<Observation> {
    @Override
    default List<HostProbe> hostProbes() {
        return List.of();
    }

    @Override
    default boolean needsHostTime() {
        return false;
    }

    default Optional<RunnerProbe> runnerProbe() {
        return Optional.empty();
    }

    @Override
    default boolean hasRunnerProbe() {
        return runnerProbe().isPresent();
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    default Probe<Observation> probe() {
        Optional<RunnerProbe<?>> runner = (Optional) runnerProbe();
        return new Probe.Raw(hostProbes(), runner, needsHostTime());
    }

    Verdict judge(Observation observation);

    @Override
    default Verdict judge(Observation seen, Now now) {
        return judge(seen);
    }
}
