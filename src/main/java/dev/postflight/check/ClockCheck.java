package dev.postflight.check;

import dev.postflight.input.Fields;
import dev.postflight.transport.NtpProber;
import dev.postflight.transport.NtpReference;
import dev.postflight.transport.RunnerClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The host's clock against a reference (seed 003: after the VM was paused its clock was about 3
 * hours behind while the site "seemed fine"). The host's time is read first thing in its probe
 * batch and compared with the midpoint of the runner's instants that bound the reading; the
 * reference is the runner's own clock or NTP servers queried from the runner. A measurement too
 * uncertain for the tolerance is an error, never a pass.
 */
record ClockCheck(
        List<String> reference,
        String method,
        Duration warn,
        Duration critical,
        int ntpPort,
        Duration timeout,
        boolean skipWithoutReference)
        implements CheckSpec<ClockCheck.Seen> {

    public ClockCheck {
        reference = List.copyOf(reference);
        if (warn.isNegative() || critical.isNegative()) {
            throw new IllegalArgumentException("warn and critical must not be negative");
        }
        if (warn.compareTo(critical) > 0) {
            throw new IllegalArgumentException(
                    "warn ("
                            + precise(warn)
                            + ") must not exceed critical ("
                            + precise(critical)
                            + ")");
        }
        if (!method.equals("exec") && !method.equals("ntp")) {
            throw new IllegalArgumentException("method must be exec or ntp");
        }
    }

    static Optional<ClockCheck> parse(Fields f) {
        List<String> refs = f.textList("reference");
        if (!f.has("reference"))
            f.error("missing required key 'reference' (NTP servers, or runner)");
        String method = f.choice("method", List.of("exec", "ntp")).orElse("exec");
        // A lone critical is the one limit (a loaded fleet must not error on a 100ms default warn
        // nobody asked for); a lone warn keeps the 1s critical, or its own value when larger.
        Optional<Duration> warnGiven = f.duration("warn");
        Optional<Duration> criticalGiven = f.duration("critical");
        Duration critical =
                criticalGiven.orElse(
                        warnGiven
                                .filter(w -> w.compareTo(Duration.ofSeconds(1)) > 0)
                                .orElse(Duration.ofSeconds(1)));
        Duration warn =
                warnGiven.orElse(criticalGiven.isPresent() ? critical : Duration.ofMillis(100));
        int port = f.integer("ntp_port").orElse(123);
        boolean skip =
                f.choice("if_no_reference", List.of("error", "skip"))
                        .orElse("error")
                        .equals("skip");
        Duration timeout = f.duration("timeout").orElse(Duration.ofSeconds(3));
        List<String> servers = refs.equals(List.of("runner")) ? List.of() : refs;
        if (refs.contains("runner") && refs.size() > 1) {
            f.error("reference", "'runner' cannot be mixed with NTP servers");
        }
        return f.build(() -> new ClockCheck(servers, method, warn, critical, port, timeout, skip));
    }

    /** What the runner measured: the reference servers, and the host's own NTP answer. */
    record Reading(
            Optional<NtpReference.Result> reference,
            Optional<NtpProber.Outcome> hostNtp,
            Optional<RunnerClock.State> runnerClock) {}

    /**
     * What was measured: the runner's reading, and with {@code method: exec} the host's clock as
     * its batch read it (then refined by round trips on the open session).
     */
    record Seen(Reading reading, Optional<HostTime> hostClock) {}

    @Override
    public Probe<Seen> probe() {
        Probe<Reading> reading = Probe.runner(this::measure);
        return method.equals("exec")
                ? Probe.both(reading, Probe.hostClock(), (r, t) -> new Seen(r, Optional.of(t)))
                : reading.map(r -> new Seen(r, Optional.empty()));
    }

    private Reading measure(RunnerContext ctx) throws InterruptedException {
        Duration t = timeout.compareTo(ctx.timeout()) < 0 ? timeout : ctx.timeout();
        Optional<NtpReference.Result> ref =
                reference.isEmpty()
                        ? Optional.empty()
                        : Optional.of(new NtpReference().measure(reference, t, 2));
        Optional<NtpProber.Outcome> host =
                method.equals("ntp")
                        ? Optional.of(new NtpProber().query(ctx.hostAddress(), ntpPort, t, 2))
                        : Optional.empty();
        Optional<RunnerClock.State> runner =
                reference.isEmpty() ? Optional.of(RunnerClock.state()) : Optional.empty();
        return new Reading(ref, host, runner);
    }

    @Override
    public Verdict judge(Seen seen, Now now) {
        Reading r = seen.reading();
        Duration offset;
        Duration uncertainty;
        String how;
        if (method.equals("ntp")) {
            NtpProber.Outcome o = r.hostNtp().orElseThrow();
            if (o instanceof NtpProber.Outcome.Failed failed) {
                return Verdict.error(
                        "the host does not answer NTP: "
                                + failed.message()
                                + " (method: exec reads its clock over SSH instead)");
            }
            NtpProber.Outcome.Reading reading = (NtpProber.Outcome.Reading) o;
            offset = reading.offset();
            uncertainty = reading.delay().dividedBy(2);
            how = "method ntp (the host's own NTP answer)";
        } else {
            HostTime t = seen.hostClock().orElseThrow();
            offset = t.offsetFromRunner();
            uncertainty = t.uncertainty();
            how = "method exec, host clock in " + t.resolutionName();
        }
        List<String> details = new ArrayList<>();
        String against;
        if (r.reference().isPresent()) {
            NtpReference.Result ref = r.reference().get();
            ref.dropped().forEach(d -> details.add(d.message()));
            ref.failed().forEach(f -> details.add("reference " + f.message()));
            if (ref.offset().isEmpty()) {
                List<String> why =
                        ref.failed().stream().map(NtpProber.Outcome.Failed::message).toList();
                String said = "no reference NTP server answered: " + String.join("; ", why);
                return (skipWithoutReference ? Verdict.skip(said) : Verdict.error(said))
                        .withDetails(List.of());
            }
            offset = offset.minus(ref.offset().get());
            uncertainty = uncertainty.plus(ref.uncertainty());
            List<String> used = ref.used().stream().map(NtpProber.Outcome.Reading::server).toList();
            against = "against NTP " + String.join(", ", used);
        } else {
            against = "against the runner's clock";
            // The runner's own error is part of what is known about the host's offset.
            Optional<Duration> bound = r.runnerClock().flatMap(RunnerClock.State::bound);
            if (bound.isPresent()) {
                uncertainty = uncertainty.plus(bound.get());
                details.add(
                        "the runner's clock is synchronised (chrony) within ±"
                                + precise(bound.get()).substring(1)
                                + ", included in the uncertainty");
            } else if (r.runnerClock().flatMap(RunnerClock.State::notSynchronised).isEmpty()
                    && r.runnerClock().isPresent()) {
                details.add(
                        "the runner's clock is synchronised, but its tool gives no error bound;"
                                + " the uncertainty does not include it");
            }
        }
        Verdict v = verdict(offset, uncertainty, against + ", " + how);
        Optional<String> runnerProblem =
                r.runnerClock().flatMap(RunnerClock.State::notSynchronised);
        if (runnerProblem.isPresent()) {
            String runner = runnerProblem.get();
            details.add(runner);
            if (v.status() == Status.PASS && runner.contains("not synchronised")) {
                v = Verdict.warn(v.reason() + "; but " + runner);
            }
        }
        return v.withDetails(details);
    }

    /**
     * Judges what is known, the interval {@code [|offset| - u, |offset| + u]}, never the central
     * value alone: fail when all of it is beyond critical, pass when all of it is within warn, warn
     * when it may exceed warn but is surely within critical, and an error when it straddles
     * critical, since then neither "pass" nor "fail" would be honest.
     */
    Verdict verdict(Duration offset, Duration uncertainty, String how) {
        Duration abs = offset.abs();
        String said =
                direction(offset)
                        + " (offset "
                        + precise(offset)
                        + " ±"
                        + precise(uncertainty).substring(1)
                        + ", "
                        + how
                        + ")";
        Duration low = abs.minus(uncertainty);
        Duration high = abs.plus(uncertainty);
        if (low.compareTo(critical) > 0)
            return Verdict.fail(said + "; critical " + precise(critical).substring(1));
        if (high.compareTo(warn) <= 0) return Verdict.pass(said);
        if (high.compareTo(critical) <= 0)
            return Verdict.warn(
                    said
                            + "; warn "
                            + precise(warn).substring(1)
                            + (low.compareTo(warn) > 0 ? "" : " (may be exceeded)"));
        return Verdict.error(
                "cannot tell whether the offset ("
                        + precise(offset)
                        + " ±"
                        + precise(uncertainty).substring(1)
                        + ") exceeds critical "
                        + precise(critical).substring(1)
                        + ": "
                        + said);
    }

    /** "host is 3h00m02s behind", "host is 12.3ms ahead", "host is in step". */
    static String direction(Duration offset) {
        if (offset.isZero()) return "host is in step";
        String size = precise(offset.abs()).substring(1);
        return "host is " + size + (offset.isNegative() ? " behind" : " ahead");
    }

    /** Signed, with the precision that matters at each scale: +150.2ms, -2.013s, -3h00m00.023s. */
    static String precise(Duration d) {
        String sign = d.isNegative() ? "-" : "+";
        Duration a = d.abs();
        long nanos = a.toNanos();
        if (a.compareTo(Duration.ofSeconds(1)) < 0) {
            return sign + String.format(Locale.ROOT, "%.1fms", nanos / 1e6);
        }
        if (a.compareTo(Duration.ofMinutes(1)) < 0) {
            return sign + String.format(Locale.ROOT, "%.3fs", nanos / 1e9);
        }
        // Round to the shown millisecond before splitting, or 2h59m59.9996s prints as 2h59m60.000s.
        a = Duration.ofMillis(Math.round(nanos / 1e6));
        double seconds = a.toSecondsPart() + a.toMillisPart() / 1e3;
        if (a.compareTo(Duration.ofHours(1)) < 0) {
            return sign + String.format(Locale.ROOT, "%dm%06.3fs", a.toMinutes(), seconds);
        }
        return sign
                + String.format(
                        Locale.ROOT, "%dh%02dm%06.3fs", a.toHours(), a.toMinutesPart(), seconds);
    }

    @Override
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add(
                "clock offset against "
                        + (reference.isEmpty()
                                ? "the runner's clock"
                                : "NTP " + String.join(", ", reference)));
        parts.add("method " + method);
        parts.add(
                "warn "
                        + precise(warn).substring(1)
                        + ", critical "
                        + precise(critical).substring(1));
        return String.join("; ", parts);
    }
}
