package dev.postflight.remedy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who holds a host's lock, as the lock script printed its owner lines ({@code run=}, {@code
 * owner=}, {@code since=} epoch seconds, {@code pid=} of each worker, {@code worker=} the live
 * one).
 */
record LockHolder(
        String run, Optional<String> owner, Optional<Instant> since, Optional<String> worker) {

    static LockHolder parse(String lines) {
        String run = "unknown";
        Optional<String> owner = Optional.empty();
        Optional<Instant> since = Optional.empty();
        Optional<String> worker = Optional.empty();
        for (String line : lines.split("\n")) {
            String l = line.strip();
            if (l.startsWith("run=")) run = l.substring(4);
            else if (l.startsWith("owner=")) owner = Optional.of(l.substring(6));
            else if (l.startsWith("worker=")) worker = Optional.of(l.substring(7));
            else if (l.startsWith("since=") && l.substring(6).matches("\\d{1,12}"))
                since = Optional.of(Instant.ofEpochSecond(Long.parseLong(l.substring(6))));
        }
        return new LockHolder(run, owner, since, worker);
    }

    /** {@code run=R owner=O since=2026-11-23T02:00:00Z, worker pid 4242 running}. */
    String describe() {
        List<String> parts = new ArrayList<>();
        parts.add("run=" + run);
        owner.ifPresent(o -> parts.add("owner=" + o));
        since.ifPresent(s -> parts.add("since=" + s));
        return String.join(" ", parts)
                + worker.map(w -> ", worker pid " + w + " running").orElse("");
    }

    /** The part of the lock script's output between {@code stale} and {@code end-stale}. */
    static Optional<LockHolder> staleIn(String lockOutput) {
        int at = lockOutput.indexOf("stale\n");
        int end = lockOutput.indexOf("end-stale\n");
        if (at < 0 || end < at || (at > 0 && lockOutput.charAt(at - 1) != '\n'))
            return Optional.empty();
        return Optional.of(parse(lockOutput.substring(at + 6, end)));
    }
}
