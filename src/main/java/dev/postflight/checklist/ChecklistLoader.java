package dev.postflight.checklist;

import dev.postflight.check.CheckType;
import dev.postflight.check.Severity;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.input.Node;
import dev.postflight.input.Problems;
import dev.postflight.input.Suggest;
import dev.postflight.input.YamlFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads check files ({@code checklist}, {@code description}, {@code vars}, {@code include}, {@code
 * checks}, {@code fixes}) into one {@link Checklist}. Every mistake in every file is collected and
 * thrown at once as {@link InvalidInput}, before any host is contacted.
 *
 * <p>Over 400 lines on purpose: the check-file grammar (keys, includes, vars, fixes, when:) with
 * every FILE:LINE:COL error it can give; keeping it in one file keeps the grammar and its errors
 * side by side.
 */
public final class ChecklistLoader {
    private static final Set<String> ROOT_KEYS =
            Set.of("checklist", "description", "vars", "include", "checks", "fixes");
    private static final Set<String> CHECK_KEYS =
            Set.of("id", "severity", "fix", "when", "tags", "description");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final Problems problems = new Problems();
    private final Map<String, Checklist.Var> vars = new LinkedHashMap<>();
    private final List<Checklist.CheckDecl> checks = new ArrayList<>();
    private final Map<String, Checklist.FixDecl> fixes = new LinkedHashMap<>();
    private final List<Path> files = new ArrayList<>();
    private final Map<Location, Location> fixReferences = new HashMap<>();

    private final MessageDigest digest;
    private String name;
    private String description = "";
    private Location firstChecksKey;

    private ChecklistLoader() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads and merges {@code paths} (in order) and everything they include. */
    public static Checklist load(List<Path> paths) throws InvalidInput {
        Problems problems = new Problems();
        Checklist cl = load(paths, problems);
        problems.throwIfAny();
        return cl;
    }

    /**
     * Loads what can be loaded and adds every mistake to {@code problems}, so that the caller can
     * bind the checklist too and report load and bind errors in one go.
     */
    public static Checklist load(List<Path> paths, Problems problems) throws InvalidInput {
        return load(paths, problems, true);
    }

    /**
     * As {@link #load(List, Problems)}; with {@code requireChecks} false, a file without checks
     * (one meant to be included, holding only vars or fixes) is not an error: {@code lint} uses
     * that for files that another file of the same lint includes.
     */
    public static Checklist load(List<Path> paths, Problems problems, boolean requireChecks)
            throws InvalidInput {
        if (paths.isEmpty()) {

            throw new InvalidInput(
                    Location.of(Path.of("(command line)")), "no check file given (use -c FILE)");
        }
        ChecklistLoader l = new ChecklistLoader();
        for (Path p : paths) {
            l.readFile(p.normalize(), Location.of(Path.of("(command line)")), new ArrayDeque<>());
        }
        l.checkFixReferences();
        if (requireChecks && l.checks.isEmpty() && l.problems.isEmpty()) {
            // A checklist with nothing to check would report every host, even one that is down,
            // as OK: a user mistake, never a run.
            l.problems.add(
                    l.firstChecksKey != null ? l.firstChecksKey : Location.of(paths.get(0)),
                    "no checks: a checklist needs at least one check under checks: (a file of"
                            + " only vars or fixes can be included by one that has checks)");
        }
        problems.addAll(l.problems.list());
        String name = l.name != null ? l.name : baseName(paths.get(0));
        return new Checklist(
                name,
                l.description,
                l.files,
                HexFormat.of().formatHex(l.digest.digest()),
                l.vars,
                l.checks,
                l.fixes);
    }

    private void readFile(Path file, Location from, Deque<Path> stack) {
        Path key = file.toAbsolutePath().normalize();
        if (stack.contains(key)) {
            List<String> cycle = new ArrayList<>();
            stack.descendingIterator().forEachRemaining(p -> cycle.add(p.getFileName().toString()));
            cycle.add(file.getFileName().toString());
            problems.add(from, "include cycle: " + String.join(" -> ", cycle));
            return;
        }
        if (files.stream().anyMatch(f -> f.toAbsolutePath().normalize().equals(key))) return;
        Optional<Node> parsed = YamlFiles.read(file, from, problems);
        if (parsed.isEmpty()) return;
        files.add(file);
        try {
            digest.update(Files.readAllBytes(file));
        } catch (IOException e) {
            problems.add(from, "cannot read " + file + ": " + e.getMessage());
        }
        if (!(parsed.get() instanceof Node.Mapping root)) {
            problems.add(
                    parsed.get().location(),
                    "a check file is a mapping with checks:, found " + parsed.get().kind());
            return;
        }
        stack.push(key);
        for (Node.Entry e : root.entries().values()) {
            if (!ROOT_KEYS.contains(e.key())) {
                problems.add(e.keyLocation(), unknownKey(e.key(), ROOT_KEYS, "a check file"));
            }
        }
        boolean top = stack.size() == 1;
        scalar(root, "checklist")
                .ifPresent(s -> {
                    if (top && name == null) name = s;
                });
        scalar(root, "description")
                .ifPresent(s -> {
                    if (top && description.isEmpty()) description = s;
                });
        Node.Entry include = root.entries().get("include");
        if (include != null) {
            for (Node item : listOf(include)) {
                if (item instanceof Node.Scalar s && s.type() == Node.ScalarType.STRING) {
                    Path target = file.toAbsolutePath().getParent().resolve(s.text()).normalize();
                    readFile(relativize(target), s.location(), stack);
                } else {
                    problems.add(
                            item.location(), "include: expected a file path, found " + item.kind());
                }
            }
        }
        readVars(root.entries().get("vars"), top);
        Node.Entry checksEntry = root.entries().get("checks");
        if (checksEntry != null) {
            if (firstChecksKey == null) firstChecksKey = checksEntry.keyLocation();
            for (Node item : listOf(checksEntry)) readCheck(item);
        }
        Node.Entry fixesEntry = root.entries().get("fixes");
        if (fixesEntry != null) {
            if (fixesEntry.value() instanceof Node.Mapping m) {
                for (Node.Entry f : m.entries().values()) {
                    if (!ID.matcher(f.key()).matches()) {
                        problems.add(
                                f.keyLocation(),
                                "fix name '"
                                        + f.key()
                                        + "' must be lowercase letters, digits and dashes");
                    }
                    if (fixes.containsKey(f.key())) {
                        problems.add(
                                f.keyLocation(),
                                "fix '"
                                        + f.key()
                                        + "' is defined twice (first at "
                                        + fixes.get(f.key()).location()
                                        + ")");
                    } else if (f.value() instanceof Node.Mapping body) {
                        fixes.put(f.key(), new Checklist.FixDecl(f.key(), body, f.keyLocation()));
                    } else {
                        problems.add(
                                f.value().location(),
                                "fix '"
                                        + f.key()
                                        + "': expected a mapping with steps:, found "
                                        + f.value().kind());
                    }
                }
            } else {
                problems.add(
                        fixesEntry.value().location(),
                        "fixes: expected a mapping of fix names, found "
                                + fixesEntry.value().kind());
            }
        }
        stack.pop();
    }

    private void readVars(Node.Entry entry, boolean top) {
        if (entry == null) return;
        if (!(entry.value() instanceof Node.Mapping m)) {
            problems.add(
                    entry.value().location(),
                    "vars: expected a mapping of names to values, found " + entry.value().kind());
            return;
        }
        for (Node.Entry v : m.entries().values()) {
            Optional<String> value;
            boolean secret = false;
            if (v.value() instanceof Node.Scalar s) {
                value = s.type() == Node.ScalarType.NULL ? Optional.empty() : Optional.of(s.text());
            } else if (v.value() instanceof Node.Mapping vm
                    && vm.entries().keySet().stream()
                            .allMatch(k -> k.equals("value") || k.equals("secret"))) {
                Node.Entry val = vm.entries().get("value");
                Node.Entry sec = vm.entries().get("secret");
                value =
                        val != null
                                        && val.value() instanceof Node.Scalar s
                                        && s.type() != Node.ScalarType.NULL
                                ? Optional.of(s.text())
                                : Optional.empty();
                secret =
                        sec != null
                                && sec.value() instanceof Node.Scalar s
                                && s.text().equals("true");
            } else {
                problems.add(
                        v.value().location(),
                        "var '"
                                + v.key()
                                + "': expected a value (or {value:, secret:}), found "
                                + v.value().kind());
                continue;
            }
            // The including file's defaults win over those of the files it includes.
            if (top || !vars.containsKey(v.key())) {
                vars.put(v.key(), new Checklist.Var(v.key(), value, secret, v.keyLocation()));
            }
        }
    }

    private void readCheck(Node item) {
        if (!(item instanceof Node.Mapping m)) {
            problems.add(
                    item.location(),
                    "a check must be a mapping with id: and a type, found " + item.kind());
            return;
        }
        String id = "";
        Node.Entry idEntry = m.entries().get("id");
        if (idEntry == null) {
            problems.add(m.location(), "check has no id: (add e.g. id: site-reachable)");
        } else if (idEntry.value() instanceof Node.Scalar s && s.type() != Node.ScalarType.NULL) {
            id = s.text();
            if (!ID.matcher(id).matches()) {
                problems.add(
                        s.location(),
                        "id '"
                                + id
                                + "' must be lowercase letters, digits and dashes ([a-z0-9-]+)");
            }
            for (Checklist.CheckDecl c : checks) {
                if (c.id().equals(id)) {
                    problems.add(
                            s.location(),
                            "duplicate check id '" + id + "' (first at " + c.location() + ")");
                }
            }
        } else {
            problems.add(
                    idEntry.value().location(),
                    "id: expected a name, found " + idEntry.value().kind());
        }
        List<Node.Entry> types = new ArrayList<>();
        for (Node.Entry e : m.entries().values()) {
            if (CheckType.NAMES.contains(e.key())) {
                types.add(e);
            } else if (!CHECK_KEYS.contains(e.key())) {
                List<String> valid = new ArrayList<>(CheckType.NAMES);
                valid.addAll(CHECK_KEYS);
                problems.add(e.keyLocation(), unknownKey(e.key(), valid, "check '" + id + "'"));
            }
        }
        if (types.isEmpty()) {
            problems.add(
                    m.location(),
                    "check '"
                            + id
                            + "' has no type: add one of "
                            + String.join(", ", CheckType.NAMES));
            return;
        }
        if (types.size() > 1) {
            problems.add(
                    types.get(1).keyLocation(),
                    "check '"
                            + id
                            + "' has two types ("
                            + types.get(0).key()
                            + " and "
                            + types.get(1).key()
                            + "): one check, one type");
            return;
        }
        Node.Entry type = types.get(0);
        if (!(type.value() instanceof Node.Mapping spec)) {
            problems.add(
                    type.value().location(),
                    type.key() + ": expected a mapping of its keys, found " + type.value().kind());
            return;
        }
        Severity severity = Severity.CRITICAL;
        Node.Entry sev = m.entries().get("severity");
        if (sev != null) {
            String s = sev.value() instanceof Node.Scalar sc ? sc.text() : "";
            switch (s) {
                case "critical" -> severity = Severity.CRITICAL;
                case "warning" -> severity = Severity.WARNING;
                default ->
                        problems.add(
                                sev.value().location(),
                                "severity: '" + s + "' is not one of critical, warning");
            }
        }
        Optional<String> fix = scalar(m, "fix");
        if (fix.isPresent())
            fixReferences.put(m.location(), m.entries().get("fix").value().location());
        Optional<Node.Scalar> when = Optional.empty();
        Node.Entry w = m.entries().get("when");
        if (w != null) {
            if (w.value() instanceof Node.Scalar s && s.type() != Node.ScalarType.NULL)
                when = Optional.of(s);
            else
                problems.add(
                        w.value().location(),
                        "when: expected a value like \"{{ has_php }}\", found " + w.value().kind());
        }
        List<String> tags = new ArrayList<>();
        Node.Entry t = m.entries().get("tags");
        if (t != null) {
            for (Node tag : listOf(t)) {
                if (tag instanceof Node.Scalar s && s.type() != Node.ScalarType.NULL)
                    tags.add(s.text());
                else problems.add(tag.location(), "tags: expected names, found " + tag.kind());
            }
        }
        scalar(m, "description");
        checks.add(
                new Checklist.CheckDecl(
                        id, type.key(), spec, severity, fix, when, tags, m.location()));
    }

    private void checkFixReferences() {
        for (Checklist.CheckDecl c : checks) {
            c.fix()
                    .filter(f -> !fixes.containsKey(f))
                    .ifPresent(f -> {
                        Location at = fixReferences.getOrDefault(c.location(), c.location());
                        problems.add(
                                at,
                                "check '"
                                        + c.id()
                                        + "' names fix '"
                                        + f
                                        + "', which is not defined under fixes:"
                                        + Suggest.nearest(f, fixes.keySet())
                                                .map(n -> " (did you mean '" + n + "'?)")
                                                .orElse(""));
                    });
        }
    }

    private Optional<String> scalar(Node.Mapping m, String key) {
        Node.Entry e = m.entries().get(key);
        if (e == null) return Optional.empty();
        if (e.value() instanceof Node.Scalar s && s.type() != Node.ScalarType.NULL)
            return Optional.of(s.text());
        problems.add(e.value().location(), key + ": expected a value, found " + e.value().kind());
        return Optional.empty();
    }

    private List<Node> listOf(Node.Entry e) {
        if (e.value() instanceof Node.Sequence s) return s.items();
        if (e.value() instanceof Node.Scalar s && s.type() == Node.ScalarType.NULL)
            return List.of();
        if (e.value() instanceof Node.Scalar s && e.key().equals("include")
                || e.key().equals("tags")) {
            return List.of(e.value());
        }
        problems.add(
                e.value().location(), e.key() + ": expected a list, found " + e.value().kind());
        return List.of();
    }

    static String unknownKey(String key, Collection<String> valid, String where) {
        return "unknown key '"
                + key
                + "' in "
                + where
                + Suggest.nearest(key, valid)
                        .map(n -> " (did you mean '" + n + "'?)")
                        .orElse(
                                " (valid keys: "
                                        + String.join(", ", valid.stream().sorted().toList())
                                        + ")");
    }

    private static Path relativize(Path absolute) {
        Path cwd = Path.of("").toAbsolutePath();
        return absolute.startsWith(cwd) ? cwd.relativize(absolute) : absolute;
    }

    private static String baseName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
