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
    private final boolean showScripts;

    /** {@code showScripts} ({@code -v}): the dry run shows each step's script under its line. */
    FixProgress(PrintWriter out, UnaryOperator<String> redact, boolean showScripts) {
        this.out = out;
        this.redact = redact;
        this.showScripts = showScripts;
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
        out.println(
                "Plan (dry run: no fix command is sent to any host"
                        + (showScripts ? "" : "; -v shows the script each step becomes")
                        + "):");
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
                for (int i = 0; i < f.steps().size(); i++)
                    print("step " + (i + 1), f.steps().get(i));
                for (int i = 0; i < f.finallySteps().size(); i++)
                    print("finally " + (i + 1), f.finallySteps().get(i));
            }
        }
        out.flush();
    }

    /**
     * One line per step as the check file has it ({@code service ntpd stop}, {@code ntpdate -b {{
     * ntp_server }}}), a multi-line {@code run:} by its first line; with {@code -v} the script it
     * becomes follows.
     */
    private void print(String what, StepCommand s) {
        int nl = s.written().indexOf('\n');
        String line = nl < 0 ? s.written() : s.written().substring(0, nl).strip() + " …";
        out.println("    " + what + ": " + redact.apply(line));
        if (!showScripts) return;
        for (String l : redact.apply(s.command()).split("\n")) out.println("      | " + l);
    }
}
