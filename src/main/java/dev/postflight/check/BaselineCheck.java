package dev.postflight.check;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * What changed on a host since {@code postflight snapshot} recorded it before the window: seed
 * 002's host came back from a redeploy with a new SSH host key and a newer OS, unnoticed. One probe
 * gathers the host's facts (OS, kernel, boot id, listening ports, services enabled at boot, the
 * package list's count and hash, certificate hashes); the verdict lists every change at once.
 *
 * <p>A changed host key, OS or kernel, a port that no longer listens, a service no longer enabled
 * or a certificate gone fails; a new port or service, a changed package list or certificate warns;
 * a reboot (new boot id) is only mentioned. Without a baseline the check records: it passes with
 * the facts as its details, and {@code snapshot} saves the facts it observed ({@link Recorder}).
 */
public record BaselineCheck(
        Optional<Baseline> against, List<String> certFiles, Optional<String> missing)
        implements CheckSpec<HostFacts> {

    /** A host's facts as recorded at {@code taken}. */
    public record Baseline(Instant taken, HostFacts facts) {}

    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

    public BaselineCheck {
        certFiles = List.copyOf(new LinkedHashSet<>(certFiles));
        for (String f : certFiles) {
            if (!f.startsWith("/")) {
                throw new IllegalArgumentException(
                        "certificate file must be an absolute path, got '" + f + "'");
            }
        }
    }

    /** Records the facts (for {@code postflight snapshot}), with these extra certificate files. */
    public static BaselineCheck recording(List<String> certFiles) {
        return new BaselineCheck(Optional.empty(), certFiles, Optional.empty());
    }

    /**
     * A host that {@code --baseline} names no facts for: an error saying why (the host is still
     * reached, so that a host that is down is reported as down), never a silent skip.
     */
    public static BaselineCheck missing(String why) {
        return new BaselineCheck(Optional.empty(), List.of(), Optional.of(why));
    }

    /** Compares with a recorded baseline, looking again at every certificate it recorded. */
    public static BaselineCheck against(Baseline baseline) {
        return new BaselineCheck(
                Optional.of(baseline),
                List.copyOf(baseline.facts().certs().keySet()),
                Optional.empty());
    }

    /**
     * The host's facts and the SSH host key the connection saw. A host {@code --baseline} names no
     * facts for is still probed, so that a host that is down says so; what it printed is not read.
     */
    @Override
    public Probe<HostFacts> probe() {
        if (missing.isPresent()) {
            return Probe.host(
                    HostFacts.WHAT, HostFacts.snippet(certFiles), o -> HostFacts.parse(""));
        }
        return HostFacts.probe(certFiles);
    }

    @Override
    public Verdict judge(HostFacts now, Now at) {
        if (missing.isPresent()) return Verdict.error(missing.get());
        if (against.isEmpty()) {
            return Verdict.pass("recorded: " + now.summary()).withDetails(now.lines());
        }
        return compare(against.get(), now);
    }

    /**
     * {@code postflight snapshot}'s check of one host: this recording check, keeping the facts it
     * judged so that the snapshot file is written from them (not from a verdict's text).
     */
    public Recorder recorder() {
        return new Recorder(this, new AtomicReference<>());
    }

    /** A recording check that keeps what it observed; one per host. */
    public record Recorder(BaselineCheck check, AtomicReference<HostFacts> seen)
            implements CheckSpec<HostFacts> {
        @Override
        public Probe<HostFacts> probe() {
            return check.probe();
        }

        @Override
        public Verdict judge(HostFacts facts, Now now) {
            seen.set(facts);
            return check.judge(facts, now);
        }

        @Override
        public String describe() {
            return check.describe();
        }

        /** The facts, once the host's probe was observed and judged. */
        public Optional<HostFacts> facts() {
            return Optional.ofNullable(seen.get());
        }
    }

    /** One difference and how much it matters; {@link Status#PASS} only mentions it. */
    private record Change(Status status, String text) {}

    static Verdict compare(Baseline baseline, HostFacts now) {
        HostFacts was = baseline.facts();
        List<Change> changes = new ArrayList<>();
        if (!was.os().equals(now.os())) {
            changes.add(new Change(Status.FAIL, "OS " + was.os() + " → " + now.os()));
        }
        if (!was.kernel().equals(now.kernel())) {
            changes.add(new Change(Status.FAIL, "kernel " + was.kernel() + " → " + now.kernel()));
        }
        if (was.hostKey().isPresent()
                && now.hostKey().isPresent()
                && !was.hostKey().equals(now.hostKey())) {
            changes.add(
                    new Change(
                            Status.FAIL,
                            "host key " + was.hostKey().get() + " → " + now.hostKey().get()));
        }
        listChange(changes, Status.FAIL, "port", was.ports(), now.ports(), "no longer listen");
        listChange(changes, Status.WARN, "port", now.ports(), was.ports(), "now listen");
        listChange(
                changes,
                Status.FAIL,
                "service",
                was.services(),
                now.services(),
                "no longer enabled at boot");
        listChange(
                changes,
                Status.WARN,
                "service",
                now.services(),
                was.services(),
                "newly enabled at boot");
        if (was.packages().isPresent()) {
            HostFacts.Packages a = was.packages().get();
            if (now.packages().isEmpty()) {
                changes.add(
                        new Change(
                                Status.WARN,
                                "package list not readable (was "
                                        + a.count()
                                        + " "
                                        + a.manager()
                                        + ")"));
            } else {
                HostFacts.Packages b = now.packages().get();
                if (!a.sha256().equals(b.sha256()) || a.count() != b.count()) {
                    changes.add(
                            new Change(
                                    Status.WARN,
                                    "packages changed (count "
                                            + a.count()
                                            + " → "
                                            + b.count()
                                            + (a.manager().equals(b.manager())
                                                    ? ""
                                                    : ", " + a.manager() + " → " + b.manager())
                                            + ")"));
                }
            }
        }
        was.certs()
                .forEach((path, sha) -> {
                    String current = now.certs().getOrDefault(path, "missing");
                    if (current.equals(sha)) return;
                    if (current.equals("missing") || current.equals("unreadable")) {
                        changes.add(new Change(Status.FAIL, "certificate " + path + " " + current));
                    } else if (!sha.equals("missing") && !sha.equals("unreadable")) {
                        changes.add(new Change(Status.WARN, "certificate " + path + " replaced"));
                    }
                });
        if (!was.bootId().isEmpty() && !was.bootId().equals(now.bootId())) {
            changes.add(new Change(Status.PASS, "rebooted since (new boot id)"));
        }

        String since = "baseline " + WHEN.format(baseline.taken());
        Status worst = Status.PASS;
        for (Change c : changes) worst = worst.worse(c.status());
        String all = changes.stream().map(Change::text).collect(Collectors.joining("; "));
        if (worst == Status.PASS) {
            return Verdict.pass("unchanged since " + since + (all.isEmpty() ? "" : "; " + all));
        }
        return new Verdict(worst, "changed since " + since + ": " + all, List.of());
    }

    /** Adds one change naming the items of {@code from} missing in {@code in}, if any. */
    private static void listChange(
            List<Change> changes,
            Status status,
            String word,
            List<String> from,
            List<String> in,
            String what) {
        Set<String> present = Set.copyOf(in);
        List<String> missing = from.stream().filter(x -> !present.contains(x)).toList();
        if (missing.isEmpty()) return;
        boolean one = missing.size() == 1;
        String verb = one ? what.replaceFirst("^(no longer |now )?listen$", "$1listens") : what;
        changes.add(
                new Change(
                        status,
                        word + (one ? " " : "s ") + String.join(", ", missing) + " " + verb));
    }

    @Override
    public String describe() {
        return against.map(b -> "unchanged since baseline " + WHEN.format(b.taken()))
                .orElse("record the host's facts");
    }
}
