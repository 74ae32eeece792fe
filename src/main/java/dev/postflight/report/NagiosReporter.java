package dev.postflight.report;

import dev.postflight.check.Status;
import dev.postflight.input.Plural;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run as a Nagios/Icinga plugin's output: one status line ({@code POSTFLIGHT CRITICAL - …})
 * with performance data after {@code |}, then one long-text line per problem. The status word is
 * the run's {@link RunReport#nagiosExitCode()}, which the command also exits with; this class only
 * words it. Text never contains {@code |} (the monitoring system would cut it there) nor a line
 * break. Perfdata follows the plugin guidelines, {@code label=value[UOM];[warn];[crit];[min]}; the
 * labels are fixed words without spaces, so they never need quoting.
 */
final class NagiosReporter implements Reporter {

    private static final List<String> WORDS = List.of("OK", "WARNING", "CRITICAL", "UNKNOWN");

    @Override
    public String render(RunReport r) {
        StringBuilder out = new StringBuilder("POSTFLIGHT ");
        out.append(WORDS.get(r.nagiosExitCode())).append(" - ");
        if (r.interrupted()) out.append("run interrupted, ");
        out.append(summary(r)).append(" | ").append(perfdata(r)).append('\n');
        for (HostResult h : r.hosts()) {
            h.unreachable()
                    .ifPresent(
                            u -> out.append(text(h.host() + ": unreachable - " + u)).append('\n'));
            for (FixResult f : h.fixes()) {
                if (f.failsRun())
                    out.append(text(h.host() + "/fix " + f.fix() + ": failed - " + f.summary()))
                            .append('\n');
            }
            for (CheckResult c : h.checks()) {
                if (c.status() == Status.PASS
                        || c.status() == Status.FIXED
                        || c.status() == Status.SKIP) continue;
                out.append(
                                text(
                                        h.host()
                                                + "/"
                                                + c.id()
                                                + ": "
                                                + c.status().word()
                                                + " ("
                                                + c.severity().word()
                                                + ") - "
                                                + c.verdict().reason()))
                        .append('\n');
            }
        }
        return out.toString();
    }

    /**
     * "3 of 8 checks failed on 2 of 2 hosts (web1: a, b; web2: unreachable)"; errors as "could not
     * be judged".
     */
    private static String summary(RunReport r) {
        long checks = r.checkCount();
        int hosts = r.hosts().size();
        long failed = r.count(Status.FAIL) + r.count(Status.ERROR);
        long unreachable = r.hosts().stream().filter(h -> h.unreachable().isPresent()).count();
        long fixesFailed =
                r.hosts().stream()
                        .flatMap(h -> h.fixes().stream())
                        .filter(FixResult::failsRun)
                        .count();
        boolean failures = failed > 0 || unreachable > 0 || fixesFailed > 0;
        List<Status> shown = failures ? List.of(Status.FAIL, Status.ERROR) : List.of(Status.WARN);
        List<String> byHost = new ArrayList<>();
        for (HostResult h : r.hosts()) {
            List<String> ids = new ArrayList<>();
            if (h.unreachable().isPresent()) ids.add("unreachable");
            else for (CheckResult c : h.checks()) if (shown.contains(c.status())) ids.add(c.id());
            for (FixResult f : h.fixes()) if (f.failsRun()) ids.add("fix " + f.fix() + " failed");
            if (!ids.isEmpty()) byHost.add(h.host() + ": " + String.join(", ", ids));
        }
        String text;
        if (!byHost.isEmpty()) {
            long fails = r.count(Status.FAIL);
            long errors = r.count(Status.ERROR);
            String of = " of " + plural(checks, "check");
            // An error is a check that could not be judged, not one that failed (issue 19).
            String what =
                    !failures
                            ? r.count(Status.WARN) + of + " warned"
                            : errors == 0
                                    ? fails + of + " failed"
                                    : fails == 0
                                            ? errors + of + " could not be judged"
                                            : fails
                                                    + of
                                                    + " failed, "
                                                    + errors
                                                    + " could not be judged";
            text =
                    what
                            + " on "
                            + byHost.size()
                            + " of "
                            + plural(hosts, "host")
                            + (unreachable > 0 ? ", " + unreachable + " unreachable" : "")
                            + " ("
                            + String.join("; ", byHost)
                            + ")";
        } else {
            long skipped = r.count(Status.SKIP);
            text =
                    plural(checks - skipped, "check")
                            + " passed on "
                            + plural(hosts, "host")
                            + (skipped > 0 ? ", " + skipped + " skipped" : "");
        }
        return text(text);
    }

    private static String perfdata(RunReport r) {
        List<String> p = new ArrayList<>();
        p.add(count("checks", r.checkCount()));
        p.add(count("passed", r.count(Status.PASS) + r.count(Status.FIXED)));
        p.add(count("warn", r.count(Status.WARN)));
        p.add(count("failed", r.count(Status.FAIL)));
        p.add(count("errors", r.count(Status.ERROR)));
        p.add(count("skipped", r.count(Status.SKIP)));
        p.add(count("hosts", r.hosts().size()));
        p.add(
                count(
                        "hosts_unreachable",
                        r.hosts().stream().filter(h -> h.unreachable().isPresent()).count()));
        p.add(String.format(Locale.ROOT, "elapsed=%.3fs;;;0", r.elapsed().toMillis() / 1000.0));
        return String.join(" ", p);
    }

    private static String count(String label, long value) {
        return label + "=" + value + ";;;0";
    }

    private static String plural(long n, String noun) {
        return Plural.of(n, noun);
    }

    /** One line without the perfdata separator: {@code |} becomes {@code /}, breaks a space. */
    private static String text(String s) {
        return s.replace('|', '/').replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
    }
}
