package dev.postflight.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code postflight ARGS} in-process and captures what a user would see. */
record Cli(int exit, String out, String err) {
    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Cli(code, out.toString(), err.toString());
    }
}
