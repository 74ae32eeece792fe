package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.input.Amount;
import dev.postflight.run.CheckResult;
import dev.postflight.testing.LocalRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskCheckTest {
    @TempDir Path dir;

    static final String GNU =
            """
            @@blocks
            Filesystem     1024-blocks     Used Available Capacity Mounted on
            udev               4012345        0   4012345       0% /dev
            tmpfs               806000     1200    804800       1% /run
            /dev/sda1         20511312 16236412   3210368      84% /
            tmpfs              4030000        0   4030000       0% /dev/shm
            /dev/sda2        102687672 20000000  77428408      21% /srv/web data
            /dev/loop0           56832    56832         0     100% /snap/core18/2128
            nfs1:/export     500000000 10000000 490000000       3% /mnt/nfs
            @@inodes
            Filesystem       Inodes   IUsed    IFree IUse% Mounted on
            udev            1003086     402  1002684    1% /dev
            tmpfs           1007500     800  1006700    1% /run
            /dev/sda1       1310720 1200000   110720   92% /
            tmpfs           1007500       1  1007499    1% /dev/shm
            /dev/sda2       6553600  100000  6453600    2% /srv/web data
            /dev/loop0        10837   10837        0  100% /snap/core18/2128
            nfs1:/export   32000000   10000 31990000    1% /mnt/nfs
            """;

    /** FreeBSD 13 {@code df -k -i}: space and inodes in one table. */
    static final String FREEBSD =
            """
            @@both
            Filesystem   1024-blocks    Used   Avail Capacity iused    ifree %iused  Mounted on
            /dev/ada0p2     20307196 9185388 9497236    49%  570178  2053052   22%  /
            devfs                  1       1       0   100%       0        0  100%  /dev
            /dev/ada1p1    103081248 91000000 3834000    96%   12000 13000000    0%  /var/db
            zroot/tmp        8000000     200 7999800     0%      20 15999980    0%  /tmp
            """;

    private static Verdict judge(DiskCheck c, String out) {
        return Observed.judge(
                c,
                new Observation(
                        List.of(
                                new ProbeOutput(
                                        0,
                                        out.getBytes(StandardCharsets.UTF_8),
                                        new byte[0],
                                        false)),
                        List.of(),
                        Optional.empty(),
                        Optional.empty()));
    }

    private static final Amount P80 = new Amount(80, true);

    @Test
    void listsEveryRealFilesystemOverALimitAndSkipsPseudoImageAndNetworkOnes() {
        Verdict v = judge(new DiskCheck(Optional.empty(), P80, P80), GNU);
        assertEquals(Status.FAIL, v.status());
        assertEquals("/ 84% used (max 80%), inodes 92% (max 80%)", v.reason());
    }

    @Test
    void aPassingFleetOfFilesystemsNamesTheFullestOnceAndListsOnlyTheOthersBelow() {
        Amount p95 = new Amount(95, true);
        Verdict v = judge(new DiskCheck(Optional.empty(), p95, p95), GNU);
        assertEquals(Status.PASS, v.status());
        assertEquals("2 filesystems within limits, fullest / 84% used, inodes 92%", v.reason());
        assertEquals(List.of("/srv/web data 21% used, inodes 2%"), v.details());
    }

    @Test
    void readsMountPointsWithSpaces() {
        Verdict v = judge(new DiskCheck(Optional.of("/srv/web data"), P80, P80), GNU);
        assertEquals(Status.PASS, v.status());
        assertEquals("/srv/web data 21% used, inodes 2%", v.reason());
    }

    @Test
    void aMountThatDidNotComeBackFails() {
        Verdict v = judge(new DiskCheck(Optional.of("/data"), P80, P80), GNU);
        assertEquals(Status.FAIL, v.status());
        assertEquals("/data is not mounted (mounted: /, /srv/web data)", v.reason());
    }

    @Test
    void readsFreeBsdsCombinedTableAndAbsoluteLimits() {
        Verdict v = judge(new DiskCheck(Optional.empty(), P80, P80), FREEBSD);
        assertEquals("/var/db 96% used (max 80%), inodes 0%", v.reason());
        Verdict abs =
                judge(
                        new DiskCheck(Optional.of("/"), Amount.parse("5G").orElseThrow(), P80),
                        FREEBSD);
        assertEquals("/ 8.8G used (49%) (max 5G), inodes 22%", abs.reason());
    }

    @Test
    void readsThisMachinesRootFilesystem() throws Exception {
        CheckResult r =
                check(
                        LocalRun.run(
                                dir,
                                """
                                checks:
                                  - id: root
                                    disk: { mount: /, max_used: 100%, max_inodes_used: 100% }
                                """),
                        "root");
        assertEquals(Status.PASS, r.status(), r.verdict().reason());
        assertTrue(
                r.verdict().reason().matches("/ \\d+% used, inodes (\\d+%|n/a)"),
                r.verdict().reason());
    }
}
