package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A bug in postflight is not the user's mistake: exit 3 and one line saying how to get the stack
 * trace, never exit 2 ("invalid input") with an exception's toString.
 */
class InternalErrorTest {
    /** A command with a bug: no real command has a known one to trigger. */
    @Command(name = "broken")
    static final class Broken implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("plan has no hosts\nsecond line");
        }
    }

    private static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        CommandLine cl = Main.commandLine(o, e).addSubcommand(new Broken());
        cl.setOut(o);
        cl.setErr(e);
        int code = cl.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    @Test
    void anInternalErrorExitsThreeWithOneLineAndHowToGetTheStackTrace() {
        Cli r = run("broken");
        assertEquals(3, r.exit());
        assertEquals(
                "postflight: internal error: IllegalStateException: plan has no hosts"
                        + " (run with --debug for the stack trace)\n",
                r.err());
    }

    @Test
    void debugPrintsTheStackTrace() {
        Cli r = run("broken", "--debug");
        assertEquals(3, r.exit());
        assertTrue(
                r.err().startsWith("postflight: internal error: IllegalStateException: plan has"),
                r.err());
        assertTrue(
                r.err().contains("\tat dev.postflight.cli.InternalErrorTest$Broken.call"), r.err());
    }

    @Test
    void helpListsExitCodeThree() {
        assertTrue(
                Cli.run("--help").out().contains("3     internal error (a bug: please report it"),
                Cli.run("--help").out());
        assertTrue(
                Cli.run("verify", "--help")
                        .out()
                        .contains("3     internal error (a bug: please report it"),
                Cli.run("verify", "--help").out());
    }
}
