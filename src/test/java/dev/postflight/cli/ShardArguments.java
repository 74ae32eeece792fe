package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The postflight command lines of the fleet files under {@code contrib/} (a Kubernetes Indexed Job,
 * a GitHub Actions matrix, a GitLab {@code parallel:} job), expanded the way each runner expands
 * them for one pod or job: Kubernetes replaces {@code $(VAR)} in {@code args} itself, GitHub
 * substitutes {@code ${{ … }}} expressions, GitLab's shell (here a real {@code /bin/sh}) does the
 * arithmetic. Tests run what a shard really gets.
 */
final class ShardArguments {
    static final Path KUBERNETES = Path.of("contrib/kubernetes/postflight-shards.yaml");
    static final Path KUBERNETES_MERGE = Path.of("contrib/kubernetes/postflight-merge.yaml");
    static final Path GITHUB = Path.of("contrib/ci/github-actions-shards.yml");
    static final Path GITLAB = Path.of("contrib/ci/gitlab-ci-shards.yml");

    private ShardArguments() {}

    /** Every YAML document of a file. */
    static List<JsonNode> documents(Path file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (var it =
                new ObjectMapper(new YAMLFactory())
                        .readerFor(JsonNode.class)
                        .readValues(file.toFile())) {
            while (it.hasNext()) docs.add((JsonNode) it.next());
        }
        return docs;
    }

    /** The document of {@code kind} named {@code name}. */
    static JsonNode kubernetes(Path file, String kind, String name) throws Exception {
        for (JsonNode d : documents(file))
            if (d.path("kind").asText().equals(kind)
                    && d.path("metadata").path("name").asText().equals(name)) return d;
        throw new AssertionError("no " + kind + " " + name + " in " + file);
    }

    /** The Indexed Job's container args. */
    static List<String> kubernetesArgs(JsonNode job) {
        List<String> args = new ArrayList<>();
        job.at("/spec/template/spec/containers/0/args").forEach(a -> args.add(a.asText()));
        return args;
    }

    /** The shard Job's args for the pod whose JOB_COMPLETION_INDEX is {@code index}. */
    static List<String> kubernetesPod(int index) throws Exception {
        JsonNode job = kubernetes(KUBERNETES, "Job", "postflight-shards");
        return kubernetesArgs(job).stream()
                .map(a -> a.replace("$(JOB_COMPLETION_INDEX)", Integer.toString(index)))
                .toList();
    }

    /** The GitHub matrix values and the verify step's command line. */
    static JsonNode githubWorkflow() throws Exception {
        return ContribFilesTest.yaml(GITHUB);
    }

    /** The verify step's words for the matrix job with {@code shard} of {@code total} jobs. */
    static List<String> githubJob(int shard, int total) throws Exception {
        String run = null;
        for (JsonNode step : githubWorkflow().at("/jobs/verify/steps"))
            if (step.path("run").asText().contains(" verify ")) run = step.get("run").asText();
        assertTrue(run != null, "no verify step in " + GITHUB);
        String expanded =
                run.replace("${{ matrix.shard }}", Integer.toString(shard))
                        .replace("${{ strategy.job-total }}", Integer.toString(total));
        assertTrue(!expanded.contains("${{"), "unexpanded: " + expanded);
        return words(expanded, "verify");
    }

    /** The GitLab verify job's words, expanded by a real shell as GitLab's job {@code i}/N. */
    static List<String> gitlabJob(int nodeIndex, int nodeTotal) throws Exception {
        String line = ContribFilesTest.yaml(GITLAB).at("/verify-shard/script/0").asText();
        ProcessBuilder p =
                new ProcessBuilder("/bin/sh", "-c", "printf '%s\\n' " + line)
                        .redirectErrorStream(true);
        p.environment().put("CI_NODE_INDEX", Integer.toString(nodeIndex));
        p.environment().put("CI_NODE_TOTAL", Integer.toString(nodeTotal));
        Process sh = p.start();
        assertTrue(sh.waitFor(30, TimeUnit.SECONDS), "sh did not finish");
        String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, sh.exitValue(), out);
        return words(String.join(" ", out.lines().toList()), "verify");
    }

    /** The words from {@code command} (after the program) on, of a command line. */
    static List<String> words(String commandLine, String command) {
        List<String> w = Arrays.asList(commandLine.strip().split("\\s+"));
        for (int i = 0; i + 1 < w.size(); i++)
            if (w.get(i).matches("(.*/)?postflight(\\.jar)?") && w.get(i + 1).equals(command))
                return List.copyOf(w.subList(i + 1, w.size()));
        throw new AssertionError("no 'postflight " + command + "' in: " + commandLine);
    }

    /** The value after {@code option} in {@code args}. */
    static String value(List<String> args, String option) {
        int i = args.indexOf(option);
        assertTrue(i >= 0 && i + 1 < args.size(), "no " + option + " in " + args);
        return args.get(i + 1);
    }

    /** The file of {@code --report FORMAT=FILE} for {@code format}. */
    static String report(List<String> args, String format) {
        for (int i = 0; i + 1 < args.size(); i++)
            if (args.get(i).equals("--report") && args.get(i + 1).startsWith(format + "="))
                return args.get(i + 1).substring(format.length() + 1);
        throw new AssertionError("no --report " + format + "=FILE in " + args);
    }
}
