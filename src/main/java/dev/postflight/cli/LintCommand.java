package dev.postflight.cli;

import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.InputError;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Plural;
import dev.postflight.input.Problems;
import dev.postflight.run.RunReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code postflight lint}: validates check files and prints every error as FILE:LINE:COL. */
@Command(
        name = "lint",
        mixinStandardHelpOptions = true,
        description =
                "Validates check files (or every *.yaml in a folder); prints FILE:LINE:COL errors.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every file is valid",
            "2:at least one error",
            "3:internal error (a bug: please report it with the output of --debug)"
        })
final class LintCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CHECKS", arity = "1..*", description = "Check files or folders.")
    List<Path> files = new ArrayList<>();

    @Override
    public Integer call() throws InvalidInput {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<InputError> errors = new ArrayList<>();
        List<Path> all = Checkfiles.expand(files);
        Set<Path> included = includedByOthers(all);
        for (Path file : all) {
            try {
                Problems problems = new Problems();
                Checklist cl =
                        ChecklistLoader.load(
                                List.of(file), problems, !included.contains(absolute(file)));
                ChecklistBinder.Bound bound = Checkfiles.bindForDisplay(cl, problems);
                if (problems.isEmpty()) {
                    out.println(
                            file
                                    + ": ok ("
                                    + Plural.of(cl.checks().size(), "check")
                                    + ", "
                                    + Plural.of(bound.fixes().size(), "fix")
                                    + ")");
                } else {
                    errors.addAll(problems.list());
                }
            } catch (InvalidInput e) {
                errors.addAll(e.errors());
            }
        }
        errors.stream().sorted().distinct().forEach(err::println);
        out.flush();
        err.flush();
        return errors.isEmpty() ? RunReport.OK : RunReport.INVALID_INPUT;
    }

    /**
     * The files that another file of this lint includes: they may hold only vars or fixes, since
     * the checklist that includes them has the checks.
     */
    private static Set<Path> includedByOthers(List<Path> files) {
        Set<Path> included = new HashSet<>();
        for (Path file : files) {
            try {
                Checklist cl = ChecklistLoader.load(List.of(file), new Problems(), false);
                cl.files().stream().skip(1).map(LintCommand::absolute).forEach(included::add);
            } catch (InvalidInput e) {
                // Reported by the lint itself.
            }
        }
        return included;
    }

    private static Path absolute(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
