package dev.postflight.input;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects input errors so that a user sees all of them in one run, not one per attempt. */
public final class Problems {
    private final Set<InputError> errors = new LinkedHashSet<>();

    public void add(Location at, String message) {
        errors.add(new InputError(at, message));
    }

    public void addAll(List<InputError> more) {
        errors.addAll(more);
    }

    public int size() {
        return errors.size();
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<InputError> list() {
        return new ArrayList<>(errors);
    }

    /** Throws when anything was collected. */
    public void throwIfAny() throws InvalidInput {
        if (!errors.isEmpty()) throw new InvalidInput(list());
    }
}
