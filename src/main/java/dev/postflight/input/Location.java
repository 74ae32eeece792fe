package dev.postflight.input;

import java.nio.file.Path;

/** A place in a user's file, printed the way editors and compilers do: {@code FILE:LINE:COL}. */
public record Location(Path file, int line, int column) {

    /** Where an option's value comes from: the command line, as one place like a file. */
    public static final Location COMMAND_LINE = of(Path.of("(command line)"));

    public static Location of(Path file) {
        return new Location(file, 1, 1);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
