package dev.postflight.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.check.FirewallRules.Cidr;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.LocalRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FirewallCheckTest {
    private static final Now NOW = Now.at(Instant.parse("2026-12-07T00:00:00Z"));

    @TempDir Path dir;

    static String fixture(String name) {
        try {
            return Files.readString(Path.of("src/test/resources/firewall", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Verdict judge(FirewallCheck c, int exit, String out, String err) {
        return Observed.judge(
                c,
                Observation.ofHost(
                        new ProbeOutput(
                                exit,
                                out.getBytes(StandardCharsets.UTF_8),
                                err.getBytes(StandardCharsets.UTF_8),
                                false)),
                NOW);
    }

    static FirewallCheck check(int port, String from) {
        return new FirewallCheck(
                port, from.isEmpty() ? Optional.empty() : Optional.of(Cidr.parse(from)), true);
    }

    /** What the probe prints on a host with nftables only. */
    static String nft(String json) {
        return "#pf nft\n" + json + "\n";
    }

    @ParameterizedTest(name = "{0}: tcp/{1} from {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    debian.json    | 443  |              | PASS  | tcp/443 from anywhere: no firewall rules: accepted
                    web.json       | 443  |              | FAIL  | tcp/443 from anywhere: dropped by nft rule 'inet filter input' #5: tcp dport 443 drop
                    web.json       | 80   |              | PASS  | tcp/80 from anywhere: accepted by nft rule 'inet filter input' #6: tcp dport { 80, 8080-8090 } accept
                    web.json       | 8085 |              | PASS  | tcp/8085 from anywhere: accepted by nft rule 'inet filter input' #6: tcp dport { 80, 8080-8090 } accept
                    web.json       | 22   |              | FAIL  | tcp/22 from anywhere: dropped by the policy of nft chain 'inet filter input' (policy drop)
                    web.json       | 22   | 192.0.2.10   | PASS  | tcp/22 from 192.0.2.10: accepted by nft rule 'inet filter input' #4: tcp dport 22 ip saddr @admin accept
                    web.json       | 22   | 192.0.0.0/16 | ERROR | tcp/22 from 192.0.0.0/16: undecidable: nft rule 'inet filter input' #4 uses ip saddr (the source is only partly in it)
                    web.json       | 9999 |              | FAIL  | tcp/9999 from anywhere: dropped by the policy of nft chain 'inet filter input' (policy drop)
                    firewalld.json | 443  |              | PASS  | tcp/443 from anywhere: accepted by nft rule 'inet firewalld filter_IN_public_allow' #3: tcp dport 443 ct state { new, untracked } accept
                    firewalld.json | 80   |              | FAIL  | tcp/80 from anywhere: rejected by nft rule 'inet firewalld filter_INPUT' #6: reject
                    """)
    void interpretsRecordedNftablesRulesets(
            String file, int port, String from, Status status, String reason) {
        Verdict v = judge(check(port, from == null ? "" : from), 0, nft(fixture(file)), "");
        assertEquals(reason, v.reason());
        assertEquals(status, v.status());
    }

    @ParameterizedTest(name = "ufw: tcp/{0} from {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    443  |               | PASS | tcp/443 from anywhere: accepted by iptables rule 'ufw-user-input' #2: -p tcp -m multiport --dports 80,443 -m comment --comment "\\'dapp_Nginx%20Full\\'" -j ACCEPT
                    3306 |               | FAIL | tcp/3306 from anywhere: dropped by the policy of iptables chain 'INPUT' (policy DROP)
                    8080 |               | FAIL | tcp/8080 from anywhere: rejected by iptables rule 'ufw-user-input' #4: -p tcp -m tcp --dport 8080 -j REJECT --reject-with tcp-reset
                    5432 | 203.0.113.7   | PASS | tcp/5432 from 203.0.113.7: accepted by iptables rule 'ufw-user-input' #3: -s 203.0.113.0/24 -p tcp -m tcp --dport 5432 -j ACCEPT
                    5432 |               | FAIL | tcp/5432 from anywhere: dropped by the policy of iptables chain 'INPUT' (policy DROP)
                    445  |               | FAIL | tcp/445 from anywhere: dropped by iptables rule 'ufw-skip-to-policy-input' #1: -j DROP
                    """)
    void interpretsARecordedUfwIptablesSave(int port, String from, Status status, String reason) {
        String out = "#pf iptables-save\n" + fixture("ufw.iptables-save") + "#pf ip6tables-save\n";
        Verdict v = judge(check(port, from == null ? "" : from), 0, out, "");
        assertEquals(reason, v.reason());
        assertEquals(status, v.status());
    }

    @Test
    void iptablesNftTablesAreReadFromIptablesSaveAndNativeNftTablesStillCount() {
        String xt =
                """
                {"nftables": [{"chain": {"family": "ip", "table": "filter", "name": "INPUT", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
                 {"rule": {"family": "ip", "table": "filter", "chain": "INPUT", "expr": [{"xt": {"type": "match", "name": "limit"}}, {"accept": null}]}},
                 {"chain": {"family": "inet", "table": "extra", "name": "in", "type": "filter", "hook": "input", "prio": 5, "policy": "accept"}},
                 {"rule": {"family": "inet", "table": "extra", "chain": "in", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 3306}}, {"drop": null}]}}]}
                """;
        String out =
                nft(xt)
                        + "#pf iptables-save\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 3306 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT\nCOMMIT\n";
        assertEquals(
                "tcp/443 from anywhere: accepted by iptables rule 'INPUT' #2: -p tcp -m tcp --dport 443 -j ACCEPT",
                judge(check(443, ""), 0, out, "").reason());
        assertEquals(
                "tcp/3306 from anywhere: dropped by nft rule 'inet extra in' #1: tcp dport 3306 drop",
                judge(check(3306, ""), 0, out, "").reason());
    }

    @Test
    void aRuleThatMayMatchButUsesSomethingUnknownIsUndecidableNeverAPass() {
        String json =
                """
                {"nftables": [{"chain": {"family": "inet", "table": "filter", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
                 {"rule": {"family": "inet", "table": "filter", "chain": "input", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "udp"}}, {"drop": null}]}},
                 {"rule": {"family": "inet", "table": "filter", "chain": "input", "expr": [{"match": {"op": "==", "left": {"fib": {"flags": ["daddr"], "result": "type"}}, "right": "local"}}, {"drop": null}]}}]}
                """;
        Verdict v = judge(check(443, ""), 0, nft(json), "");
        assertEquals(Status.ERROR, v.status());
        assertEquals(
                "tcp/443 from anywhere: undecidable: nft rule 'inet filter input' #2 uses fib",
                v.reason());
        Verdict eth =
                judge(
                        check(443, ""),
                        0,
                        "#pf iptables-save\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i eth0 -p tcp --dport 443 -j DROP\nCOMMIT\n",
                        "");
        assertEquals(Status.ERROR, eth.status());
        assertEquals(
                "tcp/443 from anywhere: undecidable: iptables rule 'INPUT' #1 uses -i eth0 (the interface the connection arrives on is unknown: set interface)",
                eth.reason());
    }

    static FirewallCheck on(int port, String iface) {
        return new FirewallCheck(port, Optional.empty(), Optional.of(iface), true);
    }

    private static String nftIif(String op, String name) {
        return nft(
                """
                {"nftables": [{"chain": {"family": "inet", "table": "filter", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
                 {"rule": {"family": "inet", "table": "filter", "chain": "input", "expr": [{"match": {"op": "OP", "left": {"meta": {"key": "iifname"}}, "right": "NAME"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 80}}, {"drop": null}]}}]}
                """
                        .replace("OP", op)
                        .replace("NAME", name));
    }

    @ParameterizedTest(name = "nft iifname {0} {1}, interface {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    == | eth0 | eth0 | FAIL  | tcp/80 from anywhere on eth0: dropped by nft rule 'inet filter input' #1: iifname "eth0" tcp dport 80 drop
                    == | wg0  | eth0 | PASS  | tcp/80 from anywhere on eth0: accepted by the policy of nft chain 'inet filter input' (policy accept)
                    != | wg0  | eth0 | FAIL  | tcp/80 from anywhere on eth0: dropped by nft rule 'inet filter input' #1: iifname != "wg0" tcp dport 80 drop
                    == | eth* | eth1 | FAIL  | tcp/80 from anywhere on eth1: dropped by nft rule 'inet filter input' #1: iifname "eth*" tcp dport 80 drop
                    == | eth0 |      | ERROR | tcp/80 from anywhere: undecidable: nft rule 'inet filter input' #1 uses iifname "eth0" (the interface the connection arrives on is unknown: set interface)
                    """)
    void nftIifnameMatchesTheInterfaceTheConnectionArrivesOn(
            String op, String name, String iface, Status status, String reason) {
        FirewallCheck c = iface == null ? check(80, "") : on(80, iface);
        Verdict v = judge(c, 0, nftIif(op, name), "");
        assertEquals(reason, v.reason());
        assertEquals(status, v.status());
    }

    @ParameterizedTest(name = "iptables {0}, interface {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    -i eth0   | eth0 | FAIL | tcp/80 from anywhere on eth0: dropped by iptables rule 'INPUT' #1: -i eth0 -p tcp -m tcp --dport 80 -j DROP
                    -i wg0    | eth0 | PASS | tcp/80 from anywhere on eth0: accepted by the policy of iptables chain 'INPUT' (policy ACCEPT)
                    ! -i wg0  | eth0 | FAIL | tcp/80 from anywhere on eth0: dropped by iptables rule 'INPUT' #1: ! -i wg0 -p tcp -m tcp --dport 80 -j DROP
                    ! -i eth0 | eth0 | PASS | tcp/80 from anywhere on eth0: accepted by the policy of iptables chain 'INPUT' (policy ACCEPT)
                    -i eth+   | eth2 | FAIL | tcp/80 from anywhere on eth2: dropped by iptables rule 'INPUT' #1: -i eth+ -p tcp -m tcp --dport 80 -j DROP
                    """)
    void iptablesInInterfaceMatchesTheInterfaceTheConnectionArrivesOn(
            String match, String iface, Status status, String reason) {
        String out =
                "#pf iptables-save\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT "
                        + match
                        + " -p tcp -m tcp --dport 80 -j DROP\nCOMMIT\n";
        Verdict v = judge(on(80, iface), 0, out, "");
        assertEquals(reason, v.reason());
        assertEquals(status, v.status());
    }

    static FirewallCheck freebsd(int port, String from, String iface) {
        return new FirewallCheck(
                port,
                from == null ? Optional.empty() : Optional.of(Cidr.parse(from)),
                Optional.ofNullable(iface),
                true);
    }

    @ParameterizedTest(name = "pf: tcp/{0} from {1} on {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    80   |             |      | PASS  | tcp/80 from anywhere: accepted by pf rule #6: pass in proto tcp from any to any port = http flags S/SA keep state
                    443  |             |      | PASS  | tcp/443 from anywhere: accepted by pf rule #7: pass in proto tcp from any to any port = https flags S/SA keep state
                    22   |             |      | PASS  | tcp/22 from anywhere: accepted by pf rule #5: pass in inet proto tcp from any to any port = ssh flags S/SA keep state (max-src-conn 10, max-src-conn-rate 5/30)
                    8080 |             |      | FAIL  | tcp/8080 from anywhere: blocked by pf rule #4: block drop in quick proto tcp from any to any port = 8080
                    5432 |             |      | FAIL  | tcp/5432 from anywhere: blocked by pf rule #2: block drop in log all
                    5432 | 10.1.2.3    |      | PASS  | tcp/5432 from 10.1.2.3: accepted by pf rule #8: pass in inet proto tcp from 10.0.0.0/8 to any port = postgresql flags S/SA keep state
                    5432 | 10.0.0.0/7  |      | ERROR | tcp/5432 from 10.0.0.0/7: undecidable: pf rule #8 uses from 10.0.0.0/8 (the source is only partly in it)
                    6005 |             |      | ERROR | tcp/6005 from anywhere: undecidable: pf rule #9 uses on em0 (the interface the connection arrives on is unknown: set interface)
                    6005 |             | em0  | FAIL  | tcp/6005 from anywhere on em0: rejected by pf rule #9: block return in quick on em0 proto tcp from any to any port 6000:6010
                    6005 |             | em1  | FAIL  | tcp/6005 from anywhere on em1: blocked by pf rule #2: block drop in log all
                    9005 |             | em0  | PASS  | tcp/9005 from anywhere on em0: accepted by pf rule #10: pass in on em0 proto tcp from any to any port 9000 >< 9010 flags S/SA keep state
                    9010 |             | em0  | FAIL  | tcp/9010 from anywhere on em0: blocked by pf rule #2: block drop in log all
                    """)
    void interpretsARecordedPfctlRuleset(
            int port, String from, String iface, Status status, String reason) {
        Verdict v =
                judge(freebsd(port, from, iface), 0, "#pf pf\n" + fixture("freebsd.pfctl-sr"), "");
        assertEquals(reason, v.reason());
        assertEquals(status, v.status());
    }

    @ParameterizedTest(name = "pf: {0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    pass in all                                                       | PASS  | tcp/80 from anywhere: accepted by pf rule #2: pass in all
                    block in quick proto tcp to port 80                               | FAIL  | tcp/80 from anywhere: blocked by pf rule #2: block in quick proto tcp to port 80
                    block in proto tcp to port { 22 80 }                              | FAIL  | tcp/80 from anywhere: blocked by pf rule #2: block in proto tcp to port { 22 80 }
                    block in proto udp to port 80                                     | PASS  | tcp/80 from anywhere: accepted by pf rule #1: pass in all flags S/SA keep state
                    block out proto tcp to port 80                                    | PASS  | tcp/80 from anywhere: accepted by pf rule #1: pass in all flags S/SA keep state
                    block drop in quick proto tcp from <badhosts> to any              | ERROR | tcp/80 from anywhere: undecidable: pf rule #2 uses from <badhosts>
                    pass in on em0 proto tcp to port 80 rdr-to 127.0.0.1 port 8080    | ERROR | tcp/80 from anywhere: undecidable: pf rule #2 uses on em0 (the interface the connection arrives on is unknown: set interface)
                    pass in proto tcp to port 80 rdr-to 127.0.0.1 port 8080           | ERROR | tcp/80 from anywhere: undecidable: pf rule #2 uses rdr-to
                    block in proto tcp to port 80 flags A/A                           | PASS  | tcp/80 from anywhere: accepted by pf rule #1: pass in all flags S/SA keep state
                    block in quick proto tcp from ! 10.0.0.0/8 to port 80             | FAIL  | tcp/80 from anywhere: blocked by pf rule #2: block in quick proto tcp from ! 10.0.0.0/8 to port 80
                    block in quick proto tcp from !10.0.0.0/8 to 127.0.0.1 port 80    | PASS  | tcp/80 from anywhere: accepted by pf rule #1: pass in all flags S/SA keep state
                    block in on egress proto tcp to port 80                           | ERROR | tcp/80 from anywhere: undecidable: pf rule #2 uses on egress (an interface group)
                    """)
    void pfLastMatchWinsUnlessQuickAndUnknownsAreUndecidable(
            String rule, Status status, String reason) {
        String out = "#pf pf\npass in all flags S/SA keep state\n" + rule + "\n";
        Verdict v = judge(check(80, ""), 0, out, "");
        assertEquals(reason, v.reason());
        assertEquals(status, v.status());
        assertEquals(
                Verdict.pass(
                        "tcp/80 from anywhere: accepted by pf's default (no rule matches: pass)"),
                judge(check(80, ""), 0, "#pf pf\n", ""));
    }

    @ParameterizedTest(name = "ipfw: tcp/{0} from {1} on {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    22   |          |      | PASS  | tcp/22 from anywhere: accepted by ipfw rule 01200: allow tcp from any to me 22 setup keep-state :default
                    443  |          |      | PASS  | tcp/443 from anywhere: accepted by ipfw rule 01300: allow tcp from any to any 80,443 in
                    8080 |          |      | FAIL  | tcp/8080 from anywhere: rejected by ipfw rule 01400: reject tcp from any to any 8000-8100 in
                    3306 |          |      | ERROR | tcp/3306 from anywhere: undecidable: ipfw rule 01500 uses via em0 (the interface the connection arrives on is unknown: set interface)
                    3306 |          | em0  | FAIL  | tcp/3306 from anywhere on em0: blocked by ipfw rule 01500: deny tcp from any to any 3306 in via em0
                    3306 |          | em1  | FAIL  | tcp/3306 from anywhere on em1: blocked by ipfw rule 65535: deny ip from any to any
                    5432 | 10.1.2.3 |      | PASS  | tcp/5432 from 10.1.2.3: accepted by ipfw rule 01600: allow tcp from 10.0.0.0/8 to me 5432 setup
                    5432 |          |      | FAIL  | tcp/5432 from anywhere: blocked by ipfw rule 65535: deny ip from any to any
                    """)
    void interpretsARecordedIpfwList(
            int port, String from, String iface, Status status, String reason) {
        Verdict v =
                judge(
                        freebsd(port, from, iface),
                        0,
                        "#pf ipfw\n" + fixture("freebsd.ipfw-list"),
                        "");
        assertEquals(reason, v.reason());
        assertEquals(status, v.status());
    }

    @Test
    void anIpfwTableOrAnEstablishedOnlyRuleIsJudgedForANewConnection() {
        Verdict table =
                judge(
                        check(80, ""),
                        0,
                        "#pf ipfw\n00050 deny tcp from table(badhosts) to any\n65535 allow ip from any to any\n",
                        "");
        assertEquals(
                Verdict.error(
                        "tcp/80 from anywhere: undecidable: ipfw rule 00050 uses from table(badhosts)"),
                table);
        Verdict established =
                judge(
                        check(80, ""),
                        0,
                        "#pf ipfw\n00100 allow tcp from any to any established\n65535 deny ip from any to any\n",
                        "");
        assertEquals(
                Verdict.fail(
                        "tcp/80 from anywhere: blocked by ipfw rule 65535: deny ip from any to any"),
                established);
    }

    /**
     * A FreeBSD host over SSH: test shims for uname, pfctl, sysctl and ipfw on a PATH without this
     * machine's sbin (so no nft, no iptables-save) print what FreeBSD prints; {@code pf-enabled} in
     * the shims' folder switches pf on, else ipfw is on.
     */
    @Test
    void aFreeBsdHostIsJudgedByPfWhenEnabledElseByIpfwOverSsh() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(
                Path.of("src/test/resources/firewall/freebsd.pfctl-sr"), bin.resolve("pf.rules"));
        Files.copy(
                Path.of("src/test/resources/firewall/freebsd.ipfw-list"),
                bin.resolve("ipfw.rules"));
        java.util.Map<String, String> shims =
                java.util.Map.of(
                        "uname",
                        "[ \"$1\" = -s ] && echo FreeBSD || echo 14.1-RELEASE\n",
                        "pfctl",
                        "case \"$*\" in\n"
                                + "  '-s info') if [ -e "
                                + bin
                                + "/pf-enabled ]; then echo 'Status: Enabled for 0 days 01:02:03           Debug: Urgent'; else echo 'Status: Disabled for 0 days 00:00:00          Debug: Urgent'; fi ;;\n"
                                + "  -sr) cat "
                                + bin
                                + "/pf.rules ;;\n"
                                + "  *) echo \"pfctl: unexpected $*\" >&2; exit 1 ;;\n"
                                + "esac\n",
                        "sysctl",
                        "[ \"$*\" = '-n net.inet.ip.fw.enable' ] && echo 1\n",
                        "ipfw",
                        "[ \"$1\" = list ] && cat " + bin + "/ipfw.rules\n");
        writeShims(bin, shims);
        String yaml =
                """
                checks:
                  - id: web
                    firewall: { port: 8080 }
                  - id: db
                    firewall: { port: 6005, interface: em0 }
                """;
        try (dev.postflight.testing.SshTestServer s =
                dev.postflight.testing.SshTestServer.start(
                        Files.createDirectories(dir.resolve("host")),
                        java.util.Map.of("PATH", bin + ":/usr/bin:/bin"),
                        false)) {
            Files.writeString(bin.resolve("pf-enabled"), "");
            HostResult pf = onFreeBsd(s, yaml);
            assertEquals(
                    "tcp/8080 from anywhere: blocked by pf rule #4: block drop in quick proto tcp"
                            + " from any to any port = 8080",
                    LocalRun.check(pf, "web").verdict().reason());
            assertEquals(
                    "tcp/6005 from anywhere on em0: rejected by pf rule #9: block return in quick"
                            + " on em0 proto tcp from any to any port 6000:6010",
                    LocalRun.check(pf, "db").verdict().reason());
            Files.delete(bin.resolve("pf-enabled"));
            HostResult ipfw = onFreeBsd(s, yaml);
            CheckResult web = LocalRun.check(ipfw, "web");
            assertEquals(Status.FAIL, web.status());
            assertEquals(
                    "tcp/8080 from anywhere: rejected by ipfw rule 01400: reject tcp from any to any"
                            + " 8000-8100 in",
                    web.verdict().reason());
        }
    }

    /**
     * What must never read as "no firewall rules" on FreeBSD: pf and ipfw both loaded (a packet
     * passes both, so ipfw's block decides even when pf accepts), ipfilter running (not
     * interpreted), and no pfctl at all (pf cannot be ruled out).
     */
    @Test
    void onFreeBsdASecondFirewallIpfilterOrAMissingPfctlIsNeverNoFirewallRules() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin2"));
        Files.copy(
                Path.of("src/test/resources/firewall/freebsd.ipfw-list"),
                bin.resolve("ipfw.rules"));
        java.util.Map<String, String> shims =
                java.util.Map.of(
                        "uname",
                        "[ \"$1\" = -s ] && echo FreeBSD || echo 14.1-RELEASE\n",
                        "pfctl",
                        "case \"$*\" in\n"
                                + "  '-s info') echo 'Status: Enabled for 0 days 01:02:03  Debug: Urgent' ;;\n"
                                + "  -sr) echo 'pass in all flags S/SA keep state' ;;\n"
                                + "esac\n",
                        "sysctl",
                        "case \"$*\" in\n"
                                + "  '-n net.inet.ip.fw.enable') echo 1 ;;\n"
                                + "  '-n net.inet.ipf.fr_running') [ -e "
                                + bin
                                + "/ipf-running ] && echo 1 || { echo 'sysctl: unknown oid' >&2; exit 1; } ;;\n"
                                + "esac\n",
                        "ipfw",
                        "[ \"$1\" = list ] && cat " + bin + "/ipfw.rules\n");
        writeShims(bin, shims);
        String yaml = "checks:\n  - id: web\n    firewall: { port: 8080 }\n";
        try (dev.postflight.testing.SshTestServer s =
                dev.postflight.testing.SshTestServer.start(
                        Files.createDirectories(dir.resolve("host2")),
                        java.util.Map.of("PATH", bin + ":/usr/bin:/bin"),
                        false)) {
            CheckResult both = LocalRun.check(onFreeBsd(s, yaml), "web");
            assertEquals(
                    "tcp/8080 from anywhere: rejected by ipfw rule 01400: reject tcp from any to any"
                            + " 8000-8100 in",
                    both.verdict().reason());
            assertEquals(Status.FAIL, both.status());

            Files.writeString(bin.resolve("ipf-running"), "");
            CheckResult ipf = LocalRun.check(onFreeBsd(s, yaml), "web");
            assertEquals(Status.ERROR, ipf.status());
            assertEquals(
                    "firewall: ipfilter (ipf) is running and postflight does not interpret its"
                            + " rules",
                    ipf.verdict().reason());

            Files.delete(bin.resolve("pfctl"));
            CheckResult noPfctl = LocalRun.check(onFreeBsd(s, yaml), "web");
            assertEquals(Status.ERROR, noPfctl.status());
            assertEquals(
                    "firewall: pfctl not found (without it pf cannot be ruled out)",
                    noPfctl.verdict().reason());
        }
    }

    /** Test shims: executable sh scripts named by the keys, in {@code bin}. */
    private static void writeShims(Path bin, java.util.Map<String, String> shims)
            throws java.io.IOException {
        for (var e : shims.entrySet()) {
            Path f = bin.resolve(e.getKey());
            Files.writeString(f, "#!/bin/sh\n" + e.getValue());
            f.toFile().setExecutable(true);
        }
    }

    private HostResult onFreeBsd(dev.postflight.testing.SshTestServer s, String yaml)
            throws Exception {
        return LocalRun.run(
                        dir,
                        yaml,
                        dev.postflight.inventory.Host.at("bsd", "127.0.0.1"),
                        s.connector("bsd", s.writeKnownHosts(dir.resolve("known_hosts"))))
                .hosts()
                .get(0);
    }

    @Test
    void anInterfaceThatIsNoInterfaceNameIsRefusedAtItsKey() throws Exception {
        Path f =
                LocalRun.write(
                        dir,
                        "c.yaml",
                        "checks:\n  - id: fw\n    firewall: { port: 80, interface: \"eth0; rm\" }\n");
        dev.postflight.input.InvalidInput e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        dev.postflight.input.InvalidInput.class,
                        () -> {
                            dev.postflight.input.Problems p = new dev.postflight.input.Problems();
                            dev.postflight.checklist.ChecklistBinder.bind(
                                    dev.postflight.checklist.ChecklistLoader.load(
                                            java.util.List.of(f)),
                                    java.util.Map.of(),
                                    "web1",
                                    "203.0.113.10",
                                    p);
                            p.throwIfAny();
                        });
        assertEquals(
                java.util.List.of(
                        "c.yaml:3:15: firewall check 'fw': interface (eth0; rm) is not an interface"
                                + " name"),
                e.errors().stream()
                        .map(x -> x.toString().replace(dir.toString() + "/", ""))
                        .toList());
    }

    @Test
    void unreadableIpv6RulesAreAnErrorForAnIpv6SourceOnly() {
        String out = "#pf iptables-save\n#pf ip6tables-save\n#pf ip6tables-save failed\n";
        assertEquals(
                Verdict.error(
                        "tcp/443 from 2001:db8::/32: undecidable: ip6tables-save failed, the IPv6 rules are unknown"),
                judge(check(443, "2001:db8::/32"), 0, out, ""));
        assertEquals(Status.PASS, judge(check(443, ""), 0, out, "").status());
    }

    @Test
    void namedSetElementsWithCommentsAreReadByTheirValue() {
        String json =
                """
                {"nftables": [{"set": {"family": "inet", "name": "blocked", "table": "filter", "type": "inet_service", "elem": [{"elem": {"val": 443, "comment": "closed for maintenance"}}]}},
                 {"chain": {"family": "inet", "table": "filter", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
                 {"rule": {"family": "inet", "table": "filter", "chain": "input", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": "@blocked"}}, {"drop": null}]}}]}
                """;
        assertEquals(
                Verdict.fail(
                        "tcp/443 from anywhere: dropped by nft rule 'inet filter input' #1: tcp dport @blocked drop"),
                judge(check(443, ""), 0, nft(json), ""));
    }

    @Test
    void anEmptyRulesetIsNoFirewallRulesAccepted() {
        Verdict v =
                judge(
                        check(80, ""),
                        0,
                        nft("{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}]}")
                                + "#pf iptables-save\n#pf ip6tables-save\n",
                        "");
        assertEquals(Status.PASS, v.status());
        assertEquals("tcp/80 from anywhere: no firewall rules: accepted", v.reason());
    }

    @Test
    void noToolNoRootAndNoSudoAreErrorsThatSaySo() {
        assertEquals(
                Verdict.error("firewall: nft not found (nor iptables-save, pfctl or ipfw)"),
                judge(
                        check(80, ""),
                        127,
                        "",
                        "nft not found (nor iptables-save, pfctl or ipfw)\n"));
        assertEquals(
                Verdict.error(
                        "firewall: sudo not found (become: true needs it to read the ruleset)"),
                judge(
                        check(80, ""),
                        127,
                        "",
                        "sudo not found (become: true needs it to read the ruleset)\n"));
        assertEquals(
                Verdict.error(
                        "firewall: reading the firewall ruleset needs root: log in as root or set become: true"),
                judge(
                        check(80, ""),
                        3,
                        "",
                        "reading the firewall ruleset needs root: log in as root or set become: true\n"));
        assertEquals(Status.ERROR, judge(check(80, ""), 0, nft("{not json"), "").status());
    }

    @Test
    void withoutRootTheProbeRefusesOrNeedsSudoAndSaysSo() throws Exception {
        assumeTrue(
                new ProcessBuilder(
                                        "sh",
                                        "-c",
                                        "[ \"$(id -u)\" = 0 ] && command -v setpriv && ! command -v sudo")
                                .start()
                                .waitFor()
                        == 0,
                "needs root and setpriv, and no sudo");
        for (boolean become : new boolean[] {false, true}) {
            Process p =
                    new ProcessBuilder(
                                    "setpriv",
                                    "--reuid=65534",
                                    "--regid=65534",
                                    "--clear-groups",
                                    "sh",
                                    "-c",
                                    "pf_become=" + become + "\n" + FirewallCheck.SCRIPT)
                            .start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.waitFor();
            Verdict v = judge(check(80, ""), exit, "", err);
            assertEquals(
                    become
                            ? "firewall: sudo not found (become: true needs it to read the ruleset)"
                            : "firewall: reading the firewall ruleset needs root: log in as root or set become: true",
                    v.reason());
            assertEquals(Status.ERROR, v.status());
        }
    }

    @Test
    void theProbeRunsUnderDashBashAndBusyBox() throws Exception {
        for (String sh : new String[] {"dash", "bash", "busybox"}) {
            if (new ProcessBuilder("sh", "-c", "command -v " + sh).start().waitFor() != 0) continue;
            Process p =
                    new ProcessBuilder(
                                    sh.equals("busybox")
                                            ? new String[] {
                                                "busybox", "sh", "-c", FirewallCheck.SCRIPT
                                            }
                                            : new String[] {sh, "-c", FirewallCheck.SCRIPT})
                            .start();
            p.waitFor();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(out.startsWith("#pf nft\n{\"nftables\""), sh + ": " + out);
        }
    }

    @Test
    void thisMachinesRulesetIsReadAndJudged() throws Exception {
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: fw
                            firewall: { port: 80 }
                        """);
        CheckResult c = LocalRun.check(r, "fw");
        assertTrue(c.verdict().reason().startsWith("tcp/80 from anywhere: "), c.verdict().reason());
    }
}
