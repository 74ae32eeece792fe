package dev.postflight.check;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postflight.check.FirewallRules.Accepted;
import dev.postflight.check.FirewallRules.Connection;
import dev.postflight.check.FirewallRules.Continue;
import dev.postflight.check.FirewallRules.Dropped;
import dev.postflight.check.FirewallRules.Match;
import dev.postflight.check.FirewallRules.Outcome;
import dev.postflight.check.FirewallRules.Undecidable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An nftables ruleset as {@code nft -j list ruleset} prints it, interpreted for one NEW TCP
 * connection: the filter chains on the input hook in priority order, each rule's matches, and the
 * first verdict that applies. A rule that may match but uses something not understood here makes
 * the answer undecidable, never accepted.
 *
 * <p>Over 400 lines on purpose: one interpreter of nftables' JSON for a new TCP connection (chains
 * by priority, matches, verdicts, jumps), checked as a whole against the kernel by
 * NftDifferentialTest.
 */
record NftRuleset(List<Chain> chains, Map<String, List<JsonNode>> sets) {

    /** A chain: its table's family and name, its hook and priority when it is a base chain. */
    record Chain(
            String family,
            String table,
            String name,
            String type,
            String hook,
            int prio,
            String policy,
            List<JsonNode> rules) {
        String label() {
            return "'" + family + " " + table + " " + name + "'";
        }

        boolean xtables() {
            return rules.stream().anyMatch(r -> r.findValue("xt") != null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DEPTH = 32;

    static NftRuleset parse(String json) throws Probe.Unreadable {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new Probe.Unreadable(
                    "firewall: unreadable nft -j output: " + e.getOriginalMessage());
        }
        if (root == null || !root.path("nftables").isArray()) {
            throw new Probe.Unreadable("firewall: unreadable nft -j output (no nftables array)");
        }
        Map<String, Chain> chains = new LinkedHashMap<>();
        Map<String, List<JsonNode>> rules = new HashMap<>();
        Map<String, List<JsonNode>> sets = new HashMap<>();
        for (JsonNode item : root.path("nftables")) {
            JsonNode c = item.get("chain");
            if (c != null) {
                String key =
                        key(
                                c.path("family").asText(),
                                c.path("table").asText(),
                                c.path("name").asText());
                List<JsonNode> list = rules.computeIfAbsent(key, k -> new ArrayList<>());
                chains.put(
                        key,
                        new Chain(
                                c.path("family").asText(),
                                c.path("table").asText(),
                                c.path("name").asText(),
                                c.path("type").asText(""),
                                c.path("hook").asText(""),
                                c.path("prio").asInt(0),
                                c.path("policy").asText("accept"),
                                list));
            }
            JsonNode r = item.get("rule");
            if (r != null) {
                rules.computeIfAbsent(
                                key(
                                        r.path("family").asText(),
                                        r.path("table").asText(),
                                        r.path("chain").asText()),
                                k -> new ArrayList<>())
                        .add(r.path("expr"));
            }
            JsonNode s = item.get("set");
            if (s != null) {
                List<JsonNode> elems = new ArrayList<>();
                s.path("elem").forEach(elems::add);
                sets.put(
                        key(
                                s.path("family").asText(),
                                s.path("table").asText(),
                                s.path("name").asText()),
                        elems);
            }
        }
        return new NftRuleset(List.copyOf(chains.values()), sets);
    }

    private static String key(String family, String table, String name) {
        return family + " " + table + " " + name;
    }

    /** The base chains that see the connection, in the order the kernel runs them. */
    List<Chain> inputChains(Connection c, boolean skipXtables) {
        Set<String> families = c.ipv6() ? Set.of("ip6", "inet") : Set.of("ip", "inet");
        return chains.stream()
                .filter(ch -> ch.hook().equals("input") && ch.type().equals("filter"))
                .filter(ch -> families.contains(ch.family()))
                .filter(ch -> !(skipXtables && ch.xtables()))
                .filter(ch -> !(ch.rules().isEmpty() && ch.policy().equals("accept")))
                .sorted(Comparator.comparingInt(Chain::prio))
                .toList();
    }

    /** Whether any table was made by iptables-nft (rules with xtables matches). */
    boolean hasXtables() {
        return chains.stream().anyMatch(Chain::xtables);
    }

    List<Outcome> judge(Connection c, boolean skipXtables) {
        List<Outcome> hooks = new ArrayList<>();
        for (Chain base : inputChains(c, skipXtables)) {
            Outcome o = walk(base, c, 0);
            if (o instanceof Continue) {
                String by =
                        "the policy of nft chain "
                                + base.label()
                                + " (policy "
                                + base.policy()
                                + ")";
                o = base.policy().equals("drop") ? new Dropped("dropped", by) : new Accepted(by);
            }
            hooks.add(o);
        }
        return hooks;
    }

    private Chain chain(Chain from, String name) {
        return chains.stream()
                .filter(ch ->
                        ch.family().equals(from.family())
                                && ch.table().equals(from.table())
                                && ch.name().equals(name))
                .findFirst()
                .orElse(null);
    }

    private Outcome walk(Chain chain, Connection c, int depth) {
        if (depth > MAX_DEPTH)
            return new Undecidable("nft chain " + chain.label() + " jumps too deep");
        int n = 0;
        for (JsonNode rule : chain.rules()) {
            n++;
            String ref = "nft rule " + chain.label() + " #" + n + ": " + text(rule);
            Match all = Match.YES;
            JsonNode verdict = null;
            for (JsonNode e : rule) {
                String kind = e.fieldNames().hasNext() ? e.fieldNames().next() : "";
                switch (kind) {
                    case "match" -> {
                        Match m = match(e.get("match"), c, chain);
                        if (m.isNo()) all = Match.NO;
                        else if (m.isUnknown() && !all.isNo()) all = m;
                    }
                    case "counter", "log", "comment" -> {}
                    case "accept", "drop", "reject", "jump", "goto", "return", "continue" ->
                            verdict = e;
                    default -> {
                        if (!all.isNo()) all = Match.unknown(kind);
                    }
                }
                if (verdict != null) break;
            }
            if (all.isNo()) continue;
            if (verdict == null) {
                if (all.isUnknown())
                    return new Undecidable(
                            "nft rule " + chain.label() + " #" + n + " uses " + all.why());
                continue;
            }
            if (all.isUnknown()) {
                return new Undecidable(
                        "nft rule " + chain.label() + " #" + n + " uses " + all.why());
            }
            String kind = verdict.fieldNames().next();
            switch (kind) {
                case "accept":
                    return new Accepted(ref);
                case "drop":
                    return new Dropped("dropped", ref);
                case "reject":
                    return new Dropped("rejected", ref);
                case "return":
                    return new Continue();
                case "continue":
                    continue;
                default: // jump, goto
                    String target = verdict.path(kind).path("target").asText();
                    Chain next = chain(chain, target);
                    if (next == null)
                        return new Undecidable(ref + " names an unknown chain " + target);
                    Outcome o = walk(next, c, depth + 1);
                    if (!(o instanceof Continue)) return o;
                    if (kind.equals("goto")) return o;
            }
        }
        return new Continue();
    }

    private Match match(JsonNode m, Connection c, Chain chain) {
        String op = m.path("op").asText("==");
        JsonNode left = m.path("left");
        JsonNode right = m.path("right");
        Match result = matchPositive(left, right, c, chain);
        return switch (op) {
            case "==", "in" -> result;
            case "!=" -> result.not();
            default -> Match.unknown("the operator " + op);
        };
    }

    private Match matchPositive(JsonNode left, JsonNode right, Connection c, Chain chain) {
        if (left.has("payload")) {
            String proto = left.path("payload").path("protocol").asText();
            String field = left.path("payload").path("field").asText();
            if ((proto.equals("tcp") || proto.equals("th")) && field.equals("dport")) {
                return ports(right, chain)
                        .map(ps -> Match.of(ps.contains(c.port())))
                        .orElse(Match.unknown("tcp dport " + right));
            }
            if (proto.equals("udp")
                    || proto.equals("icmp")
                    || proto.equals("icmpv6")
                    || proto.equals("sctp")) {
                return Match.NO; // implies another protocol than TCP
            }
            if ((proto.equals("ip") || proto.equals("ip6")) && field.equals("saddr")) {
                if (proto.equals("ip6") != c.ipv6()) return Match.NO;
                List<FirewallRules.Cidr> prefixes = new ArrayList<>();
                for (JsonNode v : values(right, chain)) {
                    if (v.has("prefix")) {
                        prefixes.add(
                                FirewallRules.Cidr.parse(
                                        v.path("prefix").path("addr").asText()
                                                + "/"
                                                + v.path("prefix").path("len").asInt()));
                    } else if (v.isTextual() && !v.asText().startsWith("@")) {
                        prefixes.add(FirewallRules.Cidr.parse(v.asText()));
                    } else {
                        return Match.unknown(proto + " saddr " + v);
                    }
                }
                return c.sourceIn(prefixes)
                        .map(Match::of)
                        .orElse(Match.unknown(proto + " saddr (the source is only partly in it)"));
            }
            if ((proto.equals("ip") && field.equals("protocol"))
                    || (proto.equals("ip6") && field.equals("nexthdr"))) {
                if (proto.equals("ip6") != c.ipv6()) return Match.NO;
                return Match.of(
                        values(right, chain).stream().anyMatch(v -> v.asText().equals("tcp")));
            }
            if (proto.equals("tcp") && field.equals("sport")) return Match.unknown("tcp sport");
            return Match.unknown(proto + " " + field);
        }
        if (left.has("meta")) {
            String key = left.path("meta").path("key").asText();
            switch (key) {
                case "protocol":
                    String l3 = c.ipv6() ? "ip6" : "ip";
                    return Match.of(
                            values(right, chain).stream().anyMatch(v -> v.asText().equals(l3)));
                case "l4proto":
                    return Match.of(
                            values(right, chain).stream()
                                    .anyMatch(v ->
                                            v.asText().equals("tcp") || v.asText().equals("6")));
                case "nfproto":
                    String fam = c.ipv6() ? "ipv6" : "ipv4";
                    return Match.of(
                            values(right, chain).stream().anyMatch(v -> v.asText().equals(fam)));
                case "iifname", "iif":
                    List<JsonNode> names = values(right, chain);
                    if (names.stream().anyMatch(v -> !v.isTextual())) {
                        return Match.unknown(key + " " + right);
                    }
                    return c.arrivesOn(
                            names.stream().map(JsonNode::asText).toList(), '*', key + " " + right);
                default:
                    break;
            }
            return Match.unknown("meta " + key);
        }
        if (left.has("ct")) {
            String key = left.path("ct").path("key").asText();
            if (key.equals("state")) {
                return Match.of(
                        values(right, chain).stream().anyMatch(v -> v.asText().equals("new")));
            }
            if (key.equals("status")) {
                return Match
                        .NO; // a new connection to the host itself: not NATed, not confirmed yet
            }
            return Match.unknown("ct " + key);
        }
        if (left.has("fib")) return Match.unknown("fib");
        return Match.unknown(
                left.fieldNames().hasNext() ? left.fieldNames().next() : left.toString());
    }

    /** The values on a match's right: a single value, an anonymous set, or a named set. */
    private List<JsonNode> values(JsonNode right, Chain chain) {
        List<JsonNode> out = new ArrayList<>();
        if (right.isTextual() && right.asText().startsWith("@")) {
            out.addAll(
                    sets.getOrDefault(
                            key(chain.family(), chain.table(), right.asText().substring(1)),
                            List.of(right)));
        } else if (right.has("set")) {
            right.path("set").forEach(out::add);
        } else if (right.isArray()) {
            right.forEach(out::add);
        } else {
            out.add(right);
        }
        // A set element with a timeout or comment is {"elem": {"val": …}}.
        out.replaceAll(v -> v.has("elem") ? v.path("elem").path("val") : v);
        return out;
    }

    /** The ports on a match's right; empty when a value is not understood. */
    private Optional<Ports> ports(JsonNode right, Chain chain) {
        List<int[]> ranges = new ArrayList<>();
        for (JsonNode v : values(right, chain)) {
            if (v.isInt()) ranges.add(new int[] {v.asInt(), v.asInt()});
            else if (v.has("range"))
                ranges.add(
                        new int[] {v.path("range").get(0).asInt(), v.path("range").get(1).asInt()});
            else if (v.isTextual() && SERVICES.containsKey(v.asText())) {
                int p = SERVICES.get(v.asText());
                ranges.add(new int[] {p, p});
            } else return Optional.empty();
        }
        return Optional.of(new Ports(ranges));
    }

    private static final Map<String, Integer> SERVICES =
            Map.of("http", 80, "https", 443, "ssh", 22, "domain", 53, "smtp", 25);

    record Ports(List<int[]> ranges) {
        boolean contains(int port) {
            return ranges.stream().anyMatch(r -> r[0] <= port && port <= r[1]);
        }
    }

    /** A rule in nft's own syntax, for the parts this interpreter knows (the rest by name). */
    static String text(JsonNode rule) {
        List<String> parts = new ArrayList<>();
        for (JsonNode e : rule) {
            String kind = e.fieldNames().hasNext() ? e.fieldNames().next() : "";
            JsonNode v = e.get(kind);
            switch (kind) {
                case "match" -> {
                    String op = v.path("op").asText("==");
                    String l = left(v.path("left"));
                    JsonNode r = v.path("right");
                    parts.add(
                            l
                                    + (op.equals("!=") ? " != " : " ")
                                    + (l.endsWith("ifname") && r.isTextual()
                                            ? "\"" + r.asText() + "\""
                                            : right(r)));
                }
                case "jump", "goto" -> parts.add(kind + " " + v.path("target").asText());
                default -> parts.add(kind);
            }
        }
        return String.join(" ", parts);
    }

    private static String left(JsonNode l) {
        if (l.has("payload"))
            return l.path("payload").path("protocol").asText()
                    + " "
                    + l.path("payload").path("field").asText();
        if (l.has("meta")) {
            String k = l.path("meta").path("key").asText();
            return k.equals("iifname") || k.equals("oifname") || k.equals("iif") ? k : "meta " + k;
        }
        if (l.has("ct")) return "ct " + l.path("ct").path("key").asText();
        return l.fieldNames().hasNext() ? l.fieldNames().next() : "?";
    }

    private static String right(JsonNode r) {
        if (r.has("set")) {
            List<String> vs = new ArrayList<>();
            r.path("set").forEach(v -> vs.add(right(v)));
            return "{ " + String.join(", ", vs) + " }";
        }
        if (r.isArray()) {
            List<String> vs = new ArrayList<>();
            r.forEach(v -> vs.add(right(v)));
            return String.join(",", vs);
        }
        if (r.has("range"))
            return r.path("range").get(0).asText() + "-" + r.path("range").get(1).asText();
        if (r.has("prefix"))
            return r.path("prefix").path("addr").asText()
                    + "/"
                    + r.path("prefix").path("len").asText();
        if (r.isTextual() && !r.asText().startsWith("@") && !r.asText().matches("[\\w.:]+"))
            return "\"" + r.asText() + "\"";
        if (r.isTextual() && List.of("lo").contains(r.asText())) return "\"" + r.asText() + "\"";
        return r.asText();
    }
}
