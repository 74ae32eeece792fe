package dev.postflight.run;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.function.Function;

/**
 * One of {@code count} parts of a fleet ({@code verify --shard index/count}, issue 18): so that N
 * runners (pods of a Kubernetes Indexed Job, CI matrix jobs) each verify a part and {@code
 * postflight merge} puts their reports back together. {@code selected} is every host the run
 * selected before the split, in selection order: it lets the merge put hosts back in the order one
 * unsharded run reports them and prove that no host was left out.
 *
 * <p>The split is rendezvous (highest-random-weight) hashing of the host name: a host goes to the
 * shard with the highest score {@code mix(sha256(name), shard)}. A host's shard depends on its name
 * and the count only, so adding or removing hosts never moves another host; and growing the count
 * from N to N+1 moves only the hosts that now score highest on the new shard (about 1/(N+1) of
 * them), where {@code hash mod N} would move almost all. Same names, same count: same shards, on
 * any machine and in any version (SHA-256 and the mix below are fixed by this file).
 */
public record Shard(int index, int count, List<String> selected) {

    public Shard {
        if (count < 1) throw new IllegalArgumentException("count (" + count + ") must be >= 1");
        if (index < 0 || index >= count)
            throw new IllegalArgumentException(
                    "index (" + index + ") must be in 0.." + (count - 1) + " (0-based)");
        selected = List.copyOf(selected);
    }

    /** The shard of {@code hosts} numbered {@code index} of {@code count}, with its selection. */
    public static <T> Shard split(int index, int count, List<T> hosts, Function<T, String> name) {
        return new Shard(index, count, hosts.stream().map(name).toList());
    }

    /** The hosts of {@code hosts} (the selection this shard was made from) that fall in it. */
    public <T> List<T> pick(List<T> hosts, Function<T, String> name) {
        return hosts.stream().filter(h -> of(name.apply(h), count) == index).toList();
    }

    /** The names of {@link #selected} that fall in this shard. */
    public List<String> hosts() {
        return pick(selected, n -> n);
    }

    /** {@code index/count}, as given to {@code --shard}. */
    public String label() {
        return index + "/" + count;
    }

    /** The 0-based shard of {@code count} that host {@code name} falls in. */
    public static int of(String name, int count) {
        long seed = seed(name);
        int best = 0;
        long bestScore = 0;
        for (int k = 0; k < count; k++) {
            long score = mix(seed + (k + 1) * 0x9E3779B97F4A7C15L);
            if (k == 0 || Long.compareUnsigned(score, bestScore) > 0) {
                best = k;
                bestScore = score;
            }
        }
        return best;
    }

    private static long seed(String name) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256")
                            .digest(name.getBytes(StandardCharsets.UTF_8));
            long s = 0;
            for (int i = 0; i < 8; i++) s = (s << 8) | (d[i] & 0xff);
            return s;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The splitmix64 finaliser: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
