package dev.postflight.check;

import dev.postflight.input.Durations;
import dev.postflight.input.Fields;
import dev.postflight.transport.HttpProber;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An HTTP(S) request from the runner: the site answers, with the expected status, content, headers
 * and latency. Seed 003's lesson is that "it answers" is not "it is healthy", so this is one check
 * among several, but it is the one monitoring already has.
 */
public record HttpCheck(
        String url,
        String method,
        List<Integer> status,
        Optional<String> bodyContains,
        Optional<Pattern> bodyMatches,
        Map<String, String> headers,
        Optional<Duration> maxLatency,
        boolean followRedirects,
        boolean allowDowngrade,
        Optional<String> hostHeader,
        boolean insecure,
        Optional<Path> caFile,
        Duration timeout)
        implements CheckSpec<HttpProber.Outcome> {

    public HttpCheck {
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("url must start with http:// or https://: " + url);
        }
        if (status.isEmpty()) throw new IllegalArgumentException("status needs at least one code");
        for (int s : status) {
            if (s < 100 || s > 599)
                throw new IllegalArgumentException("status " + s + " is not an HTTP status");
        }
        if (insecure && caFile.isPresent()) {
            throw new IllegalArgumentException("insecure: true and ca_file exclude each other");
        }
        status = List.copyOf(status);
        headers = Map.copyOf(headers);
    }

    static Optional<HttpCheck> parse(Fields f) {
        String url = f.requiredText("url");
        String method =
                f.choice("method", List.of("GET", "HEAD", "POST", "PUT", "OPTIONS")).orElse("GET");
        List<Integer> status = f.integerList("status");
        Optional<String> contains = f.text("body_contains");
        Optional<Pattern> matches = f.regex("body_matches");
        Map<String, String> headers = f.textMap("headers");
        Optional<Duration> maxLatency = f.duration("max_latency");
        boolean follow = f.bool("follow_redirects").orElse(true);
        boolean allowDowngrade = f.bool("allow_downgrade").orElse(false);
        Optional<String> hostHeader = f.text("host_header");
        boolean insecure = f.bool("insecure").orElse(false);
        Optional<Path> caFile = f.text("ca_file").map(Path::of);
        Duration timeout = f.duration("timeout").orElse(Duration.ofSeconds(10));
        if (url.isEmpty()) return Optional.empty();
        return f.build(() ->
                new HttpCheck(
                        url,
                        method,
                        status.isEmpty() ? List.of(200) : status,
                        contains,
                        matches,
                        headers,
                        maxLatency,
                        follow,
                        allowDowngrade,
                        hostHeader,
                        insecure,
                        caFile,
                        timeout));
    }

    @Override
    public Probe<HttpProber.Outcome> probe() {
        return Probe.runner(ctx ->
                ctx.http()
                        .send(
                                new HttpProber.Request(
                                        method,
                                        url,
                                        Map.of(),
                                        hostHeader,
                                        followRedirects,
                                        allowDowngrade,
                                        insecure,
                                        caFile,
                                        timeout.compareTo(ctx.timeout()) < 0
                                                ? timeout
                                                : ctx.timeout())));
    }

    @Override
    public Verdict judge(HttpProber.Outcome outcome, Now now) {
        String target = method + " " + hostHeader.map(h -> url + " (Host: " + h + ")").orElse(url);
        if (outcome instanceof HttpProber.Outcome.Failure failure) {
            return Verdict.fail(target + ": " + failure.message());
        }
        HttpProber.Outcome.Response r = (HttpProber.Outcome.Response) outcome;
        String took = Durations.format(r.latency());
        List<String> problems = new ArrayList<>();
        if (!status.contains(r.status())) {
            problems.add("status " + r.status() + ", expected " + statusText());
        }
        String body = new String(r.body(), StandardCharsets.UTF_8);
        bodyContains
                .filter(s -> !body.contains(s))
                .ifPresent(s -> problems.add("body does not contain '" + s + "'"));
        bodyMatches
                .filter(p -> !p.matcher(body).find())
                .ifPresent(p -> problems.add("body does not match /" + p.pattern() + "/"));
        headers.forEach((name, expected) -> {
            List<String> got = r.headers().getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
            if (got.stream().noneMatch(v -> v.contains(expected))) {
                problems.add(
                        "header "
                                + name
                                + (got.isEmpty()
                                        ? " missing"
                                        : " is '" + String.join(", ", got) + "'")
                                + ", expected '"
                                + expected
                                + "'");
            }
        });
        maxLatency
                .filter(max -> r.latency().compareTo(max) > 0)
                .ifPresent(max ->
                        problems.add("took " + took + ", max_latency " + Durations.format(max)));
        if (problems.isEmpty()) {
            return Verdict.pass(target + ": " + r.status() + " in " + took);
        }
        List<String> details = new ArrayList<>();
        if (!status.contains(r.status()) || bodyContains.isPresent() || bodyMatches.isPresent()) {
            details.add("body: " + excerpt(body));
        }
        return Verdict.fail(target + ": " + String.join("; ", problems)).withDetails(details);
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder(method + " " + url);
        hostHeader.ifPresent(h -> s.append(" (Host/SNI ").append(h).append(")"));
        s.append(" expects ").append(statusText());
        bodyContains.ifPresent(c -> s.append(", body contains '").append(c).append("'"));
        bodyMatches.ifPresent(p -> s.append(", body matches /").append(p.pattern()).append("/"));
        maxLatency.ifPresent(m -> s.append(", within ").append(Durations.format(m)));
        if (insecure) s.append(", TLS not verified");
        return s.toString();
    }

    private String statusText() {
        return status.size() == 1
                ? status.get(0).toString()
                : String.join(" or ", status.stream().map(String::valueOf).toList());
    }

    private static String excerpt(String body) {
        String oneLine = body.replaceAll("\\s+", " ").strip();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }
}
