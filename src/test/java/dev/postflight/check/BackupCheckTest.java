package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.check.BackupEvidence.Found;
import dev.postflight.check.BackupEvidence.Marker;
import dev.postflight.check.BackupEvidence.Newest;
import dev.postflight.input.InvalidInput;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.LocalRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupCheckTest {
    @TempDir Path dir;

    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final String DUMP = "/backup/7/db.tar.gz";

    private static BackupCheck scheduled(String cron) {
        return new BackupCheck(
                new Marker("/var/backups/last-success"),
                Optional.empty(),
                Optional.of(BackupSchedule.parse(cron)),
                BackupCheck.DEFAULT_GRACE,
                Optional.empty());
    }

    private static Instant at(String local, ZoneId zone) {
        return LocalDateTime.parse(local).atZone(zone).toInstant();
    }

    private static Newest newest(Instant evidence) {
        return Newest.of(new Found(DUMP, evidence, List.of()));
    }

    private static Verdict judge(BackupCheck c, String now, String evidence, ZoneId zone) {
        return c.judge(newest(at(evidence, zone)), at(now, zone), zone);
    }

    /** The host's clock read at {@code host} by its batch. */
    private static Now hostAt(Instant host) {
        return new Now(
                Instant.now(),
                Optional.of(new HostTime(host, Duration.ofSeconds(1), "s", host, host)));
    }

    // --- pure judgement, fixed instants and zones ---

    @Test
    void aDailyRunThatDidNotHappenIsNamedInTheHostsZone() {
        Verdict v = judge(scheduled("41 3 * * *"), "2026-11-23T04:50", "2026-11-22T03:45", TOKYO);
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "backup due at 2026-11-23 03:41 (Asia/Tokyo) did not run: newest evidence "
                        + DUMP
                        + " from 2026-11-22 03:45 (1d1h ago)",
                v.reason());
    }

    @Test
    void evidenceAfterTodaysSlotPassesAndSaysWhenTheNextRunIsDue() {
        Verdict v = judge(scheduled("41 3 * * *"), "2026-11-23T04:50", "2026-11-23T03:42", TOKYO);
        assertEquals(Status.PASS, v.status(), v.reason());
        assertEquals(
                "last backup 1h08m ago (" + DUMP + "), next due 2026-11-24 03:41 (Asia/Tokyo)",
                v.reason());
    }

    @Test
    void aRunStillWithinItsGraceIsNotYetMissed() {
        Verdict v = judge(scheduled("41 3 * * *"), "2026-11-23T03:50", "2026-11-22T03:45", TOKYO);
        assertEquals(Status.PASS, v.status(), v.reason());
        assertEquals(
                "last backup 1d0h ago ("
                        + DUMP
                        + "), run due at 2026-11-23 03:41 (Asia/Tokyo) is within its 1h00m grace",
                v.reason());
    }

    @Test
    void aLateEveningScheduleIsJudgedAcrossMidnight() {
        BackupCheck c = scheduled("30 23 * * *");
        Verdict missed = judge(c, "2026-11-24T00:40", "2026-11-22T23:35", TOKYO);
        assertEquals(Status.FAIL, missed.status());
        assertTrue(
                missed.reason().startsWith("backup due at 2026-11-23 23:30 (Asia/Tokyo) did not"),
                missed.reason());
        Verdict ran = judge(c, "2026-11-24T00:40", "2026-11-23T23:36", TOKYO);
        assertEquals(Status.PASS, ran.status(), ran.reason());
        assertTrue(ran.reason().endsWith("next due 2026-11-24 23:30 (Asia/Tokyo)"), ran.reason());
    }

    @Test
    void onASpringForwardNightCronUtilsHasNoSlotForTheSkippedTimeSoNothingIsReportedMissed() {
        // 2026-03-29 in Berlin jumps from 02:00 to 03:00: 02:30 does not exist that day.
        // cron-utils gives no slot for it (cronie would run the job at 03:00); the verdict
        // follows cron-utils and neither invents a slot nor reports the night twice.
        BackupCheck c = scheduled("30 2 * * *");
        Verdict v = judge(c, "2026-03-29T06:00", "2026-03-28T02:35", BERLIN);
        assertEquals(Status.PASS, v.status(), v.reason());
        assertEquals(
                "last backup 1d2h ago (" + DUMP + "), next due 2026-03-30 02:30 (Europe/Berlin)",
                v.reason());

        BackupCheck since = c.since(at("2026-03-27T12:00", BERLIN));
        Verdict missed = judge(since, "2026-03-30T06:00", "2026-03-27T02:35", BERLIN);
        assertEquals(Status.FAIL, missed.status());
        assertEquals(
                "2 backups due did not run: 2026-03-28 02:30, 2026-03-30 02:30 (Europe/Berlin):"
                        + " newest evidence "
                        + DUMP
                        + " from 2026-03-27 02:35 (3d2h ago)",
                missed.reason());
    }

    @Test
    void aRunInTheRepeatedHourOfAFallBackNightIsDueOnceNotTwice() {
        // 2026-11-01 in New York: 01:00-02:00 happens twice (EDT, then EST). cron-utils yields
        // 01:30 twice; cron runs a fixed-time job once, at the first 01:30.
        BackupCheck c = scheduled("30 1 * * *").since(at("2026-11-01T00:00", NEW_YORK));
        Instant now = at("2026-11-01T04:00", NEW_YORK);
        Instant firstOneThirtyFive =
                ZonedDateTime.ofLocal(
                                LocalDateTime.parse("2026-11-01T01:35"),
                                NEW_YORK,
                                ZoneOffset.ofHours(-4))
                        .toInstant();
        Verdict ran = c.judge(newest(firstOneThirtyFive), now, NEW_YORK);
        assertEquals(Status.PASS, ran.status(), ran.reason());

        Verdict missed = c.judge(newest(at("2026-10-31T01:35", NEW_YORK)), now, NEW_YORK);
        assertEquals(Status.FAIL, missed.status());
        assertTrue(
                missed.reason()
                        .startsWith(
                                "backup due at 2026-11-01 01:30 (America/New_York) did not run"),
                missed.reason());
        assertTrue(
                missed.details()
                        .contains(
                                "runs due since 2026-11-01 00:00 (America/New_York):"
                                        + " [2026-11-01 01:30]"),
                missed.details().toString());
    }

    @Test
    void seed004ListsTheMissedRunInsideTheWindowButNotOneThatIsNotYetDue() {
        BackupCheck c = scheduled("41 3,5 * * *").since(at("2026-11-23T02:00", TOKYO));
        Verdict v = judge(c, "2026-11-23T05:50", "2026-11-22T05:45", TOKYO);
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "backup due at 2026-11-23 03:41 (Asia/Tokyo) did not run: newest evidence "
                        + DUMP
                        + " from 2026-11-22 05:45 (1d0h ago)",
                v.reason());
        assertTrue(
                v.details().contains("not yet due: 2026-11-23 05:41 (Asia/Tokyo) (grace 1h00m)"),
                v.details().toString());
    }

    @Test
    void aWindowStartGivenAsADurationCountsBackFromTheHostsNow() {
        BackupCheck c =
                new BackupCheck(
                        new Marker("/var/backups/last-success"),
                        Optional.empty(),
                        Optional.of(BackupSchedule.parse("41 3,5 * * *")),
                        Duration.ofMinutes(30),
                        Optional.of(new WindowStart.Before(Duration.ofHours(6))));
        Verdict v = judge(c, "2026-11-23T06:30", "2026-11-22T05:45", TOKYO);
        assertEquals(
                "2 backups due did not run: 2026-11-23 03:41, 2026-11-23 05:41 (Asia/Tokyo):"
                        + " newest evidence "
                        + DUMP
                        + " from 2026-11-22 05:45 (1d0h ago)",
                v.reason());
    }

    @Test
    void maxAgeAloneFailsWithTheAgeAndNoEvidenceFailsSayingSo() {
        BackupCheck c =
                new BackupCheck(
                        new Marker("/var/backups/last-success"),
                        Optional.of(Duration.ofHours(26)),
                        Optional.empty(),
                        BackupCheck.DEFAULT_GRACE,
                        Optional.empty());
        Verdict old = judge(c, "2026-11-23T12:00", "2026-11-22T06:00", TOKYO);
        assertEquals(
                "last backup 1d6h ago (" + DUMP + ", 2026-11-22 06:00 (Asia/Tokyo)), max_age 1d2h",
                old.reason());
        Verdict none =
                c.judge(
                        Newest.none("marker /var/backups/last-success does not exist"),
                        at("2026-11-23T12:00", TOKYO),
                        TOKYO);
        assertEquals(Status.FAIL, none.status());
        assertEquals(
                "no evidence of a successful backup: marker /var/backups/last-success does not"
                        + " exist",
                none.reason());
    }

    @Test
    void readsSyslogAndIsoTimestampsIncludingJournalctlsOffsetWithoutColon() {
        Instant now = at("2027-01-01T00:30", TOKYO);
        assertEquals(
                Optional.of(at("2026-12-31T23:59:00", TOKYO)),
                LogTimestamps.timestampOf(
                        "Dec 31 23:59:00 web1 backup[42]: backup done", now, TOKYO));
        assertEquals(
                Optional.of(Instant.parse("2026-11-22T18:41:02Z")),
                LogTimestamps.timestampOf(
                        "2026-11-23T03:41:02+09:00 web1 backup: done", now, TOKYO));
        assertEquals(
                Optional.of(Instant.parse("2026-11-22T18:41:02.123456Z")),
                LogTimestamps.timestampOf(
                        "2026-11-23T03:41:02.123456+0900 web1 backup.sh[7]: done", now, TOKYO));
        assertEquals(Optional.empty(), LogTimestamps.timestampOf("backup done", now, TOKYO));
    }

    @Test
    void readsIsoTimestampsWithoutSecondsAsJavasOwnToStringWritesThemOnTheMinute() {
        // CI broke on this: a log written at 01:44:00 by OffsetDateTime.toString() reads
        // "2026-12-07T01:44Z", and postflight called the backup unproven.
        Instant now = at("2027-01-01T00:30", TOKYO);
        assertEquals(
                Optional.of(Instant.parse("2026-12-07T01:44:00Z")),
                LogTimestamps.timestampOf("2026-12-07T01:44Z backup done", now, TOKYO));
        assertEquals(
                Optional.of(at("2026-12-07T10:44:00", TOKYO)),
                LogTimestamps.timestampOf("2026-12-07 10:44 backup done", now, TOKYO));
        assertEquals(
                Optional.of(Instant.parse("2026-11-22T18:41:02.5Z")),
                LogTimestamps.timestampOf("2026-11-23T03:41:02,5+09:00 done", now, TOKYO));
    }

    @Test
    void theHostsZoneIsTheNamedOneThatAgreesWithItsOffset() {
        Instant now = at("2026-11-23T04:50", TOKYO);
        List<String> notes = new java.util.ArrayList<>();
        assertEquals(
                Optional.of(TOKYO),
                HostZone.parse("offset=+0900\nzone_localtime=/usr/share/zoneinfo/Asia/Tokyo\n")
                        .at(now, notes));
        assertEquals(
                Optional.of(ZoneOffset.ofHours(9)),
                HostZone.parse("offset=+0900\nzone_tz=JST-9\n").at(now, notes));
        assertTrue(notes.get(0).contains("zone name is unknown"), notes.toString());
    }

    private static ProbeOutput out(int exit, String stdout, String stderr) {
        return new ProbeOutput(
                exit,
                stdout.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                stderr.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                false);
    }

    @Test
    void readsTheJournalsShortIsoLinesInTheHostsZone() {
        // No systemd journal on the test machine: the probe's output is written out here.
        BackupCheck c =
                new BackupCheck(
                        new BackupEvidence.Journal(
                                "backup.service", java.util.regex.Pattern.compile("Finished")),
                        Optional.of(Duration.ofHours(26)),
                        Optional.empty(),
                        BackupCheck.DEFAULT_GRACE,
                        Optional.empty());
        Instant now = at("2026-11-23T06:00", TOKYO);
        ProbeOutput zone =
                out(0, "offset=+0900\nzone_localtime=/usr/share/zoneinfo/Asia/Tokyo\n", "");
        ProbeOutput o =
                out(
                        0,
                        "line=2026-11-23T03:45:10+0900 web1 systemd[1]: Finished backup.service.\n"
                                + "line=2026-11-22T03:44:59+0900 web1 systemd[1]: Finished backup.service.\n",
                        "");
        Verdict v = Observed.judge(c, Observation.ofHost(zone, o), hostAt(now));
        assertEquals(Status.PASS, v.status(), v.reason());
        assertTrue(
                v.reason()
                        .startsWith(
                                "last backup 2h14m ago (the journal of backup.service:"
                                        + " \"2026-11-23T03:45:10+0900"),
                v.reason());
    }

    @Test
    void anUnreadableBackupDirectoryIsAnErrorNamingTheCause() {
        // Tests run as root, for whom no directory is unreadable: the probe's answer is written
        // out.
        BackupCheck c =
                new BackupCheck(
                        new BackupEvidence.NewestIn("/backup", "*", Optional.empty()),
                        Optional.of(Duration.ofHours(26)),
                        Optional.empty(),
                        BackupCheck.DEFAULT_GRACE,
                        Optional.empty());
        Verdict v =
                Observed.judge(
                        c,
                        Observation.ofHost(
                                out(0, "offset=+0000\n", ""),
                                out(2, "", "/backup: permission denied\n")),
                        hostAt(Instant.ofEpochSecond(1)));
        assertEquals(Status.ERROR, v.status());
        assertEquals("backup newest_in /backup: /backup: permission denied", v.reason());
    }

    // --- real files on this machine ---

    private static void age(Path p, Duration age) throws Exception {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(age)));
    }

    private static Path file(Path p, int size, Duration age) throws Exception {
        Files.write(p, new byte[size]);
        age(p, age);
        return p;
    }

    @Test
    void judgesARealMarkerDirectoryAndLogOnThisMachine() throws Exception {
        Path fresh = file(dir.resolve("last-success"), 0, Duration.ofMinutes(5));
        Path stale = file(dir.resolve("stale-success"), 0, Duration.ofHours(30));
        Path backups = Files.createDirectory(dir.resolve("backups"));
        file(backups.resolve("db-1.tar.gz"), 3 << 20, Duration.ofHours(27));
        Path good = file(backups.resolve("db-2.tar.gz"), 2 << 20, Duration.ofHours(3));
        Path truncated = file(backups.resolve("db-3.tar.gz"), 10, Duration.ofMinutes(10));
        file(backups.resolve("notes.txt"), 5, Duration.ofMinutes(1));
        Path tiny = Files.createDirectory(dir.resolve("tiny"));
        file(tiny.resolve("db.tar.gz"), 10, Duration.ofHours(1));
        Files.createDirectory(dir.resolve("empty"));
        Path log = dir.resolve("backup.log");
        DateTimeFormatter syslog = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);
        ZonedDateTime twoHoursAgo = ZonedDateTime.now().minusHours(2);
        Files.writeString(
                log,
                twoHoursAgo.minusDays(1).format(syslog)
                        + " web1 backup[41]: backup done\n"
                        + twoHoursAgo.format(syslog)
                        + " web1 backup[42]: backup done, 12 files\n"
                        + twoHoursAgo.plusMinutes(30).format(syslog)
                        + " web1 backup[43]: backup FAILED\n");
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: fresh
                            backup: { marker: "%s", max_age: 26h }
                          - id: stale
                            backup: { marker: "%s", max_age: 26h }
                          - id: missing
                            backup: { marker: "%s/never-ran", max_age: 26h }
                          - id: newest
                            backup: { newest_in: "%s", pattern: "*.tar.gz", max_age: 26h }
                          - id: big-enough
                            backup: { newest_in: "%s", pattern: "*.tar.gz", min_size: 1M, max_age: 26h }
                          - id: all-truncated
                            backup: { newest_in: "%s", min_size: 1M, max_age: 26h }
                          - id: empty
                            backup: { newest_in: "%s/empty", pattern: "*.tar.gz", max_age: 26h }
                          - id: log
                            backup: { log: "%s", matches: "backup (done|finished)", max_age: 26h }
                          - id: log-no-match
                            backup: { log: "%s", matches: "rsync ok", max_age: 26h }
                        """
                                .formatted(
                                        fresh, stale, dir, backups, backups, tiny, dir, log, log));

        CheckResult ok = check(r, "fresh");
        assertEquals(Status.PASS, ok.status(), ok.verdict().reason());
        assertTrue(
                ok.verdict().reason().matches("last backup [45]m\\d\\ds ago \\(" + fresh + "\\)"),
                ok.verdict().reason());

        CheckResult old = check(r, "stale");
        assertEquals(Status.FAIL, old.status());
        assertTrue(
                old.verdict().reason().startsWith("last backup 1d6h ago (" + stale + ", "),
                old.verdict().reason());
        assertTrue(old.verdict().reason().endsWith("max_age 1d2h"), old.verdict().reason());

        assertEquals(
                "no evidence of a successful backup: marker " + dir + "/never-ran does not exist",
                check(r, "missing").verdict().reason());

        CheckResult newest = check(r, "newest");
        assertEquals(Status.PASS, newest.status(), newest.verdict().reason());
        assertTrue(
                newest.verdict().reason().contains("(" + truncated + ")"),
                newest.verdict().reason());

        CheckResult big = check(r, "big-enough");
        assertEquals(Status.WARN, big.status(), big.verdict().reason());
        assertTrue(
                big.verdict().reason().startsWith("last backup 3h00m ago (" + good + ")"),
                big.verdict().reason());
        assertTrue(
                big.verdict().reason().contains(truncated + " (10B, ")
                        && big.verdict().reason().contains("is below min_size 1M"),
                big.verdict().reason());

        CheckResult none = check(r, "all-truncated");
        assertEquals(Status.FAIL, none.status());
        assertEquals(
                "no evidence of a successful backup: no file of at least min_size in " + tiny,
                none.verdict().reason());
        assertTrue(
                none.verdict().details().get(0).startsWith("not counted: " + tiny + "/db.tar.gz"),
                none.verdict().details().toString());

        assertEquals(
                "no evidence of a successful backup: no file matching '*.tar.gz' in "
                        + dir
                        + "/empty",
                check(r, "empty").verdict().reason());

        CheckResult fromLog = check(r, "log");
        assertEquals(Status.PASS, fromLog.status(), fromLog.verdict().reason());
        assertTrue(
                fromLog.verdict().reason().startsWith("last backup 2h00m ago (" + log + ": \""),
                fromLog.verdict().reason());
        assertTrue(
                fromLog.verdict().reason().contains("backup done, 12 files"),
                fromLog.verdict().reason());

        assertEquals(
                "no evidence of a successful backup: no line matching /rsync ok/ in " + log,
                check(r, "log-no-match").verdict().reason());
    }

    @Test
    void aScheduledRealMarkerThatMissedItsLastSlotFails() throws Exception {
        // Every minute is due; with no grace, a marker 10 minutes old has missed several.
        Path marker = file(dir.resolve("last-success"), 0, Duration.ofMinutes(10));
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: every-minute
                            backup: { marker: "%s", schedule: "* * * * *", grace: 0s, window_start: 5m }
                        """
                                .formatted(marker));
        CheckResult c = check(r, "every-minute");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(c.verdict().reason().contains("backups due did not run"), c.verdict().reason());
        assertTrue(
                c.verdict().reason().contains("newest evidence " + marker), c.verdict().reason());
    }

    // --- validation at load time ---

    private String loadErrors(String backup) {
        InvalidInput e =
                assertThrows(
                        InvalidInput.class,
                        () ->
                                LocalRun.run(
                                        dir, "checks:\n  - id: b\n    backup: " + backup + "\n"));
        return e.errors().toString().replace(dir + "/", "");
    }

    @Test
    void aCheckFileWithoutEvidenceOrWithTwoSourcesIsRejected() {
        assertTrue(
                loadErrors("{ max_age: 26h }")
                        .contains(
                                "checks.yaml:3:13: backup check 'b': needs one evidence source: marker"),
                loadErrors("{ max_age: 26h }"));
        String two = loadErrors("{ marker: /var/x, newest_in: /backup, max_age: 26h }");
        assertTrue(
                two.contains("newest_in: marker is set too; a backup check reads one evidence"),
                two);
    }

    @Test
    void aBadCronExpressionIsReportedAtItsPlaceWithCronUtilsReason() {
        String e = loadErrors("{ marker: /var/x, schedule: \"61 3 * * *\" }");
        assertTrue(
                e.contains(
                        "checks.yaml:3:41: schedule: '61 3 * * *' is not a cron schedule (minute"
                                + " hour day month weekday, like \"41 3 * * *\"): value 61 not in"
                                + " range [0, 59]"),
                e);
    }

    @Test
    void neitherMaxAgeNorScheduleIsRejected() {
        String e = loadErrors("{ marker: /var/x }");
        assertTrue(
                e.contains("checks.yaml:3:13: backup check 'b': needs max_age, schedule or both"),
                e);
        String log =
                loadErrors("{ log: /var/log/backup.log, matches: \"\\\\d+ files\", max_age: 1d }");
        assertTrue(log.contains("matches: is run by grep -E on the host"), log);
        assertFalse(loadErrors("{ log: journal, matches: done, max_age: 1d }").isEmpty());
    }
}
