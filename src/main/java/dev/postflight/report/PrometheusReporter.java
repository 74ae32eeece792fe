package dev.postflight.report;

import dev.postflight.check.Status;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The run in the Prometheus text exposition format, for node_exporter's textfile collector: write
 * it to {@code /var/lib/node_exporter/postflight.prom} and alert on {@code postflight_check_ok ==
 * 0}. Each check is two series with a fixed label set, {@code postflight_check_ok} (1 when it
 * passed or was skipped) and {@code postflight_check_status_code} (0 pass, 1 warn, 2 fail, 3 error,
 * 4 skip), rather than one series per status: a status label would make a new series appear and the
 * old one go stale each time a check changes status, which breaks alerts and graphs. Every series
 * carries {@code checklist}, so two checklists' files in one collector folder do not clash. Samples
 * have no timestamps (the textfile collector rejects them); the run's start time is a metric of its
 * own.
 */
final class PrometheusReporter implements Reporter {

    @Override
    public String render(RunReport r) {
        String run = "checklist=\"" + escape(r.checklist()) + "\"";
        StringBuilder out = new StringBuilder();
        family(
                out,
                "postflight_run_timestamp_seconds",
                "Unix time the postflight run started.",
                List.of(sample(run, seconds(r.started().toEpochMilli()))));
        family(
                out,
                "postflight_run_duration_seconds",
                "How long the postflight run took.",
                List.of(sample(run, seconds(r.elapsed().toMillis()))));
        family(
                out,
                "postflight_run_exit_code",
                "Exit code of postflight verify: 0 ok, 1 a critical check failed or a host was"
                        + " unreachable, 130 interrupted.",
                List.of(sample(run, Integer.toString(r.exitCode()))));
        List<String> up = new ArrayList<>();
        for (HostResult h : r.hosts())
            up.add(sample(hostLabels(run, h), h.unreachable().isPresent() ? "0" : "1"));
        family(out, "postflight_host_up", "1 if postflight reached the host, else 0.", up);
        family(
                out,
                "postflight_check_ok",
                "1 if the check passed or was skipped, 0 if it warned, failed or could not be"
                        + " judged.",
                checks(
                        r,
                        run,
                        c ->
                                c == Status.PASS || c == Status.FIXED || c == Status.SKIP
                                        ? "1"
                                        : "0"));
        family(
                out,
                "postflight_check_status_code",
                "Status of the check: 0 pass, 1 warn, 2 fail, 3 error, 4 skip.",
                checks(r, run, c -> Integer.toString(code(c))));
        List<String> fixes = new ArrayList<>();
        for (HostResult h : r.hosts())
            for (FixResult f : h.fixes())
                fixes.add(
                        sample(
                                hostLabels(run, h) + ",fix=\"" + escape(f.fix()) + "\"",
                                switch (f.outcome()) {
                                    case SUCCEEDED -> "0";
                                    case NOT_RUN -> "1";
                                    case FAILED -> "2";
                                }));
        if (!fixes.isEmpty())
            family(
                    out,
                    "postflight_fix_outcome_code",
                    "What became of a fix planned by --fix: 0 succeeded, 1 not run, 2 failed.",
                    fixes);
        return out.toString();
    }

    private static List<String> checks(RunReport r, String run, Function<Status, String> value) {
        List<String> samples = new ArrayList<>();
        for (HostResult h : r.hosts()) {
            for (CheckResult c : h.checks()) {
                String labels =
                        hostLabels(run, h)
                                + ",check=\""
                                + escape(c.id())
                                + "\",severity=\""
                                + c.severity().word()
                                + "\"";
                samples.add(sample(labels, value.apply(c.status())));
            }
        }
        return samples;
    }

    private static void family(StringBuilder out, String name, String help, List<String> samples) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        for (String s : samples) out.append(name).append(s).append('\n');
    }

    private static String hostLabels(String run, HostResult h) {
        return run + ",host=\"" + escape(h.host()) + "\"";
    }

    private static String sample(String labels, String value) {
        return "{" + labels + "} " + value;
    }

    private static int code(Status s) {
        return switch (s) {
            case PASS, FIXED -> 0;
            case WARN -> 1;
            case FAIL -> 2;
            case ERROR -> 3;
            case SKIP -> 4;
        };
    }

    /** Milliseconds as seconds without exponent or trailing zeros: 4321 → 4.321, 4000 → 4. */
    private static String seconds(long millis) {
        return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
    }

    /** A label value as the exposition format escapes it: backslash, double quote, line feed. */
    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
