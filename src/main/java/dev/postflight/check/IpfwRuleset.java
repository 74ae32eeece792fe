package dev.postflight.check;

import dev.postflight.check.FirewallRules.Accepted;
import dev.postflight.check.FirewallRules.Connection;
import dev.postflight.check.FirewallRules.Dropped;
import dev.postflight.check.FirewallRules.Match;
import dev.postflight.check.FirewallRules.Outcome;
import dev.postflight.check.FirewallRules.Undecidable;
import java.util.ArrayList;
import java.util.List;

/**
 * FreeBSD's ipfw as {@code ipfw list} prints it (ipfw(8)), interpreted for one NEW TCP connection:
 * the FIRST matching rule in number order decides ({@code allow}, {@code deny}, {@code reject},
 * {@code unreach}, {@code reset}; {@code count} and {@code check-state} go on, {@code skipto}
 * jumps); the default rule 65535 is listed. Understood: protocols, {@code from}/{@code to} with
 * {@code any}, {@code me}, addresses and prefixes, destination ports (lists, ranges, service
 * names), {@code in}/{@code out}, {@code via}/{@code recv}/{@code xmit}, {@code setup}, {@code
 * established}, {@code tcpflags}, {@code keep-state}. A rule that may match but uses anything else
 * (a {@code table(…)}, {@code fwd}, {@code nat}, {@code divert}…) makes the answer undecidable,
 * never a pass.
 */
record IpfwRuleset(List<String> rules) {

    static IpfwRuleset parse(String out) {
        List<String> rules = new ArrayList<>();
        for (String line : out.split("\n")) {
            String l = line.strip();
            if (l.matches("\\d+\\s.*")) rules.add(l);
        }
        return new IpfwRuleset(List.copyOf(rules));
    }

    Outcome judge(Connection c) {
        int skipTo = 0;
        for (String rule : rules) {
            String[] numberAndRest = rule.split("\\s+", 2);
            int number = Integer.parseInt(numberAndRest[0]);
            if (number < skipTo) continue;
            String body = numberAndRest[1];
            int comment = body.indexOf("//");
            String text = comment < 0 ? body : body.substring(0, comment).strip();
            String where = "ipfw rule " + numberAndRest[0];
            List<String> w = List.of(text.split("\\s+"));
            int i = 0;
            if (w.get(i).equals("set")) i += 2;
            if (w.get(i).equals("prob")) i += 2;
            String action = w.get(i++);
            if (action.equals("check-state")) continue; // a new connection has no state yet
            String how =
                    switch (action) {
                        case "allow", "accept", "pass", "permit" -> "accepted";
                        case "deny", "drop" -> "blocked";
                        case "reject", "reset", "reset6", "unreach", "unreach6" -> "rejected";
                        case "count" -> "count";
                        case "skipto" -> "skipto";
                        default -> "";
                    };
            if (action.startsWith("unreach") || action.equals("skipto")) i++; // its argument
            Match m;
            try {
                m = conditions(w.subList(i, w.size()), c);
            } catch (IndexOutOfBoundsException e) {
                m = Match.unknown("words this interpreter cannot read");
            }
            if (m.isNo() || how.equals("count")) continue;
            if (m.isUnknown()) return new Undecidable(where + " uses " + m.why());
            if (how.isEmpty()) return new Undecidable(where + " uses " + action);
            if (how.equals("skipto")) {
                skipTo = Integer.parseInt(w.get(i - 1));
                continue;
            }
            String ref = where + ": " + text;
            return how.equals("accepted") ? new Accepted(ref) : new Dropped(how, ref);
        }
        return new Undecidable("no ipfw rule matched and the default rule is not listed");
    }

    private static Match conditions(List<String> w, Connection c) {
        Match all = Match.YES;
        int i = 0;
        if (w.get(i).equals("log")) {
            i++;
            if (w.get(i).equals("logamount")) i += 2;
        }
        String proto = w.get(i++);
        Match p =
                switch (proto) {
                    case "ip", "all" -> Match.YES;
                    case "ip4", "ipv4" -> Match.of(!c.ipv6());
                    case "ip6", "ipv6" -> Match.of(c.ipv6());
                    case "tcp", "6" -> Match.YES;
                    default ->
                            proto.startsWith("{") || proto.startsWith("not")
                                    ? Match.unknown(proto)
                                    : Match.NO;
                };
        if (p.isNo()) return Match.NO;
        if (p.isUnknown()) all = p;
        boolean not = false;
        for (; i < w.size(); i++) {
            String t = w.get(i);
            String next = i + 1 < w.size() ? w.get(i + 1) : "";
            Match m = null;
            switch (t) {
                case "not" -> {
                    not = true;
                    continue;
                }
                case "from" -> {
                    i++;
                    boolean negated = next.equals("not");
                    if (negated) next = w.get(++i);
                    m = source(next, c);
                    if (negated) m = m.not();
                    if (i + 1 < w.size() && isPorts(w.get(i + 1))) {
                        i++;
                        if (m.value().orElse(true)) m = Match.unknown("a source port");
                    }
                }
                case "to" -> {
                    i++;
                    boolean negated = next.equals("not");
                    if (negated) next = w.get(++i);
                    m = FirewallRules.destination(next, List.of("me", "me6"));
                    if (negated) m = m.not();
                    if (i + 1 < w.size() && isPorts(w.get(i + 1))) {
                        String ports = w.get(++i);
                        Match pm = ports(ports, c.port());
                        m = m.isNo() ? m : pm.isNo() ? pm : m.isUnknown() ? m : pm;
                    }
                }
                case "dst-port" -> {
                    i++;
                    m = ports(next, c.port());
                }
                case "in", "setup", "keep-state", "record-state" -> m = Match.YES;
                case "out", "established", "frag" -> m = Match.NO;
                case "via", "recv" -> {
                    i++;
                    m = c.arrivesOn(List.of(next), '*', t + " " + next);
                }
                case "xmit" -> {
                    i++;
                    m = Match.NO; // an arriving packet has no outgoing interface yet
                }
                case "tcpflags", "tcpflag" -> {
                    i++;
                    m = Match.YES;
                    for (String f : next.split(",")) {
                        boolean negated = f.startsWith("!");
                        String flag = negated ? f.substring(1) : f;
                        if (!flag.equals("syn") && !negated || flag.equals("syn") && negated) {
                            m = Match.NO; // a new connection's SYN has only syn set
                        }
                    }
                }
                default -> {
                    if (t.startsWith(":")) break; // keep-state's flow name
                    m = Match.unknown(t);
                }
            }
            if (m == null) continue;
            if (not) m = m.not();
            not = false;
            if (m.isNo()) return Match.NO;
            if (m.isUnknown() && !all.isUnknown()) all = m;
        }
        return all;
    }

    private static boolean isPorts(String w) {
        return w.matches("[\\w,-]+")
                && !w.equals("in")
                && !w.equals("out")
                && !List.of(
                                "via",
                                "recv",
                                "xmit",
                                "setup",
                                "established",
                                "keep-state",
                                "record-state",
                                "tcpflags",
                                "frag",
                                "not",
                                "dst-port")
                        .contains(w)
                && (Character.isDigit(w.charAt(0))
                        || PfRuleset.SERVICES.containsKey(w.split("[,-]")[0]));
    }

    private static Match source(String a, Connection c) {
        if (a.equals("any")) return Match.YES;
        if (a.equals("me") || a.equals("me6")) return Match.NO; // from outside
        return FirewallRules.sourceAmong(List.of(a.split(",")), a, c);
    }

    private static Match ports(String arg, int port) {
        for (String p : arg.split(",")) {
            String[] r = p.split("-");
            Integer lo = number(r[0]);
            Integer hi = r.length > 1 ? number(r[1]) : lo;
            if (lo == null || hi == null) return Match.unknown("port " + arg);
            if (lo <= port && port <= hi) return Match.YES;
        }
        return Match.NO;
    }

    private static Integer number(String p) {
        return p.matches("\\d+") ? Integer.valueOf(p) : PfRuleset.SERVICES.get(p);
    }
}
