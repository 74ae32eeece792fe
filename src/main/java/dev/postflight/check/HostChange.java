package dev.postflight.check;

import java.util.OptionalInt;

/**
 * A change a check made to its host while observing it, which it makes only in a run whose user
 * approved changes ({@code verify --fix}): the {@code updates} check's refresh of the package lists
 * ({@code apt-get update -q}). It rides on the check's {@link Verdict} so that the audit log
 * records it like every other change postflight makes to a host, a failed one as failed.
 *
 * @param what what the change is for, e.g. "refresh the package lists"
 * @param command the command line the host ran ({@code sudo -n apt-get update -q})
 * @param exit its exit status; empty when it did not end
 * @param outputTail the last line of its output
 */
public record HostChange(String what, String command, OptionalInt exit, String outputTail) {

    public boolean succeeded() {
        return exit.isPresent() && exit.getAsInt() == 0;
    }
}
