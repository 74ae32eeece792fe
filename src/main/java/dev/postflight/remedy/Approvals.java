package dev.postflight.remedy;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Who lets a fix run, and how. {@code auto} fixes run; {@code confirm} fixes run when {@code --yes}
 * covers them, {@code --approve} names them, or the operator answers yes on a terminal (default No,
 * and no answer in 60 s is No); {@code never} fixes are printed as the manual action to take.
 * Without a terminal and without a flag a confirm fix "needs approval" and does not run.
 */
public final class Approvals {
    /** The outcome of asking. */
    public enum Decision {
        RUN,
        NEEDS_APPROVAL,
        DECLINED,
        MANUAL
    }

    /** A decision with who made it and how, for the report and the audit log. */
    public record Approval(Decision decision, String by, String how) {}

    /** A terminal to ask on: where to write the question, where to read the answer. */
    public record Terminal(PrintWriter out, BufferedReader in) {}

    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private final String operator;
    private final boolean yes;
    private final Set<String> approved;
    private final Optional<Terminal> terminal;
    private final Duration answerTimeout;

    public Approvals(
            String operator, boolean yes, Set<String> approved, Optional<Terminal> terminal) {
        this(operator, yes, approved, terminal, ANSWER_TIMEOUT);
    }

    Approvals(
            String operator,
            boolean yes,
            Set<String> approved,
            Optional<Terminal> terminal,
            Duration answerTimeout) {
        this.operator = operator;
        this.yes = yes;
        this.approved = Set.copyOf(approved);
        this.terminal = terminal;
        this.answerTimeout = answerTimeout;
    }

    public Approval decide(String host, Plan.PlannedFix f) throws InterruptedException {
        return switch (f.fix().approval()) {
            case NEVER ->
                    new Approval(Decision.MANUAL, "nobody", "approval: never (a manual action)");
            case AUTO -> new Approval(Decision.RUN, operator, "approval: auto");
            case CONFIRM -> {
                if (approved.contains(f.name()))
                    yield new Approval(Decision.RUN, operator, "--approve " + f.name());
                if (yes) yield new Approval(Decision.RUN, operator, "--yes");
                if (terminal.isEmpty()) {
                    yield new Approval(
                            Decision.NEEDS_APPROVAL,
                            "nobody",
                            "needs approval: no terminal; use --approve " + f.name() + " or --yes");
                }
                yield ask(host, f, terminal.get());
            }
        };
    }

    private synchronized Approval ask(String host, Plan.PlannedFix f, Terminal t)
            throws InterruptedException {
        t.out()
                .printf(
                        "Run fix %s on %s (for %s)? %s%n",
                        f.name(),
                        host,
                        String.join(", ", f.checks()),
                        f.fix().why().isEmpty() ? "" : "— " + f.fix().why());
        for (StepCommand s : f.steps()) t.out().println("    step: " + s.label());
        for (StepCommand s : f.finallySteps()) t.out().println("    finally: " + s.label());
        t.out().printf("[y/N] (no answer in %ds = No) ", answerTimeout.toSeconds());
        t.out().flush();
        FutureTask<String> read = new FutureTask<>(() -> t.in().readLine());
        Thread.ofVirtual().start(read);
        try {
            String answer =
                    ((Future<String>) read).get(answerTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (answer != null
                    && (answer.trim().equalsIgnoreCase("y")
                            || answer.trim().equalsIgnoreCase("yes"))) {
                return new Approval(Decision.RUN, operator, "answered yes on the terminal");
            }
            return new Approval(Decision.DECLINED, operator, "answered no on the terminal");
        } catch (TimeoutException e) {
            t.out().println();
            return new Approval(
                    Decision.DECLINED,
                    operator,
                    "no answer on the terminal within " + answerTimeout.toSeconds() + "s");
        } catch (ExecutionException e) {
            return new Approval(
                    Decision.DECLINED, operator, "could not read the answer: " + e.getCause());
        }
    }
}
