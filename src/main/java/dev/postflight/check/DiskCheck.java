package dev.postflight.check;

import dev.postflight.input.Amount;
import dev.postflight.input.Fields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Space and inodes of the host's filesystems. Seed 004 ran out of inodes from tmp files and showed
 * disks over 80 % in red, hence the defaults. Without {@code mount}, every real local filesystem is
 * checked (pseudo, memory, image and network filesystems are skipped); with it, that exact mount
 * point must be mounted — a data disk that did not come back after the window leaves its directory
 * on {@code /}, which "the path has space" would not notice.
 *
 * <p>GNU df prints space and inodes in two tables ({@code df -P -k}, {@code df -P -i}); FreeBSD's
 * {@code df -k -i} prints both in one.
 */
record DiskCheck(Optional<String> mount, Amount maxUsed, Amount maxInodesUsed)
        implements CheckSpec<List<DiskCheck.Usage>> {

    static final Amount DEFAULT_LIMIT = new Amount(80, true);

    /**
     * Both listings; the last df runs as the subshell itself ({@code exec}, one process fewer). Its
     * exit status is not judged: a df that could not read one mount (a stale NFS mount) still lists
     * the others, and what it listed decides.
     */
    static final String SCRIPT =
            """
            command -v df >/dev/null 2>&1 || { echo 'no df command' >&2; exit 127; }
            if [ "${PF_UNAME:-$(uname -s)}" = Linux ] || df --version >/dev/null 2>&1; then
              echo @@blocks; df -P -k
              echo @@inodes; exec df -P -i
            else
              echo @@both; exec df -k -i
            fi
            """;

    private static final Pattern BLOCKS =
            Pattern.compile("^(.+?)\\s+(\\d+)\\s+(\\d+)\\s+(-?\\d+)\\s+(\\d+)%\\s+(/.*)$");
    private static final Pattern INODES =
            Pattern.compile("^(.+?)\\s+(\\d+|-)\\s+(\\d+|-)\\s+(-?\\d+|-)\\s+(\\d+%|-)\\s+(/.*)$");
    private static final Pattern BOTH =
            Pattern.compile(
                    "^(.+?)\\s+(\\d+)\\s+(\\d+)\\s+(-?\\d+)\\s+(\\d+)%\\s+(\\d+)\\s+(-?\\d+)\\s+(\\d+%|-)\\s+(/.*)$");

    /** Filesystem names (df's first column) that are not disks. */
    private static final List<String> PSEUDO =
            List.of(
                    "tmpfs",
                    "devtmpfs",
                    "udev",
                    "overlay",
                    "overlayfs",
                    "squashfs",
                    "none",
                    "shm",
                    "proc",
                    "procfs",
                    "linprocfs",
                    "sysfs",
                    "devfs",
                    "fdescfs",
                    "cgroup",
                    "cgroup2",
                    "efivarfs",
                    "ramfs",
                    "nsfs",
                    "map");

    public DiskCheck {
        mount.filter(m -> !m.startsWith("/"))
                .ifPresent(m -> {
                    throw new IllegalArgumentException(
                            "mount must be an absolute mount point, got '" + m + "'");
                });
        if (maxInodesUsed.percent() == false) {
            throw new IllegalArgumentException(
                    "max_inodes_used must be a percentage like 80%, got " + maxInodesUsed);
        }
    }

    static Optional<DiskCheck> parse(Fields f) {
        Optional<String> mount = f.text("mount").map(DiskCheck::normalizeMount);
        Amount maxUsed = f.amount("max_used").orElse(DEFAULT_LIMIT);
        Amount maxInodes = f.amount("max_inodes_used").orElse(DEFAULT_LIMIT);
        return f.build(() -> new DiskCheck(mount, maxUsed, maxInodes));
    }

    private static String normalizeMount(String m) {
        String t = m.strip();
        while (t.length() > 1 && t.endsWith("/")) t = t.substring(0, t.length() - 1);
        return t;
    }

    @Override
    public Probe<List<Usage>> probe() {
        return Probe.host("df", SCRIPT, DiskCheck::read);
    }

    /** The filesystems df listed; none at all is output that cannot be judged. */
    static List<Usage> read(ProbeOutput o) throws Probe.Unreadable {
        List<Usage> all = parseDf(o.out());
        if (all.isEmpty()) {
            String e = o.err();
            throw new Probe.Unreadable("df printed no filesystems" + (e.isEmpty() ? "" : ": " + e));
        }
        return all;
    }

    /** One filesystem as df shows it; inode figures are absent where the filesystem has none. */
    record Usage(
            String filesystem,
            String mount,
            long sizeKb,
            long usedKb,
            int usedPercent,
            Optional<Integer> inodesPercent) {}

    @Override
    public Verdict judge(List<Usage> all, Now now) {
        List<Usage> chosen;
        if (mount.isPresent()) {
            chosen = all.stream().filter(u -> u.mount().equals(mount.get())).toList();
            if (chosen.isEmpty()) {
                return Verdict.fail(
                        mount.get()
                                + " is not mounted (mounted: "
                                + String.join(
                                        ", ", realOnes(all).stream().map(Usage::mount).toList())
                                + ")");
            }
            chosen = List.of(chosen.get(chosen.size() - 1));
        } else {
            chosen = realOnes(all);
            if (chosen.isEmpty()) return Verdict.error("df shows no local disk filesystems");
        }
        List<String> over = new ArrayList<>();
        for (Usage u : chosen) {
            boolean spaceOver =
                    maxUsed.percent()
                            ? u.usedPercent() > maxUsed.value()
                            : u.usedKb() * 1024.0 > maxUsed.value();
            boolean inodesOver =
                    u.inodesPercent().filter(p -> p > maxInodesUsed.value()).isPresent();
            if (spaceOver || inodesOver) over.add(line(u, spaceOver, inodesOver));
        }
        if (!over.isEmpty()) {
            return Verdict.fail(String.join("; ", over));
        }
        if (chosen.size() == 1) return Verdict.pass(line(chosen.get(0), false, false));
        Usage fullest = chosen.get(0);
        for (Usage u : chosen) if (u.usedPercent() > fullest.usedPercent()) fullest = u;
        Usage named = fullest;
        return Verdict.pass(
                        chosen.size()
                                + " filesystems within limits, fullest "
                                + line(fullest, false, false))
                // the fullest is in the reason already: the details are the others
                .withDetails(
                        chosen.stream()
                                .filter(u -> u != named)
                                .map(u -> line(u, false, false))
                                .toList());
    }

    private String line(Usage u, boolean spaceOver, boolean inodesOver) {
        StringBuilder s = new StringBuilder(u.mount()).append(' ');
        if (maxUsed.percent()) {
            s.append(u.usedPercent()).append("% used");
        } else {
            s.append(new Amount(u.usedKb() * 1024.0, false))
                    .append(" used (")
                    .append(u.usedPercent())
                    .append("%)");
        }
        if (spaceOver) s.append(" (max ").append(maxUsed).append(")");
        s.append(", inodes ").append(u.inodesPercent().map(p -> p + "%").orElse("n/a"));
        if (inodesOver) s.append(" (max ").append(maxInodesUsed).append(")");
        return s.toString();
    }

    @Override
    public String describe() {
        return mount.map(m -> m + " mounted,").orElse("every local filesystem")
                + " at most "
                + maxUsed
                + " used, inodes at most "
                + maxInodesUsed;
    }

    private static List<Usage> realOnes(List<Usage> all) {
        return all.stream()
                .filter(u -> u.sizeKb() > 0)
                .filter(u -> !PSEUDO.contains(u.filesystem()))
                .filter(u -> !u.filesystem().startsWith("/dev/loop"))
                .filter(u -> !u.filesystem().contains(":") && !u.filesystem().startsWith("//"))
                .filter(u -> !u.mount().startsWith("/snap/"))
                .toList();
    }

    /** Parses the probe's output: the GNU pair of tables, or the FreeBSD combined table. */
    static List<Usage> parseDf(String out) {
        Map<String, long[]> blocks = new LinkedHashMap<>();
        Map<String, String> fsOf = new LinkedHashMap<>();
        Map<String, Integer> inodes = new LinkedHashMap<>();
        List<Usage> both = new ArrayList<>();
        String section = "";
        for (String raw : out.split("\n")) {
            String line = raw.stripTrailing();
            if (line.startsWith("@@")) {
                section = line.strip();
                continue;
            }
            switch (section) {
                case "@@blocks" -> {
                    Matcher m = BLOCKS.matcher(line);
                    if (m.matches()) {
                        blocks.put(
                                m.group(6),
                                new long[] {
                                    Long.parseLong(m.group(2)),
                                    Long.parseLong(m.group(3)),
                                    Integer.parseInt(m.group(5))
                                });
                        fsOf.put(m.group(6), m.group(1));
                    }
                }
                case "@@inodes" -> {
                    Matcher m = INODES.matcher(line);
                    if (m.matches() && !m.group(5).equals("-") && !m.group(2).equals("0")) {
                        String p = m.group(5);
                        inodes.put(m.group(6), Integer.parseInt(p.substring(0, p.length() - 1)));
                    }
                }
                case "@@both" -> {
                    Matcher m = BOTH.matcher(line);
                    if (m.matches()) {
                        String ip = m.group(8);
                        boolean noInodes =
                                ip.equals("-")
                                        || (m.group(6).equals("0") && m.group(7).equals("0"));
                        both.add(
                                new Usage(
                                        m.group(1),
                                        m.group(9),
                                        Long.parseLong(m.group(2)),
                                        Long.parseLong(m.group(3)),
                                        Integer.parseInt(m.group(5)),
                                        noInodes
                                                ? Optional.empty()
                                                : Optional.of(
                                                        Integer.parseInt(
                                                                ip.substring(
                                                                        0, ip.length() - 1)))));
                    }
                }
                default -> {}
            }
        }
        if (!both.isEmpty()) return both;
        List<Usage> usages = new ArrayList<>();
        blocks.forEach((mnt, b) ->
                usages.add(
                        new Usage(
                                fsOf.get(mnt),
                                mnt,
                                b[0],
                                b[1],
                                (int) b[2],
                                Optional.ofNullable(inodes.get(mnt)))));
        return usages;
    }
}
