package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.Problems;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.LocalRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

class UpdatesCheckTest {
    private static final Now NOW = Now.at(Instant.parse("2026-12-06T12:00:00Z"));
    private static final long T = 1_796_600_000L;
    private static final UpdatesCheck DEFAULTS =
            new UpdatesCheck(0, Optional.empty(), Optional.empty(), true);

    @TempDir Path dir;

    private static Verdict judge(UpdatesCheck c, int exit, String out, String err) {
        return Recorded.judge(c, exit, out, err, NOW);
    }

    private static UpdatesCheck.Seen seen(
            List<String> pending, List<String> security, Long upgraded, List<String> reboot) {
        return new UpdatesCheck.Seen(
                "apt",
                T,
                Optional.of(T - 26 * 3600),
                pending,
                security,
                Optional.ofNullable(upgraded),
                reboot);
    }

    @Test
    void nothingPendingAndNoRebootPassesSayingHowOldTheListsAre() {
        Verdict v = DEFAULTS.judge(seen(List.of(), List.of(), T - 7200, List.of()), NOW);
        assertEquals(Status.PASS, v.status());
        assertEquals(
                "apt: 0 updates pending, 0 security, last upgrade 2h00m ago, package lists 1d2h old",
                v.reason());
    }

    @Test
    void aPendingSecurityUpdateFailsNamingThePackages() {
        Verdict v =
                DEFAULTS.judge(
                        seen(
                                List.of("libssl3", "openssl", "vim"),
                                List.of("libssl3", "openssl"),
                                null,
                                List.of()),
                        NOW);
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "2 security updates pending: libssl3, openssl; apt: 3 updates pending, 2 security,"
                        + " package lists 1d2h old",
                v.reason());
    }

    @Test
    void moreThanMaxPendingFailsAndOnlyItIsCounted() {
        UpdatesCheck c = new UpdatesCheck(0, Optional.of(1), Optional.empty(), true);
        Verdict v = c.judge(seen(List.of("a", "b"), List.of(), T - 60, List.of()), NOW);
        assertEquals(Status.FAIL, v.status());
        assertTrue(v.reason().startsWith("2 updates pending (at most 1): a, b; "), v.reason());
        Verdict ok =
                new UpdatesCheck(0, Optional.of(2), Optional.empty(), true)
                        .judge(seen(List.of("a", "b"), List.of(), T - 60, List.of()), NOW);
        assertEquals(Status.PASS, ok.status(), ok.reason());
    }

    @Test
    void anUpgradeOlderThanMaxAgeFailsAndAnUnknownOneIsAnErrorNeverAPass() {
        UpdatesCheck day =
                new UpdatesCheck(0, Optional.empty(), Optional.of(Duration.ofHours(24)), true);
        Verdict old = day.judge(seen(List.of(), List.of(), T - 3 * 86400 - 7200, List.of()), NOW);
        assertEquals(Status.FAIL, old.status());
        assertTrue(old.reason().startsWith("last upgrade 3d2h ago (at most 1d0h); "), old.reason());
        Verdict recent = day.judge(seen(List.of(), List.of(), T - 3600, List.of()), NOW);
        assertEquals(Status.PASS, recent.status(), recent.reason());
        Verdict unknown = day.judge(seen(List.of(), List.of(), null, List.of()), NOW);
        assertEquals(Status.ERROR, unknown.status());
        assertTrue(
                unknown.reason()
                        .startsWith("the last upgrade is unknown (no record in the apt logs"),
                unknown.reason());
    }

    @Test
    void aRequiredRebootFailsUnlessRebootIsFalseThenItIsOnlySaid() {
        List<String> why = List.of("/var/run/reboot-required exists");
        Verdict v = DEFAULTS.judge(seen(List.of(), List.of(), T - 60, why), NOW);
        assertEquals(Status.FAIL, v.status());
        assertTrue(
                v.reason().startsWith("reboot required: /var/run/reboot-required exists; "),
                v.reason());
        Verdict said =
                new UpdatesCheck(0, Optional.empty(), Optional.empty(), false)
                        .judge(seen(List.of(), List.of(), T - 60, why), NOW);
        assertEquals(Status.PASS, said.status());
        assertTrue(said.reason().contains(", reboot required, "), said.reason());
    }

    @Test
    void debianSimulationSecurityOriginsHistoryAndANewerInstalledKernel() {
        // apt-get -s upgrade's Inst lines (Debian 12 and Ubuntu 22.04 origins).
        String debian =
                """
                now=%d
                kernel=6.1.0-25-amd64
                manager=apt
                lists=%d
                apt=Inst libssl3 [3.0.11-1~deb12u1] (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])
                apt=Inst tzdata [2024a-0+deb12u1] (2024b-0+deb12u1 Debian:12.8/stable-updates [all])
                apt=Inst libc6 [2.35-0ubuntu3.1] (2.35-0ubuntu3.8 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])
                upgraded=%d
                installed=6.1.0-25-amd64
                installed=6.1.0-28-amd64
                """
                        .formatted(T, T - 3600, T - 90_000);
        Verdict v = judge(DEFAULTS, 0, debian, "");
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "2 security updates pending: libssl3, libc6; reboot required: running kernel"
                        + " 6.1.0-25-amd64, newest installed 6.1.0-28-amd64; apt: 3 updates pending,"
                        + " 2 security, last upgrade 1d1h ago, package lists 1h00m old",
                v.reason());
    }

    @Test
    void rockyDnfCacheAndSecurityAdvisoriesAreRead() {
        // dnf -q -C check-update (with its obsoletes section) and updateinfo list --security.
        String rocky =
                """
                now=%d
                kernel=5.14.0-427.13.1.el9_4.x86_64
                manager=dnf
                lists=%d
                rpm=
                rpm=openssl-libs.x86_64                1:3.0.7-27.el9                  baseos
                rpm=curl.x86_64                        7.76.1-29.el9_4.1               baseos
                rpm=Obsoleting Packages
                rpm=grub2-tools.x86_64                 1:2.06-82.el9                   baseos
                rpm=    grub2-tools.x86_64             1:2.06-80.el9                   @baseos
                advisory=RLSA-2024:3766 Important/Sec. openssl-libs-1:3.0.7-27.el9.x86_64
                upgraded=%d
                installed=5.14.0-427.13.1.el9_4.x86_64
                installed=0-rescue-0123456789abcdef
                """
                        .formatted(T, T - 7200, T - 600);
        Verdict v = judge(DEFAULTS, 0, rocky, "");
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "1 security update pending: openssl-libs-1:3.0.7-27.el9.x86_64; dnf: 3 updates"
                        + " pending, 1 security, last upgrade 10m00s ago, package lists 2h00m old",
                v.reason());
    }

    @Test
    void freeBsdPkgAuditBaseUpdatesAndTheInstalledKernel() {
        String freebsd =
                """
                now=%d
                kernel=14.1-RELEASE-p5
                manager=pkg
                lists=%d
                pkg=\tcurl: 8.9.1 -> 8.10.1
                vulnerable=curl-8.9.1
                vulnerable=FreeBSD base (freebsd-update updatesready)
                upgraded=%d
                reboot=installed kernel 14.1-RELEASE-p6, running 14.1-RELEASE-p5
                """
                        .formatted(T, T - 86400, T - 4000);
        Verdict v = judge(DEFAULTS, 0, freebsd, "");
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "2 security updates pending: curl-8.9.1, FreeBSD base (freebsd-update"
                        + " updatesready); reboot required: installed kernel 14.1-RELEASE-p6, running"
                        + " 14.1-RELEASE-p5; pkg: 1 update pending, 2 security, last upgrade 1h06m"
                        + " ago, package lists 1d0h old",
                v.reason());
    }

    @Test
    void withoutAVulnerabilityDatabaseAuditIsAnErrorNeverAPass() {
        String out =
                "now=%d\nkernel=14.1-RELEASE\nmanager=pkg\naudit_error=pkg: vulnxml file"
                                .formatted(T)
                        + " /var/db/pkg/vuln.xml does not exist. Try running 'pkg audit -F' first\n";
        Verdict v = judge(DEFAULTS, 0, out, "");
        assertEquals(Status.ERROR, v.status());
        assertEquals(
                "updates: pkg audit: pkg: vulnxml file /var/db/pkg/vuln.xml does not exist. Try"
                        + " running 'pkg audit -F' first",
                v.reason());
    }

    private static final UpdatesCheck NO_SECURITY_LIMIT =
            new UpdatesCheck(
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    true,
                    UpdatesCheck.Refresh.NO);

    @Test
    void alpineApkVersionIsReadAndSecurityIsUnknownNeverZero() {
        String out =
                ("now=%d\nkernel=6.6.31-0-lts\nmanager=apk\nlists=%d\n"
                                + "apk=busybox-1.36.1-r15                      < 1.36.1-r19\n"
                                + "apk=py3-cryptography-41.0.7-r0              < 42.0.5-r0\n"
                                + "security=unknown\nupgraded=%d\n"
                                + "installed=6.6.32-0-lts\n")
                        .formatted(T, T - 3600, T - 2 * 86400);
        Verdict v = judge(NO_SECURITY_LIMIT, 0, out, "");
        assertEquals(Status.FAIL, v.status(), v.reason());
        assertEquals(
                "reboot required: running kernel 6.6.31-0-lts, newest installed 6.6.32-0-lts;"
                        + " apk: 2 updates pending, security updates: unknown on Alpine, last"
                        + " upgrade 2d0h ago, package lists 1h00m old",
                v.reason());
        // A security limit the user wrote cannot be checked there: an error, never a pass.
        Verdict limited =
                judge(new UpdatesCheck(0, Optional.empty(), Optional.empty(), false), 0, out, "");
        assertEquals(Status.ERROR, limited.status(), limited.reason());
        assertEquals(
                "security updates: unknown on Alpine (apk has no security origin), so max_security"
                        + " 0 cannot be checked; apk: 2 updates pending, security updates: unknown"
                        + " on Alpine, last upgrade 2d0h ago, reboot required, package lists 1h00m"
                        + " old",
                limited.reason());
    }

    /**
     * The shipped fleet checklist leaves max_security to its default, which applies wherever
     * security updates are known; an explicit 0 made every Alpine host an error on every run.
     */
    @Test
    void theShippedFleetChecklistJudgesAnAlpineHostWithoutAnError() throws Exception {
        Checklist cl = ChecklistLoader.load(List.of(Path.of("checks/fleet-health.yaml")));
        Problems problems = new Problems();
        Check patched =
                ChecklistBinder.bind(cl, Map.of(), "alpine1", "192.0.2.1", problems)
                        .checks()
                        .stream()
                        .filter(c -> c.id().equals("patched"))
                        .findFirst()
                        .orElseThrow();
        problems.throwIfAny();
        String out =
                "now=%d\nkernel=6.6.31-0-lts\nmanager=apk\nlists=%d\nsecurity=unknown\nupgraded=%d\n"
                        .formatted(T, T - 3600, T - 3600);
        Verdict v = Recorded.judge(patched.spec(), 0, out, "", NOW);
        assertEquals(Status.PASS, v.status(), v.reason());
        assertEquals(
                "apk: 0 updates pending, security updates: unknown on Alpine, last upgrade 1h00m ago,"
                        + " package lists 1h00m old",
                v.reason());
    }

    @Test
    void aFailedSimulationOrNoPackageManagerIsAnError() {
        Verdict failed =
                judge(
                        DEFAULTS,
                        2,
                        "now=1\n",
                        "apt-get -s upgrade failed: E: Could not open lock\n");
        assertEquals(Status.ERROR, failed.status());
        assertEquals("updates: apt-get -s upgrade failed: E: Could not open lock", failed.reason());
        Verdict none = judge(DEFAULTS, 127, "", "no apt-get, dnf, yum, pkg or apk\n");
        assertEquals(Status.ERROR, none.status());
        assertEquals("updates: no apt-get, dnf, yum, pkg or apk", none.reason());
    }

    @Test
    void aRefreshWithSudoIsCarriedByTheVerdictForTheAuditLogAFailedOneAsFailed() {
        UpdatesCheck c =
                (UpdatesCheck)
                        new UpdatesCheck(
                                        Optional.of(0),
                                        Optional.empty(),
                                        Optional.empty(),
                                        false,
                                        UpdatesCheck.Refresh.WANTED)
                                .withChangesApproved();
        String head = "now=" + T + "\nkernel=6.1.0-28-amd64\nmanager=apt\n";
        Verdict ok =
                judge(
                        c,
                        0,
                        head
                                + "refresh=sudo -n apt-get update -q\nrefresh_exit=0\n"
                                + "refresh_tail=Reading package lists...\n"
                                + "refreshed=apt-get update -q\n",
                        "");
        assertEquals(Status.PASS, ok.status(), ok.reason());
        assertTrue(ok.reason().endsWith(" (refreshed: apt-get update -q)"), ok.reason());
        assertEquals(
                List.of(
                        new HostChange(
                                "refresh the package lists",
                                "sudo -n apt-get update -q",
                                OptionalInt.of(0),
                                "Reading package lists...")),
                ok.changes());

        Verdict failed =
                judge(
                        c,
                        2,
                        head
                                + "refresh=sudo -n apt-get update -q\nrefresh_exit=1\n"
                                + "refresh_tail=sudo: a password is required\n",
                        "refresh: apt-get update -q failed: sudo: a password is required\n");
        assertEquals(Status.ERROR, failed.status());
        assertEquals(
                "updates: refresh: apt-get update -q failed: sudo: a password is required",
                failed.reason());
        assertEquals(1, failed.changes().size());
        assertEquals(OptionalInt.of(1), failed.changes().get(0).exit());
        assertFalse(failed.changes().get(0).succeeded());

        Verdict readOnly = judge(DEFAULTS, 0, head, "");
        assertEquals(List.of(), readOnly.changes(), "without --fix nothing is refreshed");
    }

    @Test
    void kernelVersionsCompareTheirNumbersAsNumbers() {
        assertTrue(UpdatesCheck.compareVersions("6.1.0-28-amd64", "6.1.0-9-amd64") > 0);
        assertTrue(UpdatesCheck.compareVersions("5.14.0-427.13.1.el9_4", "5.14.0-503.el9") < 0);
        assertEquals(0, UpdatesCheck.compareVersions("6.1.0-28-amd64", "6.1.0-28-amd64"));
    }

    /**
     * Runs the real snippet in {@code /bin/sh} with a PATH of fake package tools (recorded output)
     * and this machine's basic utilities, so the dnf and pkg branches run here too.
     */
    private ProbeOutput runWithFakes(String... fakes) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("date", "ls", "head", "stat", "tail", "awk", "cat")) {
            Path real =
                    Stream.of("/usr/bin/", "/bin/")
                            .map(d -> Path.of(d + tool))
                            .filter(Files::isExecutable)
                            .findFirst()
                            .orElseThrow();
            Files.createSymbolicLink(bin.resolve(tool), real);
        }
        for (int i = 0; i < fakes.length; i += 2) {
            Path f = bin.resolve(fakes[i]);
            Files.writeString(f, "#!/bin/sh\n" + fakes[i + 1]);
            f.toFile().setExecutable(true);
        }
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", UpdatesCheck.SCRIPT);
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("PF_NOW", Long.toString(T));
        pb.environment().put("TZ", "UTC");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        return new ProbeOutput(p.waitFor(), out, err, false);
    }

    private static final String UNAME = "echo 5.14.0-427.13.1.el9_4.x86_64\n";

    private static final String DNF =
            """
            case "$*" in
              *check-update*) printf '\\nopenssl-libs.x86_64   1:3.0.7-27.el9   baseos\\ncurl.x86_64   7.76.1-29.el9_4.1   baseos\\n'; exit 100 ;;
              *updateinfo*) [ -z "$PF_FAIL" ] || { echo 'Error: Cache-only enabled but no cache for baseos' >&2; exit 1; }
                echo 'RLSA-2024:3766 Important/Sec. openssl-libs-1:3.0.7-27.el9.x86_64' ;;
              *history*) echo 'ID     | Command line   | Date and time    | Action(s)      | Altered'
                echo '     5 | upgrade -y     | 2026-12-06 08:00 | Upgrade        |   12'
                echo '     4 | install vim    | 2026-12-01 09:00 | Install        |    1' ;;
            esac
            """;

    @Test
    void theDnfBranchReadsTheCacheOnlyAndItsHistory() throws Exception {
        ProbeOutput o = runWithFakes("dnf", DNF, "uname", UNAME);
        Verdict v = Observed.judge(DEFAULTS, Observation.ofHost(o), NOW);
        assertEquals(Status.FAIL, v.status(), v.reason() + " / " + o.err());
        assertEquals(
                "1 security update pending: openssl-libs-1:3.0.7-27.el9.x86_64; dnf: 2 updates"
                        + " pending, 1 security, last upgrade "
                        + dev.postflight.input.Durations.format(
                                Duration.ofSeconds(
                                        T - Instant.parse("2026-12-06T08:00:00Z").getEpochSecond()))
                        + " ago, package lists of unknown age",
                v.reason());
    }

    @Test
    void aFailingSecurityQueryIsAnErrorNotZeroSecurityUpdates() throws Exception {
        ProbeOutput o = runWithFakes("dnf", "PF_FAIL=1; export PF_FAIL\n" + DNF, "uname", UNAME);
        Verdict v = Observed.judge(DEFAULTS, Observation.ofHost(o), NOW);
        assertEquals(Status.ERROR, v.status(), v.reason());
        assertEquals(
                "updates: dnf -C updateinfo list --security failed: Error: Cache-only enabled but"
                        + " no cache for baseos",
                v.reason());
    }

    @Test
    void theFreeBsdBranchReadsPkgAuditAndTheInstalledKernel() throws Exception {
        ProbeOutput o =
                runWithFakes(
                        "pkg",
                        """
                        case "$1" in
                          upgrade) printf 'Installed packages to be UPGRADED:\\n\\tcurl: 8.9.1 -> 8.10.1\\n'; exit 1 ;;
                          audit) echo curl-8.9.1; exit 1 ;;
                        esac
                        """,
                        "freebsd-version",
                        "echo 14.1-RELEASE-p6\n",
                        "uname",
                        "echo 14.1-RELEASE-p5\n");
        Verdict v = Observed.judge(DEFAULTS, Observation.ofHost(o), NOW);
        assertEquals(Status.FAIL, v.status(), v.reason() + " / " + o.err());
        assertEquals(
                "1 security update pending: curl-8.9.1; reboot required: installed kernel"
                        + " 14.1-RELEASE-p6, running 14.1-RELEASE-p5; pkg: 1 update pending, 1"
                        + " security, package lists of unknown age",
                v.reason());
    }

    @Test
    void anAlpineBusyBoxHostIsReadOverSshWithApkVersion() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dev.postflight.testing.PortableHost.available(
                        dev.postflight.testing.PortableHost.BUSYBOX),
                "needs busybox, root and unshare");
        try (dev.postflight.testing.SshTestServer s =
                dev.postflight.testing.PortableHost.busybox(dir)) {
            // Test shim: apk as apk(8) prints `apk version -l '<'` (installed, then available).
            Path apk = dir.resolve("busybox-bin/apk");
            Files.writeString(
                    apk,
                    """
                    #!/bin/sh
                    [ "$1 $2 $3" = "version -l <" ] || { echo "unexpected: apk $*" >&2; exit 1; }
                    echo 'Installed:                                Available:'
                    echo 'busybox-1.36.1-r15                      < 1.36.1-r19'
                    echo 'libcrypto3-3.1.4-r5                     < 3.1.5-r0'
                    """);
            apk.toFile().setExecutable(true);
            HostResult r =
                    LocalRun.run(
                                    dir,
                                    """
                                    checks:
                                      - id: patched
                                        updates: { max_pending: 1 }
                                    """,
                                    dev.postflight.inventory.Host.at("alpine", "127.0.0.1"),
                                    dev.postflight.testing.PortableHost.connector(s, dir))
                            .hosts()
                            .get(0);
            CheckResult c = check(r, "patched");
            assertEquals(Status.FAIL, c.status(), c.verdict().reason());
            assertEquals(
                    "2 updates pending (at most 1): busybox, libcrypto3; apk: 2 updates pending,"
                            + " security updates: unknown on Alpine, package lists of unknown age",
                    c.verdict().reason());
        }
    }

    static boolean apt() {
        return Files.isExecutable(Path.of("/usr/bin/apt-get"));
    }

    @Test
    @EnabledIf("apt")
    void thisDebianMachineIsReadWithoutChangingItsPackageLists() throws Exception {
        Path lists = Path.of("/var/lib/apt/lists");
        List<String> before = listing(lists);
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: patched
                            updates: { max_security: 100000, reboot: false }
                        """);
        CheckResult c = check(r, "patched");
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        Process sim =
                new ProcessBuilder("apt-get", "-s", "upgrade").redirectErrorStream(true).start();
        List<String> inst =
                new String(sim.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .filter(l -> l.startsWith("Inst "))
                        .toList();
        long security =
                inst.stream()
                        .filter(l -> l.substring(l.indexOf('(')).contains("-security"))
                        .count();
        Matcher m =
                Pattern.compile(
                                "apt: (\\d+) updates? pending, (\\d+) security(, last upgrade \\S+ ago)?(, reboot required)?, package lists (\\S+ old|of unknown age)")
                        .matcher(c.verdict().reason());
        assertTrue(m.matches(), c.verdict().reason());
        assertEquals(inst.size(), Integer.parseInt(m.group(1)), c.verdict().reason());
        assertEquals(security, Long.parseLong(m.group(2)), c.verdict().reason());
        assertEquals(before, listing(lists), "the package lists were not touched");
    }

    private static List<String> listing(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(
                            p -> {
                                try {
                                    return p + " " + Files.getLastModifiedTime(p);
                                } catch (Exception e) {
                                    return p + " ?";
                                }
                            })
                    .sorted()
                    .toList();
        }
    }
}
