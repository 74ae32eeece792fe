package dev.postflight.remedy;

import dev.postflight.remedy.FixEvent.CooldownNotApplied;
import dev.postflight.remedy.FixEvent.DryRun;
import dev.postflight.remedy.FixEvent.FixFinished;
import dev.postflight.remedy.FixEvent.FleetGuarded;
import dev.postflight.remedy.FixEvent.LockNotReleased;
import dev.postflight.remedy.FixEvent.StaleLockTakenOver;
import java.io.PrintWriter;
import java.util.function.UnaryOperator;

/**
 * The lines {@code verify --fix} prints as it goes: the fleet guard's reason, the dry run's plan, a
 * stale lock taken over, a cooldown not applied, each fix's one-line result.
 */
final class FixProgress implements FixListener {
    private final PrintWriter out;
    private final UnaryOperator<String> redact;

    FixProgress(PrintWriter out, UnaryOperator<String> redact) {
        this.out = out;
        this.redact = redact;
    }

    @Override
    public void on(FixEvent event) {
        switch (event) {
            case FleetGuarded g -> out.println(g.why());
            case DryRun d -> printPlans(d);
            case StaleLockTakenOver s ->
                    out.println(
                            s.host()
                                    + ": took over a stale lock ("
                                    + s.holder()
                                    + "): its worker is gone");
            case CooldownNotApplied c -> out.println(c.host() + ": " + c.why());
            case FixFinished f -> {
                out.println(f.host() + ": " + f.outcome().summary());
                out.flush();
            }
            case LockNotReleased l ->
                    out.println(l.host() + ": could not release the lock (" + l.why() + ")");
            default -> {}
        }
    }

    private void printPlans(DryRun d) {
        out.println("Plan (dry run: nothing is sent to any host):");
        for (Plan p : d.plans()) {
            out.println(p.host() + ":");
            for (Plan.PlannedFix f : p.fixes()) {
                out.println(
                        "  fix "
                                + f.name()
                                + " for "
                                + String.join(", ", f.checks())
                                + " [approval: "
                                + f.fix().approval().word()
                                + (f.fix().become() ? ", as root with sudo -n" : "")
                                + ", timeout "
                                + f.fix().timeout().toSeconds()
                                + "s]");
                int i = 1;
                for (StepCommand s : f.steps()) print("step " + i++, s);
                i = 1;
                for (StepCommand s : f.finallySteps()) print("finally " + i++, s);
            }
        }
        out.flush();
    }

    private void print(String what, StepCommand s) {
        out.println("    " + what + ": " + s.label());
        for (String line : redact.apply(s.command()).split("\n")) out.println("      | " + line);
    }
}
