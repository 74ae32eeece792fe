package dev.postflight.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ansible is the oracle: for every inventory of the corpus in {@code src/test/resources/ansible},
 * the hosts, groups and connection vars postflight reads equal what {@code ansible-inventory
 * --list} reports, and for every line of {@code patterns.txt} the hosts {@code --limit PATTERN}
 * selects equal what {@code ansible PATTERN --list-hosts} lists. A JSON file is given to Ansible
 * the way it meets it in practice, as the output of an inventory script. {@code @KEYS@} in a corpus
 * file is a folder where the named key files exist (postflight checks them at load).
 */
class AnsibleDifferentialTest {
    private static final Path CORPUS = Path.of("src/test/resources/ansible");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private static boolean ansibleInstalled() {
        return Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(p -> Files.isExecutable(Path.of(p, "ansible-inventory")));
    }

    private Path copyCorpus() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            for (Path f : files.toList()) {
                Files.writeString(
                        dir.resolve(f.getFileName()),
                        Files.readString(f).replace("@KEYS@", dir.toString()));
            }
        }
        for (String key : List.of("web_key", "db_key", "bastion_key"))
            Files.writeString(dir.resolve(key), "not a real key\n");
        return dir;
    }

    private static List<String> corpusFiles() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> !n.equals("patterns.txt"))
                    .sorted()
                    .toList();
        }
    }

    /** The source Ansible reads: the file, or for JSON a script that prints it. */
    private Path ansibleSource(Path file) throws IOException {
        if (!file.toString().endsWith(".json")) return file;
        Path script = dir.resolve(file.getFileName() + ".sh");
        Files.writeString(script, "#!/bin/sh\ncat '" + file + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private String run(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true");
        pb.environment().put("ANSIBLE_NOCOLOR", "1");
        pb.environment().put("ANSIBLE_LOCAL_TEMP", dir.resolve(".ansible-tmp").toString());
        pb.environment().put("ANSIBLE_HOME", dir.resolve(".ansible").toString());
        pb.redirectError(dir.resolve("ansible.err").toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ansible did not finish");
        assertEquals(
                0,
                p.exitValue(),
                String.join(" ", command) + ": " + Files.readString(dir.resolve("ansible.err")));
        return out;
    }

    /** What a host's connection looks like, from either side. */
    private record Connection(
            Optional<String> address,
            OptionalInt port,
            Optional<String> user,
            Optional<String> key,
            Optional<String> jump) {}

    private static Optional<String> var(JsonNode vars, String... names) {
        for (String n : names) if (vars.has(n)) return Optional.of(vars.get(n).asText());
        return Optional.empty();
    }

    private static Connection ansibleConnection(JsonNode vars) {
        Optional<String> jump = Optional.empty();
        Optional<String> args =
                var(vars, "ansible_ssh_common_args").or(() -> var(vars, "ansible_ssh_extra_args"));
        if (args.isPresent()) {
            Matcher m = Pattern.compile("(?:ProxyJump=|-J\\s*)(\\S+)").matcher(args.get());
            if (m.find()) jump = Optional.of(m.group(1));
        }
        Optional<String> port = var(vars, "ansible_port", "ansible_ssh_port");
        return new Connection(
                var(vars, "ansible_host", "ansible_ssh_host"),
                port.map(p -> OptionalInt.of(Integer.parseInt(p))).orElse(OptionalInt.empty()),
                var(vars, "ansible_user", "ansible_ssh_user"),
                var(vars, "ansible_ssh_private_key_file", "ansible_private_key_file"),
                jump);
    }

    private static Connection postflightConnection(Host h) {
        return new Connection(
                h.address(), h.port(), h.user(), h.identity().map(Path::toString), h.jump());
    }

    private static Set<String> hostsUnder(JsonNode list, String group) {
        Set<String> out = new TreeSet<>();
        JsonNode g = list.path(group);
        g.path("hosts").forEach(h -> out.add(h.asText()));
        g.path("children").forEach(c -> out.addAll(hostsUnder(list, c.asText())));
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyCorpusInventoryReadsAsAnsibleInventoryListsIt() throws IOException {
        assumeTrue(ansibleInstalled(), "ansible is not installed (apt-get install ansible)");
        List<String> files = corpusFiles();
        assertTrue(files.size() >= 12, "the corpus has " + files.size() + " inventories");
        return files.stream()
                .map(name ->
                        DynamicTest.dynamicTest(
                                name,
                                () -> {
                                    Path file = copyCorpus().resolve(name);
                                    JsonNode list =
                                            JSON.readTree(
                                                    run(
                                                            "ansible-inventory",
                                                            "-i",
                                                            ansibleSource(file).toString(),
                                                            "--list"));
                                    Inventory inv = InventoryLoader.load(file);

                                    Set<String> ansibleHosts = hostsUnder(list, "all");
                                    assertEquals(
                                            ansibleHosts,
                                            new TreeSet<>(inv.hosts().keySet()),
                                            "hosts");

                                    Map<String, Set<String>> ansibleGroups = new TreeMap<>();
                                    list.fieldNames()
                                            .forEachRemaining(g -> {
                                                if (!g.equals("_meta"))
                                                    ansibleGroups.put(g, hostsUnder(list, g));
                                            });
                                    Map<String, Set<String>> ours = new TreeMap<>();
                                    inv.groups()
                                            .forEach((g, hs) -> {
                                                if (!hs.isEmpty() || ansibleGroups.containsKey(g))
                                                    ours.put(g, new TreeSet<>(hs));
                                            });
                                    ansibleGroups
                                            .keySet()
                                            .removeIf(g ->
                                                    ansibleGroups.get(g).isEmpty()
                                                            && !ours.containsKey(g));
                                    assertEquals(ansibleGroups, ours, "groups and their hosts");

                                    for (String h : ansibleHosts) {
                                        JsonNode vars = list.path("_meta").path("hostvars").path(h);
                                        Host host = inv.hosts().get(h);
                                        assertEquals(
                                                ansibleConnection(vars),
                                                postflightConnection(host),
                                                "connection of " + h);
                                        Set<String> names = new TreeSet<>();
                                        vars.fieldNames().forEachRemaining(names::add);
                                        names.removeIf(AnsibleInventory.CONNECTION_VARS::contains);
                                        assertEquals(
                                                names,
                                                new TreeSet<>(host.vars().keySet()),
                                                "var names of " + h);
                                    }
                                }));
    }

    @TestFactory
    Stream<DynamicTest> everyCorpusPatternSelectsTheHostsAnsibleListsForIt() throws IOException {
        assumeTrue(ansibleInstalled(), "ansible is not installed (apt-get install ansible)");
        List<String[]> cases = new ArrayList<>();
        for (String line : Files.readAllLines(CORPUS.resolve("patterns.txt"))) {
            if (line.isBlank() || line.startsWith("#")) continue;
            cases.add(line.strip().split("\\s+", 2));
        }
        assertTrue(cases.size() >= 12, "patterns.txt has " + cases.size() + " patterns");
        return cases.stream()
                .map(c ->
                        DynamicTest.dynamicTest(
                                c[0] + " " + c[1],
                                () -> {
                                    Path file = copyCorpus().resolve(c[0]);
                                    String out =
                                            run(
                                                    "ansible",
                                                    "-i",
                                                    ansibleSource(file).toString(),
                                                    c[1],
                                                    "--list-hosts");
                                    Set<String> ansible = new TreeSet<>();
                                    for (String l : out.split("\n")) {
                                        if (l.startsWith("    ")) ansible.add(l.strip());
                                    }
                                    Set<String> ours = new TreeSet<>();
                                    InventoryLoader.load(file)
                                            .select(List.of(), Optional.of(c[1]))
                                            .forEach(h -> ours.add(h.name()));
                                    assertEquals(ansible, ours);
                                }));
    }
}
