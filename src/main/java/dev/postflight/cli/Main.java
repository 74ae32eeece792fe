package dev.postflight.cli;

import dev.postflight.input.InvalidInput;
import dev.postflight.run.RunReport;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: the {@code postflight} command and its subcommands. */
@Command(
        name = "postflight",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Verifies servers that just came back from a provider's maintenance window and,"
                    + " only with --fix and an admin's approval, puts right what it broke.",
        },
        subcommands = {
            VerifyCommand.class,
            SnapshotCommand.class,
            ApplyCommand.class,
            MergeCommand.class,
            LintCommand.class,
            ListCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every critical check passed",
            "1:a critical check failed or a host was unreachable",
            "2:invalid input or usage (check files, inventory, flags)",
            "3:internal error (a bug: please report it with the output of --debug)",
            "130:interrupted (Ctrl-C); partial results were reported"
        })
public final class Main implements Runnable {
    /** A bug in postflight, not a mistake in the input: exit code 3. */
    static final int INTERNAL_ERROR = 3;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = "--debug",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Print the stack trace of an internal error (exit code 3).")
    boolean debug;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "name a command: verify, snapshot, apply, merge, lint or list");
    }

    public static void main(String[] args) {
        System.exit(
                execute(
                        args,
                        new PrintWriter(System.out, true),
                        new PrintWriter(System.err, true)));
    }

    /** Runs the command line in-process; used by {@link #main} and by black-box CLI tests. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    /** The {@code postflight} command line with its error handling, writing to out and err. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        // A quote in a --var value is part of the value; picocli would otherwise print a raw
        // "[picocli WARN] Unbalanced quotes … java.util.Map…" to stderr (issue 19). Its tracer
        // still answers -Dpicocli.trace for debugging picocli itself.
        if (System.getProperty("picocli.trace") == null)
            CommandLine.tracer().setLevel(CommandLine.TraceLevel.OFF);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof InvalidInput invalid) {
                invalid.errors().forEach(e -> commandLine.getErr().println(e));
                commandLine.getErr().flush();
                return RunReport.INVALID_INPUT;
            }
            boolean debug = Boolean.getBoolean("postflight.debug");
            for (CommandLine.ParseResult r = parseResult; r != null; r = r.subcommand())
                debug |= r.hasMatchedOption("--debug");
            String what =
                    Optional.ofNullable(ex.getMessage())
                            .flatMap(m -> m.lines().findFirst())
                            .orElse("");
            commandLine
                    .getErr()
                    .println(
                            "postflight: internal error: "
                                    + ex.getClass().getSimpleName()
                                    + (what.isEmpty() ? "" : ": " + what)
                                    + (debug ? "" : " (run with --debug for the stack trace)"));
            if (debug) ex.printStackTrace(commandLine.getErr());
            commandLine.getErr().flush();
            return INTERNAL_ERROR;
        });
        cl.setParameterExceptionHandler((ex, args2) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("postflight: " + clean(ex.getMessage()));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr());
            c.getErr()
                    .println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            c.getErr().flush();
            return RunReport.INVALID_INPUT;
        });
        return cl;
    }

    private static final Pattern NOT_KEY_VALUE =
            Pattern.compile(
                    "Value for option option '(\\S+)' \\(([^)]*)\\) should be in KEY=VALUE format"
                            + " but was (.*)",
                    Pattern.DOTALL);

    /**
     * Picocli's message in postflight's words: "--report: 'foo' is not FORMAT=FILE" rather than
     * "Value for option option '--report' (FORMAT=FILE) should be in KEY=VALUE format…".
     */
    static String clean(String message) {
        Matcher m = NOT_KEY_VALUE.matcher(message);
        if (m.matches())
            return m.group(1) + ": '" + m.group(3) + "' is not " + m.group(2) + " (no '=')";
        return message.replace("option option '", "option '");
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"postflight " + version()};
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        // The container image runs the classes, not the jar: its entrypoint sets the property.
        return v != null ? v : System.getProperty("postflight.version", "dev");
    }
}
