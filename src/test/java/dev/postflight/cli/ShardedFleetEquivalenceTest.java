package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's promise: verifying a fleet in N shards and merging their reports says exactly what one
 * unsharded run says: the same verdicts, counts, summary, order and exit code. Each shard runs with
 * the command line its runner gives it (a Kubernetes pod's expanded {@code
 * $(JOB_COMPLETION_INDEX)}, a GitLab job's shell arithmetic on {@code CI_NODE_INDEX}, a GitHub
 * matrix value) against real SSH logins; only run ids, start times and durations may differ.
 */
class ShardedFleetEquivalenceTest {
    static final int HOSTS = 11;

    @TempDir Path dir;
    TestFleet fleet;

    @BeforeEach
    void start() throws Exception {
        fleet = TestFleet.start(dir, HOSTS);
    }

    @AfterEach
    void stop() throws Exception {
        fleet.close();
    }

    /** A verify run's exit code, human output and JSON report. */
    record Run(int exit, String human, JsonNode json) {}

    private Run unsharded(String... extra) throws Exception {
        Path json = dir.resolve("unsharded.json");
        List<String> args = new ArrayList<>(List.of(extra));
        args.addAll(List.of("--report", "json=" + json));
        Cli r = Cli.run(fleet.verify(args.toArray(String[]::new)).toArray(String[]::new));
        return new Run(r.exit(), r.out(), new ObjectMapper().readTree(json.toFile()));
    }

    /** Runs each shard with its runner's --shard value, its JSON report in {@code folder}. */
    private List<Path> shards(Path folder, List<String> shardValues, String... extra)
            throws Exception {
        Files.createDirectories(folder);
        List<Path> reports = new ArrayList<>();
        for (String shard : shardValues) {
            Path json = folder.resolve("shard-" + shard.replace('/', '-') + ".json");
            List<String> args = new ArrayList<>(List.of(extra));
            args.addAll(List.of("--shard", shard, "--report", "json=" + json));
            Cli r = Cli.run(fleet.verify(args.toArray(String[]::new)).toArray(String[]::new));
            assertEquals(true, r.exit() == 0 || r.exit() == 1, shard + ": " + r.out() + r.err());
            reports.add(json);
        }
        return reports;
    }

    private Run merge(List<String> inputs) throws Exception {
        Path json = dir.resolve("merged-" + System.nanoTime() + ".json");
        List<String> args = new ArrayList<>(List.of("merge"));
        args.addAll(inputs);
        args.addAll(List.of("--no-color", "--report", "json=" + json));
        Cli r = Cli.run(args.toArray(String[]::new));
        assertEquals("", r.err());
        return new Run(r.exit(), r.out(), new ObjectMapper().readTree(json.toFile()));
    }

    /** The JSON without what differs between any two runs: ids, times and durations. */
    static JsonNode timeless(JsonNode report) {
        ObjectNode r = report.deepCopy();
        r.remove(List.of("run_id", "started", "elapsed_ms"));
        r.get("hosts").forEach(h -> ((ObjectNode) h).remove("elapsed_ms"));
        return r;
    }

    /** The human report without durations (" · 1.20s" ends the header and every host line). */
    static String timeless(String human) {
        return human.lines()
                .map(l -> l.replaceAll(" · -?[0-9][0-9.]*(ms|s|m[0-9]+s|h[0-9]+m|d[0-9]+h)$", ""))
                .collect(Collectors.joining("\n"));
    }

    private static void sameAs(Run one, Run merged) {
        assertEquals(one.exit(), merged.exit());
        assertEquals(timeless(one.human()), timeless(merged.human()));
        assertEquals(
                timeless(one.json()).toPrettyString(), timeless(merged.json()).toPrettyString());
    }

    @Test
    void fourKubernetesPodsMergedReportExactlyAsOneRunOverAFailingFleet() throws Exception {
        Run one = unsharded();
        assertEquals(1, one.exit(), one.human());
        List<String> values = new ArrayList<>();
        for (int k = 0; k < 4; k++)
            values.add(ShardArguments.value(ShardArguments.kubernetesPod(k), "--shard"));
        assertEquals(List.of("0/4", "1/4", "2/4", "3/4"), values);
        List<Path> reports = shards(dir.resolve("k8s"), values);
        Run merged = merge(reports.stream().map(Path::toString).toList());
        sameAs(one, merged);
        assertEquals(HOSTS, merged.json().at("/summary/hosts").asInt());
        assertEquals(1, merged.json().at("/summary/hosts_unreachable").asInt());
    }

    @Test
    void threeGitlabJobsMergedFromTheirArtifactFolderReportExactlyAsOneRun() throws Exception {
        Run one = unsharded();
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= 3; i++)
            values.add(ShardArguments.value(ShardArguments.gitlabJob(i, 3), "--shard"));
        assertEquals(List.of("0/3", "1/3", "2/3"), values);
        shards(dir.resolve("gitlab"), values);
        sameAs(one, merge(List.of(dir.resolve("gitlab").toString())));
    }

    @Test
    void aPassingSelectionInGithubMatrixShardsMergesToExitZeroEvenWithAnEmptyShard()
            throws Exception {
        String[] limit = {"--limit", "h01,h02"};
        Run one = unsharded(limit);
        assertEquals(0, one.exit(), one.human());
        List<String> values = new ArrayList<>();
        for (int k = 0; k < 4; k++)
            values.add(ShardArguments.value(ShardArguments.githubJob(k, 4), "--shard"));
        List<Path> reports = shards(dir.resolve("github"), values, limit);
        long empty =
                reports.stream()
                        .filter(p -> {
                            try {
                                return new ObjectMapper()
                                        .readTree(p.toFile())
                                        .get("hosts")
                                        .isEmpty();
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        })
                        .count();
        assertEquals(true, empty >= 2, "two hosts in four shards leave at least two empty");
        sameAs(one, merge(List.of(dir.resolve("github").toString())));
    }

    /**
     * One runner per network segment (a bastion per data centre): each verifies its own hosts (here
     * with --limit), one of them in two shards, and the merge of all reports is the one run.
     */
    @Test
    void segmentsVerifiedByTheirOwnRunnersOneOfThemShardedMergeAsOneRun() throws Exception {
        Run one = unsharded();
        String dc1 = "h01,h02,h03,h04,h05,h06";
        String dc2 = "h07,h08,h09,h10,h11";
        List<Path> dc1Shards = shards(dir.resolve("dc1"), List.of("0/2", "1/2"), "--limit", dc1);
        Path dc2Report = dir.resolve("dc2.json");
        Cli r =
                Cli.run(
                        fleet.verify("--limit", dc2, "--report", "json=" + dc2Report)
                                .toArray(String[]::new));
        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> inputs = new ArrayList<>();
        dc1Shards.forEach(p -> inputs.add(p.toString()));
        inputs.add(dc2Report.toString());
        sameAs(one, merge(inputs));
    }
}
