package dev.postflight.report;

import dev.postflight.run.RunReport;

/** Not built yet. */
final class JunitReporter implements Reporter {
    @Override
    public String render(RunReport report) {
        throw new UnsupportedOperationException("JunitReporter is not built yet");
    }
}
