package dev.postflight.check;

import dev.postflight.input.Amount;
import dev.postflight.input.Fields;
import java.util.Locale;
import java.util.Optional;

/**
 * Available memory and swap in use (seed 004: a fleet of ~1,700 servers short of memory). Linux and
 * BusyBox read {@code /proc/meminfo} ({@code MemAvailable}, the kernel's own estimate of what can
 * be had without swapping); FreeBSD counts free plus inactive pages ({@code sysctl
 * vm.stats.vm.v_free_count v_inactive_count hw.pagesize hw.physmem}) and sums {@code swapinfo -k}.
 * OOM kills are the {@code boot} check's ({@code max_oom_kills}), not repeated here.
 */
public record MemoryCheck(Amount minAvailable, Amount maxSwapUsed)
        implements CheckSpec<MemoryCheck.Seen> {

    static final Amount DEFAULT_MIN_AVAILABLE = new Amount(10, true);
    static final Amount DEFAULT_MAX_SWAP_USED = new Amount(50, true);

    static final String SCRIPT =
            """
            if [ -r /proc/meminfo ]; then
              while read pf_k pf_v pf_u; do
                case $pf_k in MemTotal:|MemAvailable:|SwapTotal:|SwapFree:) echo "${pf_k%:}=$pf_v";; esac
              done </proc/meminfo
            elif pf_p=$(sysctl -n hw.pagesize 2>/dev/null); then
              command -v swapinfo >/dev/null 2>&1 || { echo 'swapinfo not found' >&2; exit 127; }
              echo "pagesize=$pf_p"
              echo "physmem=$(sysctl -n hw.physmem)"
              echo "free_pages=$(sysctl -n vm.stats.vm.v_free_count)"
              echo "inactive_pages=$(sysctl -n vm.stats.vm.v_inactive_count)"
              swapinfo -k | sed 's/^/swap=/'
            else echo 'no /proc/meminfo and no sysctl hw.pagesize' >&2; exit 127
            fi
            """;

    public MemoryCheck {
        if (maxSwapUsed.percent() && maxSwapUsed.value() > 100)
            throw new IllegalArgumentException("max_swap_used must be at most 100%");
    }

    static Optional<MemoryCheck> parse(Fields f) {
        Amount min = f.amount("min_available").orElse(DEFAULT_MIN_AVAILABLE);
        Amount swap = f.amount("max_swap_used").orElse(DEFAULT_MAX_SWAP_USED);
        return f.build(() -> new MemoryCheck(min, swap));
    }

    /** Memory and swap in bytes, as the host reports them. */
    record Seen(long total, long available, long swapTotal, long swapUsed) {}

    @Override
    public Probe<Seen> probe() {
        return Probe.host("memory", SCRIPT, MemoryCheck::read);
    }

    static Seen read(ProbeOutput o) throws Probe.Unreadable {
        KeyValues kv = KeyValues.parse(o.out());
        if (kv.first("MemTotal").isPresent()) {
            long total = kib(kv, "MemTotal");
            if (kv.first("MemAvailable").isEmpty()) {
                throw new Probe.Unreadable(
                        "memory: /proc/meminfo has no MemAvailable (a kernel before 3.14)");
            }
            long available = kib(kv, "MemAvailable");
            long swapTotal = kib(kv, "SwapTotal");
            return new Seen(total, available, swapTotal, swapTotal - kib(kv, "SwapFree"));
        }
        if (kv.first("pagesize").isPresent()) {
            long page = kv.number("pagesize", "memory");
            long available =
                    (kv.number("free_pages", "memory") + kv.number("inactive_pages", "memory"))
                            * page;
            long swapTotal = 0;
            long swapUsed = 0;
            for (String line : kv.all("swap")) {
                String[] c = line.strip().split("\\s+");
                if (c.length < 4 || c[0].equals("Device") || c[0].equals("Total")) continue;
                try {
                    swapTotal += Long.parseLong(c[1]) * 1024;
                    swapUsed += Long.parseLong(c[2]) * 1024;
                } catch (NumberFormatException e) {
                    throw new Probe.Unreadable("memory: unreadable swapinfo line: " + line.strip());
                }
            }
            return new Seen(kv.number("physmem", "memory"), available, swapTotal, swapUsed);
        }
        throw new Probe.Unreadable("memory: unreadable output: " + o.out().strip());
    }

    private static long kib(KeyValues kv, String key) throws Probe.Unreadable {
        return kv.number(key, "memory") * 1024;
    }

    @Override
    public Verdict judge(Seen seen, Now now) {
        String mem =
                "available "
                        + size(seen.available())
                        + " of "
                        + size(seen.total())
                        + " ("
                        + share(seen.available(), seen.total())
                        + ")";
        String swap =
                seen.swapTotal() == 0
                        ? "no swap"
                        : "swap used "
                                + size(seen.swapUsed())
                                + " of "
                                + size(seen.swapTotal())
                                + " ("
                                + share(seen.swapUsed(), seen.swapTotal())
                                + ")";
        boolean low =
                minAvailable.percent()
                        ? seen.available() * 100.0 < minAvailable.value() * seen.total()
                        : seen.available() < minAvailable.value();
        boolean swapping =
                maxSwapUsed.percent()
                        ? seen.swapUsed() * 100.0 > maxSwapUsed.value() * seen.swapTotal()
                        : seen.swapUsed() > maxSwapUsed.value();
        String text =
                mem
                        + (low ? " (at least " + minAvailable + ")" : "")
                        + "; "
                        + swap
                        + (swapping ? " (at most " + maxSwapUsed + ")" : "");
        return low || swapping ? Verdict.fail(text) : Verdict.pass(text);
    }

    private static String size(long bytes) {
        return new Amount(bytes, false).toString();
    }

    private static String share(long part, long whole) {
        if (whole == 0) return "0%";
        String s = String.format(Locale.ROOT, "%.1f", part * 100.0 / whole);
        return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + "%";
    }

    @Override
    public String describe() {
        return "at least "
                + minAvailable
                + " memory available, at most "
                + maxSwapUsed
                + " swap used";
    }
}
