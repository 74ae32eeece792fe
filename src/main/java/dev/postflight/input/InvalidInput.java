package dev.postflight.input;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one exception for user mistakes: every error found in the input at once, each as {@code
 * FILE:LINE:COL: message}. The command line turns it into exit code 2 before any host is contacted.
 */
public final class InvalidInput extends Exception {
    private final List<InputError> errors;

    public InvalidInput(List<InputError> errors) {
        super(errors.stream().sorted().map(InputError::toString).collect(Collectors.joining("\n")));
        this.errors = errors.stream().sorted().distinct().toList();
    }

    public InvalidInput(Location at, String message) {
        this(List.of(new InputError(at, message)));
    }

    public List<InputError> errors() {
        return errors;
    }
}
