package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.testing.LocalRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCheckTest {
    @TempDir Path dir;

    private static final Now NOW = Now.at(Instant.parse("2026-12-06T12:00:00Z"));

    private static ProbeOutput out(int exit, String stdout, String stderr) {
        return new ProbeOutput(
                exit,
                stdout.getBytes(StandardCharsets.UTF_8),
                stderr.getBytes(StandardCharsets.UTF_8),
                false);
    }

    private static FileCheck backupMarker(Optional<String> contains) {
        return new FileCheck(
                "/var/backups/last-success",
                true,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(Duration.ofHours(26)),
                contains,
                Optional.empty(),
                Optional.empty());
    }

    @Test
    void ageIsMeasuredAgainstTheHostsOwnClockNotTheRunners() {
        // The host clock stood still at 1000000 (seed 003); the file is 2 hours older than that.
        ProbeOutput gnu =
                out(0, "now=1000000\nexists=true\nstat=regular file|root|644|12|992800\n", "");
        Verdict v =
                Observed.judge(
                        backupMarker(Optional.empty()),
                        new Observation(
                                List.of(gnu), List.of(), Optional.empty(), Optional.empty()),
                        NOW);
        assertEquals(Status.PASS, v.status(), v.reason());
        assertTrue(v.reason().contains("modified 2h00m ago"), v.reason());
    }

    @Test
    void aStaleMarkerFailsWithItsAgeAndTheLimit() {
        ProbeOutput bsd =
                out(0, "now=1000000\nexists=true\nstat=Regular File|root|644|12|800000\n", "");
        Verdict v =
                Observed.judge(
                        backupMarker(Optional.empty()),
                        new Observation(
                                List.of(bsd), List.of(), Optional.empty(), Optional.empty()),
                        NOW);
        assertEquals(Status.FAIL, v.status());
        assertTrue(v.reason().startsWith("/var/backups/last-success: modified 2d"), v.reason());
        assertTrue(v.reason().contains("max_age 1d2h"), v.reason());
    }

    @Test
    void anUnreadableFileIsAnErrorNamingTheCause() {
        ProbeOutput stat =
                out(0, "now=1000000\nexists=true\nstat=regular file|root|600|12|999999\n", "");
        ProbeOutput head =
                out(
                        1,
                        "",
                        "head: cannot open '/var/backups/last-success' for reading: Permission"
                                + " denied\n");
        Verdict v =
                Observed.judge(
                        backupMarker(Optional.of("OK")),
                        new Observation(
                                List.of(stat, head), List.of(), Optional.empty(), Optional.empty()),
                        NOW);
        assertEquals(Status.ERROR, v.status());
        assertEquals(
                "/var/backups/last-success: cannot read content: head: cannot open"
                        + " '/var/backups/last-success' for reading: Permission denied",
                v.reason());
    }

    @Test
    void aMissingFileIsAFailureEvenThoughItsContentCouldNotBeRead() {
        ProbeOutput stat = out(0, "now=1000000\nexists=false\n", "");
        ProbeOutput head =
                out(
                        1,
                        "",
                        "head: cannot open '/var/backups/last-success' for reading: No such file"
                                + " or directory\n");
        Verdict v =
                Observed.judge(
                        backupMarker(Optional.of("OK")), Observation.ofHost(stat, head), NOW);
        assertEquals(Verdict.fail("/var/backups/last-success: does not exist"), v);
    }

    @Test
    void aContentReadThatTimedOutIsAnErrorNamingTheRead() {
        ProbeOutput stat =
                out(0, "now=1000000\nexists=true\nstat=regular file|root|600|12|999999\n", "");
        ProbeOutput head = new ProbeOutput(0, new byte[0], new byte[0], true);
        Verdict v =
                Observed.judge(
                        backupMarker(Optional.of("OK")), Observation.ofHost(stat, head), NOW);
        assertEquals(
                Verdict.error("read /var/backups/last-success: probe timed out on the host"), v);
    }

    @Test
    void recordRejectsContradictions() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new FileCheck(
                                        "/x",
                                        false,
                                        Optional.of("file"),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.empty()));
        assertTrue(e.getMessage().startsWith("exists: false"), e.getMessage());
        assertEquals(Optional.of(0644), FileCheck.parseMode("0644"));
        assertEquals(Optional.of(0644), FileCheck.parseMode("644"));
        assertEquals(Optional.empty(), FileCheck.parseMode("rw-r--r--"));
    }

    @Test
    void checksARealFilesAgeTypeModeSizeAndContent() throws Exception {
        Path fresh = dir.resolve("fresh marker");
        Files.writeString(fresh, "backup finished OK\n");
        Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rw-r-----"));
        Path stale = dir.resolve("stale");
        Files.writeString(stale, "x");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: fresh
                            file: { path: "%s", type: file, mode: "0640", max_age: 1h, contains: "finished OK", matches: "^backup", min_size: 10 }
                          - id: stale
                            file: { path: "%s", max_age: 26h }
                          - id: wrong-content
                            file: { path: "%s", contains: "FAILED" }
                          - id: missing
                            file: { path: "%s/nope" }
                          - id: absent
                            file: { path: "%s/nope", exists: false }
                          - id: directory
                            file: { path: "%s", type: file }
                        """
                                .formatted(fresh, stale, fresh, dir, dir, dir));
        CheckResult ok = check(r, "fresh");
        assertEquals(Status.PASS, ok.status(), ok.verdict().reason());
        CheckResult old = check(r, "stale");
        assertEquals(Status.FAIL, old.status());
        assertTrue(old.verdict().reason().contains("modified 3d"), old.verdict().reason());
        assertEquals(
                fresh + ": does not contain 'FAILED'",
                check(r, "wrong-content").verdict().reason());
        assertEquals(dir + "/nope: does not exist", check(r, "missing").verdict().reason());
        assertEquals(Status.PASS, check(r, "absent").status());
        assertEquals(
                dir + ": is a directory, expected file", check(r, "directory").verdict().reason());
    }
}
