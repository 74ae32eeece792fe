package dev.postflight.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The processes a test left running {@code sleep SECONDS} (a number chosen by the test so that no
 * other process has it): a timed-out probe's child must not outlive the batch.
 */
public final class Sleepers {
    private Sleepers() {}

    /**
     * Waits up to 5 s for every {@code sleep SECONDS} to end, then kills the survivors (the test
     * started them) and returns their PIDs: empty when none outlived its probe.
     */
    public static List<Long> survivors(String seconds) throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(5));
        List<Long> left = running(seconds);
        while (!left.isEmpty() && Instant.now().isBefore(until)) {
            Thread.sleep(200);
            left = running(seconds);
        }
        for (long pid : left) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        return left;
    }

    /** The PIDs of the processes running {@code sleep SECONDS}, read from /proc. */
    private static List<Long> running(String seconds) {
        return ProcessHandle.allProcesses()
                .filter(p -> {
                    try {
                        return Files.readString(Path.of("/proc/" + p.pid() + "/cmdline"))
                                .equals("sleep\0" + seconds + "\0");
                    } catch (Exception e) {
                        return false;
                    }
                })
                .map(ProcessHandle::pid)
                .toList();
    }
}
