package dev.postflight.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.postflight.report.Reporter;
import dev.postflight.testing.SshTestServer;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "secrets stay secret": a secret var holding a quote, double quotes, a {@code $} and a
 * space is used by a {@code become} command check and by a fix step, and every channel a run has is
 * searched for it: stdout and stderr of list, dry run, plan, apply and verify, every {@code
 * --report} format, the audit log, the plan file, the webhook body, the host's process list while
 * the run goes on (this machine is the test host), and every file on the runner and in the host's
 * home afterwards.
 */
class SecretsTest {
    static final String SECRET = "s3cr'et \"pw\" $x tok-ABC123XYZ";

    /** Every form of the secret (raw, quoted, assigned) holds this word. */
    static final String TOKEN = "tok-ABC123XYZ";

    @TempDir Path dir;
    SshTestServer host;
    WireMockServer hook;
    Path checks;
    Path marker;
    final Set<String> seenInPs = new ConcurrentSkipListSet<>();
    final AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler;

    @BeforeEach
    void start() throws Exception {
        host = SshTestServer.start(Files.createDirectory(dir.resolve("host")));
        hook = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        hook.start();
        hook.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200)));
        marker = dir.resolve("host/token-installed");
        String quotedSecret = SECRET.replace("\\", "\\\\").replace("\"", "\\\"");
        checks = dir.resolve("checks.yaml");
        Files.writeString(
                checks,
                """
                vars:
                  tok: { value: "%s", secret: true }
                  marker: "%s"
                checks:
                  - id: token-installed
                    command:
                      run: sleep 1; echo {{ tok }}; test -f {{ marker }}
                      become: true
                    fix: install-token
                fixes:
                  install-token:
                    approval: confirm
                    settle: 0s
                    retries: 0
                    steps:
                      - run: sleep 2; echo {{ tok }}; touch {{ marker }}
                """
                        .formatted(quotedSecret, marker));
        Files.writeString(
                dir.resolve("inv.yaml"),
                "hosts:\n  web1: { address: 127.0.0.1, port: %d, user: ops, identity: %s }\n"
                        .formatted(host.port(), host.clientKey()));
        Files.writeString(dir.resolve("kh"), host.knownHostsLine() + "\n");
        sampler = Thread.ofPlatform().daemon().start(this::sampleProcesses);
    }

    @AfterEach
    void stop() throws Exception {
        sampling.set(false);
        if (sampler != null) sampler.join();
        if (hook != null) hook.stop();
        if (host != null) host.close();
    }

    /** Every command line on this machine (the test host) that holds the secret. */
    private void sampleProcesses() {
        while (sampling.get()) {
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.toList()) {
                    if (!p.getFileName().toString().matches("[0-9]+")) continue;
                    try {
                        String args =
                                new String(
                                                Files.readAllBytes(p.resolve("cmdline")),
                                                StandardCharsets.UTF_8)
                                        .replace('\0', ' ');
                        if (args.contains(TOKEN)) seenInPs.add(args);
                    } catch (IOException gone) {
                        // the process ended while we looked
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private Cli run(String... args) {
        return Cli.run(args);
    }

    @RegisterExtension
    static GreenMailExtension smtp =
            new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort()).withPerMethodLifecycle(true);

    /**
     * The mail channel: verify reads its SMTP settings from the environment, so this run is a
     * separate JVM with POSTFLIGHT_SMTP_* pointing at a real SMTP server (GreenMail) on loopback. A
     * failing run mails the human report, with what the check printed: redacted.
     */
    @Test
    void theMailOfAFailingRunHoldsNoSecret() throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                "dev.postflight.cli.Main"));
        command.addAll(verifyArgs("--notify", "mail=ops@example.org", "--notify-on", "fail"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("POSTFLIGHT_SMTP_HOST", "127.0.0.1");
        pb.environment().put("POSTFLIGHT_SMTP_PORT", String.valueOf(smtp.getSmtp().getPort()));
        pb.environment().put("POSTFLIGHT_SMTP_FROM", "postflight@example.org");
        pb.environment().put("XDG_STATE_HOME", dir.resolve("state").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), out);
        assertEquals(1, p.exitValue(), out);
        assertNoSecret("verify (mail run)", out);
        MimeMessage[] got = smtp.getReceivedMessages();
        assertEquals(1, got.length, out);
        String mail = got[0].getSubject() + "\n" + got[0].getContent();
        assertNoSecret("mail", mail);
        assertTrue(mail.contains("stdout: <redacted>"), mail);
    }

    private List<String> verifyArgs(String... extra) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "verify",
                                "-i",
                                dir.resolve("inv.yaml").toString(),
                                "-c",
                                checks.toString(),
                                "--known-hosts",
                                dir.resolve("kh").toString(),
                                "--ssh-config",
                                dir.resolve("none").toString(),
                                "--no-color",
                                "--audit",
                                dir.resolve("audit.jsonl").toString(),
                                "--var",
                                "tok=" + SECRET));
        a.addAll(List.of(extra));
        return a;
    }

    private static void assertNoSecret(String channel, String text) {
        assertFalse(text.contains(TOKEN), channel + " shows the secret:\n" + text);
        assertFalse(text.contains("s3cr"), channel + " shows part of the secret:\n" + text);
    }

    @Test
    void aSecretVarAppearsInNoOutputNoProcessListAndNoFileLeftOnTheHost() throws Exception {
        Cli list = run("list", checks.toString());
        assertEquals(0, list.exit(), list.out() + list.err());
        assertNoSecret("list", list.out() + list.err());
        assertTrue(list.out().contains("<redacted>"), list.out());

        Cli dry = run(verifyArgs("--fix", "--dry-run", "-v").toArray(String[]::new));
        assertEquals(1, dry.exit(), dry.out() + dry.err());
        assertNoSecret("dry run", dry.out() + dry.err());
        assertTrue(dry.out().contains("pf_v1='<redacted>'"), dry.out());

        Path plan = dir.resolve("plan.json");
        Cli planned =
                run(verifyArgs("--fix", "--plan-out", plan.toString()).toArray(String[]::new));
        assertEquals(1, planned.exit(), planned.out() + planned.err());
        assertNoSecret("plan-out", planned.out() + planned.err());
        assertNoSecret("plan.json", Files.readString(plan));

        Cli refused = run("apply", plan.toString(), "--yes");
        assertEquals(2, refused.exit(), refused.out() + refused.err());
        assertTrue(
                refused.err()
                        .contains(
                                "the plan does not store the value of secret var(s) tok given with"
                                        + " --var: give them again, e.g. postflight apply --var"
                                        + " tok=VALUE "
                                        + plan),
                refused.err());

        Cli applied = run("apply", plan.toString(), "--yes", "--var", "tok=" + SECRET);
        assertEquals(0, applied.exit(), applied.out() + applied.err());
        assertNoSecret("apply", applied.out() + applied.err());
        assertTrue(Files.exists(marker), "the fix ran");

        Files.delete(marker);
        List<String> args =
                verifyArgs(
                        "--fix",
                        "--yes",
                        "--force",
                        "--notify",
                        "webhook=http://127.0.0.1:" + hook.port() + "/hook",
                        "--notify-on",
                        "always");
        for (String f : Reporter.FORMATS) {
            args.add("--report");
            args.add(f + "=" + dir.resolve("report." + f));
        }
        Cli fixed = run(args.toArray(String[]::new));
        assertEquals(0, fixed.exit(), fixed.out() + fixed.err());
        assertNoSecret("verify --fix", fixed.out() + fixed.err());
        for (String f : Reporter.FORMATS) {
            assertNoSecret("--report " + f, Files.readString(dir.resolve("report." + f)));
        }

        String audit = Files.readString(dir.resolve("audit.jsonl"));
        assertNoSecret("audit", audit);
        assertTrue(audit.contains("<redacted>"), audit);

        var sent = hook.findAll(anyRequestedFor(anyUrl()));
        assertEquals(1, sent.size());
        assertNoSecret("webhook", sent.get(0).getBodyAsString());

        // A failing run shows what the check printed: redacted, in every format.
        Files.delete(marker);
        Cli failing = run(verifyArgs("--format", "json").toArray(String[]::new));
        assertEquals(1, failing.exit(), failing.out() + failing.err());
        assertNoSecret("verify --format json", failing.out() + failing.err());
        assertTrue(failing.out().contains("stdout: <redacted>"), failing.out());

        sampling.set(false);
        sampler.join();
        assertEquals(Set.of(), seenInPs, "process list showed the secret");

        // Nothing of a fix run is left on the host but its history; no file anywhere holds it.
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (f.equals(checks)) continue;
                assertNoSecret(
                        f.toString(),
                        new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        try (Stream<Path> left = Files.list(dir.resolve("host/home/.local/state/postflight"))) {
            assertEquals(
                    List.of(),
                    left.map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith("fix-"))
                            .toList());
        }
    }
}
