package dev.postflight.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postflight.check.Status;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.io.IOException;
import java.time.Duration;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * POSTs the run as JSON to an incoming webhook. The body's {@code text} is what Slack and Microsoft
 * Teams incoming webhooks show (Slack-escaped: {@code & < >}); the {@code postflight} object
 * carries the checklist, exit code, counts and failing hosts and checks for receivers that parse
 * it. Any answer other than 2xx is a failure, with its status line.
 */
record WebhookNotifier(HttpUrl url, Duration timeout) implements Notifier {

    /** Problem lines in {@code text}; the rest is counted, the JSON object has them all. */
    static final int MAX_LINES = 20;

    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public String label() {
        return "webhook=" + url.scheme() + "://" + url.host() + portSuffix() + "/…";
    }

    private String portSuffix() {
        return url.port() == HttpUrl.defaultPort(url.scheme()) ? "" : ":" + url.port();
    }

    @Override
    public void send(Message message) throws IOException {
        OkHttpClient client =
                new OkHttpClient.Builder()
                        .retryOnConnectionFailure(false)
                        .followRedirects(false)
                        .connectTimeout(timeout)
                        .readTimeout(timeout)
                        .writeTimeout(timeout)
                        .callTimeout(timeout)
                        .build();
        Request request =
                new Request.Builder()
                        .url(url)
                        .post(RequestBody.create(body(message), JSON))
                        .header("User-Agent", "postflight/" + message.run().version())
                        .build();
        try (Response response = client.newCall(request).execute()) {
            if (!response.isSuccessful()) {
                throw new IOException(
                        response.code()
                                + (response.message().isEmpty() ? "" : " " + response.message()));
            }
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }

    static String body(Message m) {
        RunReport r = m.run();
        ObjectNode root = MAPPER.createObjectNode();
        StringBuilder text = new StringBuilder(slack(m.subject()));
        m.problems().stream().limit(MAX_LINES).forEach(p -> text.append('\n').append(slack(p)));
        if (m.problems().size() > MAX_LINES)
            text.append("\n… and ").append(m.problems().size() - MAX_LINES).append(" more");
        root.put("text", text.toString());
        ObjectNode pf = root.putObject("postflight");
        pf.put("checklist", r.checklist());
        pf.put("run_id", r.runId());
        pf.put("version", r.version());
        pf.put("started", r.started().toString());
        pf.put("exit_code", r.exitCode());
        pf.put("interrupted", r.interrupted());
        ObjectNode counts = pf.putObject("counts");
        counts.put("hosts", r.hosts().size());
        counts.put(
                "hosts_unreachable",
                r.hosts().stream().filter(h -> h.unreachable().isPresent()).count());
        counts.put("checks", r.checkCount());
        for (Status s : Status.values()) counts.put(s.word(), r.count(s));
        ArrayNode failing = pf.putArray("failing");
        for (HostResult h : r.hosts()) {
            h.unreachable()
                    .ifPresent(u ->
                            failing.addObject()
                                    .put("host", h.host())
                                    .put("status", Status.ERROR.word())
                                    .put("reason", "unreachable: " + u));
            for (CheckResult c : h.checks()) {
                if (c.status() != Status.FAIL && c.status() != Status.ERROR) continue;
                failing.addObject()
                        .put("host", h.host())
                        .put("check", c.id())
                        .put("type", c.type())
                        .put("status", c.status().word())
                        .put("severity", c.severity().word())
                        .put("reason", c.verdict().reason());
            }
        }
        try {
            return MAPPER.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Slack reads {@code & < >} as markup (links, mentions); escaped they show as themselves. */
    private static String slack(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
