package dev.postflight.cli;

import dev.postflight.check.Check;
import dev.postflight.check.HostProbe;
import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Problems;
import dev.postflight.input.Secrets;
import dev.postflight.remedy.Fix;
import dev.postflight.remedy.Step;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code postflight list}: what would run — checks, their probes, fixes and approvals. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = {
            "Shows what a checklist would do: each check, what it runs on the host or from the"
                    + " runner, and each fix with its approval and exact steps. Sends nothing."
        })
final class ListCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CHECKS", arity = "1..*", description = "Check files or folders.")
    List<Path> files = new ArrayList<>();

    @Override
    public Integer call() throws InvalidInput {
        PrintWriter stdout = spec.commandLine().getOut();
        List<Path> all = Checkfiles.expand(files);
        for (Path file : all) {
            Problems problems = new Problems();
            Checklist cl = ChecklistLoader.load(List.of(file), problems);
            ChecklistBinder.Bound bound = Checkfiles.bindForDisplay(cl, problems);
            problems.throwIfAny();
            PrintWriter out =
                    Secrets.of(
                                    cl.vars().values().stream()
                                            .filter(Checklist.Var::secret)
                                            .flatMap(v -> v.value().stream())
                                            .toList())
                            .redacting(stdout);
            out.println(
                    "checklist "
                            + cl.name()
                            + " ("
                            + file
                            + ")"
                            + (cl.description().isEmpty() ? "" : ": " + cl.description()));
            out.println("  checks (" + cl.checks().size() + "):");
            // In the file's order; a probe several checks share (the service probe is 60 lines)
            // is shown once and referred to by the others (issue 19).
            Map<String, String> shownProbes = new HashMap<>();
            for (Checklist.CheckDecl d : cl.checks()) {
                Optional<Check> bc =
                        bound.checks().stream().filter(c -> c.id().equals(d.id())).findFirst();
                if (bc.isEmpty()) {
                    out.println(
                            "    "
                                    + d.id()
                                    + "  ["
                                    + d.type()
                                    + ", "
                                    + d.severity().word()
                                    + d.fix().map(f -> ", fix: " + f).orElse("")
                                    + "]");
                    out.println(
                            "      uses vars the inventory or --var must set; shown in full when verifying");
                    continue;
                }
                Check c = bc.get();
                out.println(
                        "    "
                                + c.id()
                                + "  ["
                                + c.type()
                                + ", "
                                + c.severity().word()
                                + c.fix().map(f -> ", fix: " + f).orElse("")
                                + "]");
                out.println("      " + c.spec().describe());
                c.skip().ifPresent(s -> out.println("      skipped: " + s));
                if (c.spec().hasRunnerProbe()) out.println("      from the runner");
                if (c.spec().needsHostTime()) {
                    out.println("      reads the host's clock first thing in its one exec");
                }
                for (HostProbe p : c.spec().hostProbes()) {
                    String first = shownProbes.putIfAbsent(p.script(), c.id());
                    if (first != null) {
                        out.println(
                                "      on the host (timeout "
                                        + p.timeout().toSeconds()
                                        + "s): the same probe as "
                                        + first
                                        + " above");
                        continue;
                    }
                    out.println("      on the host (timeout " + p.timeout().toSeconds() + "s):");
                    for (String line : p.script().split("\n")) out.println("        " + line);
                }
            }
            if (!bound.fixes().isEmpty()) {
                out.println("  fixes (" + bound.fixes().size() + "):");
                for (Fix f : bound.fixes().values()) {
                    out.println(
                            "    "
                                    + f.name()
                                    + "  [approval: "
                                    + f.approval().word()
                                    + (f.become() ? ", sudo -n" : "")
                                    + "]");
                    if (!f.why().isEmpty()) out.println("      why: " + f.why());
                    for (Step s : f.steps()) out.println("      step: " + show(s));
                    for (Step s : f.finallySteps()) out.println("      finally: " + show(s));
                }
            }
            if (all.size() > 1) out.println();
            out.flush();
        }
        stdout.flush();
        return 0;
    }

    private static String show(Step s) {
        return switch (s) {
            case Step.ServiceAction a ->
                    "service "
                            + a.name()
                            + " "
                            + a.action()
                            + " (systemd, FreeBSD, OpenRC or SysV; the state is read back)";
            case Step.Run r -> "run: " + r.command().strip().replace("\n", "\n             ");

            case Step.Wait w ->
                    "wait for "
                            + w.kind()
                            + " "
                            + w.target()
                            + " (up to "
                            + w.timeout().toSeconds()
                            + "s)";
        };
    }
}
