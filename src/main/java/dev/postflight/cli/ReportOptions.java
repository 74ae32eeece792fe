package dev.postflight.cli;

import dev.postflight.files.SafeFiles;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.report.Reporter;
import dev.postflight.report.RunContext;
import dev.postflight.run.RunReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Which reports a run prints and writes, and how the human one looks. */
final class ReportOptions {
    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description = "Report on stdout: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            completionCandidates = Formats.class)
    String format = "human";

    @Option(
            names = "--report",
            paramLabel = "FORMAT=FILE",
            description = "Also write a report in FORMAT to FILE (repeatable).")
    Map<String, Path> reports = new LinkedHashMap<>();

    @Option(
            names = {"-v", "--verbose"},
            description = "List passing checks of every host, not only for a single host.")
    boolean verbose;

    @Option(
            names = "--only-problems",
            description =
                    "Human and Markdown reports: leave out passing hosts, passes and skips (JSON"
                            + " and the other formats stay complete).")
    boolean onlyProblems;

    @Option(
            names = "--no-color",
            description = "No colour, even on a terminal (also: NO_COLOR set).")
    boolean noColor;

    /** What the HTML report's header says besides the results (runner, --since, windows). */
    RunContext context = RunContext.NONE;

    /** Whether the run prints or writes {@code format}. */
    boolean wants(String format) {
        return this.format.equals(format) || reports.containsKey(format);
    }

    /** Refuses unknown formats and report files that could not be written, before the run. */
    void validate() throws InvalidInput {
        List<String> formats = new ArrayList<>(List.of(format));
        formats.addAll(reports.keySet());
        for (String f : formats) {
            if (!Reporter.FORMATS.contains(f)) {
                throw new InvalidInput(
                        Location.COMMAND_LINE,
                        "unknown report format '"
                                + f
                                + "' (one of "
                                + String.join(", ", Reporter.FORMATS)
                                + ")");
            }
        }
        for (Path p : reports.values()) OutputPaths.checkWritable("--report", p);
    }

    boolean human() {
        return format.equals("human");
    }

    /** Colour on a terminal for the human report, unless turned off. */
    boolean color(boolean terminal) {
        return terminal && !noColor && System.getenv("NO_COLOR") == null && human();
    }

    /**
     * Prints the report on {@code out} and writes the {@code --report} files; false (after saying
     * which on {@code err}) when a file could not be written.
     */
    boolean emit(RunReport report, boolean color, PrintWriter out, PrintWriter err) {
        out.print(render(format, color, report));
        out.flush();
        for (Map.Entry<String, Path> r : reports.entrySet()) {
            try {
                SafeFiles.replace(r.getValue(), render(r.getKey(), false, report));
            } catch (IOException e) {
                err.println("postflight: cannot write " + r.getValue() + ": " + e.getMessage());
                return false;
            }
        }
        return true;
    }

    /** The process's exit code for this report: Nagios plugins exit with their state. */
    int exitCode(RunReport report) {
        return format.equals("nagios") ? report.nagiosExitCode() : report.exitCode();
    }

    private String render(String f, boolean color, RunReport report) {
        return (verbose && !onlyProblems && f.equals("human")
                        ? Reporter.verbose(color)
                        : Reporter.forFormat(f, color, context, onlyProblems))
                .render(report);
    }

    /** The format names, for --help. */
    static final class Formats extends ArrayList<String> {
        Formats() {
            super(Reporter.FORMATS);
        }
    }
}
