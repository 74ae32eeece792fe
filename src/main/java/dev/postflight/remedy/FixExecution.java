package dev.postflight.remedy;

import dev.postflight.transport.ExecResult;
import dev.postflight.transport.HostConnection;
import dev.postflight.transport.HostUnreachable;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;

/**
 * Runs one approved fix on a host: launches its detached worker, watches its state file until it is
 * done, and on interruption asks the worker to stop, which runs its {@code finally} steps. If the
 * connection drops, the fix goes on on the host and its {@code finally} steps still run there; the
 * outcome says so.
 */
final class FixExecution {
    private static final Duration WATCH_SLICE = Duration.ofSeconds(10);
    private static final Duration FINALLY_GRACE = Duration.ofSeconds(120);

    /**
     * How every fix script reaches the host: {@code sh} reads it from stdin (POSIX, with no
     * operand), not {@code sh -s}, which posh refuses (as the probe batch, issue 18).
     */
    static final String SHELL = "sh";

    /** Called as the fix makes progress, for the audit log and the progress line. */
    public interface Events {
        Events NONE = new Events() {};

        default void sending(String what, String command) {}

        default void sent(String what, ExecResult result) {}
    }

    private FixExecution() {}

    public static FixOutcome run(
            HostConnection connection,
            String runId,
            String fixName,
            List<StepCommand> steps,
            List<StepCommand> finallySteps,
            boolean become,
            Duration timeout,
            BooleanSupplier cancelled,
            Events events)
            throws InterruptedException {
        String launch = FixScript.launch(runId, fixName, steps, finallySteps, become, timeout);
        ExecResult started;
        try {
            events.sending("launch", launch);
            started =
                    connection.exec(
                            SHELL, launch.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
            events.sent("launch", started);
        } catch (HostUnreachable e) {
            return notStarted(
                    fixName, steps, finallySteps, "the fix was not started: " + e.getMessage());
        }
        String out = new String(started.stdout(), StandardCharsets.UTF_8);
        if (out.contains("sudo-missing")) {
            return notStarted(
                    fixName,
                    steps,
                    finallySteps,
                    "become: sudo is not installed on this host; the fix was not started");
        }
        if (out.contains("sudo-password")) {

            return notStarted(
                    fixName,
                    steps,
                    finallySteps,
                    "become: sudo needs a password on this host (sudo -n); the fix was not started");
        }
        if (started.exitStatus().orElse(-1) == 75 && out.startsWith("locked")) {
            return notStarted(
                    fixName,
                    steps,
                    finallySteps,
                    "the fix was not started: the host is locked by another postflight ("
                            + LockHolder.parse(out).describe()
                            + ")");
        }
        int at = out.indexOf("started ");
        if (at < 0 || started.exitStatus().orElse(-1) != 0) {
            String err = new String(started.stderr(), StandardCharsets.UTF_8).strip();
            return notStarted(
                    fixName,
                    steps,
                    finallySteps,
                    "the fix was not started: " + (err.isEmpty() ? out.strip() : err));
        }
        String dir = out.substring(at + "started ".length()).strip();
        String marker = "@@PFX" + HexFormat.of().formatHex(nonce());
        Instant deadline = Instant.now().plus(timeout).plus(Duration.ofSeconds(15));
        boolean cancelSent = false;
        String problem = null;
        State state = State.EMPTY;
        while (true) {
            if (!cancelSent && (cancelled.getAsBoolean() || Instant.now().isAfter(deadline))) {
                problem =
                        cancelled.getAsBoolean()
                                ? "interrupted: asked the fix to stop; its finally steps ran"
                                : "did not finish within its timeout; stopped, its finally steps ran";
                try {
                    String cancel = FixScript.cancel(dir, become);
                    events.sending("cancel", cancel);
                    events.sent(
                            "cancel",
                            connection.exec(
                                    SHELL,
                                    cancel.getBytes(StandardCharsets.UTF_8),
                                    Duration.ofSeconds(15)));
                } catch (HostUnreachable e) {
                    problem = "connection lost while stopping the fix: " + e.getMessage();
                    break;
                }
                cancelSent = true;
                deadline = Instant.now().plus(FINALLY_GRACE);
            }
            Duration slice = Duration.between(Instant.now(), deadline);
            if (slice.compareTo(WATCH_SLICE) > 0) slice = WATCH_SLICE;
            if (slice.isNegative()) slice = Duration.ZERO;
            try {
                ExecResult w =
                        connection.exec(
                                SHELL,
                                FixScript.watch(dir, slice, marker)
                                        .getBytes(StandardCharsets.UTF_8),
                                slice.plusSeconds(15));
                state = State.parse(new String(w.stdout(), StandardCharsets.UTF_8), marker);
            } catch (HostUnreachable e) {
                problem =
                        "connection lost during the fix ("
                                + e.getMessage()
                                + "); it goes on on the host and its finally steps run there (state in "
                                + dir
                                + ")";
                break;
            }
            if (state.done()) {
                try {
                    connection.exec(
                            SHELL,
                            FixScript.remove(dir).getBytes(StandardCharsets.UTF_8),
                            Duration.ofSeconds(15));
                } catch (HostUnreachable e) {
                    // the outcome is known; the folder stays, as after a dropped connection
                }
                break;
            }
            if (cancelSent && Instant.now().isAfter(deadline)) {
                problem =
                        (problem == null ? "" : problem + "; ")
                                + "finally steps not confirmed within "
                                + FINALLY_GRACE.toSeconds()
                                + "s";
                break;
            }
        }
        if (problem != null && problem.contains("its finally steps ran") && !state.done()) {
            problem =
                    problem.replace(
                            "its finally steps ran", "its finally steps were not confirmed");
        }
        if (state.timedOutOnHost() && problem == null)
            problem = "did not finish within its timeout on the host; its finally steps ran";
        List<FixOutcome.StepResult> stepResults = results("s", steps, state);
        List<FixOutcome.StepResult> finResults = results("f", finallySteps, state);
        boolean ok =
                problem == null
                        && state.done()
                        && state.stepsExit() == 0
                        && stepResults.stream().allMatch(FixOutcome.StepResult::ok);
        return new FixOutcome(
                fixName,
                ok,
                stepResults,
                finResults,
                state.done(),
                Optional.ofNullable(problem),
                dir);
    }

    private static List<FixOutcome.StepResult> results(
            String prefix, List<StepCommand> commands, State state) {
        List<FixOutcome.StepResult> out = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            String id = prefix + (i + 1);
            Integer exit = state.exits().get(id);
            out.add(
                    new FixOutcome.StepResult(
                            id,
                            commands.get(i),
                            state.started().contains(id),
                            exit == null ? OptionalInt.empty() : OptionalInt.of(exit),
                            state.outputs().getOrDefault(id, "")));
        }
        return out;
    }

    private static FixOutcome notStarted(
            String fix, List<StepCommand> steps, List<StepCommand> fin, String why) {
        List<FixOutcome.StepResult> none = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++)
            none.add(
                    new FixOutcome.StepResult(
                            "s" + (i + 1), steps.get(i), false, OptionalInt.empty(), ""));
        List<FixOutcome.StepResult> noneFin = new ArrayList<>();
        for (int i = 0; i < fin.size(); i++)
            noneFin.add(
                    new FixOutcome.StepResult(
                            "f" + (i + 1), fin.get(i), false, OptionalInt.empty(), ""));
        return new FixOutcome(fix, false, none, noneFin, false, Optional.of(why), "");
    }

    /** The worker's state file and step outputs as the watch printed them. */
    record State(
            List<String> started,
            Map<String, Integer> exits,
            Map<String, String> outputs,
            boolean done,
            int stepsExit,
            boolean timedOutOnHost) {
        static final State EMPTY = new State(List.of(), Map.of(), Map.of(), false, -1, false);

        static State parse(String text, String marker) {
            List<String> started = new ArrayList<>();
            Map<String, Integer> exits = new LinkedHashMap<>();
            Map<String, String> outputs = new LinkedHashMap<>();
            boolean done = false;
            boolean timedOut = false;
            int stepsExit = -1;
            String section = "";
            StringBuilder current = null;
            for (String line : text.split("\n", -1)) {
                if (line.startsWith(marker + " ")) {
                    if (current != null) outputs.put(section, current.toString().strip());
                    String[] p = line.substring(marker.length() + 1).split(" ");
                    section = p[0].equals("out") && p.length > 1 ? p[1] : "state";
                    current = section.equals("state") ? null : new StringBuilder();
                    continue;
                }
                if (current != null) {
                    current.append(line).append('\n');
                    continue;
                }
                String[] p = line.trim().split(" ");
                switch (p[0]) {
                    case "start" -> {
                        if (p.length > 1) started.add(p[1]);
                    }
                    case "end" -> {
                        if (p.length > 2) exits.put(p[1], parseInt(p[2]));
                    }
                    case "steps" -> {
                        if (p.length > 1) stepsExit = parseInt(p[1]);
                    }
                    case "done" -> done = true;
                    case "timeout" -> timedOut = true;
                    default -> {}
                }
            }
            if (current != null) outputs.put(section, current.toString().strip());
            return new State(started, exits, outputs, done, stepsExit, timedOut);
        }

        private static int parseInt(String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private static byte[] nonce() {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
