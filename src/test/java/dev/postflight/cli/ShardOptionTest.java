package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postflight.run.Shard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify --shard K/N} against a fleet of real SSH logins (MINA SSHD). */
class ShardOptionTest {
    @TempDir Path dir;
    TestFleet fleet;

    @BeforeEach
    void start() throws Exception {
        fleet = TestFleet.start(dir, 6);
    }

    @AfterEach
    void stop() throws Exception {
        fleet.close();
    }

    private Cli verify(String... extra) {
        return Cli.run(fleet.verify(extra).toArray(String[]::new));
    }

    private void refused(String shard, String message) {
        Cli r = verify("--shard", shard);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("postflight: " + message + "\n", r.err());
        assertEquals("", r.out());
        assertEquals(List.of(), fleet.server().commands());
    }

    @Test
    void aShardNumberedFromOneIsRefusedBeforeAnyHostIsContacted() {
        refused(
                "3/3",
                "--shard: '3/3': K counts from 0, so it must be below N (0 to 2); from GitLab's"
                        + " 1-based CI_NODE_INDEX pass $((CI_NODE_INDEX-1))/$CI_NODE_TOTAL");
    }

    @Test
    void zeroShardsAreRefused() {
        refused("0/0", "--shard: '0/0': N must be at least 1");
    }

    @Test
    void aShardThatIsNotTwoNumbersIsRefused() {
        refused(
                "a/b",
                "--shard: 'a/b' is not K/N: two whole numbers, shard K of N, e.g. 0/4 … 3/4");
        refused("2", "--shard: '2' is not K/N: two whole numbers, shard K of N, e.g. 0/4 … 3/4");
    }

    @Test
    void aJobCompletionIndexKubernetesDidNotExpandIsNamed() {
        refused(
                "$(JOB_COMPLETION_INDEX)/3",
                "--shard: '$(JOB_COMPLETION_INDEX)/3' has an unexpanded variable: Kubernetes"
                        + " expands $(JOB_COMPLETION_INDEX) only in a Job with completionMode:"
                        + " Indexed, and only in args or command");
    }

    @Test
    void shardsAreRefusedWithFix() {
        Cli r = verify("--shard", "0/2", "--fix", "--dry-run");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: --shard: not with --fix: the canary host and --fleet-guard"
                        + " must see the whole fleet; verify in shards, then fix from one runner\n",
                r.err());
        assertEquals(List.of(), fleet.server().commands());
    }

    @Test
    void eachShardVerifiesOnlyItsHostsAndTheJsonReportRecordsTheShard() throws Exception {
        List<String> all = TestFleet.names(6);
        List<String> seen = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Path json = dir.resolve("shard-" + k + ".json");
            Cli r = verify("--shard", k + "/2", "--report", "json=" + json);
            assertTrue(r.exit() == 0 || r.exit() == 1, r.out() + r.err());
            JsonNode report = new ObjectMapper().readTree(json.toFile());
            List<String> hosts = new ArrayList<>();
            report.get("hosts").forEach(h -> hosts.add(h.get("name").asText()));
            int shard = k;
            assertEquals(
                    all.stream().filter(n -> Shard.of(n, 2) == shard).toList(), hosts, r.out());
            assertEquals(k, report.get("shard").get("index").asInt());
            assertEquals(2, report.get("shard").get("count").asInt());
            assertEquals(all.toString(), textList(report.get("shard").get("selected")).toString());
            assertTrue(
                    r.out()
                            .startsWith(
                                    "postflight dev · checklist fleet · "
                                            + dev.postflight.input.Plural.of(hosts.size(), "host")
                                            + " · shard "
                                            + k
                                            + "/2 · "),
                    r.out());
            seen.addAll(hosts);
        }
        assertEquals(all, seen.stream().sorted().toList());
    }

    @Test
    void aShardNoSelectedHostFallsInSaysSoExitsZeroAndStillWritesItsReport() throws Exception {
        String h01 = "h01";
        int other = Shard.of(h01, 8) == 0 ? 1 : 0;
        Path json = dir.resolve("empty.json");
        Cli r = verify("h01", "--shard", other + "/8", "--report", "json=" + json);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(
                r.out()
                        .endsWith(
                                "OK: shard "
                                        + other
                                        + "/8 has no host (of 1 selected): nothing to verify"
                                        + " (exit 0)\n"),
                r.out());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals(0, report.get("exit_code").asInt());
        assertEquals(0, report.get("hosts").size());
        assertEquals("[\"h01\"]", report.get("shard").get("selected").toString());
        assertEquals(List.of(), fleet.server().commands());
    }

    private static List<String> textList(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
