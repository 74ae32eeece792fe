package dev.postflight.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.check.FirewallRules.Accepted;
import dev.postflight.check.FirewallRules.Cidr;
import dev.postflight.check.FirewallRules.Connection;
import dev.postflight.check.FirewallRules.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The interpreter against the kernel: a ruleset loaded with {@code nft -f} in a network namespace
 * of the test's own, read back with {@code nft -j list ruleset}, and for each port the
 * interpreter's answer compared with what happens to a real TCP connection from a second namespace
 * over a veth pair, which arrives on the veth interface the rules name by name (traffic never
 * leaves the two namespaces, which are deleted at the end). Needs root, nft, ip and socat; skipped
 * otherwise.
 */
class NftDifferentialTest {
    private static final int[] PORTS = {80, 8085, 8086, 8087, 8089, 443, 8443, 22, 5432, 9999};

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    private static String output(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd));
        return out;
    }

    private static boolean available() throws Exception {
        return run(
                        "sh",
                        "-c",
                        "[ \"$(id -u)\" = 0 ] && command -v nft && command -v ip && command -v socat")
                == 0;
    }

    @Test
    void theInterpretersVerdictIsWhatHappensToARealConnection() throws Exception {
        assumeTrue(available(), "needs root, nft, ip and socat");
        long pid = ProcessHandle.current().pid();
        String server = "pftest-s" + pid;
        String client = "pftest-c" + pid;
        String serverIf = "pfs" + pid;
        List<Process> listeners = new ArrayList<>();
        try {
            assertEquals(0, run("ip", "netns", "add", server));
            assertEquals(0, run("ip", "netns", "add", client));
            assertEquals(
                    0,
                    run(
                            "ip",
                            "link",
                            "add",
                            serverIf,
                            "netns",
                            server,
                            "type",
                            "veth",
                            "peer",
                            "name",
                            "pfc" + pid,
                            "netns",
                            client));
            assertEquals(
                    0, run("ip", "-n", server, "addr", "add", "10.99.0.1/24", "dev", serverIf));
            assertEquals(0, run("ip", "-n", server, "link", "set", serverIf, "up"));
            assertEquals(0, run("ip", "-n", server, "link", "set", "lo", "up"));
            assertEquals(
                    0, run("ip", "-n", client, "addr", "add", "10.99.0.2/24", "dev", "pfc" + pid));
            assertEquals(0, run("ip", "-n", client, "link", "set", "pfc" + pid, "up"));
            String ruleset =
                    Path.of("src/test/resources/firewall/differential.nft")
                            .toAbsolutePath()
                            .toString();
            assertEquals(0, run("ip", "netns", "exec", server, "nft", "-f", ruleset));
            // Rules naming interfaces, first in the input chain: the veth the connection arrives
            // on (8085 dropped), another one (80 still accepted), and negations of both.
            for (String rule :
                    List.of(
                            "iifname \"" + serverIf + "\" tcp dport 8085 drop",
                            "iifname \"wg0\" tcp dport 80 drop",
                            "iifname != \"wg0\" tcp dport 8086 drop",
                            "iifname != \"" + serverIf + "\" tcp dport 8087 drop")) {
                assertEquals(
                        0,
                        run(
                                "sh",
                                "-c",
                                "ip netns exec "
                                        + server
                                        + " nft insert rule inet filter input "
                                        + rule),
                        rule);
            }
            String json = output("ip", "netns", "exec", server, "nft", "-j", "list", "ruleset");
            FirewallCheck.Seen seen =
                    FirewallCheck.read(
                            new ProbeOutput(
                                    0,
                                    ("#pf nft\n" + json).getBytes(StandardCharsets.UTF_8),
                                    new byte[0],
                                    false));

            for (int port : PORTS) {
                listeners.add(
                        new ProcessBuilder(
                                        "ip",
                                        "netns",
                                        "exec",
                                        server,
                                        "socat",
                                        "TCP-LISTEN:" + port + ",bind=10.99.0.1,reuseaddr,fork",
                                        "SYSTEM:echo ok")
                                .redirectErrorStream(true)
                                .start());
            }
            Thread.sleep(500);

            Map<Integer, String> predicted = new LinkedHashMap<>();
            Map<Integer, String> happened = new LinkedHashMap<>();
            for (int port : PORTS) {
                Outcome o =
                        FirewallCheck.decide(
                                seen,
                                new Connection(
                                        port,
                                        Optional.of(Cidr.parse("10.99.0.2")),
                                        Optional.of(serverIf)));
                predicted.put(port, o instanceof Accepted ? "accepted" : "not accepted: " + o);
                String out =
                        output(
                                "sh",
                                "-c",
                                "ip netns exec "
                                        + client
                                        + " socat -T2 - TCP:10.99.0.1:"
                                        + port
                                        + ",connect-timeout=2 </dev/null 2>/dev/null; true");
                happened.put(port, out.strip().equals("ok") ? "accepted" : "not accepted");
            }
            Map<Integer, String> predictedShort = new LinkedHashMap<>();
            predicted.forEach(
                    (p, v) -> predictedShort.put(p, v.startsWith("accepted") ? v : "not accepted"));
            assertEquals(happened, predictedShort, "interpreter: " + predicted);
            // Both answers occur, so the comparison says something.
            assertEquals(
                    List.of("accepted", "not accepted"),
                    happened.values().stream().distinct().sorted().toList());
        } finally {
            for (Process p : listeners) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            run("ip", "netns", "del", server);
            run("ip", "netns", "del", client);
        }
    }
}
