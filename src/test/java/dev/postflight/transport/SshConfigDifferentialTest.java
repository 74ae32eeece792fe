package dev.postflight.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenSSH is the oracle: for every config of the corpus in {@code src/test/resources/ssh_config}
 * and every host its {@code # hosts:} line names, what {@link OpenSshConfig} resolves equals what
 * {@code ssh -G -F FILE HOST} prints, field by field. ssh runs in private mount and UTS namespaces
 * with a password entry of its own ({@code pfuser}, home in a temporary folder) and the host name
 * {@code pf-runner.example.net}, so {@code ~}, {@code %u}, {@code %d}, {@code %l} and relative
 * {@code Include}s mean the same on every machine; postflight is given the same values. The whole
 * corpus is copied to that home's {@code .ssh}, so a relative {@code Include} finds its files.
 * {@code @DIR@} in a corpus file is the temporary folder. A config ssh refuses must be refused by
 * postflight as well. A {@code # options:} line gives inventory values: to ssh as {@code -o}
 * options, which is how they act in postflight (set before the config is read).
 */
class SshConfigDifferentialTest {
    private static final Path CORPUS = Path.of("src/test/resources/ssh_config");
    private static final String USER = "pfuser";
    private static final String LOCAL_HOST = "pf-runner.example.net";

    /** ssh -G's list when no IdentityFile is set; postflight's defaults differ (README). */
    private static final List<String> SSH_DEFAULT_IDENTITIES =
            List.of(
                    "~/.ssh/id_rsa",
                    "~/.ssh/id_ecdsa",
                    "~/.ssh/id_ecdsa_sk",
                    "~/.ssh/id_ed25519",
                    "~/.ssh/id_ed25519_sk",
                    "~/.ssh/id_xmss",
                    "~/.ssh/id_dsa");

    @TempDir Path dir;

    private static boolean available() {
        return "root".equals(System.getProperty("user.name"))
                && Files.isExecutable(Path.of("/usr/bin/unshare"))
                && Files.isExecutable(Path.of("/usr/bin/ssh"));
    }

    private Path home() {
        return dir.resolve("home");
    }

    private Map<String, String> env() {
        return Map.of("PF_TEST_DIR", dir.toString(), "HOME", home().toString(), "USER", USER);
    }

    /** Copies the corpus (with its folders) to ~/.ssh and writes the password entry. */
    private void copyCorpus() throws IOException {
        Path ssh = Files.createDirectories(home().resolve(".ssh"));
        try (Stream<Path> files = Files.walk(CORPUS)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path to = ssh.resolve(CORPUS.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.writeString(to, Files.readString(f).replace("@DIR@", dir.toString()));
            }
        }
        Files.writeString(
                dir.resolve("passwd"),
                USER + ":x:0:0::" + home() + ":/bin/sh\nroot:x:0:0:root:/root:/bin/sh\n");
        Files.createDirectories(dir.resolve("flags"));
        Files.writeString(dir.resolve("flags/present"), "");
    }

    private static List<String> corpusFiles() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            return files.filter(Files::isRegularFile)
                    .map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".conf"))
                    .sorted()
                    .toList();
        }
    }

    /**
     * The {@code # options: User=ops Port=2200 HostName=…} line: what an inventory sets, given to
     * ssh as {@code -o} options and to postflight as its seed.
     */
    private static List<String> optionsOf(String name) throws IOException {
        for (String line : Files.readAllLines(CORPUS.resolve(name))) {
            if (line.startsWith("# options:"))
                return List.of(line.substring(10).strip().split("\\s+"));
        }
        return List.of();
    }

    private static OpenSshConfig.Seed seed(List<String> options) {
        OpenSshConfig.Seed seed = OpenSshConfig.Seed.none();
        for (String o : options) {
            String value = o.substring(o.indexOf('=') + 1);
            switch (o.substring(0, o.indexOf('=')).toLowerCase(java.util.Locale.ROOT)) {
                case "hostname" ->
                        seed = new OpenSshConfig.Seed(Optional.of(value), seed.user(), seed.port());
                case "user" ->
                        seed =
                                new OpenSshConfig.Seed(
                                        seed.hostname(), Optional.of(value), seed.port());
                case "port" ->
                        seed =
                                new OpenSshConfig.Seed(
                                        seed.hostname(),
                                        seed.user(),
                                        OptionalInt.of(Integer.parseInt(value)));
                default -> throw new AssertionError("no inventory value for " + o);
            }
        }
        return seed;
    }

    private static List<String> hostsOf(String name) throws IOException {
        for (String line : Files.readAllLines(CORPUS.resolve(name))) {
            if (line.startsWith("# hosts:"))
                return List.of(line.substring(8).strip().split("\\s+"));
        }
        throw new AssertionError(name + " has no '# hosts:' line");
    }

    /** What ssh -G prints for each host, or null where it fails, in one namespace per file. */
    private Map<String, Map<String, List<String>>> sshG(
            Path config, List<String> hosts, List<String> options) throws Exception {
        StringBuilder dashO = new StringBuilder();
        for (String o : options) dashO.append(" -o '").append(o).append("'");
        StringBuilder script = new StringBuilder();
        script.append("hostname ")
                .append(LOCAL_HOST)
                .append(" && mount --bind ")
                .append(dir.resolve("passwd"))
                .append(" /etc/passwd || exit 99\n");
        for (String h : hosts) {
            script.append("echo '@@host ")
                    .append(h)
                    .append("'; ssh -G")
                    .append(dashO)
                    .append(" -F '")
                    .append(config)
                    .append("' '")
                    .append(h)
                    .append("' 2>/dev/null; echo \"@@rc $?\"\n");
        }
        ProcessBuilder pb =
                new ProcessBuilder(
                                "unshare",
                                "--mount",
                                "--uts",
                                "--propagation",
                                "private",
                                "sh",
                                "-c",
                                script.toString())
                        .directory(dir.toFile());
        pb.environment().putAll(env());
        pb.redirectError(dir.resolve("ssh.err").toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ssh -G did not finish");
        assertEquals(
                0, p.exitValue(), "namespace set-up: " + Files.readString(dir.resolve("ssh.err")));
        Map<String, Map<String, List<String>>> all = new LinkedHashMap<>();
        String host = null;
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("@@host ")) {
                host = line.substring(7);
                fields = new LinkedHashMap<>();
            } else if (line.startsWith("@@rc ")) {
                all.put(host, line.equals("@@rc 0") ? fields : null);
            } else if (!line.isBlank()) {
                int space = line.indexOf(' ');
                String key = space < 0 ? line : line.substring(0, space);
                String value = space < 0 ? "" : line.substring(space + 1);
                fields.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        }
        return all;
    }

    private static String one(Map<String, List<String>> ssh, String key) {
        List<String> v = ssh.get(key);
        return v == null ? "(unset)" : String.join("\n", v);
    }

    private static String seconds(Duration d) {
        return Long.toString(d.toSeconds());
    }

    /** The compared fields of postflight's resolution, in ssh -G's words. */
    private static Map<String, String> ours(SshHostSettings s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("hostname", s.hostname());
        m.put("user", s.user());
        m.put("port", Integer.toString(s.port()));
        m.put(
                "identityfile",
                String.join(
                        "\n",
                        s.identityFiles().isEmpty() ? SSH_DEFAULT_IDENTITIES : s.identityFiles()));
        m.put("identitiesonly", s.identitiesOnly() ? "yes" : "no");
        m.put("identityagent", s.identityAgent().orElse("(unset)"));
        m.put("proxyjump", s.proxyJump().orElse("(unset)"));
        m.put("proxycommand", s.proxyCommand().orElse("(unset)"));
        m.put("userknownhostsfile", String.join(" ", s.userKnownHostsFiles()));
        m.put("globalknownhostsfile", String.join(" ", s.globalKnownHostsFiles()));
        m.put("stricthostkeychecking", s.strictHostKeyChecking());
        m.put("hostkeyalias", s.hostKeyAlias().orElse("(unset)"));
        m.put("connecttimeout", s.connectTimeout().map(d -> seconds(d)).orElse("none"));
        m.put("serveraliveinterval", seconds(s.serverAliveInterval()));
        m.put(
                "certificatefile",
                s.certificateFiles().isEmpty()
                        ? "(unset)"
                        : String.join("\n", s.certificateFiles()));
        return m;
    }

    private static Map<String, String> theirs(Map<String, List<String>> ssh) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String key :
                List.of(
                        "hostname",
                        "user",
                        "port",
                        "identityfile",
                        "identitiesonly",
                        "identityagent",
                        "proxyjump",
                        "proxycommand",
                        "userknownhostsfile",
                        "globalknownhostsfile",
                        "stricthostkeychecking",
                        "hostkeyalias",
                        "connecttimeout",
                        "serveraliveinterval",
                        "certificatefile")) {
            m.put(key, one(ssh, key));
        }
        return m;
    }

    @TestFactory
    Stream<DynamicTest> everyCorpusConfigResolvesEveryHostAsSshGPrintsIt() throws Exception {
        assumeTrue(available(), "needs root, unshare(1) and ssh (apt-get install openssh-client)");
        List<String> files = corpusFiles();
        assertTrue(files.size() >= 40, "the corpus has " + files.size() + " configs");
        copyCorpus();
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : files) {
            Path config = home().resolve(".ssh").resolve(name);
            List<String> hosts = hostsOf(name);
            List<String> options = optionsOf(name);
            Map<String, Map<String, List<String>>> ssh = sshG(config, hosts, options);
            OpenSshConfig.Seed seed = seed(options);
            OpenSshConfig ours = new OpenSshConfig(config, home(), USER, LOCAL_HOST, env());
            for (String host : hosts) {
                Map<String, List<String>> expected = ssh.get(host);
                tests.add(
                        DynamicTest.dynamicTest(
                                name + " " + host,
                                () -> {
                                    if (expected == null) {
                                        assertThrows(
                                                IllegalArgumentException.class,
                                                () ->
                                                        ours.settings(
                                                                host, OpenSshConfig.Seed.none()),
                                                "ssh -G refuses " + host);
                                        return;
                                    }
                                    assertEquals(
                                            theirs(expected),
                                            ours(ours.settings(host, seed)),
                                            name + " " + host);
                                }));
            }
        }
        assertTrue(tests.size() >= 120, "the corpus has " + tests.size() + " host cases");
        return tests.stream();
    }
}
