package dev.postflight.input;

/** One mistake in a check file, inventory or flag, at the place the user has to edit. */
public record InputError(Location location, String message) implements Comparable<InputError> {

    @Override
    public String toString() {
        return location + ": " + message;
    }

    @Override
    public int compareTo(InputError o) {
        int c = location.file().toString().compareTo(o.location.file().toString());
        if (c == 0) c = Integer.compare(location.line(), o.location.line());
        if (c == 0) c = Integer.compare(location.column(), o.location.column());
        return c == 0 ? message.compareTo(o.message) : c;
    }
}
