package dev.postflight.report;

import dev.postflight.check.Status;
import dev.postflight.input.Durations;
import dev.postflight.input.Plural;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.run.UnreachableKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The report a person reads at 3 a.m.: per host, problems first with their one-line reason. A fleet
 * leads with the ranking of hosts and checks, prints a problem many hosts share once and the
 * passing hosts on one line, so 2,000 hosts read in a screen (seed 004: with 1,700 servers, a list
 * is not a report; issue 18). Colour only on a terminal.
 */
final class HumanReporter implements Reporter {
    private static final String RESET = "\u001b[0m";
    private static final int TOP = 10;
    private static final int NAMES = 8;
    private final boolean color;
    private final boolean showPasses;
    private final boolean onlyProblems;

    HumanReporter(boolean color) {
        this(color, false, false);
    }

    HumanReporter(boolean color, boolean showPasses, boolean onlyProblems) {
        this.color = color;
        this.showPasses = showPasses && !onlyProblems;
        this.onlyProblems = onlyProblems;
    }

    /** A human reporter that lists passing checks of every host, not only of a single one. */
    static Reporter verbose(boolean color) {
        return new HumanReporter(color, true, false);
    }

    @Override
    public String render(RunReport r) {
        StringBuilder out = new StringBuilder();
        out.append("postflight ")
                .append(safe(r.version()))
                .append(" · checklist ")
                .append(safe(r.checklist()))
                .append(" · ")
                .append(plural(r.hosts().size(), "host"))
                .append(r.shard().map(s -> " · shard " + s.label()).orElse(""))
                .append(" · ")
                .append(Durations.format(r.elapsed()))
                .append("\n");
        boolean fleet = r.hosts().size() > 1;
        List<HostResult> hosts = new ArrayList<>(r.hosts());
        hosts.sort(Comparator.comparing(HostResult::worst).reversed());
        if (fleet && !showPasses) {
            fleet(out, r, hosts);
        } else {
            if (fleet) ranking(out, r);
            for (HostResult h : hosts) {
                out.append("\n");
                host(out, h, !onlyProblems, Set.of());
            }
        }
        out.append("\n");
        summary(out, r);
        return out.toString();
    }

    /**
     * A fleet (issue 18): the ranking first, then each failure many hosts share once with their
     * names, then only the hosts whose problems no group covers, one line for the passing hosts,
     * and the skips folded per check. Its length grows with the kinds of problems, not the hosts.
     */
    private void fleet(StringBuilder out, RunReport r, List<HostResult> hosts) {
        ranking(out, r);
        List<Group> groups = groups(hosts);
        Set<Group.Key> grouped = new HashSet<>();
        if (!groups.isEmpty()) {
            out.append("\n");
            int width = groups.stream().mapToInt(g -> safe(g.key().id()).length()).max().orElse(0);
            for (Group g : groups) {
                group(out, g, width);
                grouped.add(g.key());
            }
        }
        List<String> passing = new ArrayList<>();
        for (HostResult h : hosts) {
            if (!problem(h)) {
                passing.add(h.host());
            } else if (!covered(h, grouped)) {
                out.append("\n");
                host(out, h, false, grouped);
            }
        }
        if (!passing.isEmpty() && !onlyProblems) {
            out.append("\n")
                    .append(paint(Status.PASS, "Passed:"))
                    .append(" ")
                    .append(count(passing.size(), "host"))
                    .append(": ")
                    .append(names(passing))
                    .append("\n");
        }
        if (!onlyProblems) skips(out, r);
    }

    /**
     * A check, with the same status and reason on several hosts, reported once (issue 18); or the
     * hosts unreachable the same way, with each one's own reason.
     */
    private record Group(
            Key key,
            List<String> hosts,
            CheckResult sample,
            boolean sameDetails,
            List<String> unreachable) {
        /**
         * What makes two problems "the same": the check, its status and the exact reason text; for
         * unreachable hosts, the kind of failure.
         */
        record Key(String id, Status status, String reason) {}
    }

    /** Problems two or more hosts share: unreachable, then the worst and most widespread first. */
    private static List<Group> groups(List<HostResult> hosts) {
        Map<Group.Key, List<String>> names = new LinkedHashMap<>();
        Map<Group.Key, CheckResult> sample = new LinkedHashMap<>();
        Map<Group.Key, Boolean> same = new LinkedHashMap<>();
        Map<Group.Key, List<String>> unreachable = new LinkedHashMap<>();
        for (HostResult h : hosts) {
            h.unreachable()
                    .ifPresent(u -> {
                        names.computeIfAbsent(unreachableKey(h), k -> new ArrayList<>())
                                .add(h.host());
                        unreachable
                                .computeIfAbsent(unreachableKey(h), k -> new ArrayList<>())
                                .add(u);
                    });
            for (CheckResult c : h.checks()) {
                if (c.status().compareTo(Status.WARN) < 0 || neverRan(h, c)) continue;
                Group.Key k = new Group.Key(c.id(), c.status(), c.verdict().reason());
                names.computeIfAbsent(k, x -> new ArrayList<>()).add(h.host());
                CheckResult was = sample.putIfAbsent(k, c);
                if (was != null && !was.verdict().details().equals(c.verdict().details()))
                    same.put(k, false);
            }
        }
        List<Group> out = new ArrayList<>();
        names.forEach((k, hs) -> {
            if (hs.size() > 1)
                out.add(
                        new Group(
                                k,
                                hs,
                                sample.get(k),
                                same.getOrDefault(k, true) && sample.containsKey(k),
                                unreachable.getOrDefault(k, List.of())));
        });
        out.sort(
                Comparator.comparing((Group g) -> g.key().status())
                        .reversed()
                        .thenComparing(g -> !g.key().id().isEmpty())
                        .thenComparing(g -> -g.hosts().size()));
        return out;
    }

    /**
     * Unreachable hosts group as a check would, under a name no check can have, by the kind of
     * failure: each refusal names its own address, so their texts never match (issue 18). A host
     * whose kind was not recorded (a report of an older postflight) groups by its exact text.
     */
    private static Group.Key unreachableKey(HostResult h) {
        UnreachableKind kind = h.unreachableKind().orElse(UnreachableKind.UNKNOWN);
        return new Group.Key(
                "",
                Status.ERROR,
                kind == UnreachableKind.UNKNOWN ? h.unreachable().orElse("") : kind.label());
    }

    private void group(StringBuilder out, Group g, int width) {
        Group.Key k = g.key();
        if (k.id().isEmpty()) {
            out.append(paint(Status.ERROR, "UNREACHABLE")).append(" ");
        } else {
            out.append(paint(k.status(), pad(label(k.status()), 5)))
                    .append(" ")
                    .append(pad(safe(k.id()), width))
                    .append("  ");
        }
        out.append(safe(k.reason()))
                .append(": ")
                .append(count(g.hosts().size(), "host"))
                .append(": ")
                .append(names(g.hosts()));
        CheckResult c = g.sample();
        if (c != null
                && c.fix().isPresent()
                && (c.status() == Status.FAIL || c.status() == Status.WARN))
            out.append("  [fix: ").append(safe(c.fix().get())).append("]");
        out.append("\n");
        if (k.id().isEmpty()) unreachableReasons(out, g);
        if (c != null && g.sameDetails())
            indented(out, " ".repeat(6 + width + 2), c.verdict().details());
        else if (c != null)
            out.append(" ".repeat(6 + width + 2))
                    .append("details differ per host: -v lists them\n");
    }

    /**
     * Under a kind of failure, the reason all its hosts gave or, when each gave its own (its own
     * address), the first host's as an example.
     */
    private static void unreachableReasons(StringBuilder out, Group g) {
        List<String> why = g.unreachable();
        if (why.isEmpty() || why.get(0).equals(g.key().reason())) return;
        String indent = " ".repeat("UNREACHABLE ".length());
        if (why.stream().distinct().count() == 1) {
            out.append(indent).append(safe(why.get(0))).append("\n");
        } else {
            out.append(indent)
                    .append("e.g. ")
                    .append(safe(g.hosts().get(0)))
                    .append(": ")
                    .append(safe(why.get(0)))
                    .append("\n");
        }
    }

    /** A host with something to read: a warning or worse, or a fix. */
    private static boolean problem(HostResult h) {
        return h.worst().compareTo(Status.WARN) >= 0 || !h.fixes().isEmpty();
    }

    /** Every problem of {@code h} is in a group above, and it has no fix to report. */
    private static boolean covered(HostResult h, Set<Group.Key> grouped) {
        if (!h.fixes().isEmpty()) return false;
        if (h.unreachable().isPresent() && !grouped.contains(unreachableKey(h))) return false;
        for (CheckResult c : h.checks()) {
            if (c.status().compareTo(Status.WARN) < 0 || neverRan(h, c)) continue;
            if (!grouped.contains(key(c))) return false;
        }
        return true;
    }

    private static Group.Key key(CheckResult c) {
        return new Group.Key(c.id(), c.status(), c.verdict().reason());
    }

    /**
     * Host names, compressed: consecutive numbers under one prefix become a range ({@code
     * web001…web137}); past {@value #NAMES} names or ranges, "and N more".
     */
    static String names(List<String> hosts) {
        List<String> sorted = new ArrayList<>(hosts);
        sorted.sort(
                Comparator.comparing((String h) -> numbered(h)[0])
                        .thenComparing(h -> numbered(h)[1].length())
                        .thenComparing(h -> numbered(h)[1]));
        List<String> items = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && follows(sorted.get(j), sorted.get(j + 1))) j++;
            if (j - i >= 2) {
                items.add(safe(sorted.get(i)) + "…" + safe(sorted.get(j)));
                sizes.add(j - i + 1);
            } else {
                for (int k = i; k <= j; k++) {
                    items.add(safe(sorted.get(k)));
                    sizes.add(1);
                }
            }
            i = j + 1;
        }
        if (items.size() <= NAMES) return String.join(", ", items);
        int shown = sizes.subList(0, NAMES).stream().mapToInt(Integer::intValue).sum();
        return String.join(", ", items.subList(0, NAMES)) + " and " + more(sorted.size() - shown);
    }

    /**
     * {@code web007} as {@code ["web", "007"]}; a name without a trailing number, {@code [name,
     * ""]}.
     */
    private static String[] numbered(String name) {
        int d = name.length();
        while (d > 0 && Character.isDigit(name.charAt(d - 1)) && name.length() - d < 18) d--;
        return new String[] {name.substring(0, d), name.substring(d)};
    }

    /** {@code b} is the host after {@code a}: same prefix, same width, the next number. */
    private static boolean follows(String a, String b) {
        String[] x = numbered(a);
        String[] y = numbered(b);
        return !x[1].isEmpty()
                && x[0].equals(y[0])
                && x[1].length() == y[1].length()
                && Long.parseLong(x[1]) + 1 == Long.parseLong(y[1]);
    }

    /** "1,847 hosts". */
    private static String count(int n, String noun) {
        String word = Plural.of(n, noun);
        return String.format(Locale.ROOT, "%,d", n) + word.substring(word.indexOf(' '));
    }

    private void host(StringBuilder out, HostResult h, boolean listPasses, Set<Group.Key> grouped) {
        out.append(paint(h.worst(), safe(h.host())));
        if (!h.via().isEmpty() && !h.via().equals(h.host()))
            out.append(" (").append(safe(h.via())).append(")");
        out.append("  ")
                .append(h.unreachable().isPresent() ? unreachableCounts(h) : counts(h))
                .append(" · ")
                .append(Durations.format(h.elapsed()))
                .append("\n");
        List<String> inGroups = new ArrayList<>();
        h.unreachable()
                .ifPresent(u -> {
                    if (grouped.contains(unreachableKey(h))) inGroups.add("unreachable");
                    else
                        out.append("  ")
                                .append(paint(Status.ERROR, "UNREACHABLE"))
                                .append(" ")
                                .append(safe(u))
                                .append("\n");
                });
        List<CheckResult> checks = new ArrayList<>(h.checks());
        checks.sort(Comparator.comparing(CheckResult::status).reversed());
        int width = checks.stream().mapToInt(c -> safe(c.id()).length()).max().orElse(0);
        int hidden = 0;
        int notRun = 0;
        for (CheckResult c : checks) {
            if (neverRan(h, c)) {
                notRun++;
                continue;
            }
            if (grouped.contains(key(c))) {
                inGroups.add(safe(c.id()));
                continue;
            }
            if (c.status() == Status.PASS && !listPasses) {
                hidden++;
                continue;
            }
            // A fleet's skips are folded into one line per check below the hosts.
            if (c.status() == Status.SKIP && !listPasses) continue;
            out.append("  ")
                    .append(paint(c.status(), pad(label(c.status()), 5)))
                    .append(" ")
                    .append(pad(safe(c.id()), width))
                    .append("  ")
                    .append(safe(c.verdict().reason()));
            if (c.fix().isPresent() && (c.status() == Status.FAIL || c.status() == Status.WARN)) {
                out.append("  [fix: ").append(safe(c.fix().get())).append("]");
            }
            out.append("\n");
            indented(out, "  " + " ".repeat(6 + width + 2), c.verdict().details());
        }
        if (!inGroups.isEmpty())
            out.append("  and in the groups above: ")
                    .append(String.join(", ", inGroups))
                    .append("\n");
        if (notRun > 0)
            out.append("  ").append(plural(notRun, "on-host check")).append(" not run\n");
        if (hidden > 0 && !onlyProblems) out.append("  ").append(hidden).append(" passed\n");
        for (FixResult f : h.fixes()) {
            Status shade = f.outcome().shade();
            out.append("  ")
                    .append(paint(shade, "fix " + f.outcome().word().toUpperCase(Locale.ROOT)))
                    .append(" ")
                    .append(safe(f.summary()))
                    .append("\n");
            indented(out, "      ", f.details());
        }
    }

    /** A check of an unreachable host that errored only because the host was never reached. */
    private static boolean neverRan(HostResult h, CheckResult c) {
        return h.unreachable().isPresent()
                && c.status() == Status.ERROR
                && c.verdict().reason().endsWith(h.unreachable().get());
    }

    /**
     * "Skipped: certificate on 3 hosts (no TLS on this role)": one line per skipped check of a
     * fleet, the reason only when every host gave the same one (issue 19: 1,700 hosts printed 1,700
     * identical skip lines).
     */
    private void skips(StringBuilder out, RunReport r) {
        Map<String, List<String>> reasons = new LinkedHashMap<>();
        for (HostResult h : r.hosts())
            for (CheckResult c : h.checks())
                if (c.status() == Status.SKIP)
                    reasons.computeIfAbsent(c.id(), k -> new ArrayList<>())
                            .add(c.verdict().reason());
        if (reasons.isEmpty()) return;
        out.append("\n");
        reasons.forEach((id, why) -> {
            out.append(paint(Status.SKIP, "Skipped:"))
                    .append(" ")
                    .append(safe(id))
                    .append(" on ")
                    .append(plural(why.size(), "host"));
            if (why.stream().distinct().count() == 1)
                out.append(" (").append(safe(why.get(0))).append(")");
            out.append("\n");
        });
    }

    private void summary(StringBuilder out, RunReport r) {
        long unreachable = r.hosts().stream().filter(h -> h.unreachable().isPresent()).count();
        out.append("Summary: ")
                .append(plural(r.hosts().size(), "host"))
                .append(unreachable > 0 ? " (" + unreachable + " unreachable)" : "")
                .append(" · ")
                .append(plural((int) r.checkCount(), "check"))
                .append(" · ")
                .append(r.count(Status.PASS))
                .append(" passed · ")
                .append(plural((int) r.count(Status.WARN), "warning"))
                .append(" · ")
                .append(r.count(Status.FAIL))
                .append(" failed · ")
                .append(plural((int) r.count(Status.ERROR), "error"))
                .append(" · ")
                .append(r.count(Status.SKIP))
                .append(" skipped")
                .append(r.count(Status.FIXED) > 0 ? " · " + r.count(Status.FIXED) + " fixed" : "")
                .append(fixCounts(r))
                .append("\n");
        int code = r.exitCode();
        String verdict =
                switch (code) {
                    case RunReport.OK ->
                            paint(Status.PASS, "OK")
                                    + (r.hosts().isEmpty() && r.shard().isPresent()
                                            ? ": shard "
                                                    + r.shard().get().label()
                                                    + " has no host (of "
                                                    + r.shard().get().selected().size()
                                                    + " selected): nothing to verify"
                                            : ": every critical check passed");
                    case RunReport.INTERRUPTED ->
                            paint(Status.ERROR, "INTERRUPTED") + ": partial results above";
                    default -> {
                        long failing = r.hosts().stream().filter(HostResult::failsRun).count();
                        yield paint(Status.FAIL, "FAILED")
                                + ": "
                                + (failing == 0
                                        ? "no check was verified"
                                        : plural((int) failing, "host")
                                                + (r.hosts().stream()
                                                                .flatMap(h -> h.fixes().stream())
                                                                .anyMatch(FixResult::failsRun)
                                                        ? " with a failed critical check, a failed"
                                                                + " fix or unreachable"
                                                        : " with a failed critical check or"
                                                                + " unreachable"));
                    }
                };
        out.append(verdict).append(" (exit ").append(code).append(")\n");
    }

    /** " · fixes: 1 succeeded, 1 failed, 2 not run" after a --fix run, else nothing. */
    private static String fixCounts(RunReport r) {
        List<String> parts = new ArrayList<>();
        for (FixResult.Outcome o : FixResult.Outcome.values()) {
            long n = r.fixCount(o);
            if (n > 0) parts.add(n + " " + o.word());
        }
        return parts.isEmpty() ? "" : " · fixes: " + String.join(", ", parts);
    }

    /**
     * "Worst hosts", "Worst checks" (the top {@value #TOP} each) and "By reason" (every check that
     * was off, and unreachable, with its number of hosts, most widespread first); nothing when no
     * host has a problem to rank.
     */
    private void ranking(StringBuilder out, RunReport r) {
        List<HostResult> bad =
                r.hosts().stream()
                        .filter(h -> h.worst().compareTo(Status.WARN) >= 0)
                        .sorted(
                                Comparator.comparing(HostResult::worst)
                                        .reversed()
                                        .thenComparing(h ->
                                                -(h.count(Status.FAIL) + h.count(Status.ERROR))))
                        .toList();
        if (bad.isEmpty()) return;
        out.append("\nWorst hosts: ");
        List<String> parts = new ArrayList<>();
        for (HostResult h : bad.subList(0, Math.min(TOP, bad.size()))) {
            parts.add(
                    safe(h.host())
                            + " ("
                            + (h.unreachable().isPresent() ? unreachableCounts(h) : counts(h))
                            + ")");
        }
        out.append(String.join(", ", parts));
        if (bad.size() > TOP) out.append(", and ").append(more(bad.size() - TOP));
        out.append("\n");
        // Per check: how many hosts it was off on, and its worst status there. A check that never
        // ran (its host unreachable) is not a check that failed.
        Map<String, Integer> hostsOff = new LinkedHashMap<>();
        Map<String, Status> worst = new LinkedHashMap<>();
        for (HostResult h : r.hosts()) {
            for (CheckResult c : h.checks()) {
                if (c.status().compareTo(Status.WARN) >= 0 && !neverRan(h, c)) {
                    hostsOff.merge(c.id(), 1, Integer::sum);
                    worst.merge(c.id(), c.status(), Status::worse);
                }
            }
        }
        if (!hostsOff.isEmpty()) {
            out.append("Worst checks: ");
            List<String> checks = new ArrayList<>();
            hostsOff.keySet().stream()
                    .sorted(
                            Comparator.comparing((String id) -> worst.get(id))
                                    .reversed()
                                    .thenComparing(id -> -hostsOff.get(id)))
                    .limit(TOP)
                    .forEach(id ->
                            checks.add(
                                    safe(id)
                                            + " on "
                                            + hostsOff.get(id)
                                            + "/"
                                            + r.hosts().size()
                                            + " hosts ("
                                            + switch (worst.get(id)) {
                                                case ERROR -> "error";
                                                case FAIL -> "failed";
                                                default -> "warning";
                                            }
                                            + ")"));
            out.append(String.join(", ", checks));
            if (hostsOff.size() > TOP)
                out.append(", and ").append(hostsOff.size() - TOP).append(" more checks");
            out.append("\n");
        }
        // Unreachable hosts by the kind of failure, most widespread first, then the checks.
        Map<String, Integer> unreachable = new LinkedHashMap<>();
        for (UnreachableKind kind : UnreachableKind.values())
            for (HostResult h : r.hosts())
                if (h.unreachableKind().equals(Optional.of(kind)))
                    unreachable.merge(
                            kind == UnreachableKind.UNKNOWN
                                    ? "unreachable"
                                    : "unreachable (" + kind.label() + ")",
                            1,
                            Integer::sum);
        List<Map.Entry<String, Integer>> byReason = new ArrayList<>();
        unreachable.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<String, Integer> e) -> -e.getValue()))
                .forEach(byReason::add);
        hostsOff.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<String, Integer> e) -> -e.getValue()))
                .forEach(e -> byReason.add(Map.entry(safe(e.getKey()), e.getValue())));
        List<String> reasons = new ArrayList<>();
        for (Map.Entry<String, Integer> e : byReason)
            reasons.add(
                    e.getKey()
                            + " "
                            + (reasons.isEmpty()
                                    ? count(e.getValue(), "host")
                                    : String.format(Locale.ROOT, "%,d", e.getValue())));
        out.append("By reason: ").append(String.join(", ", reasons)).append("\n");
    }

    /** "1,203 more". */
    private static String more(int n) {
        return String.format(Locale.ROOT, "%,d", n) + " more";
    }

    /**
     * "unreachable", then what the checks that ran without the host (e.g. web checks from the
     * runner) gave: the checks that never ran are not errors to count.
     */
    private static String unreachableCounts(HostResult h) {
        List<CheckResult> ran = h.checks().stream().filter(c -> !neverRan(h, c)).toList();
        if (ran.isEmpty()) return "unreachable";
        return "unreachable, "
                + counts(
                        new HostResult(
                                h.host(),
                                h.via(),
                                h.hostKey(),
                                h.unreachable(),
                                ran,
                                h.elapsed(),
                                h.execs()));
    }

    static String counts(HostResult h) {
        List<String> parts = new ArrayList<>();
        if (h.count(Status.FAIL) > 0) parts.add(h.count(Status.FAIL) + " failed");
        if (h.count(Status.ERROR) > 0) parts.add(plural((int) h.count(Status.ERROR), "error"));
        if (h.count(Status.WARN) > 0) parts.add(plural((int) h.count(Status.WARN), "warning"));

        if (h.count(Status.SKIP) > 0) parts.add(h.count(Status.SKIP) + " skipped");
        if (h.count(Status.FIXED) > 0) parts.add(h.count(Status.FIXED) + " fixed");
        parts.add(h.count(Status.PASS) + " passed");
        return String.join(", ", parts);
    }

    private static String label(Status s) {
        return s == Status.PASS || s == Status.SKIP ? s.word() : s.word().toUpperCase(Locale.ROOT);
    }

    private String paint(Status s, String text) {
        if (!color) return text;
        String code =
                switch (s) {
                    case PASS, FIXED -> "\u001b[32m";
                    case SKIP -> "\u001b[2m";
                    case WARN -> "\u001b[33m";
                    case FAIL, ERROR -> "\u001b[1;31m";
                };
        return code + text + RESET;
    }

    /**
     * Details, one line each and every line of a multi-line detail at the same indent, so that no
     * detail can start a line of its own at the margin.
     */
    private static void indented(StringBuilder out, String indent, List<String> details) {
        for (String d : details) {
            for (String line : d.split("\n")) out.append(indent).append(safe(line)).append("\n");
        }
    }

    /**
     * Text a host (or a check file) chose, made inert on a terminal: every control character (C0,
     * DEL, C1), line and paragraph separator and bidirectional override is written as a visible
     * escape ({@code \e}, {@code \r}, {@code \x07}, {@code \u202E}). A host once drew a fake
     * passing host, changed the window title and moved the cursor through a reason (issue 14).
     */
    static String safe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints()
                .forEach(cp -> {
                    switch (cp) {
                        case '\n' -> b.append("\\n");
                        case '\r' -> b.append("\\r");
                        case '\t' -> b.append("\\t");
                        case '\b' -> b.append("\\b");
                        case 0x1b -> b.append("\\e");
                        default -> {
                            if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
                                b.append(String.format(Locale.ROOT, "\\x%02x", cp));
                            else if (cp == 0x2028
                                    || cp == 0x2029
                                    || cp == 0x200e
                                    || cp == 0x200f
                                    || (cp >= 0x202a && cp <= 0x202e)
                                    || (cp >= 0x2066 && cp <= 0x2069))
                                b.append(String.format(Locale.ROOT, "\\u%04X", cp));
                            else b.appendCodePoint(cp);
                        }
                    }
                });
        return b.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String plural(int n, String word) {
        return Plural.of(n, word);
    }
}
