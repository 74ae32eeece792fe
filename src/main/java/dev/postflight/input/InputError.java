package dev.postflight.input;

/** One mistake in a check file, inventory or flag, at the place the user has to edit. */
public record InputError(Location location, String message) implements Comparable<InputError> {

    /**
     * {@code FILE:LINE:COL: message} for a mistake in a file; {@code postflight: message} for one
     * on the command line, which has no line to point at (issue 19: "(command line):1:1:" was a
     * fake place).
     */
    @Override
    public String toString() {
        return location.equals(Location.COMMAND_LINE)
                ? "postflight: " + message
                : location + ": " + message;
    }

    @Override
    public int compareTo(InputError o) {
        int c = location.file().toString().compareTo(o.location.file().toString());
        if (c == 0) c = Integer.compare(location.line(), o.location.line());
        if (c == 0) c = Integer.compare(location.column(), o.location.column());
        return c == 0 ? message.compareTo(o.message) : c;
    }
}
