package dev.postflight.remedy;

import dev.postflight.check.HostChange;
import dev.postflight.run.CheckResult;
import java.util.List;

/**
 * What {@code verify --fix} did, as it happened, for its {@link FixListener}s: the audit log
 * ({@link AuditTrail}), the progress line ({@link FixProgress}) and tests. For one host the order
 * is: an {@link Approved} or {@link NotApproved} per planned fix; then, if any was approved, either
 * {@link NotRun} for each (held back, locked, unreachable), or {@link LockBroken}?, {@link
 * StaleLockTakenOver}? and per approved fix either {@link NotRun} (cooldown, interrupted) or {@link
 * CooldownNotApplied}?, {@link AboutToRun}, a {@link StepRan} per step, a {@link FinallyRan} per
 * {@code finally} step and {@link FixFinished}; then {@link LockNotReleased}? and a {@link
 * Reverified} per check verified again, each after the {@link HostChanged}s of its verification.
 * {@link HostChanged}s of the run's verification come first, then {@link FleetGuarded} and {@link
 * DryRun}, which are about the fleet. docs/ARCHITECTURE.md maps each event to its audit record.
 */
sealed interface FixEvent {

    /**
     * A check changed its host while it was verified, as only a run with --fix lets it (the {@code
     * updates} check's refresh of the package lists): approved by {@code approvedBy} with --fix.
     */
    record HostChanged(String host, String check, HostChange change, String approvedBy)
            implements FixEvent {}

    /**
     * More than the fleet guard's share of the fleet fails {@code check}: no host is fixed for it.
     */
    record FleetGuarded(String check, int failing, int hosts, String why) implements FixEvent {}

    /** {@code --dry-run}: these plans are printed and nothing is sent to any host. */
    record DryRun(List<Plan> plans) implements FixEvent {}

    /** The fix will run on the host: approved by whom and how. */
    record Approved(String host, Plan.PlannedFix fix, Approvals.Approval approval)
            implements FixEvent {}

    /** The fix will not run: it needs approval, was declined, or is a manual action. */
    record NotApproved(String host, Plan.PlannedFix fix, Approvals.Approval approval)
            implements FixEvent {}

    /** An approved fix that did not run, and why (the note its checks carry in the report). */
    record NotRun(String host, Plan.PlannedFix fix, String why) implements FixEvent {}

    /** {@code --break-lock REASON}: sent before the host's lock is taken. */
    record LockBroken(String host, String reason) implements FixEvent {}

    /** Another postflight holds the host's lock: none of its fixes runs. */
    record Locked(String host, String holder) implements FixEvent {}

    /** The host's lock was stale (its worker gone) and is now this run's. */
    record StaleLockTakenOver(String host, String holder) implements FixEvent {}

    /** The cooldown was not applied because the host's and the runner's clocks disagree. */
    record CooldownNotApplied(String host, String why) implements FixEvent {}

    /** Every command of the fix, before anything of it is sent. */
    record AboutToRun(String host, Plan.PlannedFix fix, Approvals.Approval approval, String hostKey)
            implements FixEvent {}

    /** One step's result, as the fix's worker recorded it (it may not have started). */
    record StepRan(String host, Plan.PlannedFix fix, FixOutcome.StepResult step)
            implements FixEvent {}

    /** One {@code finally} step's result, as the fix's worker recorded it. */
    record FinallyRan(String host, Plan.PlannedFix fix, FixOutcome.StepResult step)
            implements FixEvent {}

    /** The fix ended: succeeded or failed, and whether its {@code finally} steps completed. */
    record FixFinished(String host, Plan.PlannedFix fix, FixOutcome outcome) implements FixEvent {}

    /** The host's lock could not be released after its fixes. */
    record LockNotReleased(String host, String why) implements FixEvent {}

    /** A check a fix was for, verified again after the fixes' settle time. */
    record Reverified(String host, CheckResult result) implements FixEvent {}
}
