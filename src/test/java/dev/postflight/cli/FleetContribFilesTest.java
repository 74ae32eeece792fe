package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fleet files under {@code contrib/} (Kubernetes Indexed Job, GitHub matrix, GitLab {@code
 * parallel:}) read as their runners read them: the keys that make N shards, and every postflight
 * command line, expanded for each shard, accepted by the real command-line parser with shard 0 to
 * N-1 of N, and a merge step that reads what the shards write.
 */
class FleetContribFilesTest {

    @Test
    void theKubernetesIndexedJobRunsOneShardPerPodWithoutAShell() throws Exception {
        JsonNode job =
                ShardArguments.kubernetes(ShardArguments.KUBERNETES, "Job", "postflight-shards");
        JsonNode spec = job.get("spec");
        assertEquals("Indexed", spec.get("completionMode").asText());
        int n = spec.get("completions").asInt();
        assertEquals(n, spec.get("parallelism").asInt());
        assertTrue(n > 1, "completions " + n);
        assertEquals("Never", spec.at("/template/spec/restartPolicy").asText());
        assertTrue(
                job.at("/spec/template/spec/containers/0/command").isMissingNode(),
                "the image's entrypoint runs postflight; no shell to call");
        List<String> template = ShardArguments.kubernetesArgs(job);
        assertEquals("$(JOB_COMPLETION_INDEX)/" + n, ShardArguments.value(template, "--shard"));
        List<String> reports = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            List<String> pod = ShardArguments.kubernetesPod(k);
            assertEquals(k + "/" + n, ShardArguments.value(pod, "--shard"));
            ContribFilesTest.parses(pod);
            reports.add(ShardArguments.report(pod, "json"));
        }
        assertEquals(n, reports.stream().distinct().count(), reports.toString());

        JsonNode merge =
                ShardArguments.kubernetes(
                        ShardArguments.KUBERNETES_MERGE, "Job", "postflight-merge");
        List<String> args = ShardArguments.kubernetesArgs(merge);
        assertEquals("merge", args.get(0));
        ContribFilesTest.parses(args);
        assertEquals(reports, args.subList(1, 1 + n));
        String claim = "/spec/template/spec/volumes/0/persistentVolumeClaim/claimName";
        assertEquals(job.at(claim.replace("/0/", "/2/")).asText(), merge.at(claim).asText());
    }

    @Test
    void theGithubMatrixRunsOneShardPerJobAndMergesTheirReportsEvenWhenOneFails() throws Exception {
        JsonNode wf = ShardArguments.githubWorkflow();
        JsonNode matrix = wf.at("/jobs/verify/strategy/matrix/shard");
        assertEquals("false", wf.at("/jobs/verify/strategy/fail-fast").asText());
        int n = matrix.size();
        for (int k = 0; k < n; k++) {
            assertEquals(k, matrix.get(k).asInt());
            List<String> args = ShardArguments.githubJob(k, n);
            assertEquals(k + "/" + n, ShardArguments.value(args, "--shard"));
            assertEquals("postflight-shard-" + k + ".json", ShardArguments.report(args, "json"));
            ContribFilesTest.parses(args);
        }
        JsonNode merge = wf.at("/jobs/merge");
        assertEquals("verify", merge.get("needs").asText());
        assertEquals("always()", merge.get("if").asText());
        List<String> args = null;
        String folder = null;
        for (JsonNode step : merge.get("steps")) {
            if (step.path("uses").asText().startsWith("actions/download-artifact@")) {
                assertEquals("postflight-shard-*", step.at("/with/pattern").asText());
                folder = step.at("/with/path").asText();
            }
            if (step.path("run").asText().contains(" merge "))
                args = ShardArguments.words(step.get("run").asText(), "merge");
        }
        assertTrue(args != null && folder != null, merge.toString());
        assertEquals(folder, args.get(1));
        ContribFilesTest.parses(args);
    }

    @Test
    void theGitlabParallelJobsPassAZeroBasedShardAndTheMergeJobReadsTheirArtifacts()
            throws Exception {
        JsonNode ci = ContribFilesTest.yaml(ShardArguments.GITLAB);
        int n = ci.at("/verify-shard/parallel").asInt();
        assertTrue(n > 1, "parallel " + n);
        for (int i = 1; i <= n; i++) {
            List<String> args = ShardArguments.gitlabJob(i, n);
            assertEquals((i - 1) + "/" + n, ShardArguments.value(args, "--shard"));
            ContribFilesTest.parses(args);
        }
        assertEquals("postflight-shard-*.json", ci.at("/verify-shard/artifacts/paths/0").asText());
        assertEquals("always", ci.at("/verify-shard/artifacts/when").asText());
        JsonNode merge = ci.get("merge");
        assertEquals("always", merge.get("when").asText());
        assertTrue(merge.get("needs").toString().contains("\"verify-shard\""), merge.toString());
        List<String> args = ShardArguments.words(merge.at("/script/0").asText(), "merge");
        assertEquals("postflight-shard-*.json", args.get(1));
        ContribFilesTest.parses(args);
        assertEquals(
                ShardArguments.report(args, "junit"),
                merge.at("/artifacts/reports/junit").asText());
    }
}
