package dev.postflight.check;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.inventory.Host;
import dev.postflight.run.CheckResult;
import dev.postflight.run.Connector;
import dev.postflight.run.RunReport;
import dev.postflight.testing.LocalRun;
import dev.postflight.testing.SshTestServer;
import dev.postflight.testing.TestCerts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cert_file check on real files: through the local machine for the certificate and key, and
 * through a real SSH server whose shells find a shim {@code nginx} first on PATH for nginx_refs (a
 * shim because nginx is not installed here; its output is what nginx 1.24 prints).
 */
class CertFileCheckTest {
    static final String LE = "/etc/letsencrypt/live/git.example.org/";

    @TempDir static Path caDir;
    @TempDir Path dir;
    static TestCerts.Issued ca;

    @BeforeAll
    static void makeCa() {
        ca = TestCerts.rootCa("postflight test CA");
    }

    private CheckResult run(String spec) throws Exception {
        String yaml = "checks:\n  - id: cert\n    cert_file: " + spec + "\n";
        return check(LocalRun.run(dir, yaml), "cert");
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void aCertificateWithItsMatchingKeyAndNamesPasses() throws Exception {
        TestCerts.Issued leaf = TestCerts.leaf(ca, List.of("site.test", "*.site.test"), 10, 60);
        Path cert = write("fullchain.pem", leaf.chainPem());
        Path key = write("privkey.pem", leaf.keyPem());
        CheckResult c =
                run(
                        "{ path: \""
                                + cert
                                + "\", key: \""
                                + key
                                + "\", names: [site.test, git.site.test] }");
        assertEquals(Status.PASS, c.status(), c.verdict().reason());
        assertEquals(
                cert
                        + " (site.test): valid 60 days (until "
                        + Instant.now()
                                .plus(Duration.ofDays(60))
                                .plus(Duration.ofMinutes(10))
                                .toString()
                                .substring(0, 10)
                        + "), issued by postflight test CA",
                c.verdict().reason());
        assertTrue(c.verdict().details().contains("key: " + key + " matches the certificate"));
    }

    @Test
    void legacyRsaAndEcKeyFilesAreReadWithoutOpenssl() throws Exception {
        TestCerts.Issued rsa =
                TestCerts.issue(
                        ca,
                        "site.test",
                        List.of("site.test"),
                        Instant.now().minus(Duration.ofDays(1)),
                        Instant.now().plus(Duration.ofDays(60)),
                        TestCerts.rsa(2048),
                        "SHA256withECDSA",
                        false);
        TestCerts.Issued ec = TestCerts.leaf(ca, List.of("git.site.test"), 1, 60);
        assertTrue(rsa.legacyKeyPem().startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertTrue(ec.legacyKeyPem().startsWith("-----BEGIN EC PRIVATE KEY-----"));
        Path rsaCert = write("rsa.pem", rsa.certPem());
        Path rsaKey = write("rsa.key", rsa.legacyKeyPem());
        Path ecCert = write("ec.pem", ec.certPem());
        Path ecKey = write("ec.key", ec.legacyKeyPem());
        CheckResult r = run("{ path: \"" + rsaCert + "\", key: \"" + rsaKey + "\" }");
        assertEquals(Status.PASS, r.status(), r.verdict().reason());
        CheckResult e = run("{ path: \"" + ecCert + "\", key: \"" + ecKey + "\" }");
        assertEquals(Status.PASS, e.status(), e.verdict().reason());
    }

    @Test
    void aKeyOfAnotherCertificateFails() throws Exception {
        TestCerts.Issued leaf = TestCerts.leaf(ca, List.of("site.test"), 1, 60);
        TestCerts.Issued other = TestCerts.leaf(ca, List.of("site.test"), 1, 60);
        Path cert = write("cert.pem", leaf.certPem());
        Path key = write("privkey.pem", other.keyPem());
        CheckResult c = run("{ path: \"" + cert + "\", key: \"" + key + "\" }");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict()
                        .reason()
                        .startsWith(
                                cert
                                        + " (site.test): key "
                                        + key
                                        + " does not match the certificate (a signature made with"
                                        + " it does not verify); valid 60 days"),
                c.verdict().reason());
    }

    @Test
    void anRsaKeyForAnEcCertificateFails() throws Exception {
        TestCerts.Issued leaf = TestCerts.leaf(ca, List.of("site.test"), 1, 60);
        TestCerts.Issued rsa =
                TestCerts.issue(
                        ca,
                        "site.test",
                        List.of("site.test"),
                        Instant.now().minus(Duration.ofDays(1)),
                        Instant.now().plus(Duration.ofDays(60)),
                        TestCerts.rsa(2048),
                        "SHA256withECDSA",
                        false);
        Path cert = write("cert.pem", leaf.certPem());
        Path key = write("privkey.pem", rsa.legacyKeyPem());
        CheckResult c = run("{ path: \"" + cert + "\", key: \"" + key + "\" }");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict().reason().contains("does not match the certificate"),
                c.verdict().reason());
    }

    @Test
    void namesTheCertificateDoesNotCoverFailAndWildcardsCoverOneLabelOnly() throws Exception {
        TestCerts.Issued leaf = TestCerts.leaf(ca, List.of("site.test", "*.site.test"), 1, 60);
        Path cert = write("cert.pem", leaf.certPem());
        CheckResult c =
                run(
                        "{ path: \""
                                + cert
                                + "\", names: [git.site.test, a.b.site.test, other.test] }");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict()
                        .reason()
                        .startsWith(
                                cert
                                        + " (site.test): does not cover a.b.site.test, other.test"
                                        + " (valid for site.test, *.site.test); valid 60 days"),
                c.verdict().reason());
    }

    @Test
    void anExpiredCertificateFails() throws Exception {
        TestCerts.Issued leaf = TestCerts.leaf(ca, List.of("site.test"), 90, -3);
        Path cert = write("cert.pem", leaf.certPem());
        CheckResult c = run("{ path: \"" + cert + "\" }");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertTrue(
                c.verdict().reason().startsWith(cert + " (site.test): expired 2 days ago (on "),
                c.verdict().reason());
    }

    @Test
    void expiringWithinWarnDaysWarns() throws Exception {
        TestCerts.Issued leaf = TestCerts.leaf(ca, List.of("site.test"), 80, 10);
        Path cert = write("cert.pem", leaf.certPem());
        CheckResult c = run("{ path: \"" + cert + "\", warn_days: 30, critical_days: 3 }");
        assertEquals(Status.WARN, c.status(), c.verdict().reason());
        assertTrue(c.verdict().reason().contains("expires in 10 days"), c.verdict().reason());
    }

    @Test
    void aMissingCertificateOrKeyFileFails() throws Exception {
        CheckResult c = run("{ path: \"" + dir.resolve("gone.pem") + "\" }");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertEquals(dir.resolve("gone.pem") + ": does not exist", c.verdict().reason());
        Path cert = write("cert.pem", TestCerts.leaf(ca, List.of("site.test"), 1, 60).certPem());
        CheckResult k = run("{ path: \"" + cert + "\", key: \"" + dir.resolve("gone.key") + "\" }");
        assertEquals(Status.FAIL, k.status(), k.verdict().reason());
        assertTrue(
                k.verdict()
                        .reason()
                        .contains("key " + dir.resolve("gone.key") + " does not exist"));
    }

    @Test
    void aFileThatIsNoCertificateFails() throws Exception {
        Path cert = write("cert.pem", "<html>404</html>\n");
        CheckResult c = run("{ path: \"" + cert + "\" }");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertEquals(cert + ": holds no PEM certificate", c.verdict().reason());
    }

    // nginx_refs through a real SSH server, with a shim nginx first on PATH.

    private RunReport overSsh(Path shims, String yaml) throws Exception {
        try (SshTestServer s =
                SshTestServer.start(
                        dir,
                        Map.of("PATH", shims + ":/usr/bin:/bin"),
                        false,
                        // The machine's own nginx (if any) must not stand in for the shims.
                        SshTestServer.shellWithout("/usr/sbin/nginx", "/usr/local/sbin/nginx"))) {
            Connector connector = s.connector("web", s.writeKnownHosts(dir.resolve("known_hosts")));
            return LocalRun.run(dir, yaml, Host.at("web", s.host()), connector);
        }
    }

    private Path shim(String script) throws Exception {
        Path shims = Files.createDirectories(dir.resolve("shims"));
        Path nginx = shims.resolve("nginx");
        Files.writeString(nginx, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(nginx, PosixFilePermissions.fromString("rwxr-xr-x"));
        return shims;
    }

    private static final String VERSION =
            """
            if [ "$1" = -V ]; then
              echo 'nginx version: nginx/1.24.0 (Ubuntu)' >&2
              echo "configure arguments: --with-cc-opt='-g -O2' --prefix=/usr/share/nginx --conf-path=$CONF --http-log-path=/var/log/nginx/access.log" >&2
              exit 0
            fi
            """;

    @Test
    void nginxReferencingMissingLetsEncryptFilesReadsAsSeed002() throws Exception {
        TestCerts.Issued site = TestCerts.leaf(ca, List.of("site.test"), 1, 60);
        Path cert = write("site.pem", site.chainPem());
        Path shims =
                shim(
                        "CONF=/etc/nginx/nginx.conf\n"
                                + VERSION
                                + """
                                echo 'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok' >&2
                                echo 'nginx: configuration file /etc/nginx/nginx.conf test is successful' >&2
                                cat <<'EOF'
                                # configuration file /etc/nginx/nginx.conf:
                                user www-data;
                                worker_processes auto;
                                http {
                                    include /etc/nginx/mime.types;
                                    ssl_protocols TLSv1.2 TLSv1.3;
                                    include /etc/nginx/sites-enabled/*;
                                }

                                # configuration file /etc/nginx/sites-enabled/site:
                                server {
                                    listen 443 ssl http2;
                                    server_name site.test;
                                    ssl_certificate %s;
                                    ssl_certificate_key %s;
                                    # ssl_certificate /etc/ssl/old.pem;
                                }

                                # configuration file /etc/nginx/sites-enabled/git:
                                server {
                                    listen 443 ssl;
                                    server_name git.example.org;
                                    ssl_certificate /etc/letsencrypt/live/git.example.org/fullchain.pem; # managed by Certbot
                                    ssl_certificate_key /etc/letsencrypt/live/git.example.org/privkey.pem; # managed by Certbot
                                    location / { proxy_pass http://127.0.0.1:3000; }
                                }
                                EOF
                                """
                                        .formatted(cert, cert));
        String yaml =
                "checks:\n  - id: cert\n    cert_file: { path: \""
                        + cert
                        + "\", nginx_refs: true }\n";
        CheckResult c = check(overSsh(shims, yaml).hosts().get(0), "cert");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertEquals(
                "nginx references 2 missing files: "
                        + LE
                        + "fullchain.pem, "
                        + LE
                        + "privkey.pem (nginx will not start)",
                c.verdict().reason());
        assertTrue(
                c.verdict().details().contains("configuration: nginx -T"),
                c.verdict().details().toString());
        assertTrue(
                c.verdict().details().contains("ssl_certificate " + cert + ": ok"),
                c.verdict().details().toString());
    }

    @Test
    void whenNginxTFailsOnTheMissingFileTheConfigurationIsReadFromItsIncludes() throws Exception {
        // What real nginx does: -T refuses to dump a configuration whose certificate is missing.
        TestCerts.Issued site = TestCerts.leaf(ca, List.of("site.test"), 1, 60);
        Path cert = write("site.pem", site.chainPem());
        Path conf = Files.createDirectories(dir.resolve("nginx"));
        Files.createDirectories(conf.resolve("sites-enabled"));
        Files.createDirectories(conf.resolve("sites-available"));
        Files.writeString(
                conf.resolve("nginx.conf"),
                "user www-data;\nhttp {\n    include sites-enabled/*;\n}\n");
        Files.writeString(
                conf.resolve("sites-enabled/site"),
                "server {\n  ssl_certificate "
                        + cert
                        + ";\n  ssl_certificate_key \""
                        + cert
                        + "\";\n}\n");
        Files.writeString(
                conf.resolve("sites-enabled/git"),
                "server {\n  ssl_certificate "
                        + LE
                        + "fullchain.pem;\n  ssl_certificate_key "
                        + LE
                        + "privkey.pem;\n}\n");
        Files.writeString(
                conf.resolve("sites-available/old"),
                "server {\n  ssl_certificate /etc/ssl/never-enabled.pem;\n}\n");
        Path shims =
                shim(
                        "CONF="
                                + conf.resolve("nginx.conf")
                                + "\n"
                                + VERSION
                                + """
                                echo 'nginx: [emerg] cannot load certificate "%sfullchain.pem": BIO_new_file() failed (SSL: error:80000002:system library::No such file or directory)' >&2
                                echo 'nginx: configuration file %s test failed' >&2
                                exit 1
                                """
                                        .formatted(LE, conf.resolve("nginx.conf")));
        String yaml =
                "checks:\n  - id: cert\n    cert_file: { path: \""
                        + cert
                        + "\", nginx_refs: true }\n";
        CheckResult c = check(overSsh(shims, yaml).hosts().get(0), "cert");
        assertEquals(Status.FAIL, c.status(), c.verdict().reason());
        assertEquals(
                "nginx references 2 missing files: "
                        + LE
                        + "fullchain.pem, "
                        + LE
                        + "privkey.pem (nginx will not start)",
                c.verdict().reason());
        assertTrue(
                c.verdict().details().stream()
                        .anyMatch(d ->
                                d.startsWith("nginx -T: nginx: [emerg] cannot load certificate")),
                c.verdict().details().toString());
    }

    @Test
    void nginxNotInstalledIsAnError() throws Exception {
        Path shims = Files.createDirectories(dir.resolve("empty"));
        Path cert = write("site.pem", TestCerts.leaf(ca, List.of("site.test"), 1, 60).certPem());
        String yaml =
                "checks:\n  - id: cert\n    cert_file: { path: \""
                        + cert
                        + "\", nginx_refs: true }\n";
        CheckResult c = check(overSsh(shims, yaml).hosts().get(0), "cert");
        assertEquals(Status.ERROR, c.status(), c.verdict().reason());
        assertEquals("nginx: nginx not found", c.verdict().reason());
    }

    // The judgement alone, on the outputs a host could send: the two parts (the certificate with
    // its key, and nginx's references) stay judged apart and combined, whichever could not run.

    private static final String P = "/etc/ssl/site.pem";
    private static final String K = "/etc/ssl/site.key";
    private static final String DENIED = "permission denied, and sudo -n is not allowed";

    private static ProbeOutput out(int exit, String stdout, String stderr, boolean timedOut) {
        return new ProbeOutput(
                exit,
                stdout.getBytes(StandardCharsets.UTF_8),
                stderr.getBytes(StandardCharsets.UTF_8),
                timedOut);
    }

    private static ProbeOutput ok(String stdout) {
        return out(0, stdout, "", false);
    }

    private static Verdict judged(CertFileCheck spec, ProbeOutput... outputs) {
        return Observed.judge(spec, Observation.ofHost(outputs), Now.at(Instant.now()));
    }

    private static CertFileCheck spec(Optional<String> key, boolean nginx) {
        return new CertFileCheck(P, key, List.of(), 21, 7, nginx);
    }

    private static String site() {
        return TestCerts.leaf(ca, List.of("site.test"), 1, 60).chainPem();
    }

    private static final String NGINX_OK =
            "source\tnginx -T\nref\tok\tssl_certificate\t" + P + "\n";

    @Test
    void aCertificateThatCouldNotBeReadStillLetsTheNginxPartBeJudged() {
        Verdict timedOut = judged(spec(Optional.empty(), true), out(0, "", "", true), ok(NGINX_OK));
        assertEquals(Status.ERROR, timedOut.status());
        assertEquals("read " + P + ": probe timed out on the host", timedOut.reason());

        Verdict denied =
                judged(
                        spec(Optional.empty(), true),
                        out(4, "", DENIED, false),
                        ok(NGINX_OK + "ref\tmissing\tssl_certificate_key\t" + K + "\n"));
        assertEquals(Status.ERROR, denied.status());
        assertEquals(P + ": cannot read: " + DENIED, denied.reason());

        Verdict missing =
                judged(
                        spec(Optional.empty(), true),
                        out(3, "", "no such file", false),
                        ok(NGINX_OK + "ref\tmissing\tssl_certificate_key\t" + K + "\n"));
        assertEquals(Status.FAIL, missing.status());
        assertEquals(
                P
                        + ": does not exist; nginx references 1 missing file: "
                        + K
                        + " (nginx will not start)",
                missing.reason());
        assertEquals(
                List.of(
                        "configuration: nginx -T",
                        "ssl_certificate " + P + ": ok",
                        "ssl_certificate_key " + K + ": missing"),
                missing.details());
    }

    @Test
    void aKeyThatCouldNotBeReadIsAnErrorBesideWhatTheCertificateShows() {
        Verdict notFound =
                judged(spec(Optional.of(K), false), ok(site()), out(127, "", "no head\n", false));
        assertEquals(Status.ERROR, notFound.status());
        assertTrue(
                notFound.reason().startsWith(P + " (site.test): read " + K + ": no head; valid "),
                notFound.reason());

        Verdict denied = judged(spec(Optional.of(K), false), ok(site()), out(4, "", DENIED, false));
        assertEquals(Status.ERROR, denied.status());
        assertTrue(
                denied.reason()
                        .startsWith(P + " (site.test): cannot read key " + K + ": " + DENIED),
                denied.reason());

        Verdict garbage = judged(spec(Optional.of(K), false), ok(site()), ok("not a key\n"));
        assertEquals(Status.FAIL, garbage.status());
        assertTrue(
                garbage.reason().startsWith(P + " (site.test): key " + K + " unusable: "),
                garbage.reason());
    }

    @Test
    void nginxsPartSaysWhatItSawInTheOrderItWasPrinted() {
        Verdict failed =
                judged(spec(Optional.empty(), true), ok(site()), out(1, "", "boom\n", false));
        assertEquals(Status.ERROR, failed.status());
        assertEquals("nginx configuration: boom", failed.reason());

        Verdict hidden =
                judged(
                        spec(Optional.empty(), true),
                        ok(site()),
                        ok(
                                "failed\tnginx: [emerg] cannot load certificate \n"
                                        + "source\t/etc/nginx/nginx.conf and its includes (nginx -T"
                                        + " failed)\n"
                                        + "ref\tskip\tssl_certificate\t$ssl_server_name.pem\n"
                                        + "ref\tok\tssl_certificate\t"
                                        + P
                                        + "\n"
                                        + "ref\thidden\tssl_certificate_key\t"
                                        + K
                                        + "\n"
                                        + "ref\tmissing\n"
                                        + "noise\n"));
        assertEquals(Status.ERROR, hidden.status());
        assertEquals(
                "cannot tell whether nginx's files exist (permission denied, sudo -n not"
                        + " allowed): "
                        + K,
                hidden.reason());
        assertEquals(
                List.of(
                        "nginx -T: nginx: [emerg] cannot load certificate",
                        "configuration: /etc/nginx/nginx.conf and its includes (nginx -T failed)",
                        "ssl_certificate $ssl_server_name.pem: skip",
                        "ssl_certificate " + P + ": ok",
                        "ssl_certificate_key " + K + ": hidden"),
                hidden.details());

        Verdict none = judged(spec(Optional.empty(), true), ok(site()), ok("source\tnginx -T\n"));
        assertEquals(Status.WARN, none.status());
        assertEquals("nginx configuration names no ssl_certificate file", none.reason());
        assertEquals(
                List.of("configuration: nginx -T", "nginx does not reference " + P),
                none.details());

        Verdict unreadable =
                judged(
                        spec(Optional.empty(), true),
                        ok(site()),
                        ok(NGINX_OK + "ref\tunreadable\tssl_certificate_key\t" + K + "\n"));
        assertEquals(Status.FAIL, unreadable.status());
        assertEquals("nginx references 1 unreadable file: " + K, unreadable.reason());
    }

    @Test
    void certificateTextThatIsNoCertificateFailsSayingWhy() {
        Verdict v =
                judged(
                        spec(Optional.empty(), false),
                        ok(
                                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"));
        assertEquals(Status.FAIL, v.status());
        assertTrue(v.reason().startsWith(P + ": not a PEM certificate ("), v.reason());
    }

    /** A line the probe never prints (a hostile host's) is an error that names it, not a crash. */
    @Test
    void aMalformedNginxLineIsAnErrorNamingIt() {
        Verdict v = judged(spec(Optional.empty(), true), ok(site()), ok("source\n"));
        assertEquals(Status.ERROR, v.status());
        assertEquals("nginx: unreadable probe output: source", v.reason());
    }
}
