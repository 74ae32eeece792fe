package dev.postflight.run;

import dev.postflight.check.Severity;
import dev.postflight.check.Status;
import dev.postflight.check.Verdict;
import java.util.Optional;

/** The verdict of one check on one host, with what a report needs to show it. */
public record CheckResult(
        String id, String type, Severity severity, Verdict verdict, Optional<String> fix) {

    public Status status() {
        return verdict.status();
    }

    /** Whether this result fails the run: a critical check that failed or could not be judged. */
    public boolean failsRun() {
        return severity == Severity.CRITICAL
                && (verdict.status() == Status.FAIL || verdict.status() == Status.ERROR);
    }
}
