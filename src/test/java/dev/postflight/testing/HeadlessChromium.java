package dev.postflight.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real browser for the HTML report tests: Debian's {@code chromium} in headless mode, with a
 * profile of its own under the test's folder. Every request the browser would make goes to a
 * loopback {@link CountingPort} as its proxy (loopback included) and every name resolves to
 * nothing, so {@link #requests()} counts what a page tried to load and nothing leaves this machine.
 * Background networking (updates, sync, metrics) is switched off, so a count of 0 means the page
 * asked for nothing. Runs as root with {@code --no-sandbox}.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final long TIMEOUT_SECONDS = 90;

    private final Path dir;
    private final CountingPort proxy;
    private int runs;

    private HeadlessChromium(Path dir, CountingPort proxy) {
        this.dir = dir;
        this.proxy = proxy;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** A browser keeping its profiles in {@code dir}. */
    public static HeadlessChromium start(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new HeadlessChromium(dir, CountingPort.on("127.0.0.1"));
    }

    /** Connections the browser opened to the proxy so far: requests a page made. */
    public int requests() {
        return proxy.connections();
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

    private String run(List<String> what, Path expected) throws IOException, InterruptedException {
        Path profile = dir.resolve("profile-" + ++runs);
        List<String> command =
                new ArrayList<>(
                        List.of(
                                BINARY.toString(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-dev-shm-usage",
                                "--user-data-dir=" + profile,
                                "--proxy-server=127.0.0.1:" + proxy.port(),
                                "--proxy-bypass-list=<-loopback>",
                                "--host-resolver-rules=MAP * ~NOTFOUND",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-default-apps",
                                "--disable-extensions",
                                "--disable-sync",
                                "--metrics-recording-only",
                                "--no-first-run",
                                "--no-default-browser-check"));
        command.addAll(what);
        Path out = dir.resolve("out-" + runs + ".html");
        Path err = dir.resolve("err-" + runs + ".txt");
        Process p =
                new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
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
