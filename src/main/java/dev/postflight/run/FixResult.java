package dev.postflight.run;

import dev.postflight.check.Status;
import java.util.List;

/**
 * What became of one fix on one host in a {@code --fix} run: it ran and succeeded, it ran and
 * failed (at which step, with the output's tail, and whether its {@code finally} steps ran), or it
 * did not run and why. Every report shows it, so that a failed fix is never hidden behind a check
 * that passes again only because {@code finally} restored it.
 */
public record FixResult(
        String fix, List<String> checks, Outcome outcome, String summary, List<String> details) {

    /** The three ends of a planned fix. */
    public enum Outcome {
        SUCCEEDED("succeeded"),
        FAILED("failed"),
        NOT_RUN("not run");

        private final String word;

        Outcome(String word) {
            this.word = word;
        }

        /** The status a report shades this outcome with: fixed, fail, or skip for not run. */
        public Status shade() {
            return switch (this) {
                case SUCCEEDED -> Status.FIXED;
                case FAILED -> Status.FAIL;
                case NOT_RUN -> Status.SKIP;
            };
        }

        public String word() {
            return word;
        }
    }

    public FixResult {
        checks = List.copyOf(checks);
        details = List.copyOf(details);
    }

    /** An approved fix that ran and failed fails the run, whatever its checks say afterwards. */
    public boolean failsRun() {
        return outcome == Outcome.FAILED;
    }
}
