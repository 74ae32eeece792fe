package dev.postflight.report;

import dev.postflight.run.RunReport;

/** Placeholder. */
final class HumanReporter implements Reporter {
    HumanReporter(boolean color) {}

    @Override
    public String render(RunReport report) {
        return report.toString();
    }
}
