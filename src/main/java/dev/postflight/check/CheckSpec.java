package dev.postflight.check;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one kind of check is: the spec the user wrote (a record), what it needs observed on the host
 * (snippets for the batched probe script) and from the runner (network probes), and how it judges
 * what was observed. One check type = one file; the registry is {@link CheckTypes}.
 */
public sealed interface CheckSpec
        permits HttpCheck,
                ServiceCheck,
                ProcessCheck,
                PortCheck,
                FileCheck,
                CommandCheck,
                DiskCheck,
                ClockCheck,
                TimesyncCheck,
                TlsCheck,
                CertFileCheck,
                BackupCheck,
                BaselineCheck,
                BootCheck {

    /** The shell snippets this check needs run on the host; none for runner-only checks. */
    default List<HostProbe> hostProbes() {
        return List.of();
    }

    /** Whether the check needs the host's connection (its probes, its clock, or a tunnel). */
    default boolean needsConnection() {
        return !hostProbes().isEmpty() || needsHostTime();
    }

    /** Whether the check needs the host's clock (read at the start of the batch). */
    default boolean needsHostTime() {
        return false;
    }

    /** The runner-side part, if any. */
    default Optional<RunnerProbe> runnerProbe() {
        return Optional.empty();
    }

    /**
     * The same check for a maintenance window that started at {@code start} ({@code verify
     * --since}); checks that do not look back in time return themselves.
     */
    default CheckSpec withSince(Instant start) {
        return this;
    }

    /** Judges what was observed; never throws for anything a host could send. */
    Verdict judge(Observation observation);

    /** One line for {@code postflight list}: what is checked and expected. */
    String describe();
}
