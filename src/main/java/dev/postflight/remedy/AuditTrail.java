package dev.postflight.remedy;

import dev.postflight.remedy.FixEvent.AboutToRun;
import dev.postflight.remedy.FixEvent.Approved;
import dev.postflight.remedy.FixEvent.DryRun;
import dev.postflight.remedy.FixEvent.FinallyRan;
import dev.postflight.remedy.FixEvent.FixFinished;
import dev.postflight.remedy.FixEvent.FleetGuarded;
import dev.postflight.remedy.FixEvent.HostChanged;
import dev.postflight.remedy.FixEvent.LockBroken;
import dev.postflight.remedy.FixEvent.Locked;
import dev.postflight.remedy.FixEvent.NotApproved;
import dev.postflight.remedy.FixEvent.Reverified;
import dev.postflight.remedy.FixEvent.StaleLockTakenOver;
import dev.postflight.remedy.FixEvent.StepRan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a fix run's events to the audit log, one JSON line each under the event names and fields
 * the README documents ("Audit log"): users parse these, so a name or a field never changes here
 * without the README and the golden audit files.
 */
final class AuditTrail implements FixListener {
    private final AuditLog audit;

    AuditTrail(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void on(FixEvent event) {
        switch (event) {
            case FleetGuarded g ->
                    audit.write(
                            "fleet-guard",
                            ordered(
                                    "check",
                                    g.check(),
                                    "failing",
                                    g.failing(),
                                    "hosts",
                                    g.hosts()));
            case DryRun d ->
                    audit.write(
                            "dry-run",
                            Map.of("hosts", d.plans().stream().map(Plan::host).toList()));
            case HostChanged c -> hostChanged(c);
            case Approved a -> approval(a.host(), a.fix(), a.approval());
            case NotApproved n -> approval(n.host(), n.fix(), n.approval());
            case LockBroken b ->
                    audit.write("break-lock", ordered("host", b.host(), "reason", b.reason()));
            case Locked l -> audit.write("locked", ordered("host", l.host(), "holder", l.holder()));
            case StaleLockTakenOver s ->
                    audit.write("stale-lock", ordered("host", s.host(), "holder", s.holder()));
            case AboutToRun r -> aboutToRun(r);
            case StepRan s -> stepResult(s.host(), s.fix(), s.step());
            case FinallyRan f -> stepResult(f.host(), f.fix(), f.step());
            case FixFinished f ->
                    audit.write(
                            "fix-result",
                            fields(
                                    f.host(),
                                    f.fix(),
                                    ordered(
                                            "succeeded",
                                            f.outcome().succeeded(),
                                            "summary",
                                            f.outcome().summary(),
                                            "finally_completed",
                                            f.outcome().finallyCompleted(),
                                            "state_dir",
                                            f.outcome().stateDir())));
            case Reverified r ->
                    audit.write(
                            "reverify",
                            ordered(
                                    "host",
                                    r.host(),
                                    "check",
                                    r.result().id(),
                                    "status",
                                    r.result().status().word(),
                                    "reason",
                                    r.result().verdict().reason()));
            default -> {}
        }
    }

    private void hostChanged(HostChanged c) {
        Map<String, Object> m =
                ordered(
                        "host",
                        c.host(),
                        "check",
                        c.check(),
                        "what",
                        c.change().what(),
                        "command",
                        c.change().command(),
                        "approved_by",
                        c.approvedBy(),
                        "approved_how",
                        "--fix");
        if (c.change().exit().isPresent()) m.put("exit", c.change().exit().getAsInt());
        m.put("succeeded", c.change().succeeded());
        m.put("output_tail", tail(c.change().outputTail()));
        audit.write("host-change", m);
    }

    private void approval(String host, Plan.PlannedFix f, Approvals.Approval a) {
        audit.write(
                "approval",
                fields(
                        host,
                        f,
                        ordered(
                                "level",
                                f.fix().approval().word(),
                                "decision",
                                a.decision().name().toLowerCase(Locale.ROOT),
                                "by",
                                a.by(),
                                "how",
                                a.how())));
    }

    private void aboutToRun(AboutToRun r) {
        List<String> commands = new ArrayList<>();
        r.fix().steps().forEach(s -> commands.add("step: " + s.command()));
        r.fix().finallySteps().forEach(s -> commands.add("finally: " + s.command()));
        audit.write(
                "about-to-run",
                fields(
                        r.host(),
                        r.fix(),
                        ordered(
                                "host_key",
                                r.hostKey(),
                                "become",
                                r.fix().fix().become(),
                                "approved_by",
                                r.approval().by(),
                                "approved_how",
                                r.approval().how(),
                                "commands",
                                commands)));
    }

    private void stepResult(String host, Plan.PlannedFix f, FixOutcome.StepResult s) {
        Map<String, Object> more = new LinkedHashMap<>();
        more.put("step", s.id());
        more.put("command", s.command().written());
        more.put("started", s.started());
        if (s.exit().isPresent()) more.put("exit", s.exit().getAsInt());
        more.put("output_tail", tail(s.output()));
        more.put("output_sha256", AuditLog.digest(s.output()));
        audit.write("step-result", fields(host, f, more));
    }

    /** {@code host}, {@code fix} and {@code checks}, then the event's own fields. */
    private static Map<String, Object> fields(String host, Plan.PlannedFix f, Map<String, ?> more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host);
        m.put("fix", f.name());
        m.put("checks", f.checks());
        m.putAll(more);
        return m;
    }

    /** Keys and values in the order given, which is the order of the fields in the file. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2)
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    private static String tail(String s) {
        return s.length() > 1000 ? "…" + s.substring(s.length() - 1000) : s;
    }
}
