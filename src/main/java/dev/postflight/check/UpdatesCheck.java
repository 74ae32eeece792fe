package dev.postflight.check;

import dev.postflight.input.Durations;
import dev.postflight.input.Fields;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pending updates, pending security updates, the age of the last upgrade and whether a reboot is
 * required (issue 18, seed 004: patches had to reach every server within 24 hours). Read-only by
 * default: it reads what the host's last refresh of the package lists knew, and says how old that
 * is; with {@code refresh: true} it refreshes them first, but only in a run with --fix (a refresh
 * writes the host's package cache). Debian/Ubuntu simulate with {@code apt-get -s upgrade}
 * (security = an origin ending in {@code -security}); Rocky/RHEL read dnf's or yum's cache only
 * ({@code -C check-update}, {@code updateinfo list --security}); Alpine runs {@code apk version -l
 * '<'} (apk has no security origin: security updates are unknown there, never zero); FreeBSD runs
 * {@code pkg upgrade -nU}, {@code pkg audit -q} and {@code freebsd-update updatesready}.
 */
public record UpdatesCheck(
        Optional<Integer> maxSecurity,
        Optional<Integer> maxPending,
        Optional<Duration> maxAge,
        boolean reboot,
        Refresh refresh)
        implements CheckSpec<UpdatesCheck.Seen> {

    /**
     * Whether the package lists are refreshed first. A refresh writes the host's package cache, so
     * it runs only when the run may change hosts ({@code verify --fix}): {@code WANTED} is what the
     * user wrote, {@code APPROVED} the same check in a run with --fix.
     */
    public enum Refresh {
        NO,
        WANTED,
        APPROVED
    }

    static final String SCRIPT =
            """
            pf_mtime() { stat -c %Y "$1" 2>/dev/null || stat -f %m "$1" 2>/dev/null; }
            pf_newest() { ls -t "$@" 2>/dev/null | head -n 1; }
            pf_lists() { pf_l=$(pf_newest "$@"); [ -z "$pf_l" ] || echo "lists=$(pf_mtime "$pf_l")"; }
            pf_kernels() { for pf_k in /boot/vmlinuz-*; do [ -e "$pf_k" ] && echo "installed=${pf_k#/boot/vmlinuz-}"; done; }
            pf_refresh() {
              [ "$pf_refresh" = APPROVED ] || return 0
              if [ "$(id -u)" = 0 ]; then pf_su=
              else
                command -v sudo >/dev/null 2>&1 || { echo 'sudo not found (refresh: true needs it with become: true)' >&2; exit 127; }
                pf_su='sudo -n'
              fi
              echo "refresh=${pf_su:+$pf_su }$*"
              pf_o=$(LC_ALL=C $pf_su "$@" 2>&1 </dev/null); pf_rc=$?
              pf_rt=$(printf '%s\\n' "$pf_o" | tail -n 1)
              echo "refresh_exit=$pf_rc"; echo "refresh_tail=$pf_rt"
              [ "$pf_rc" = 0 ] || { echo "refresh: $* failed: $pf_rt" >&2; exit 2; }
              echo "refreshed=$*"
            }
            echo "now=${PF_NOW:-$(date +%s)}"
            echo "kernel=$(uname -r)"
            if command -v apt-get >/dev/null 2>&1; then
              echo manager=apt
              pf_refresh apt-get update -q
              pf_lists /var/lib/apt/lists/*Release
              pf_o=$(LC_ALL=C apt-get -s upgrade 2>&1) || { echo "apt-get -s upgrade failed: $(printf '%s\\n' "$pf_o" | tail -n 1)" >&2; exit 2; }
              printf '%s\\n' "$pf_o" | while IFS= read -r pf_x; do case $pf_x in 'Inst '*) echo "apt=$pf_x" ;; esac; done
              pf_d=
              [ -r /var/log/apt/history.log ] && pf_d=$(awk '/^Start-Date:/ {u=0} /^Upgrade:/ {u=1} /^End-Date:/ {if (u) d=$2" "$3} END {print d}' /var/log/apt/history.log)
              [ -z "$pf_d" ] && [ -r /var/log/dpkg.log ] && pf_d=$(awk '$3 == "upgrade" {d=$1" "$2} END {print d}' /var/log/dpkg.log)
              [ -z "$pf_d" ] || echo "upgraded=$(date -d "$pf_d" +%s 2>/dev/null)"
              [ -f /var/run/reboot-required ] && echo 'reboot=/var/run/reboot-required exists'
              pf_kernels
            elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then
              pf_m=dnf; command -v dnf >/dev/null 2>&1 || pf_m=yum
              echo "manager=$pf_m"
              pf_refresh $pf_m -q makecache
              pf_lists /var/cache/dnf/*/repodata/repomd.xml /var/cache/yum/*/*/*/repodata/repomd.xml
              pf_o=$(LC_ALL=C $pf_m -q -C check-update 2>&1); pf_rc=$?
              [ "$pf_rc" = 0 ] || [ "$pf_rc" = 100 ] || { echo "$pf_m -C check-update failed: $(printf '%s\\n' "$pf_o" | tail -n 1)" >&2; exit 2; }
              printf '%s\\n' "$pf_o" | while IFS= read -r pf_x; do echo "rpm=$pf_x"; done
              pf_o=$(LC_ALL=C $pf_m -q -C updateinfo list --security 2>&1) || { echo "$pf_m -C updateinfo list --security failed: $(printf '%s\\n' "$pf_o" | tail -n 1)" >&2; exit 2; }
              printf '%s\\n' "$pf_o" | while IFS= read -r pf_x; do echo "advisory=$pf_x"; done
              pf_d=$(LC_ALL=C $pf_m -q -C history list 2>/dev/null | awk -F'|' '$4 ~ /U/ {print $3; exit}')
              [ -z "$pf_d" ] || echo "upgraded=$(date -d "$pf_d" +%s 2>/dev/null)"
              if command -v needs-restarting >/dev/null 2>&1; then
                needs-restarting -r >/dev/null 2>&1; [ $? = 1 ] && echo 'reboot=needs-restarting -r says so'
              fi
              pf_kernels
            elif command -v pkg >/dev/null 2>&1; then
              echo manager=pkg
              pf_refresh pkg update -q
              pf_lists /var/db/pkg/repo-*.sqlite /var/db/pkg/repos/*/db
              pkg upgrade -nU 2>/dev/null | while IFS= read -r pf_x; do case $pf_x in *' -> '*) echo "pkg=$pf_x" ;; esac; done
              pkg audit -q 2>&1 | while IFS= read -r pf_x; do
                case $pf_x in '') ;; *' '*) echo "audit_error=$pf_x" ;; *) echo "vulnerable=$pf_x" ;; esac
              done
              if command -v freebsd-update >/dev/null 2>&1 && freebsd-update updatesready >/dev/null 2>&1; then
                echo 'vulnerable=FreeBSD base (freebsd-update updatesready)'
              fi
              [ -e /var/db/pkg/local.sqlite ] && echo "upgraded=$(pf_mtime /var/db/pkg/local.sqlite)"
              pf_k=$(freebsd-version -k 2>/dev/null)
              [ -n "$pf_k" ] && [ "$pf_k" != "$(uname -r)" ] && echo "reboot=installed kernel $pf_k, running $(uname -r)"
            elif command -v apk >/dev/null 2>&1; then
              echo manager=apk
              pf_refresh apk update -q
              pf_lists /var/cache/apk/APKINDEX.*.tar.gz
              pf_o=$(LC_ALL=C apk version -l '<' 2>&1) || { echo "apk version -l '<' failed: $(printf '%s\\n' "$pf_o" | tail -n 1)" >&2; exit 2; }
              printf '%s\\n' "$pf_o" | while IFS= read -r pf_x; do case $pf_x in *' < '*) echo "apk=$pf_x" ;; esac; done
              echo security=unknown
              if [ -e /var/log/apk.log ]; then echo "upgraded=$(pf_mtime /var/log/apk.log)"
              elif [ -e /lib/apk/db/installed ]; then echo "upgraded=$(pf_mtime /lib/apk/db/installed)"
              fi
              for pf_k in /lib/modules/*; do [ -d "$pf_k" ] && echo "installed=${pf_k#/lib/modules/}"; done
            else echo 'no apt-get, dnf, yum, pkg or apk' >&2; exit 127
            fi
            exit 0
            """;

    /** A check that never refreshes the package lists. */
    public UpdatesCheck(
            int maxSecurity,
            Optional<Integer> maxPending,
            Optional<Duration> maxAge,
            boolean reboot) {
        this(Optional.of(maxSecurity), maxPending, maxAge, reboot, Refresh.NO);
    }

    public UpdatesCheck {
        maxSecurity
                .filter(n -> n < 0)
                .ifPresent(n -> {
                    throw new IllegalArgumentException("max_security must be 0 or more");
                });
        maxPending
                .filter(n -> n < 0)
                .ifPresent(n -> {
                    throw new IllegalArgumentException("max_pending must be 0 or more");
                });
    }

    static Optional<UpdatesCheck> parse(Fields f) {
        Optional<Integer> maxSecurity = f.integer("max_security");
        Optional<Integer> maxPending = f.integer("max_pending");
        Optional<Duration> maxAge = f.duration("max_age");
        boolean reboot = f.bool("reboot").orElse(true);
        boolean refresh = f.bool("refresh").orElse(false);
        boolean become = f.bool("become").orElse(false);
        if (refresh && !become) {
            f.error(
                    "refresh",
                    "true needs become: true (refreshing the package lists needs root; a root"
                            + " login needs no sudo)");
        }
        return f.build(() ->
                new UpdatesCheck(
                        maxSecurity,
                        maxPending,
                        maxAge,
                        reboot,
                        refresh ? Refresh.WANTED : Refresh.NO));
    }

    /** In a run with --fix, a wanted refresh of the package lists runs. */
    @Override
    public CheckSpec<Seen> withChangesApproved() {
        return refresh == Refresh.WANTED
                ? new UpdatesCheck(maxSecurity, maxPending, maxAge, reboot, Refresh.APPROVED)
                : this;
    }

    /**
     * What the host's package manager knew: the packages with an update, those with a security
     * update, when packages were last upgraded and the lists last refreshed (epoch seconds), and
     * why a reboot is required.
     */
    record Seen(
            String manager,
            long now,
            Optional<Long> lists,
            List<String> pending,
            List<String> security,
            Optional<Long> upgraded,
            List<String> reboot,
            boolean securityKnown,
            Optional<String> refreshed,
            Optional<HostChange> refresh) {
        Seen(
                String manager,
                long now,
                Optional<Long> lists,
                List<String> pending,
                List<String> security,
                Optional<Long> upgraded,
                List<String> reboot) {
            this(
                    manager,
                    now,
                    lists,
                    pending,
                    security,
                    upgraded,
                    reboot,
                    true,
                    Optional.empty(),
                    Optional.empty());
        }
    }

    @Override
    public Probe<Seen> probe() {
        // A refresh downloads the lists: it gets longer than the read-only probe.
        return Probe.host(
                "updates",
                new HostProbe(
                        "pf_refresh=" + refresh + "\n" + SCRIPT,
                        Duration.ofSeconds(refresh == Refresh.APPROVED ? 300 : 60)),
                UpdatesCheck::read);
    }

    static Seen read(ProbeOutput o) throws Probe.Unreadable {
        KeyValues kv = KeyValues.parse(o.out());
        Optional<HostChange> refresh = refresh(kv);
        if (o.exitCode() != 0) {
            String err = o.err().strip();
            throw new Probe.Unreadable(
                    Verdict.error(
                                    "updates: "
                                            + (err.isEmpty()
                                                    ? "the probe exited " + o.exitCode()
                                                    : ProbeOutput.lastLine(err)))
                            .withChanges(refresh.stream().toList()));
        }
        String manager = kv.text("manager").orElse("");
        Set<String> pending = new LinkedHashSet<>();
        Set<String> security = new LinkedHashSet<>();
        for (String line : kv.all("apt")) {
            String[] w = line.strip().split("\\s+");
            if (w.length < 2) continue;
            pending.add(w[1]);
            int paren = line.indexOf('(');
            if (paren >= 0
                    && line.substring(paren).toLowerCase(Locale.ROOT).contains("-security")) {
                security.add(w[1]);
            }
        }
        for (String line : kv.all("rpm")) {
            // "openssl-libs.x86_64  1:3.0.7-27.el9  baseos"; not headers nor obsoletes' lines.
            if (line.isEmpty() || Character.isWhitespace(line.charAt(0))) continue;
            String[] w = line.strip().split("\\s+");
            if (w.length != 3 || !w[0].contains(".")) continue;
            pending.add(w[0].substring(0, w[0].lastIndexOf('.')));
        }
        for (String line : kv.all("advisory")) {
            // "RHSA-2024:1234 Important/Sec. openssl-libs-1:3.0.7-27.el9.x86_64"
            String[] w = line.strip().split("\\s+");
            if (w.length >= 3) security.add(w[2]);
        }
        for (String line : kv.all("pkg")) {
            String s = line.strip();
            int colon = s.indexOf(':');
            if (colon > 0) pending.add(s.substring(0, colon));
        }
        for (String line : kv.all("apk")) {
            // "busybox-1.36.1-r15                      < 1.36.1-r19" (apk version -l '<')
            Matcher m = APK_PACKAGE.matcher(line.strip().split("\\s+")[0]);
            if (m.matches()) pending.add(m.group(1));
        }
        for (String v : kv.all("vulnerable")) security.add(v.strip());
        Optional<String> auditError = kv.text("audit_error");
        if (auditError.isPresent()) {
            throw new Probe.Unreadable("updates: pkg audit: " + auditError.get());
        }
        List<String> reboot =
                new ArrayList<>(kv.all("reboot").stream().map(String::strip).toList());
        String running = kv.text("kernel").orElse("");
        kv.all("installed").stream()
                .map(String::strip)
                .filter(k ->
                        !k.contains("rescue") && !k.isEmpty() && Character.isDigit(k.charAt(0)))
                .max(UpdatesCheck::compareVersions)
                .filter(newest -> compareVersions(newest, running) > 0)
                .ifPresent(newest ->
                        reboot.add("running kernel " + running + ", newest installed " + newest));
        try {
            long now = Long.parseLong(kv.text("now").orElse(""));
            return new Seen(
                    manager,
                    now,
                    epoch(kv.text("lists")),
                    List.copyOf(pending),
                    List.copyOf(security),
                    epoch(kv.text("upgraded")),
                    List.copyOf(reboot),
                    !kv.text("security").map(String::strip).equals(Optional.of("unknown")),
                    kv.text("refreshed").map(String::strip),
                    refresh);
        } catch (NumberFormatException e) {
            throw new Probe.Unreadable(
                    Verdict.error("updates: unreadable output: " + o.out().strip())
                            .withChanges(refresh.stream().toList()));
        }
    }

    /** The refresh the probe started, if it did: its command, exit status and last line. */
    private static Optional<HostChange> refresh(KeyValues kv) {
        return kv.text("refresh")
                .map(command -> {
                    OptionalInt exit =
                            kv.text("refresh_exit")
                                    .filter(e -> e.matches("\\d{1,3}"))
                                    .map(e -> OptionalInt.of(Integer.parseInt(e)))
                                    .orElse(OptionalInt.empty());
                    return new HostChange(
                            "refresh the package lists",
                            command,
                            exit,
                            kv.text("refresh_tail").orElse(""));
                });
    }

    /** An apk package as name-version: the version starts with a digit and ends in -rN. */
    private static final Pattern APK_PACKAGE = Pattern.compile("(.+?)-(\\d[^-]*-r\\d+)");

    private static Optional<Long> epoch(Optional<String> v) {
        return v.filter(s -> s.matches("\\d+")).map(Long::parseLong);
    }

    /** Versions compared by their runs of digits as numbers ("6.1.0-28" after "6.1.0-9"). */
    static int compareVersions(String a, String b) {
        String[] x = a.split("(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)");
        String[] y = b.split("(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c =
                    x[i].matches("\\d+") && y[i].matches("\\d+")
                            ? new BigInteger(x[i]).compareTo(new BigInteger(y[i]))
                            : x[i].compareTo(y[i]);
            if (c != 0) return c;
        }
        return Integer.compare(x.length, y.length);
    }

    @Override
    public Verdict judge(Seen seen, Now now) {
        List<String> problems = new ArrayList<>();
        Status status = Status.PASS;
        if (!seen.securityKnown() && maxSecurity.isPresent()) {
            status = Status.ERROR;
            problems.add(
                    "security updates: unknown on Alpine (apk has no security origin), so"
                            + " max_security "
                            + maxSecurity.get()
                            + " cannot be checked");
        }
        if (seen.securityKnown() && seen.security().size() > maxSecurity.orElse(0)) {
            status = Status.FAIL;
            problems.add(
                    count(seen.security().size(), "security update")
                            + " pending: "
                            + names(seen.security()));
        }
        if (maxPending.isPresent() && seen.pending().size() > maxPending.get()) {
            status = Status.FAIL;
            problems.add(
                    count(seen.pending().size(), "update")
                            + " pending (at most "
                            + maxPending.get()
                            + "): "
                            + names(seen.pending()));
        }
        if (reboot && !seen.reboot().isEmpty()) {
            status = Status.FAIL;
            problems.add("reboot required: " + String.join("; ", seen.reboot()));
        }
        Optional<Duration> age = seen.upgraded().map(t -> Duration.ofSeconds(seen.now() - t));
        if (maxAge.isPresent()) {
            if (age.isEmpty()) {
                status = status.worse(Status.ERROR);
                problems.add(
                        "the last upgrade is unknown (no record in the "
                                + seen.manager()
                                + " logs the host keeps)");
            } else if (age.get().compareTo(maxAge.get()) > 0) {
                status = status.worse(Status.FAIL);
                problems.add(
                        "last upgrade "
                                + Durations.format(age.get())
                                + " ago (at most "
                                + Durations.format(maxAge.get())
                                + ")");
            }
        }
        StringBuilder summary =
                new StringBuilder(seen.manager())
                        .append(": ")
                        .append(count(seen.pending().size(), "update"))
                        .append(" pending, ")
                        .append(
                                seen.securityKnown()
                                        ? seen.security().size() + " security"
                                        : "security updates: unknown on Alpine");
        age.ifPresent(
                a -> summary.append(", last upgrade ").append(Durations.format(a)).append(" ago"));
        if (!reboot && !seen.reboot().isEmpty()) summary.append(", reboot required");
        summary.append(
                seen.lists()
                        .map(t ->
                                ", package lists "
                                        + Durations.format(Duration.ofSeconds(seen.now() - t))
                                        + " old")
                        .orElse(", package lists of unknown age"));
        switch (refresh) {
            case NO -> {}
            case WANTED -> summary.append(", package lists not refreshed: refresh needs --fix");
            case APPROVED ->
                    summary.append(
                            seen.refreshed()
                                    .map(r -> " (refreshed: " + r + ")")
                                    .orElse(", package lists not refreshed"));
        }
        problems.add(summary.toString());
        return new Verdict(status, String.join("; ", problems), List.of())
                .withChanges(seen.refresh().stream().toList());
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static String names(List<String> names) {
        return names.size() <= 5
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
    }

    @Override
    public String describe() {
        StringBuilder s =
                new StringBuilder(
                        "at most " + count(maxSecurity.orElse(0), "pending security update"));
        maxPending.ifPresent(n -> s.append(", at most ").append(count(n, "pending update")));
        maxAge.ifPresent(a -> s.append(", upgraded within ").append(Durations.format(a)));
        if (reboot) s.append(", no reboot required");
        if (refresh != Refresh.NO) s.append(" (refreshes the package lists with --fix)");
        return s.toString();
    }
}
