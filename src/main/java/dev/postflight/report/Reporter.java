package dev.postflight.report;

import dev.postflight.run.RunReport;
import java.util.List;

/**
 * Renders a run's result in one format. Reporters only render: the exit code belongs to the {@link
 * RunReport}. One run can feed several reporters (stdout and {@code --report} files).
 */
public interface Reporter {

    /** The format names {@code --format} and {@code --report} accept. */
    List<String> FORMATS =
            List.of("human", "json", "junit", "tap", "nagios", "prometheus", "markdown", "html");

    String render(RunReport report);

    /** The reporter for a format name; {@code color} only matters to the human format. */
    static Reporter forFormat(String format, boolean color) {
        return forFormat(format, color, RunContext.NONE);
    }

    /** As {@link #forFormat(String, boolean)}; {@code context} only matters to the HTML format. */
    static Reporter forFormat(String format, boolean color, RunContext context) {
        return switch (format) {
            case "human" -> new HumanReporter(color);
            case "json" -> new JsonReporter();
            case "junit" -> new JunitReporter();
            case "tap" -> new TapReporter();
            case "nagios" -> new NagiosReporter();
            case "prometheus" -> new PrometheusReporter();
            case "markdown" -> new MarkdownReporter();
            case "html" -> new HtmlReporter(context);
            default -> throw new IllegalArgumentException("unknown format " + format);
        };
    }

    /**
     * As {@link #forFormat(String, boolean, RunContext)}; with {@code onlyProblems} the human and
     * Markdown reports leave out passing hosts, passes and skips ({@code --only-problems}).
     */
    static Reporter forFormat(
            String format, boolean color, RunContext context, boolean onlyProblems) {
        if (!onlyProblems) return forFormat(format, color, context);
        return switch (format) {
            case "human" -> new HumanReporter(color, false, true);
            case "markdown" -> new MarkdownReporter(true);
            default -> forFormat(format, color, context);
        };
    }

    /** The human report listing passing checks of every host, for {@code --verbose}. */
    static Reporter verbose(boolean color) {
        return HumanReporter.verbose(color);
    }
}
