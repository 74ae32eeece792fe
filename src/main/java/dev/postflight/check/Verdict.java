package dev.postflight.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The judgement of one check: a status and the one-line reason an operator reads first ("ntpd:
 * inactive (systemd)"), plus optional detail lines (e.g. the output that did not match), and the
 * changes the check made to its host while observing it (only with --fix: a refresh of the package
 * lists), for the audit log.
 */
public record Verdict(
        Status status, String reason, List<String> details, List<HostChange> changes) {

    /** A verdict of a check that changed nothing on its host. */
    public Verdict(Status status, String reason, List<String> details) {
        this(status, reason, details, List.of());
    }

    /**
     * A reason is one line wherever it comes from: the first line of a multi-line text (raw
     * exception messages, a TLS stack's explanation) stays the reason, the rest goes to the front
     * of the details.
     */
    public Verdict {
        Objects.requireNonNull(status);
        Objects.requireNonNull(reason);
        List<String> lines =
                reason.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.size() > 1) {
            reason = lines.get(0);
            List<String> all = new ArrayList<>(lines.subList(1, lines.size()));
            all.addAll(details);
            details = all;
        }
        details = List.copyOf(details);
        changes = List.copyOf(changes);
    }

    public static Verdict pass(String reason) {
        return new Verdict(Status.PASS, reason, List.of());
    }

    public static Verdict warn(String reason) {
        return new Verdict(Status.WARN, reason, List.of());
    }

    public static Verdict fail(String reason) {
        return new Verdict(Status.FAIL, reason, List.of());
    }

    public static Verdict error(String reason) {
        return new Verdict(Status.ERROR, reason, List.of());
    }

    public static Verdict skip(String reason) {
        return new Verdict(Status.SKIP, reason, List.of());
    }

    /**
     * This verdict with {@code more} as its details; lines it already has that {@code more} does
     * not repeat (the overflow of a multi-line reason) stay in front.
     */
    public Verdict withDetails(List<String> more) {
        List<String> all =
                new ArrayList<>(details.stream().filter(d -> !more.contains(d)).toList());
        all.addAll(more);
        return new Verdict(status, reason, all, changes);
    }

    /** This verdict with the changes its check made to the host. */
    public Verdict withChanges(List<HostChange> made) {
        List<HostChange> all = new ArrayList<>(changes);
        all.addAll(made);
        return new Verdict(status, reason, details, all);
    }

    /** The same judgement with another status (a failed warning-level check is a warning). */
    public Verdict withStatus(Status other) {
        return new Verdict(other, reason, details, changes);
    }

    /** The worse of two partial verdicts of one check; on a tie both reasons are kept. */
    public Verdict combine(Verdict other) {
        List<HostChange> made = new ArrayList<>(changes);
        made.addAll(other.changes);
        if (other.status.ordinal() > status.ordinal())
            return new Verdict(other.status, other.reason, other.details, made);
        if (other.status.ordinal() < status.ordinal())
            return new Verdict(status, reason, details, made);
        List<String> all = new ArrayList<>(details);
        all.addAll(other.details);
        return new Verdict(status, reason + "; " + other.reason, all, made);
    }
}
