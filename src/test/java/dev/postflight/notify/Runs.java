package dev.postflight.notify;

import dev.postflight.check.Severity;
import dev.postflight.check.Verdict;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Hand-built runs over web1..web3 where the named checks fail on web2 and all else passes. */
final class Runs {
    private Runs() {}

    static RunReport failing(String checklist, String... failingOnWeb2) {
        List<HostResult> hosts = new ArrayList<>();
        for (String host : List.of("web1", "web2", "web3")) {
            List<CheckResult> checks = new ArrayList<>();
            checks.add(check("site", Verdict.pass("200 in 12ms")));
            for (String id : failingOnWeb2)
                checks.add(
                        check(
                                id,
                                host.equals("web2")
                                        ? Verdict.fail(
                                                id.equals("ntp")
                                                        ? "ntpd: inactive"
                                                        : id + " failed")
                                        : Verdict.pass("ok")));
            hosts.add(
                    new HostResult(
                            host,
                            "ssh ops@" + host + ":22",
                            Optional.empty(),
                            Optional.empty(),
                            checks,
                            Duration.ofMillis(250),
                            1));
        }
        return new RunReport(
                "run-1",
                "0.1.0",
                Instant.parse("2026-11-23T18:04:15Z"),
                Duration.ofSeconds(2),
                checklist,
                List.of(Path.of("checks.yaml")),
                "0".repeat(64),
                hosts,
                false);
    }

    private static CheckResult check(String id, Verdict v) {
        return new CheckResult(id, "command", Severity.CRITICAL, v, Optional.empty());
    }
}
