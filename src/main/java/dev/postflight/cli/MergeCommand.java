package dev.postflight.cli;

import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.report.ReportMerge;
import dev.postflight.run.RunReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code postflight merge}: joins the JSON reports of several runners (the shards of {@code verify
 * --shard}, or one runner per network segment) into one report in any format, with the fleet's
 * summary and exit code computed again (issue 18). Contacts no host.
 */
@Command(
        name = "merge",
        mixinStandardHelpOptions = true,
        description = {
            "Merges JSON reports of 'postflight verify --report json=FILE' (the shards of --shard,"
                    + " or one runner per network segment) into one report, with the summary and"
                    + " exit code of all their hosts. A folder stands for every *.json in it."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every critical check passed on every host of the reports",
            "1:a critical check failed or a host was unreachable",
            "2:invalid input: not a postflight report, different checklists or schema versions, a"
                    + " host in two reports, a shard missing",
            "3:internal error (a bug: please report it with the output of --debug)",
            "130:a merged run was interrupted"
        })
final class MergeCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
            paramLabel = "REPORT",
            arity = "1..*",
            description = "JSON reports, or folders of them (every *.json, sorted by name).")
    List<Path> files = new ArrayList<>();

    @CommandLine.Mixin ReportOptions report = new ReportOptions();

    @Override
    public Integer call() throws InvalidInput {
        report.validate();
        RunReport merged = ReportMerge.merge(expand(files));
        if (!report.emit(
                merged,
                report.color(System.console() != null),
                spec.commandLine().getOut(),
                spec.commandLine().getErr())) {
            return RunReport.INVALID_INPUT;
        }
        return report.exitCode(merged);
    }

    /** Files as given; a folder as its {@code *.json} files, sorted by name. */
    static List<Path> expand(List<Path> given) throws InvalidInput {
        List<Path> out = new ArrayList<>();
        for (Path p : given) {
            if (!Files.isDirectory(p)) {
                out.add(p);
                continue;
            }
            try (Stream<Path> s = Files.list(p)) {
                List<Path> json =
                        s.filter(f -> f.getFileName().toString().endsWith(".json"))
                                .filter(Files::isRegularFile)
                                .sorted()
                                .toList();
                if (json.isEmpty())
                    throw new InvalidInput(Location.of(p), "no *.json report in this folder");
                out.addAll(json);
            } catch (IOException e) {
                throw new InvalidInput(Location.of(p), "cannot list: " + e.getMessage());
            }
        }
        return out;
    }
}
