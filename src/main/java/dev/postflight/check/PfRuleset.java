package dev.postflight.check;

import dev.postflight.check.FirewallRules.Accepted;
import dev.postflight.check.FirewallRules.Connection;
import dev.postflight.check.FirewallRules.Dropped;
import dev.postflight.check.FirewallRules.Match;
import dev.postflight.check.FirewallRules.Outcome;
import dev.postflight.check.FirewallRules.Undecidable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * FreeBSD's pf as {@code pfctl -sr} prints it (pf.conf(5) syntax), interpreted for one NEW TCP
 * connection: the LAST matching {@code pass}/{@code block} rule decides unless a matching rule is
 * {@code quick}; when no rule matches, pf passes. Understood: {@code in}/{@code out}, {@code on
 * IF}, {@code inet}/{@code inet6}, {@code proto}, {@code all}, {@code from}/{@code to} with {@code
 * any}, {@code self}, addresses and prefixes, {@code port} with its operators, lists and ranges,
 * {@code flags}, state and logging options. A rule that may match but uses anything else (a table
 * such as {@code <badhosts>}, {@code rdr-to}, an interface group, an anchor…) makes the answer
 * undecidable, never a pass.
 */
record PfRuleset(List<String> rules) {

    /** The services pfctl prints by name (from /etc/services) for the ports people filter. */
    static final Map<String, Integer> SERVICES =
            Map.ofEntries(
                    Map.entry("ftp", 21),
                    Map.entry("ssh", 22),
                    Map.entry("telnet", 23),
                    Map.entry("smtp", 25),
                    Map.entry("domain", 53),
                    Map.entry("http", 80),
                    Map.entry("www", 80),
                    Map.entry("pop3", 110),
                    Map.entry("imap", 143),
                    Map.entry("https", 443),
                    Map.entry("submission", 587),
                    Map.entry("imaps", 993),
                    Map.entry("pop3s", 995),
                    Map.entry("mysql", 3306),
                    Map.entry("postgresql", 5432));

    static PfRuleset parse(String out) {
        List<String> rules = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) rules.add(line.strip());
        }
        return new PfRuleset(List.copyOf(rules));
    }

    Outcome judge(Connection c) {
        Outcome decided = new Accepted("pf's default (no rule matches: pass)");
        int n = 0;
        for (String rule : rules) {
            n++;
            String ref = "pf rule #" + n + ": " + rule;
            List<String> w = words(rule);
            String action = w.get(0);
            if (action.equals("scrub")) continue;
            Match m;
            try {
                m = conditions(w, c);
            } catch (IndexOutOfBoundsException e) {
                m = Match.unknown("words this interpreter cannot read");
            }
            if (m.isNo()) continue;
            boolean quick = w.contains("quick");
            boolean deciding = action.equals("pass") || action.equals("block");
            if (action.equals("match") && m.value().isPresent()) continue;
            if (m.isUnknown() || !deciding) {
                String why = m.isUnknown() ? m.why() : action;
                Undecidable u = new Undecidable("pf rule #" + n + " uses " + why);
                // A later match overrides a rule that only may match, unless it is quick.
                if (quick || action.equals("anchor")) return u;
                decided = u;
                continue;
            }
            decided =
                    action.equals("pass")
                            ? new Accepted(ref)
                            : new Dropped(
                                    w.size() > 1 && w.get(1).startsWith("return")
                                            ? "rejected"
                                            : "blocked",
                                    ref);
            if (quick) return decided;
        }
        return decided;
    }

    /** Whether the rule's conditions hold for the connection (its first unknown one if any). */
    private static Match conditions(List<String> w, Connection c) {
        Match all = Match.YES;
        boolean to = false;
        for (int i = 1; i < w.size(); i++) {
            String t = w.get(i);
            String next = i + 1 < w.size() ? w.get(i + 1) : "";
            Match m = null;
            switch (t) {
                case "in",
                        "quick",
                        "all",
                        "log",
                        "drop",
                        "return",
                        "return-rst",
                        "allow-opts",
                        "keep",
                        "modulate",
                        "synproxy",
                        "no",
                        "state",
                        "any",
                        "scrub" -> {}
                case "out" -> m = Match.NO;
                case "inet" -> m = Match.of(!c.ipv6());
                case "inet6" -> m = Match.of(c.ipv6());
                case "on" -> {
                    i++;
                    boolean not = next.startsWith("!");
                    if (not) next = next.equals("!") ? w.get(++i) : next.substring(1);
                    List<String> names = list(next);
                    m =
                            names.stream()
                                            .allMatch(x ->
                                                    !x.isEmpty()
                                                            && Character.isDigit(
                                                                    x.charAt(x.length() - 1)))
                                    ? c.arrivesOn(names, '\0', "on " + next)
                                    : Match.unknown("on " + next + " (an interface group)");
                    if (not) m = m.not();
                }
                case "proto" -> {
                    i++;
                    m =
                            Match.of(
                                    list(next).stream()
                                            .anyMatch(p -> p.equals("tcp") || p.equals("6")));
                }
                case "from" -> {
                    to = false;
                    if (next.equals("port")) continue; // "from port N": from any
                    i++;
                    boolean not = next.startsWith("!");
                    if (not) next = next.equals("!") ? w.get(++i) : next.substring(1);
                    m = source(next, c);
                    if (not) m = m.not();
                }
                case "to" -> {
                    to = true;
                    if (next.equals("port")) continue; // "to port N": to any
                    i++;
                    boolean not = next.startsWith("!");
                    if (not) next = next.equals("!") ? w.get(++i) : next.substring(1);
                    m = FirewallRules.destination(next, List.of("self"));
                    if (not) m = m.not();
                }
                case "port" -> {
                    i++;
                    String op = next;
                    String a;
                    if (List.of("=", "!=", "<", "<=", ">", ">=").contains(op)) {
                        a = w.get(++i);
                    } else {
                        a = op;
                        op = "=";
                        if (i + 2 < w.size() && List.of("><", "<>", ":").contains(w.get(i + 1))) {
                            op = w.get(i + 1);
                            a = a + " " + w.get(i + 2);
                            i += 2;
                        }
                    }
                    m = to ? port(op, a, c.port()) : Match.unknown("a source port");
                }
                case "flags" -> {
                    i++;
                    m = synMatches(next);
                }
                case "label", "tag", "ridentifier" -> i++;
                case "rdr-to",
                        "nat-to",
                        "binat-to",
                        "route-to",
                        "reply-to",
                        "dup-to",
                        "divert-to",
                        "af-to" -> {
                    // What follows is where packets go, not a condition.
                    return all.isUnknown() ? all : Match.unknown(t);
                }
                default -> {
                    if (t.startsWith("(") || t.startsWith("\"")) break; // state or log options
                    m = Match.unknown(t);
                }
            }
            if (m == null) continue;
            if (m.isNo()) return Match.NO;
            if (m.isUnknown() && !all.isUnknown()) all = m;
        }
        return all;
    }

    private static Match source(String a, Connection c) {
        if (a.equals("any")) return Match.YES;
        if (a.equals("self")) return Match.NO; // from outside: not one of the host's addresses
        return FirewallRules.sourceAmong(list(a), a, c);
    }

    private static Match port(String op, String arg, int port) {
        try {
            if (op.equals(":") || op.equals("><") || op.equals("<>")) {
                String[] r = arg.split(" ");
                int lo = number(r[0]);
                int hi = number(r[1]);
                return Match.of(
                        switch (op) {
                            case ":" -> lo <= port && port <= hi;
                            case "><" -> lo < port && port < hi;
                            default -> port < lo || port > hi;
                        });
            }
            if (op.equals("=")) {
                for (String p : list(arg)) {
                    int colon = p.indexOf(':');
                    if (colon > 0) {
                        int lo = number(p.substring(0, colon));
                        int hi = number(p.substring(colon + 1));
                        if (lo <= port && port <= hi) return Match.YES;
                    } else if (number(p) == port) return Match.YES;
                }
                return Match.NO;
            }
            int v = number(arg);
            return Match.of(
                    switch (op) {
                        case "!=" -> port != v;
                        case "<" -> port < v;
                        case "<=" -> port <= v;
                        case ">" -> port > v;
                        default -> port >= v;
                    });
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return Match.unknown("port " + arg);
        }
    }

    private static int number(String p) {
        if (p.matches("\\d+")) return Integer.parseInt(p);
        Integer known = SERVICES.get(p);
        if (known == null) throw new IllegalArgumentException("unknown service " + p);
        return known;
    }

    /** {@code flags S/SA}: among the flags after the slash, exactly those before it are set. */
    private static Match synMatches(String flags) {
        if (flags.equals("any")) return Match.YES;
        int slash = flags.indexOf('/');
        String set = slash < 0 ? flags : flags.substring(0, slash);
        String mask = slash < 0 ? "FSRPAUEW" : flags.substring(slash + 1);
        for (char f : mask.toCharArray()) {
            boolean wanted = set.indexOf(f) >= 0;
            if (wanted != (f == 'S')) return Match.NO; // a new connection's SYN has only S set
        }
        return Match.YES;
    }

    /** {@code { 80 443 }} or {@code {80, 443}} as its items, any other word as itself. */
    private static List<String> list(String word) {
        if (!word.startsWith("{")) return List.of(word);
        String inner = word.substring(1, word.length() - 1).replace(",", " ").strip();
        return inner.isEmpty() ? List.of() : List.of(inner.split("\\s+"));
    }

    /** Words; a quoted string, a {@code { list }} and a {@code ( group )} are one word each. */
    static List<String> words(String rule) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char close = 0;
        for (int i = 0; i < rule.length(); i++) {
            char ch = rule.charAt(i);
            if (close != 0) {
                w.append(ch);
                if (ch == close) close = 0;
            } else if (ch == '"' || ch == '{' || ch == '(') {
                w.append(ch);
                close = ch == '"' ? '"' : ch == '{' ? '}' : ')';
            } else if (Character.isWhitespace(ch)) {
                if (!w.isEmpty()) out.add(w.toString());
                w.setLength(0);
            } else {
                w.append(ch);
            }
        }
        if (!w.isEmpty()) out.add(w.toString());
        return out;
    }
}
