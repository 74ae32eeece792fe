package dev.postflight.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real browser for the HTML report tests: Debian's {@code chromium} in headless mode, with a
 * profile of its own under the test's folder. Every request the browser makes goes to a loopback
 * proxy (loopback addresses included) that records its request line and closes the connection, and
 * every other name resolves to nothing, so nothing leaves this machine. {@link #requests()} lists
 * what pages asked for: the browser's own background calls that no switch turns off (its component
 * updater at update.googleapis.com, its account check at accounts.google.com, with Chromium 156)
 * are recognised by host and left out. Runs as root with {@code --no-sandbox}.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final long TIMEOUT_SECONDS = 90;

    /** Hosts the browser itself calls in the background, whatever page it shows. */
    private static final Set<String> BROWSER_HOSTS =
            Set.of(
                    "update.googleapis.com",
                    "accounts.google.com",
                    "clients2.google.com",
                    "redirector.gvt1.com",
                    "edgedl.me.gvt1.com");

    private final Path dir;
    private final ServerSocket proxy;
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private int runs;

    private HeadlessChromium(Path dir, ServerSocket proxy) {
        this.dir = dir;
        this.proxy = proxy;
        Thread.ofVirtual().start(this::record);
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** A browser keeping its profiles in {@code dir}. */
    public static HeadlessChromium start(Path dir) throws IOException {
        Files.createDirectories(dir);
        ServerSocket proxy = new ServerSocket();
        proxy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new HeadlessChromium(dir, proxy);
    }

    /**
     * The request lines ({@code GET http://host/path HTTP/1.1}, {@code CONNECT host:443 HTTP/1.1})
     * of every request so far but the browser's own background calls: what pages asked for.
     */
    public List<String> requests() {
        return requestLines.stream().filter(l -> !BROWSER_HOSTS.contains(host(l))).toList();
    }

    private static String host(String requestLine) {
        String[] parts = requestLine.split(" ");
        if (parts.length < 2) return "";
        String target = parts[1].replaceFirst("^[a-z]+://", "");
        return target.replaceFirst("[:/].*", "");
    }

    private void record() {
        while (!proxy.isClosed()) {
            try (Socket s = proxy.accept()) {
                s.setSoTimeout(5000);
                requestLines.add(firstLine(s.getInputStream()));
            } catch (IOException e) {
                if (proxy.isClosed()) return;
                requestLines.add("(unreadable: " + e.getMessage() + ")");
            }
        }
    }

    private static String firstLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n' && b.length() < 2000; c = in.read())
            if (c != '\r') b.append((char) c);
        return b.toString();
    }

    /** The DOM of {@code file} (with {@code #fragment} when not empty) after its scripts ran. */
    public String dumpDom(Path file, String fragment) throws IOException, InterruptedException {
        return run(List.of("--virtual-time-budget=5000", "--dump-dom", url(file, fragment)), null);
    }

    /** Saves a 1400×1000 screenshot of {@code file} to {@code png}. */
    public void screenshot(Path file, String fragment, Path png)
            throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        run(
                List.of(
                        "--virtual-time-budget=5000",
                        "--window-size=1400,1000",
                        "--hide-scrollbars",
                        "--screenshot=" + png.toAbsolutePath(),
                        url(file, fragment)),
                png);
    }

    private static String url(Path file, String fragment) {
        return file.toAbsolutePath().toUri() + (fragment.isEmpty() ? "" : "#" + fragment);
    }

    /**
     * Opens {@code file} and runs each script in the page in turn (as the DevTools protocol's
     * {@code Runtime.evaluate}, over a WebSocket on loopback), once the page has loaded: the
     * scripts click and type as a user would ({@code element.click()} fires the same events). The
     * result of each script, as a string.
     */
    public List<String> interact(Path file, String fragment, List<String> scripts)
            throws IOException, InterruptedException {
        Path profile = dir.resolve("profile-" + ++runs);
        List<String> command = command(profile);
        command.addAll(List.of("--remote-debugging-port=0", url(file, fragment)));
        Process p =
                browser(command)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(dir.resolve("err-" + runs + ".txt").toFile())
                        .start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
                if (System.nanoTime() > deadline || !p.isAlive())
                    throw new AssertionError("chromium opened no DevTools port");
                Thread.sleep(50);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
            HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
            ObjectMapper json = new ObjectMapper();
            String socket = null;
            while (socket == null) {
                JsonNode targets =
                        json.readTree(
                                http.send(
                                                HttpRequest.newBuilder(
                                                                URI.create(
                                                                        "http://127.0.0.1:"
                                                                                + port
                                                                                + "/json/list"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.ofString())
                                        .body());
                for (JsonNode t : targets)
                    if (t.path("type").asText().equals("page")
                            && t.path("url").asText().startsWith("file:"))
                        socket = t.path("webSocketDebuggerUrl").asText();
                if (socket == null) Thread.sleep(50);
                if (System.nanoTime() > deadline) throw new AssertionError("no page target");
            }
            DevTools devtools = new DevTools(http, URI.create(socket), json);
            try {
                while (!devtools.evaluate("document.readyState").equals("complete")) {
                    if (System.nanoTime() > deadline) throw new AssertionError("page never loaded");
                    Thread.sleep(50);
                }
                List<String> results = new ArrayList<>();
                for (String script : scripts) results.add(devtools.evaluate(script));
                return results;
            } finally {
                devtools.close();
            }
        } finally {
            // SIGTERM lets it remove its profile lock and socket; what is left then is killed.
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** One DevTools protocol session: a request, then its answer, in turn. */
    private static final class DevTools implements WebSocket.Listener {
        private final ObjectMapper json;
        private final WebSocket socket;
        private final StringBuilder message = new StringBuilder();
        private final BlockingQueue<JsonNode> answers = new LinkedBlockingQueue<>();
        private int id;

        DevTools(HttpClient http, URI uri, ObjectMapper json) {
            this.json = json;
            this.socket = http.newWebSocketBuilder().buildAsync(uri, this).join();
        }

        String evaluate(String expression) throws IOException, InterruptedException {
            int n = ++id;
            ObjectNode request =
                    json.createObjectNode().put("id", n).put("method", "Runtime.evaluate");
            request.putObject("params")
                    .put("expression", expression)
                    .put("returnByValue", true)
                    .put("userGesture", true);
            socket.sendText(json.writeValueAsString(request), true).join();
            while (true) {
                JsonNode answer = answers.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (answer == null) throw new AssertionError("no answer to " + expression);
                if (answer.path("id").asInt() != n) continue;
                JsonNode result = answer.path("result");
                if (result.has("exceptionDetails"))
                    throw new AssertionError(expression + ": " + result.get("exceptionDetails"));
                JsonNode value = result.path("result").path("value");
                return value.isTextual() ? value.asText() : value.toString();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                try {
                    answers.add(json.readTree(message.toString()));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                message.setLength(0);
            }
            ws.request(1);
            return null;
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        }
    }

    /**
     * The browser's process, keeping its temporary files (a profile socket) in the test's folder.
     */
    private ProcessBuilder browser(List<String> command) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command);
        b.environment().put("TMPDIR", Files.createDirectories(dir.resolve("tmp")).toString());
        return b;
    }

    private List<String> command(Path profile) {
        return new ArrayList<>(
                List.of(
                        BINARY.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--user-data-dir=" + profile,
                        "--proxy-server=127.0.0.1:" + proxy.getLocalPort(),
                        "--proxy-bypass-list=<-loopback>",
                        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-default-apps",
                        "--disable-extensions",
                        "--disable-sync",
                        "--disable-domain-reliability",
                        "--no-pings",
                        "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,"
                                + "Translate,MediaRouter",
                        "--metrics-recording-only",
                        "--no-first-run",
                        "--no-default-browser-check"));
    }

    private String run(List<String> what, Path expected) throws IOException, InterruptedException {
        Path profile = dir.resolve("profile-" + ++runs);
        List<String> command = command(profile);
        command.addAll(what);
        Path out = dir.resolve("out-" + runs + ".html");
        Path err = dir.resolve("err-" + runs + ".txt");
        Process p =
                browser(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in " + TIMEOUT_SECONDS + " s");
        }
        // Its zygote and renderers end with it; make sure none outlives the test.
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || (expected == null ? dom.isEmpty() : !Files.exists(expected)))
            throw new AssertionError(
                    "chromium exited "
                            + p.exitValue()
                            + ": "
                            + Files.readString(err, StandardCharsets.UTF_8));
        return dom;
    }

    @Override
    public void close() throws IOException {
        proxy.close();
    }
}
