package dev.postflight.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The split of {@code --shard}: rendezvous hashing of host names. */
class ShardTest {

    static List<String> fleet(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= n; i++) names.add(String.format("web%04d.dc1.example.org", i));
        return names;
    }

    static Map<String, Integer> assign(List<String> names, int count) {
        Map<String, Integer> out = new TreeMap<>();
        for (String n : names) out.put(n, Shard.of(n, count));
        return out;
    }

    @Test
    void addingHostsToTheInventoryMovesNoOtherHost() {
        Map<String, Integer> before = assign(fleet(1000), 7);
        Map<String, Integer> after = assign(fleet(1100), 7);
        before.forEach((host, shard) -> assertEquals(shard, after.get(host), host));
    }

    @Test
    void growingTheShardCountMovesOnlyTheHostsThatNowFallInTheNewShard() {
        Map<String, Integer> four = assign(fleet(2000), 4);
        Map<String, Integer> five = assign(fleet(2000), 5);
        long moved = 0;
        for (String host : four.keySet()) {
            if (!four.get(host).equals(five.get(host))) {
                assertEquals(4, five.get(host), host + " moved between old shards");
                moved++;
            }
        }
        // about 1/5 of the fleet: hash mod N would move about 4/5
        assertTrue(moved > 300 && moved < 500, "moved " + moved);
    }

    @Test
    void everyShardGetsItsShareOfTheFleetWithinFifteenPercent() {
        for (int count : List.of(3, 4, 16)) {
            int[] sizes = new int[count];
            for (String n : fleet(4000)) sizes[Shard.of(n, count)]++;
            double share = 4000.0 / count;
            for (int k = 0; k < count; k++)
                assertTrue(
                        Math.abs(sizes[k] - share) < 0.15 * share,
                        "shard " + k + "/" + count + " has " + sizes[k] + " hosts");
        }
    }

    /**
     * Runners of different versions must agree on the split: these values are fixed, and a change
     * of the hash would send a host to two shards or none while a fleet's runners are upgraded.
     */
    @Test
    void theSplitOfKnownNamesNeverChanges() {
        assertEquals(
                List.of(0, 0, 0, 0),
                List.of(
                        Shard.of("web1", 1),
                        Shard.of("db1", 1),
                        Shard.of("", 1),
                        Shard.of("h01", 1)));
        List<Integer> pinned = new ArrayList<>();
        for (String n : List.of("web1", "web2", "db1", "db2", "h01", "h02", "bastion"))
            pinned.add(Shard.of(n, 4));
        assertEquals(List.of(1, 0, 2, 3, 0, 2, 2), pinned);
    }

    @Test
    void aShardPicksItsHostsInSelectionOrder() {
        List<String> names = fleet(50);
        Shard s = Shard.split(2, 3, names, n -> n);
        assertEquals(names, s.selected());
        List<String> mine = s.pick(names, n -> n);
        assertEquals(names.stream().filter(n -> Shard.of(n, 3) == 2).toList(), mine);
        assertEquals(mine, s.hosts());
        assertEquals("2/3", s.label());
    }
}
