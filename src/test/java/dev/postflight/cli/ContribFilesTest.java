package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The files under {@code contrib/} are what operators install unchanged, so each is checked the way
 * its consumer reads it: the systemd units by {@code systemd-analyze verify} (where it runs) and
 * always by a strict reading of sections and keys, the cron.d line by cron-utils, the CI files as
 * YAML with the keys their runners need; and every postflight command line in them by the real
 * command-line parser.
 */
class ContribFilesTest {
    static final Path CONTRIB = Path.of("contrib");
    static final Path SERVICE = CONTRIB.resolve("postflight-after-maintenance.service");
    static final Path TIMER = CONTRIB.resolve("postflight-after-maintenance.timer");

    @TempDir Path dir;

    static final Set<String> UNIT =
            Set.of("Description", "Documentation", "Wants", "Requires", "After", "Before");
    static final Set<String> SERVICE_KEYS =
            Set.of(
                    "Type",
                    "User",
                    "Group",
                    "EnvironmentFile",
                    "Environment",
                    "StateDirectory",
                    "ExecStart",
                    "SuccessExitStatus",
                    "TimeoutStartSec",
                    "NoNewPrivileges",
                    "ProtectSystem",
                    "ProtectHome",
                    "ReadWritePaths",
                    "PrivateTmp",
                    "PrivateDevices",
                    "ProtectKernelTunables",
                    "ProtectKernelModules",
                    "ProtectControlGroups",
                    "RestrictSUIDSGID",
                    "LockPersonality",
                    "RestrictAddressFamilies",
                    "CapabilityBoundingSet");
    static final Set<String> TIMER_KEYS =
            Set.of("OnCalendar", "Persistent", "RandomizedDelaySec", "Unit", "AccuracySec");
    static final Set<String> INSTALL = Set.of("WantedBy", "RequiredBy", "Also");

    /** Strict INI reading: only known sections and keys, {@code Key=Value}, no stray lines. */
    static Map<String, Map<String, List<String>>> unit(Path file, Map<String, Set<String>> known)
            throws Exception {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        String section = null;
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String at = file + ":" + n + ": ";
            if (line.isBlank() || line.startsWith("#") || line.startsWith(";")) continue;
            assertTrue(!line.endsWith("\\"), at + "no continuation lines");
            Matcher s = Pattern.compile("\\[([A-Za-z]+)]").matcher(line);
            if (s.matches()) {
                section = s.group(1);
                assertTrue(known.containsKey(section), at + "unknown section [" + section + "]");
                assertTrue(sections.put(section, new LinkedHashMap<>()) == null, at + "repeated");
                continue;
            }
            Matcher kv = Pattern.compile("([A-Za-z]+)=(.*)").matcher(line);
            assertTrue(kv.matches(), at + "not Key=Value: " + line);
            assertTrue(section != null, at + "key before any section");
            assertTrue(
                    known.get(section).contains(kv.group(1)),
                    at + "unknown key " + kv.group(1) + " in [" + section + "]");
            sections.get(section)
                    .computeIfAbsent(kv.group(1), k -> new ArrayList<>())
                    .add(kv.group(2));
        }
        return sections;
    }

    /** Parses a postflight command line with the real parser: every option exists and fits. */
    static void parses(List<String> args) {
        try {
            new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            fail("postflight " + String.join(" ", args) + ": " + e.getMessage());
        }
    }

    /** The words after the program name ({@code …/postflight} or {@code postflight.jar}). */
    static List<String> postflightArgs(String commandLine) {
        List<String> words = Arrays.asList(commandLine.strip().split("\\s+"));
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).matches("(.*/)?postflight(\\.jar)?")
                    && i + 1 < words.size()
                    && words.get(i + 1).equals("verify")) {
                List<String> rest = new ArrayList<>();
                for (String w : words.subList(i + 1, words.size())) {
                    if (w.startsWith(">") || w.equals("2>&1")) break;
                    rest.add(w);
                }
                return rest;
            }
        }
        throw new AssertionError("no 'postflight verify' in: " + commandLine);
    }

    @Test
    void theServiceIsAHardenedOneshotThatWritesJunitAndNotifies() throws Exception {
        var s = unit(SERVICE, Map.of("Unit", UNIT, "Service", SERVICE_KEYS, "Install", INSTALL));
        Map<String, List<String>> service = s.get("Service");
        assertEquals(List.of("oneshot"), service.get("Type"));
        assertEquals(List.of("postflight"), service.get("User"));
        assertEquals(List.of("yes"), service.get("NoNewPrivileges"));
        assertEquals(List.of("strict"), service.get("ProtectSystem"));
        assertEquals(List.of("/var/lib/postflight"), service.get("ReadWritePaths"));
        List<String> args = postflightArgs(service.get("ExecStart").get(0));
        assertTrue(service.get("ExecStart").get(0).startsWith("/usr/bin/postflight verify "));
        assertTrue(args.contains("junit=/var/lib/postflight/last.xml"), args.toString());
        assertTrue(args.contains("--notify"), args.toString());
        parses(args);
    }

    @Test
    void theTimerStartsTheService() throws Exception {
        var t = unit(TIMER, Map.of("Unit", UNIT, "Timer", TIMER_KEYS, "Install", INSTALL));
        assertEquals(List.of("postflight-after-maintenance.service"), t.get("Timer").get("Unit"));
        assertEquals(List.of("timers.target"), t.get("Install").get("WantedBy"));
        assertTrue(t.get("Timer").containsKey("OnCalendar"));
    }

    /**
     * systemd's own check, where the binary exists and can run (it needs no systemd as PID 1 for
     * verify, but some containers lack it). The ExecStart binary is not installed here, so it is
     * pointed at a stand-in; anything systemd prints (unknown keys are only warnings) fails.
     */
    @Test
    void systemdAnalyzeVerifyAcceptsTheUnitsWithoutAWord() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        Path standIn = dir.resolve("postflight");
        Files.writeString(standIn, "#!/bin/sh\n");
        standIn.toFile().setExecutable(true);
        Path service = dir.resolve(SERVICE.getFileName());
        Files.writeString(
                service,
                Files.readString(SERVICE).replace("/usr/bin/postflight", standIn.toString()));
        Path timer = dir.resolve(TIMER.getFileName());
        Files.copy(TIMER, timer);
        Process p =
                new ProcessBuilder(
                                analyze.toString(), "verify", service.toString(), timer.toString())
                        .redirectErrorStream(true)
                        .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("systemd-analyze verify did not finish in 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(
                p.exitValue() == 0 || out.contains(dir.toString()),
                "systemd-analyze cannot run here: " + out);
        assertEquals("", out);
        assertEquals(0, p.exitValue());
    }

    @Test
    void theCronLineIsSixFieldCronDWithAValidScheduleAndCommand() throws Exception {
        CronParser cron =
                new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
        List<String> jobs = new ArrayList<>();
        for (String line : Files.readAllLines(CONTRIB.resolve("postflight.cron"))) {
            if (line.isBlank() || line.startsWith("#")) continue;
            if (line.matches("[A-Z_]+=\\S*")) continue;
            Matcher m =
                    Pattern.compile("(\\S+ \\S+ \\S+ \\S+ \\S+) ([a-z_][a-z0-9_-]*) (\\S.*)")
                            .matcher(line);
            assertTrue(m.matches(), "not 'MIN HOUR DOM MON DOW USER COMMAND': " + line);
            cron.parse(m.group(1)).validate();
            assertEquals("postflight", m.group(2));
            parses(postflightArgs(m.group(3)));
            jobs.add(line);
        }
        assertEquals(1, jobs.size(), jobs.toString());
    }

    static JsonNode yaml(Path file) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    }

    /** The file name after {@code --report junit=} in a command line. */
    static String junitFile(List<String> args) {
        int i = args.indexOf("--report");
        while (i >= 0 && !args.get(i + 1).startsWith("junit=")) {
            int next = args.subList(i + 1, args.size()).indexOf("--report");
            i = next < 0 ? -1 : i + 1 + next;
        }
        assertTrue(i >= 0, "no --report junit=FILE in " + args);
        return args.get(i + 1).substring("junit=".length());
    }

    @Test
    void theGitlabSmokeJobRunsPostflightAndPublishesItsJunitReport() throws Exception {
        JsonNode ci = yaml(CONTRIB.resolve("ci/gitlab-ci.yml"));
        assertTrue(ci.get("stages").toString().contains("\"smoke\""), ci.toString());
        JsonNode smoke = ci.get("smoke");
        assertEquals("smoke", smoke.get("stage").asText());
        List<String> args = postflightArgs(smoke.get("script").get(0).asText());
        parses(args);
        assertEquals(junitFile(args), smoke.get("artifacts").get("reports").get("junit").asText());
        assertEquals("always", smoke.get("artifacts").get("when").asText());
    }

    @Test
    void theGithubSmokeJobRunsPostflightAndPublishesItsJunitReportEvenWhenItFails()
            throws Exception {
        JsonNode wf = yaml(CONTRIB.resolve("ci/github-actions.yml"));
        assertTrue(wf.has("on") && wf.has("name"), wf.toString());
        JsonNode steps = wf.get("jobs").get("smoke").get("steps");
        List<String> args = null;
        JsonNode publish = null;
        for (JsonNode step : steps) {
            if (step.path("run").asText().contains("postflight.jar verify"))
                args = postflightArgs(step.get("run").asText());
            if (step.path("uses").asText().startsWith("mikepenz/action-junit-report@"))
                publish = step;
        }
        assertTrue(args != null, "no step runs postflight verify");
        parses(args);
        assertTrue(publish != null, "no step publishes the JUnit report");
        assertEquals("always()", publish.get("if").asText());
        assertEquals(junitFile(args), publish.get("with").get("report_paths").asText());
    }
}
