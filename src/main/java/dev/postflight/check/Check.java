package dev.postflight.check;

import dev.postflight.input.Location;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One check of a checklist, bound to one host's vars: its id, how much a failure matters, the fix
 * that can put it right, and the typed spec. {@code skip} holds the reason when its {@code when:}
 * condition was false for this host.
 */
public record Check(
        String id,
        String type,
        Severity severity,
        Optional<String> fix,
        List<String> tags,
        CheckSpec<?> spec,
        Location location,
        Optional<String> skip) {

    public Check {
        tags = List.copyOf(tags);
    }

    /** The same check for a maintenance window that started at {@code start}. */
    public Check withSince(Instant start) {
        return new Check(id, type, severity, fix, tags, spec.withSince(start), location, skip);
    }

    /** The same check in a run that may change hosts ({@code verify --fix}). */
    public Check withChangesApproved() {
        return new Check(id, type, severity, fix, tags, spec.withChangesApproved(), location, skip);
    }
}
