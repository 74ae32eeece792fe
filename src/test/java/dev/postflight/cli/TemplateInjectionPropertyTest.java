package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.postflight.input.Location;
import dev.postflight.input.Problems;
import dev.postflight.input.Template;
import dev.postflight.testing.SshTestServer;
import dev.postflight.transport.ExecResult;
import dev.postflight.transport.HostConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Issue 13: a template value never becomes shell syntax. Generates values from every shell
 * metacharacter, quotes, newlines, random UTF-8 and payloads that each touch a marker file, and
 * runs them, 1,000 per shell run, through a real dash and bash over SSH (MINA SSHD) in every
 * context a template may stand in, and through postflight's own paths (a command check fed by
 * {@code --var}, by inventory host vars and by group vars; a fix's {@code run:} step). Every
 * property asserts that no payload ran (no marker file) and that the shell printed each value back
 * byte for byte. 10 tries of 1,000 values (a fix: 5 of 2,000): 10,000 values per context.
 */
class TemplateInjectionPropertyTest {
    static final int BATCH = 1000;
    static final int TRIES = 10;

    private static Path dir;
    private static Path marker;
    private static SshTestServer server;
    private static Path knownHosts;
    private static HostConnection connection;

    private static String picocliTrace;

    @BeforeContainer
    static void start() throws Exception {
        // picocli warns on stderr about quotes in --var values it leaves as they are: thousands
        // of lines here.
        picocliTrace = System.getProperty("picocli.trace");
        System.setProperty("picocli.trace", "OFF");
        dir = Files.createTempDirectory("pf-templates");
        marker = dir.resolve("pwned");
        server =
                SshTestServer.start(
                        Files.createDirectory(dir.resolve("host")),
                        Map.of("XDG_STATE_HOME", dir.resolve("state").toString()),
                        false);
        knownHosts = server.writeKnownHosts(dir.resolve("known_hosts"));
        connection =
                server.connector("web1", knownHosts)
                        .connect(null, Instant.now().plus(Duration.ofSeconds(10)));
    }

    /** Each try starts without a marker, so a failure names the try whose payload ran. */
    @BeforeTry
    void noMarkerYet() throws IOException {
        Files.deleteIfExists(marker);
    }

    @AfterContainer
    static void stop() throws Exception {
        if (picocliTrace == null) System.clearProperty("picocli.trace");
        else System.setProperty("picocli.trace", picocliTrace);
        if (connection != null) connection.close();
        if (server != null) server.close();
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ---- the shells' own contexts, through dash and bash --------------------------------------

    @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
    void aBareTemplateIsOneWordHoldingTheValue(@ForAll("batches") List<String> values)
            throws Exception {
        String text = lines(values.size(), k -> "printf '%s\\0' {{ v" + k + " }}");
        assertEchoedInBothShells(text, values, withEmptyLast(values), "\0");
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
    void aTemplateInsideDoubleQuotesIsTheValueBetweenItsNeighbours(
            @ForAll("batches") List<String> values) throws Exception {
        String text = lines(values.size(), k -> "printf '%s\\0' \"<{{ v" + k + " }}>\"");
        assertEchoedInBothShells(
                text,
                values,
                withEmptyLast(values.stream().map(v -> "<" + v + ">").toList()),
                "\0");
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
    void aTemplateInAnUnquotedHeredocIsTheValueVerbatim(@ForAll("batches") List<String> values)
            throws Exception {
        String sep = "@@PF-" + UUID.randomUUID() + "@@";
        StringBuilder text = new StringBuilder("cat <<PF_END\n");
        for (int k = 0; k < values.size(); k++) {
            if (k > 0) text.append('\n').append(sep).append('\n');
            text.append("{{ v").append(k).append(" }}");
        }
        text.append("\nPF_END");
        List<String> expected = new ArrayList<>(values);
        expected.add(expected.removeLast() + "\n");
        assertEchoedInBothShells(text.toString(), values, expected, "\n" + sep + "\n");
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
    void aTemplateInsideCommandSubstitutionIsQuotedForItsOwnContext(
            @ForAll("batches") List<String> values) throws Exception {
        String sep = "@@PF-" + UUID.randomUUID() + "@@";
        StringBuilder text = new StringBuilder("pf_x=\"$(\n");
        for (int k = 0; k < values.size(); k++) {
            text.append(k % 2 == 0 ? "printf '%s" : "printf \"%s")
                    .append(sep)
                    .append(k % 2 == 0 ? "' {{ v" : "\" \"{{ v")
                    .append(k)
                    .append(k % 2 == 0 ? " }}\n" : " }}\"\n");
        }
        text.append("echo _)\"\nprintf '%s' \"${pf_x%_}\"");
        assertEchoedInBothShells(text.toString(), values, withEmptyLast(values), sep);
    }

    // ---- postflight's own paths: command check and fix step, fed by --var and inventory ----

    @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
    void aCommandCheckFedByDashDashVarRunsNoPayload(@ForAll("batches") List<String> values)
            throws Exception {
        assertCommandCheckEchoes(values, inventory(Map.of(), Map.of()), varArgs(values), "");
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
    void aCommandCheckFedByInventoryHostVarsRunsNoPayload(
            @ForAll("inventoryBatches") List<String> values) throws Exception {
        assertCommandCheckEchoes(values, inventory(vars(values), Map.of()), List.of(), "");
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
    void aCommandCheckFedByInventoryGroupVarsRunsNoPayload(
            @ForAll("inventoryBatches") List<String> values) throws Exception {
        assertCommandCheckEchoes(values, inventory(Map.of(), vars(values)), List.of(), "");
    }

    /**
     * A fix run costs a second of polling, so it takes its 10,000 values in 5 runs of 2,000, in two
     * steps of 1,000 (a step travels to the host as one argument, which Linux caps at 128 KiB).
     */
    @Property(tries = TRIES / 2, shrinking = ShrinkingMode.OFF)
    void aFixRunStepFedByDashDashVarRunsNoPayload(@ForAll("fixBatches") List<String> values)
            throws Exception {
        Path out = dir.resolve("fix-out");
        Files.deleteIfExists(out);
        String checks =
                "checks:\n"
                        + "  - id: broken\n"
                        + "    command: { run: \"exit 3\" }\n"
                        + "    fix: echo-values\n"
                        + "fixes:\n"
                        + "  echo-values:\n"
                        + "    approval: auto\n"
                        + "    cooldown: 0s\n"
                        + "    settle: 0s\n"
                        + "    retries: 0\n"
                        + "    steps:\n"
                        + "      - run: |\n"
                        + indent(mixedScript(0, values.size() / 2, out + ""), "          ")
                        + "\n      - run: |\n"
                        + indent(
                                mixedScript(values.size() / 2, values.size(), ">" + out),
                                "          ")
                        + "\n";
        List<String> args = new ArrayList<>(List.of("--fix", "--yes", "--force"));
        args.addAll(varArgs(values));
        Cli r = verify(write("fix.yaml", checks), inventory(Map.of(), Map.of()), args);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertNoPayloadRan();
        assertEquals(values, split(Files.readString(out, StandardCharsets.UTF_8), "\0"));
    }

    /**
     * The issue's own report: {@code run: "echo \"{{ v }}\""} with {@code --var 'v=$(touch …)'} ran
     * the payload on the target, and {@code user='a b'} arrived as {@code 'a b'} with its quotes.
     */
    @Example
    void theIssuesPayloadInDoubleQuotesIsPrintedNotRunAndASpaceArrivesWithoutQuotes()
            throws Exception {
        Files.deleteIfExists(marker);
        Path out = dir.resolve("issue-out");
        Path checks =
                write(
                        "issue.yaml",
                        "checks:\n  - id: echo\n    command: { run: \"echo \\\"{{ v }}|{{ user }}\\\" >"
                                + out
                                + "\" }\n");
        Cli r =
                verify(
                        checks,
                        inventory(Map.of(), Map.of()),
                        List.of("--var", "v=$(touch " + marker + ")", "--var", "user=a b"));
        assertEquals(0, r.exit(), r.out() + r.err());
        assertNoPayloadRan();
        assertEquals("$(touch " + marker + ")|a b\n", Files.readString(out));
    }

    /**
     * {@code when:} is judged by postflight itself, true or false: a value there never reaches a
     * shell, and anything else is an error at load.
     */
    @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
    void aWhenConditionIsJudgedByPostflightAndNeverReachesAShell(
            @ForAll("batches") List<String> values) throws Exception {
        StringBuilder yaml = new StringBuilder("checks:\n");
        for (int k = 0; k < values.size(); k++) {
            yaml.append("  - id: c")
                    .append(k)
                    .append("\n    when: \"{{ v")
                    .append(k)
                    .append(" }}\"\n    command: { run: \"true\" }\n");
        }
        dev.postflight.checklist.Checklist checklist =
                dev.postflight.checklist.ChecklistLoader.load(
                        List.of(write("when.yaml", yaml.toString())));
        Problems problems = new Problems();
        var bound =
                dev.postflight.checklist.ChecklistBinder.bind(
                        checklist, vars(values), "web1", "127.0.0.1", problems);
        long notBoolean =
                values.stream()
                        .map(v -> v.trim().toLowerCase(java.util.Locale.ROOT))
                        .filter(v ->
                                !List.of("true", "yes", "1", "on", "false", "no", "0", "off", "")
                                        .contains(v))
                        .count();
        assertEquals(notBoolean, problems.size(), problems.list().toString());
        for (var check : bound.checks()) {
            assertEquals("true", ((dev.postflight.check.CommandCheck) check.spec()).run());
        }
    }

    /**
     * become: the assignments are part of the command, so they reach the shell that {@code sudo -n
     * sh -c} starts (here a root login: {@code sh -c} directly) with every payload of the corpus.
     */
    @Example
    void becomeCarriesTheValuesIntoItsOwnShell() throws Exception {
        List<String> values = payloads();
        assertCommandCheckEchoes(
                values, inventory(Map.of(), Map.of()), varArgs(values), "      become: true\n");
    }

    // ---- generators --------------------------------------------------------------------------

    @Provide
    Arbitrary<List<String>> batches() {
        return batchesOf(BATCH, v -> true);
    }

    @Provide
    Arbitrary<List<String>> fixBatches() {
        return batchesOf(BATCH * 2, v -> true);
    }

    /** Inventory values are themselves templates, so a value there cannot hold "{{". */
    @Provide
    Arbitrary<List<String>> inventoryBatches() {
        return batchesOf(BATCH, v -> !v.contains("{{"));
    }

    /**
     * {@code n} values from jqwik's seeded random (reproducible from the reported seed). Built by
     * hand rather than from combinators: 10,000 values per context fit the time budget only this
     * way (jqwik's shrinkable lists of lists cost about 0.4 ms a value).
     */
    static Arbitrary<List<String>> batchesOf(int n, java.util.function.Predicate<String> keep) {
        List<String> payloads = payloads();
        return Arbitraries.randomValue(r -> {
            List<String> out = new ArrayList<>(n);
            while (out.size() < n) {
                String v = value(r, payloads);
                if (keep.test(v)) out.add(v);
            }
            return out;
        });
    }

    private static final String META = " \t\n\r!\"#$%&'()*;<=>?[\\]^`{|}~-.,:/@+_";
    private static final String WORD =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /**
     * Up to four pieces, each a payload from the corpus (3 in 9), shell metacharacters and quotes
     * (3 in 9), random UTF-8 code points from the whole range but NUL and surrogates (2 in 9) or a
     * plain word (1 in 9); no pieces at all is the empty value.
     */
    static String value(java.util.Random r, List<String> payloads) {
        StringBuilder b = new StringBuilder();
        int pieces = r.nextInt(5);
        for (int p = 0; p < pieces; p++) {
            int kind = r.nextInt(9);
            if (kind < 3) {
                b.append(payloads.get(r.nextInt(payloads.size())));
            } else if (kind < 6) {
                for (int i = r.nextInt(9); i > 0; i--)
                    b.append(META.charAt(r.nextInt(META.length())));
            } else if (kind < 8) {
                for (int i = r.nextInt(7); i > 0; i--) {
                    int cp;
                    do cp = 1 + r.nextInt(0x10FFFF);
                    while (cp >= 0xD800 && cp <= 0xDFFF);
                    b.appendCodePoint(cp);
                }
            } else {
                for (int i = r.nextInt(7); i > 0; i--)
                    b.append(WORD.charAt(r.nextInt(WORD.length())));
            }
        }
        return b.toString();
    }

    /** Payloads that each touch the marker when they run; the ones that broke 5c398d7 first. */
    static List<String> payloads() {
        List<String> out = new ArrayList<>();
        for (String line : fixture().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            out.add(unescape(line).replace("MARKER", marker.toString()));
        }
        return out;
    }

    static String fixture() {
        try (var in =
                TemplateInjectionPropertyTest.class.getResourceAsStream(
                        "/templates/injection-payloads.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code \n}, {@code \t} and {@code \\} as in the fixture file. */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char d = s.charAt(++i);
                b.append(
                        switch (d) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> d;
                        });
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    // ---- helpers -----------------------------------------------------------------------------

    /**
     * Expands {@code text} (templates v0, v1…) with {@code values} as postflight does for a {@code
     * run:}, runs it through dash and bash over SSH, and compares the output, cut at {@code sep},
     * with {@code expected}.
     */
    private static void assertEchoedInBothShells(
            String text, List<String> values, List<String> expected, String sep) throws Exception {
        Map<String, Optional<String>> vars = new LinkedHashMap<>();
        for (int k = 0; k < values.size(); k++) vars.put("v" + k, Optional.of(values.get(k)));
        Problems problems = new Problems();
        String script =
                Template.expand(
                        text,
                        vars,
                        Template.Quoting.SHELL,
                        new Location(Path.of("t.yaml"), 1, 1),
                        problems);
        assertEquals(List.of(), problems.list());
        for (String shell : List.of("dash", "bash")) {
            ExecResult r =
                    connection.exec(
                            shell + " -s",
                            script.getBytes(StandardCharsets.UTF_8),
                            Duration.ofSeconds(20));
            assertNoPayloadRan();
            assertEquals(
                    0,
                    r.exitStatus().orElse(-1),
                    shell + ": " + new String(r.stderr(), StandardCharsets.UTF_8));
            String out = new String(r.stdout(), StandardCharsets.UTF_8);
            assertEquals(expected, List.of(out.split(Pattern.quote(sep), -1)), shell);
        }
    }

    /** A command check ({@code more} keys added) echoes every value into a file. */
    private static void assertCommandCheckEchoes(
            List<String> values, Path inventory, List<String> args, String more) throws Exception {
        Path out = dir.resolve("check-out");
        Files.deleteIfExists(out);
        String checks =
                "checks:\n"
                        + "  - id: echo\n"
                        + "    command:\n"
                        + "      timeout: 20s\n"
                        + more
                        + "      run: |\n"
                        + indent(mixedScript(values.size(), out), "        ")
                        + "\n";
        Cli r = verify(write("checks.yaml", checks), inventory, args);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertNoPayloadRan();
        assertEquals(values, split(Files.readString(out, StandardCharsets.UTF_8), "\0"));
    }

    /**
     * Bare and double-quoted templates, and every tenth inside {@code $( )} (a process each), each
     * value then a NUL, into out.
     */
    private static String mixedScript(int n, Path out) {
        return mixedScript(0, n, out + "");
    }

    /** {@link #mixedScript(int, Path)} for the values from {@code from} to {@code to}. */
    private static String mixedScript(int from, int to, String redirect) {
        return "{\n"
                + String.join(
                        "\n",
                        IntStream.range(from, to)
                                .mapToObj(k ->
                                        switch (k % 10) {
                                            case 0, 2, 4, 6, 8 -> "printf '%s\\0' {{ v" + k + " }}";
                                            case 1, 3, 5, 7 ->
                                                    "printf '%s\\0' \"{{ v" + k + " }}\"";
                                            default ->
                                                    "pf_x=\"$(printf '%s_' {{ v"
                                                            + k
                                                            + " }})\"; printf '%s\\0' \"${pf_x%_}\"";
                                        })
                                .toList())
                + "\n} >"
                + redirect;
    }

    private static List<String> withEmptyLast(List<String> values) {
        List<String> l = new ArrayList<>(values);
        l.add("");
        return l;
    }

    private static String lines(int n, IntFunction<String> line) {
        return String.join("\n", IntStream.range(0, n).mapToObj(line).toList());
    }

    private static String indent(String s, String by) {
        return by + s.replace("\n", "\n" + by);
    }

    private static List<String> split(String out, String sep) {
        List<String> parts = new ArrayList<>(List.of(out.split(sep, -1)));
        assertEquals("", parts.removeLast(), "output ends with the separator");
        return parts;
    }

    private static void assertNoPayloadRan() {
        assertFalse(Files.exists(marker), "a payload ran: " + marker + " exists");
    }

    private static List<String> varArgs(List<String> values) {
        return IntStream.range(0, values.size())
                .mapToObj(k -> "--var=v" + k + "=" + values.get(k))
                .toList();
    }

    private static Map<String, String> vars(List<String> values) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int k = 0; k < values.size(); k++) m.put("v" + k, values.get(k));
        return m;
    }

    private static Path inventory(Map<String, String> hostVars, Map<String, String> groupVars)
            throws IOException {
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("address", "127.0.0.1");
        host.put("port", server.port());
        host.put("user", server.user());
        host.put("identity", server.clientKey().toString());
        if (!hostVars.isEmpty()) host.put("vars", hostVars);
        Map<String, Object> inv = new LinkedHashMap<>();
        inv.put("hosts", Map.of("web1", host));
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("hosts", List.of("web1"));
        if (!groupVars.isEmpty()) group.put("vars", groupVars);
        inv.put("groups", Map.of("web", group));
        Path p = dir.resolve("inventory.yaml");
        new ObjectMapper(new YAMLFactory()).writeValue(p.toFile(), inv);
        return p;
    }

    private static Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static Cli verify(Path checks, Path inventory, List<String> extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "verify",
                                "-i",
                                inventory.toString(),
                                "-c",
                                checks.toString(),
                                "--known-hosts",
                                knownHosts.toString(),
                                "--ssh-config",
                                dir.resolve("no-config").toString(),
                                "--no-color"));
        args.addAll(extra);
        return Cli.run(args.toArray(String[]::new));
    }
}
