package dev.postflight.remedy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a fix did on a host, read back from its state file: each step's exit code and output tail,
 * whether {@code finally} completed, and why it stopped early if it did.
 */
record FixOutcome(
        String fix,
        boolean succeeded,
        List<StepResult> steps,
        List<StepResult> finallySteps,
        boolean finallyCompleted,
        Optional<String> problem,
        String stateDir) {

    public FixOutcome {
        steps = List.copyOf(steps);
        finallySteps = List.copyOf(finallySteps);
    }

    /** One step's result; {@code exit} is empty for a step that never ended. */
    public record StepResult(
            String id, StepCommand command, boolean started, OptionalInt exit, String output) {
        public boolean ok() {
            return exit.isPresent() && exit.getAsInt() == 0;
        }
    }

    /** The first step that failed, for "still failing" verdicts. */
    public Optional<StepResult> failedStep() {
        return steps.stream().filter(s -> s.started() && !s.ok()).findFirst();
    }

    /** One line: {@code resync-clock: step 2 (ntpdate …) exit 1; finally ran}. */
    public String summary() {
        StringBuilder s = new StringBuilder(fix + ": ");
        if (succeeded) {
            s.append(
                    steps.size() == 1
                            ? "its 1 step succeeded"
                            : "all " + steps.size() + " steps succeeded");
        } else if (failedStep().isPresent()) {
            StepResult f = failedStep().get();
            s.append("step ")
                    .append(f.id().substring(1))
                    .append(" (")
                    .append(f.command().label())
                    .append(") ")
                    .append(f.exit().isPresent() ? "exit " + f.exit().getAsInt() : "did not end");
            String last = lastLine(f.output());
            if (!last.isEmpty()) s.append(": ").append(last);
        } else {
            s.append(problem.orElse("did not complete"));
        }
        boolean anyStarted = steps.stream().anyMatch(StepResult::started);
        if (!finallySteps.isEmpty() && anyStarted) {

            s.append("; finally ")
                    .append(finallyCompleted ? "ran" : "NOT confirmed")
                    .append(
                            finallySteps.stream().allMatch(StepResult::ok) || !finallyCompleted
                                    ? ""
                                    : " (a finally step failed)");
        }
        problem.filter(p -> succeeded || failedStep().isPresent())
                .ifPresent(p -> s.append("; ").append(p));
        return s.toString();
    }

    static String lastLine(String s) {
        String t = s.strip();
        int nl = t.lastIndexOf('\n');
        return nl < 0 ? t : t.substring(nl + 1);
    }
}
