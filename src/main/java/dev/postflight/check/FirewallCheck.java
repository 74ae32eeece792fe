package dev.postflight.check;

import dev.postflight.check.FirewallRules.Accepted;
import dev.postflight.check.FirewallRules.Cidr;
import dev.postflight.check.FirewallRules.Connection;
import dev.postflight.check.FirewallRules.Continue;
import dev.postflight.check.FirewallRules.Dropped;
import dev.postflight.check.FirewallRules.Outcome;
import dev.postflight.check.FirewallRules.Undecidable;
import dev.postflight.input.Fields;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Would the host's firewall accept a NEW TCP connection to a port from outside (issue 18, seed 000:
 * a firewall that drops the web port)? Reads the ruleset ({@code nft -j list ruleset}, else {@code
 * iptables-save}/{@code ip6tables-save}; on FreeBSD {@code pfctl -sr} when pf is enabled, else
 * {@code ipfw list}) and interprets it: the rule that decides is named with its text. A rule it
 * cannot judge makes the check an error, never a pass. Reading the ruleset needs root: a root login
 * reads it directly, {@code become: true} uses {@code sudo -n}.
 */
public record FirewallCheck(int port, Optional<Cidr> from, Optional<String> iface, boolean become)
        implements CheckSpec<FirewallCheck.Seen> {

    static final String SCRIPT =
            """
            if [ "$(id -u)" = 0 ]; then pf_su=
            elif [ "$pf_become" = true ]; then
              command -v sudo >/dev/null 2>&1 || { echo 'sudo not found (become: true needs it to read the ruleset)' >&2; exit 127; }
              pf_su='sudo -n'
            else echo 'reading the firewall ruleset needs root: log in as root or set become: true' >&2; exit 3
            fi
            pf_found=
            if command -v nft >/dev/null 2>&1; then
              pf_found=1; echo '#pf nft'; $pf_su nft -j list ruleset || exit 3; echo
            fi
            if command -v iptables-save >/dev/null 2>&1; then
              pf_found=1; echo '#pf iptables-save'; $pf_su iptables-save -t filter || exit 3
            fi
            if command -v ip6tables-save >/dev/null 2>&1; then
              pf_found=1; echo '#pf ip6tables-save'; $pf_su ip6tables-save -t filter 2>/dev/null || echo '#pf ip6tables-save failed'
            fi
            if [ -z "$pf_found" ] && [ "$(uname -s 2>/dev/null)" = FreeBSD ]; then
              command -v sysctl >/dev/null 2>&1 || { echo 'sysctl not found' >&2; exit 127; }
              command -v pfctl >/dev/null 2>&1 || { echo 'pfctl not found (without it pf cannot be ruled out)' >&2; exit 127; }
              if [ "$(sysctl -n net.inet.ipf.fr_running 2>/dev/null)" = 1 ]; then
                echo 'ipfilter (ipf) is running and postflight does not interpret its rules' >&2; exit 3
              fi
              pf_found=1; pf_on=
              if pf_i=$($pf_su pfctl -s info 2>&1); then :
              else
                case $pf_i in
                  *'/dev/pf: No such file or directory'*) pf_i= ;;
                  *) printf 'pfctl -s info failed: %s\\n' "$pf_i" >&2; exit 3 ;;
                esac
              fi
              case $pf_i in
                *'Status: Enabled'*) pf_on=1; echo '#pf pf'; $pf_su pfctl -sr || exit 3 ;;
              esac
              if [ "$(sysctl -n net.inet.ip.fw.enable 2>/dev/null)" = 1 ]; then
                command -v ipfw >/dev/null 2>&1 || { echo 'ipfw not found (net.inet.ip.fw.enable is 1)' >&2; exit 127; }
                pf_on=1; echo '#pf ipfw'; $pf_su ipfw list || exit 3
              fi
              [ -n "$pf_on" ] || echo '#pf off'
            fi
            [ -n "$pf_found" ] || { echo 'nft not found (nor iptables-save, pfctl or ipfw)' >&2; exit 127; }
            """;

    public FirewallCheck(int port, Optional<Cidr> from, boolean become) {
        this(port, from, Optional.empty(), become);
    }

    public FirewallCheck {
        iface.filter(i -> !i.matches("[A-Za-z0-9_.:@-]{1,15}"))
                .ifPresent(i -> {
                    throw new IllegalArgumentException(
                            "interface (" + i + ") is not an interface name");
                });
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port (" + port + ") must be between 1 and 65535");
        }
    }

    static Optional<FirewallCheck> parse(Fields f) {
        if (!f.has("port")) f.error("port", "is required");
        int port = f.integer("port").orElse(0);
        Optional<String> from = f.text("from");
        Optional<String> iface = f.text("interface");
        boolean become = f.bool("become").orElse(false);
        return f.build(() -> new FirewallCheck(port, from.map(Cidr::parse), iface, become));
    }

    /** The rulesets read: nft's JSON, and iptables-save's filter tables (each may be absent). */
    record Seen(
            Optional<NftRuleset> nft,
            IptablesRuleset ipv4,
            IptablesRuleset ipv6,
            boolean ipv6Unreadable,
            Optional<PfRuleset> pf,
            Optional<IpfwRuleset> ipfw) {}

    @Override
    public Probe<Seen> probe() {
        return Probe.host("firewall", "pf_become=" + become + "\n" + SCRIPT, FirewallCheck::read);
    }

    static Seen read(ProbeOutput o) throws Probe.Unreadable {
        if (o.exitCode() != 0) {
            String e = ProbeOutput.lastLine(o.err());
            if (e.contains("password is required")) {
                throw new Probe.Unreadable(
                        "firewall: sudo needs a password on this host (sudo -n); allow nft"
                                + " (or iptables-save) without a password, or log in as root");
            }
            throw new Probe.Unreadable("firewall: " + (e.isEmpty() ? "exit " + o.exitCode() : e));
        }
        StringBuilder nft = null;
        StringBuilder pf = null;
        StringBuilder ipfw = null;
        StringBuilder v4 = new StringBuilder();
        StringBuilder v6 = new StringBuilder();
        StringBuilder into = null;
        boolean v6failed = false;
        for (String line : o.out().split("\n", -1)) {
            switch (line.strip()) {
                case "#pf nft" -> into = nft = new StringBuilder();
                case "#pf pf" -> into = pf = new StringBuilder();
                case "#pf ipfw" -> into = ipfw = new StringBuilder();
                case "#pf off" -> into = null;
                case "#pf iptables-save" -> into = v4;
                case "#pf ip6tables-save" -> into = v6;
                case "#pf ip6tables-save failed" -> {
                    v6failed = true;
                    into = null;
                }
                default -> {
                    if (into != null) into.append(line).append('\n');
                }
            }
        }
        Optional<NftRuleset> rules =
                nft == null ? Optional.empty() : Optional.of(NftRuleset.parse(nft.toString()));
        return new Seen(
                rules,
                IptablesRuleset.parse("iptables", v4.toString()),
                IptablesRuleset.parse("ip6tables", v6.toString()),
                v6failed,
                pf == null ? Optional.empty() : Optional.of(PfRuleset.parse(pf.toString())),
                ipfw == null ? Optional.empty() : Optional.of(IpfwRuleset.parse(ipfw.toString())));
    }

    /**
     * What the rulesets do to the connection. Tables made by iptables-nft (xtables matches in nft's
     * view) are read from iptables-save instead, which prints them in its own syntax.
     */
    static Outcome decide(Seen seen, Connection c) {
        if (seen.pf().isPresent() || seen.ipfw().isPresent()) {
            // pf and ipfw can both be loaded: a packet passes both, so a block in either decides.
            List<Outcome> both = new ArrayList<>();
            seen.pf().ifPresent(pf -> both.add(pf.judge(c)));
            seen.ipfw().ifPresent(ipfw -> both.add(ipfw.judge(c)));
            return FirewallRules.combine(both);
        }
        if (c.ipv6() && seen.ipv6Unreadable()) {
            return new Undecidable("ip6tables-save failed, the IPv6 rules are unknown");
        }
        IptablesRuleset ipt = c.ipv6() ? seen.ipv6() : seen.ipv4();
        boolean useIptables = ipt.present();
        List<Outcome> hooks = new ArrayList<>();
        seen.nft().ifPresent(n -> hooks.addAll(n.judge(c, useIptables)));
        if (useIptables) {
            Outcome o = ipt.judge(c);
            if (!(o instanceof Continue)) hooks.add(o);
        }
        return FirewallRules.combine(hooks);
    }

    @Override
    public Verdict judge(Seen seen, Now now) {
        Connection c = new Connection(port, from, iface);
        String what = c.describe() + ": ";
        return switch (decide(seen, c)) {
            case Accepted a when a.by().equals("no firewall rules") ->
                    Verdict.pass(what + "no firewall rules: accepted");
            case Accepted a -> Verdict.pass(what + "accepted by " + a.by());
            case Dropped d -> Verdict.fail(what + d.how() + " by " + d.by());
            case Undecidable u -> Verdict.error(what + "undecidable: " + u.why());
            case Continue x -> Verdict.pass(what + "no firewall rules: accepted");
        };
    }

    @Override
    public String describe() {
        return "the firewall accepts new TCP connections to port "
                + port
                + " from "
                + from.map(Cidr::toString).orElse("anywhere")
                + iface.map(i -> " on " + i).orElse("")
                + (become ? " (reads the ruleset with sudo -n)" : "");
    }
}
