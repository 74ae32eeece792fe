package dev.postflight.check;

import dev.postflight.check.FirewallRules.Accepted;
import dev.postflight.check.FirewallRules.Cidr;
import dev.postflight.check.FirewallRules.Connection;
import dev.postflight.check.FirewallRules.Continue;
import dev.postflight.check.FirewallRules.Dropped;
import dev.postflight.check.FirewallRules.Match;
import dev.postflight.check.FirewallRules.Outcome;
import dev.postflight.check.FirewallRules.Undecidable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The filter table of an {@code iptables-save} (or {@code ip6tables-save}) output, interpreted for
 * one NEW TCP connection: the INPUT chain's {@code -A} rules in order, jumps into user chains, and
 * the policy when no rule decides. A rule that may match but uses an option not understood here
 * makes the answer undecidable, never accepted.
 */
record IptablesRuleset(String tool, Map<String, String> policies, Map<String, List<String>> rules) {

    private static final int MAX_DEPTH = 32;

    static IptablesRuleset parse(String tool, String out) {
        Map<String, String> policies = new LinkedHashMap<>();
        Map<String, List<String>> rules = new LinkedHashMap<>();
        boolean filter = false;
        for (String raw : out.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("*")) filter = line.equals("*filter");
            else if (!filter || line.isEmpty() || line.startsWith("#")) continue;
            else if (line.startsWith(":")) {
                String[] p = line.substring(1).split("\\s+");
                policies.put(p[0], p.length > 1 ? p[1] : "-");
                rules.computeIfAbsent(p[0], k -> new ArrayList<>());
            } else if (line.startsWith("-A ")) {
                String[] p = line.split("\\s+", 3);
                rules.computeIfAbsent(p[1], k -> new ArrayList<>()).add(p.length > 2 ? p[2] : "");
            }
        }
        return new IptablesRuleset(tool, policies, rules);
    }

    /** Whether this output holds a filter table whose INPUT chain does anything. */
    boolean present() {
        return policies.containsKey("INPUT")
                && !(policies.get("INPUT").equals("ACCEPT") && rules.get("INPUT").isEmpty());
    }

    Outcome judge(Connection c) {
        if (!present()) return new Continue();
        Outcome o = walk("INPUT", c, 0);
        if (o instanceof Continue) {
            String policy = policies.get("INPUT");
            String by = "the policy of " + tool + " chain 'INPUT' (policy " + policy + ")";
            return policy.equals("DROP") ? new Dropped("dropped", by) : new Accepted(by);
        }
        return o;
    }

    private Outcome walk(String chain, Connection c, int depth) {
        if (depth > MAX_DEPTH)
            return new Undecidable(tool + " chain '" + chain + "' jumps too deep");
        int n = 0;
        for (String rule : rules.getOrDefault(chain, List.of())) {
            n++;
            String where = tool + " rule '" + chain + "' #" + n;
            String ref = where + ": " + rule;
            List<String> words = words(rule);
            Match all = Match.YES;
            String target = null;
            boolean gotoTarget = false;
            boolean not = false;
            boolean tcp = false;
            words:
            for (int i = 0; i < words.size(); i++) {
                String w = words.get(i);
                String arg = i + 1 < words.size() ? words.get(i + 1) : "";
                Match m = null;
                switch (w) {
                    case "!" -> {
                        not = true;
                        continue;
                    }
                    case "-p", "--protocol" -> {
                        i++;
                        tcp = arg.equals("tcp") || arg.equals("6");
                        m = Match.of(tcp || arg.equals("all") || arg.equals("0"));
                    }
                    case "--dport", "--destination-port", "--dports", "--destination-ports" -> {
                        i++;
                        m = ports(arg, c.port());
                    }
                    case "-s", "--source" -> {
                        i++;
                        List<Cidr> prefixes = new ArrayList<>();
                        for (String s : arg.split(",")) prefixes.add(Cidr.parse(s));
                        m =
                                c.sourceIn(prefixes)
                                        .map(Match::of)
                                        .orElse(
                                                Match.unknown(
                                                        "-s "
                                                                + arg
                                                                + " (the source is only partly in it)"));
                    }
                    case "-d", "--destination" -> {
                        i++;
                        m =
                                arg.equals("0.0.0.0/0") || arg.equals("::/0")
                                        ? Match.YES
                                        : Match.unknown("-d " + arg);
                    }
                    case "-i", "--in-interface" -> {
                        i++;
                        m = c.arrivesOn(List.of(arg), '+', "-i " + arg);
                    }
                    case "--ctstate", "--state" -> {
                        i++;
                        m = Match.of(List.of(arg.split(",")).contains("NEW"));
                    }
                    case "--syn" -> m = Match.YES;
                    case "--dst-type" -> {
                        i++;
                        m = Match.of(List.of(arg.split(",")).contains("LOCAL"));
                    }
                    case "-m", "--match" -> {
                        i++;
                        if (!List.of(
                                        "tcp",
                                        "udp",
                                        "icmp",
                                        "icmp6",
                                        "ipv6-icmp",
                                        "multiport",
                                        "conntrack",
                                        "state",
                                        "comment",
                                        "addrtype")
                                .contains(arg)) {
                            m = Match.unknown("-m " + arg);
                        }
                    }
                    case "--comment" -> i++;
                    case "-j", "--jump", "-g", "--goto" -> {
                        i++;
                        target = arg;
                        gotoTarget = w.equals("-g") || w.equals("--goto");
                        break words; // what follows are the target's own options
                    }
                    default -> {
                        if (w.startsWith("-")) m = Match.unknown(w);
                    }
                }
                if (m != null) {
                    if (not) m = m.not();
                    if (m.isNo()) all = Match.NO;
                    else if (m.isUnknown() && !all.isNo()) all = m;
                }
                not = false;
            }
            if (all.isNo()) continue;
            if (target == null || target.equals("LOG") || target.equals("NFLOG")) {
                if (target == null && all.isUnknown())
                    return new Undecidable(where + " uses " + all.why());
                continue;
            }
            if (all.isUnknown()) return new Undecidable(where + " uses " + all.why());
            switch (target) {
                case "ACCEPT":
                    return new Accepted(ref);
                case "DROP":
                    return new Dropped("dropped", ref);
                case "REJECT":
                    return new Dropped("rejected", ref);
                case "RETURN":
                    return new Continue();
                default:
                    if (!rules.containsKey(target)) {
                        return new Undecidable(where + " uses the target " + target);
                    }
                    Outcome o = walk(target, c, depth + 1);
                    if (!(o instanceof Continue) || gotoTarget) return o;
            }
        }
        return new Continue();
    }

    private static Match ports(String arg, int port) {
        for (String p : arg.split(",")) {
            String[] r = p.split(":", -1);
            try {
                int lo = r[0].isEmpty() ? 0 : Integer.parseInt(r[0]);
                int hi = r.length > 1 ? (r[1].isEmpty() ? 65535 : Integer.parseInt(r[1])) : lo;
                if (lo <= port && port <= hi) return Match.YES;
            } catch (NumberFormatException e) {
                return Match.unknown("--dport " + arg);
            }
        }
        return Match.NO;
    }

    /** Splits a rule into words; iptables-save quotes comments with double quotes. */
    private static List<String> words(String rule) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < rule.length(); i++) {
            char ch = rule.charAt(i);
            if (ch == '\\' && quoted && i + 1 < rule.length()) {
                w.append(rule.charAt(++i));
            } else if (ch == '"') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(ch) && !quoted) {
                if (any || !w.isEmpty()) out.add(w.toString());
                w.setLength(0);
                any = false;
            } else {
                w.append(ch);
            }
        }
        if (any || !w.isEmpty()) out.add(w.toString());
        return out;
    }
}
