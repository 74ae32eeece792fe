package dev.postflight.notify;

import dev.postflight.check.Status;
import dev.postflight.input.Plural;
import dev.postflight.report.Reporter;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.util.ArrayList;
import java.util.List;

/**
 * What a notification says about a run: a one-line subject ({@code [postflight] CRITICAL
 * after-maintenance: 2 checks failed on 1 of 3 hosts}), the problems as short lines ({@code
 * web1/ntp: fail - ntpd inactive}) and the full human report without colour, plus the run itself
 * for notifiers that send structured data.
 */
record Message(String subject, List<String> problems, String report, RunReport run) {

    private static final List<String> WORDS = List.of("OK", "WARNING", "CRITICAL", "UNKNOWN");

    public Message {
        problems = List.copyOf(problems);
    }

    public static Message of(RunReport r) {
        String subject =
                "[postflight] "
                        + WORDS.get(r.nagiosExitCode())
                        + " "
                        + r.checklist()
                        + ": "
                        + (r.interrupted() ? "run interrupted, " : "")
                        + summary(r);
        List<String> problems = new ArrayList<>();
        for (HostResult h : r.hosts()) {
            h.unreachable().ifPresent(u -> problems.add(h.host() + ": unreachable - " + u));
            for (CheckResult c : h.checks()) {
                if (c.status().compareTo(Status.WARN) < 0) continue;
                problems.add(
                        h.host()
                                + "/"
                                + c.id()
                                + ": "
                                + c.status().word()
                                + " ("
                                + c.severity().word()
                                + ") - "
                                + c.verdict().reason());
            }
        }
        return new Message(
                oneLine(subject),
                problems.stream().map(Message::oneLine).toList(),
                Reporter.forFormat("human", false).render(r),
                r);
    }

    /** "2 checks failed on 1 of 3 hosts", "1 check warned on 1 of 3 hosts", "12 checks passed…". */
    private static String summary(RunReport r) {
        long failed = r.count(Status.FAIL) + r.count(Status.ERROR);
        long unreachable = r.hosts().stream().filter(h -> h.unreachable().isPresent()).count();
        int hosts = r.hosts().size();
        if (failed > 0 || unreachable > 0) {
            long onHosts =
                    r.hosts().stream().filter(h -> h.worst().compareTo(Status.FAIL) >= 0).count();
            return plural(failed, "check")
                    + " failed on "
                    + onHosts
                    + " of "
                    + plural(hosts, "host")
                    + (unreachable > 0 ? ", " + unreachable + " unreachable" : "");
        }
        long warned = r.count(Status.WARN);
        if (warned > 0) {
            long onHosts = r.hosts().stream().filter(h -> h.count(Status.WARN) > 0).count();
            return plural(warned, "check")
                    + " warned on "
                    + onHosts
                    + " of "
                    + plural(hosts, "host");
        }
        long skipped = r.count(Status.SKIP);
        return plural(r.checkCount() - skipped, "check")
                + " passed on "
                + plural(hosts, "host")
                + (skipped > 0 ? ", " + skipped + " skipped" : "");
    }

    private static String plural(long n, String noun) {
        return Plural.of(n, noun);
    }

    /** Text from hosts may hold line breaks or control characters; a subject must not. */
    private static String oneLine(String s) {
        return s.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
    }
}
