package dev.postflight.report;

import dev.postflight.input.InputError;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.run.Shard;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * {@code postflight merge}: the JSON reports of several runners (the shards of one fleet, or one
 * runner per network segment) as one run, whose summary and exit code are computed again from all
 * hosts. A merge that could hide a host or count one twice is refused (exit 2, naming the files):
 * reports of different schema versions or checklists, a host in two reports, or shards of one
 * selection that are not all there. Hosts of a sharded selection come back in selection order, so
 * the merge of all shards reports as one unsharded run would.
 */
public final class ReportMerge {

    private ReportMerge() {}

    /** Reads and merges {@code files}, in this order. */
    public static RunReport merge(List<Path> files) throws InvalidInput {
        List<InputError> errors = new ArrayList<>();
        List<JsonReportReader.Document> docs = new ArrayList<>();
        for (Path f : files) {
            try {
                docs.add(JsonReportReader.load(f));
            } catch (InvalidInput e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) throw new InvalidInput(errors);
        JsonReportReader.Document first = docs.get(0);
        for (JsonReportReader.Document d : docs) {
            if (!d.schema().equals(first.schema()))
                errors.add(
                        at(
                                d.file(),
                                "schema "
                                        + d.schema()
                                        + " differs from "
                                        + first.file()
                                        + "'s "
                                        + first.schema()
                                        + ": reports of different schema versions cannot be"
                                        + " merged"));
        }
        if (!errors.isEmpty()) throw new InvalidInput(errors);
        Map<Path, RunReport> reports = new LinkedHashMap<>();
        for (JsonReportReader.Document d : docs) {
            try {
                reports.put(d.file(), d.report());
            } catch (InvalidInput e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) throw new InvalidInput(errors);
        return merge(reports);
    }

    private static RunReport merge(Map<Path, RunReport> reports) throws InvalidInput {
        List<InputError> errors = new ArrayList<>();
        Path firstFile = reports.keySet().iterator().next();
        RunReport first = reports.get(firstFile);
        Map<String, Path> hostFile = new LinkedHashMap<>();
        Map<String, HostResult> hosts = new LinkedHashMap<>();
        for (Map.Entry<Path, RunReport> e : reports.entrySet()) {
            RunReport r = e.getValue();
            if (!r.checklistSha256().equals(first.checklistSha256()))
                errors.add(
                        at(
                                e.getKey(),
                                "checklist "
                                        + checklist(r)
                                        + " differs from "
                                        + firstFile
                                        + "'s "
                                        + checklist(first)
                                        + ": merge reports of one checklist"));
            for (HostResult h : r.hosts()) {
                Path other = hostFile.putIfAbsent(h.host(), e.getKey());
                if (other != null)
                    errors.add(
                            at(
                                    e.getKey(),
                                    "host "
                                            + h.host()
                                            + " is in "
                                            + other
                                            + " too: a host may be"
                                            + " in one report only"));
                else hosts.put(h.host(), h);
            }
        }
        if (!errors.isEmpty()) throw new InvalidInput(errors);

        // Sharded reports of one selection form a group, placed where its first report is.
        List<String> order = new ArrayList<>();
        Map<List<Object>, List<Path>> groups = new LinkedHashMap<>();
        for (Map.Entry<Path, RunReport> e : reports.entrySet()) {
            Optional<Shard> s = e.getValue().shard();
            if (s.isEmpty()) {
                e.getValue().hosts().forEach(h -> order.add(h.host()));
                continue;
            }
            List<Object> key = List.of(s.get().count(), s.get().selected());
            if (!groups.containsKey(key)) {
                for (String name : s.get().selected()) if (hosts.containsKey(name)) order.add(name);
            }
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(e.getKey());
        }
        for (Map.Entry<List<Object>, List<Path>> g : groups.entrySet()) missing(g, hosts, errors);
        for (Map.Entry<Path, RunReport> e : reports.entrySet()) {
            Optional<Shard> s = e.getValue().shard();
            if (s.isEmpty()) continue;
            Set<String> selected = Set.copyOf(s.get().selected());
            for (HostResult h : e.getValue().hosts()) {
                if (!selected.contains(h.host()))
                    errors.add(
                            at(
                                    e.getKey(),
                                    "host "
                                            + h.host()
                                            + " is not in the selection this shard records"));
            }
        }
        if (!errors.isEmpty()) throw new InvalidInput(errors);

        Instant started =
                reports.values().stream().map(RunReport::started).min(Instant::compareTo).get();
        Instant ended =
                reports.values().stream()
                        .map(r -> r.started().plus(r.elapsed()))
                        .max(Instant::compareTo)
                        .get();
        Set<String> versions = new LinkedHashSet<>();
        reports.values().forEach(r -> versions.add(r.version()));
        return new RunReport(
                UUID.randomUUID().toString(),
                String.join(", ", versions),
                started,
                Duration.between(started, ended),
                first.checklist(),
                first.files(),
                first.checklistSha256(),
                order.stream().map(hosts::get).toList(),
                reports.values().stream().anyMatch(RunReport::interrupted));
    }

    /** Every selected host of a group must be in one of its reports, else a shard is missing. */
    @SuppressWarnings("unchecked")
    private static void missing(
            Map.Entry<List<Object>, List<Path>> group,
            Map<String, HostResult> hosts,
            List<InputError> errors) {
        int count = (Integer) group.getKey().get(0);
        List<String> selected = (List<String>) group.getKey().get(1);
        Map<Integer, List<String>> absent = new TreeMap<>();
        for (String name : selected) {
            if (!hosts.containsKey(name))
                absent.computeIfAbsent(Shard.of(name, count), k -> new ArrayList<>()).add(name);
        }
        absent.forEach((index, names) ->
                errors.add(
                        at(
                                group.getValue().get(0),
                                "shard "
                                        + index
                                        + "/"
                                        + count
                                        + " of this selection is in no report given (its hosts "
                                        + names(names)
                                        + " are missing; merged: "
                                        + String.join(
                                                ", ",
                                                group.getValue().stream()
                                                        .map(Path::toString)
                                                        .toList())
                                        + ")")));
    }

    private static String names(List<String> names) {
        return names.size() <= 5
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
    }

    private static String checklist(RunReport r) {
        return "'" + r.checklist() + "' (sha256 " + r.checklistSha256() + ")";
    }

    private static InputError at(Path file, String message) {
        return new InputError(Location.of(file), message);
    }
}
