package dev.postflight.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A private certificate authority for HTTPS tests, made with the JDK's own {@code keytool}: a CA
 * certificate ({@link #caPem()}) and a server keystore ({@link #serverKeystore()}) whose
 * certificate it signed for the given names. Nothing is mocked: clients verify a real chain.
 */
public final class TestCa {
    public static final String PASSWORD = "changeit";
    private final Path dir;

    private TestCa(Path dir) {
        this.dir = dir;
    }

    /** Creates the CA and a server certificate for {@code names} (DNS names or IPs). */
    public static TestCa create(Path dir, String commonName, List<String> names)
            throws IOException, InterruptedException {
        TestCa ca = new TestCa(dir);
        ca.keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-dname",
                "CN=postflight test CA",
                "-ext",
                "bc:c",
                "-keyalg",
                "EC",
                "-validity",
                "30",
                "-keystore",
                "ca.p12");
        ca.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
        ca.keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-dname",
                "CN=" + commonName,
                "-keyalg",
                "EC",
                "-validity",
                "30",
                "-keystore",
                "server.p12");
        ca.keytool(
                "-certreq", "-alias", "server", "-keystore", "server.p12", "-file", "server.csr");
        List<String> san = new ArrayList<>();
        for (String n : names) san.add((n.matches("[0-9.]+") ? "ip:" : "dns:") + n);
        ca.keytool(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                "ca.p12",
                "-infile",
                "server.csr",
                "-outfile",
                "server.pem",
                "-rfc",
                "-validity",
                "30",
                "-ext",
                "san=" + String.join(",", san));
        ca.keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                "ca.pem",
                "-keystore",
                "server.p12");
        ca.keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "server",
                "-file",
                "server.pem",
                "-keystore",
                "server.p12");
        return ca;
    }

    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    public Path serverKeystore() {
        return dir.resolve("server.p12");
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass", PASSWORD, "-storetype", "PKCS12"));
        if (List.of(args).contains("-genkeypair")) cmd.addAll(List.of("-keypass", PASSWORD));
        Process p =
                new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0)
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        if (!Files.exists(dir)) throw new IOException("no " + dir);
    }
}
