package dev.postflight.transport;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** Ending a command that runs on this machine together with everything it started. */
public final class ProcessTrees {
    private ProcessTrees() {}

    /**
     * Sends TERM to {@code process} and every process it started, on which a probe batch stops its
     * probe and removes its folder (which may hold copies of keys, issue 14; killed at once it left
     * the folder behind); then, after at most {@code grace}, KILLs whatever is left, a shell that
     * ignores TERM included. Nothing to do once the process has ended: its children, if any, are no
     * longer its descendants.
     */
    public static void end(Process process, Duration grace) {
        if (!process.isAlive()) return;
        List<ProcessHandle> tree =
                Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        tree.forEach(ProcessHandle::destroy);
        long until = System.nanoTime() + grace.toNanos();
        while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < until) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}
