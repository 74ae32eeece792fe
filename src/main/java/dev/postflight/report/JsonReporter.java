package dev.postflight.report;

import dev.postflight.run.RunReport;

/** Not built yet. */
final class JsonReporter implements Reporter {
    @Override
    public String render(RunReport report) {
        throw new UnsupportedOperationException("JsonReporter is not built yet");
    }
}
