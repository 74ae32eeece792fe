package dev.postflight.check;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a host looked like at one moment, for "what changed since before the maintenance": seed
 * 002's host came back from a redeploy with a new SSH host key and a newer OS, and nobody noticed.
 * Ports are {@code proto/port}, sorted by number, without the kernel's ephemeral range (a port-0
 * listener gets a new number on every start, so it would always look changed); the package list is
 * kept as its count and the SHA-256 of its sorted lines; certificates as the SHA-256 of the file.
 */
public record HostFacts(
        Optional<String> hostKey,
        String os,
        String kernel,
        String bootId,
        List<String> ports,
        List<String> services,
        Optional<Packages> packages,
        Map<String, String> certs) {

    /** The installed packages as one package manager lists them. */
    public record Packages(String manager, int count, String sha256) {}

    /** The line after which the probe prints the listening sockets, as {@link PortCheck} does. */
    static final String PORTS_MARKER = "@ports";

    private static final Comparator<String> BY_PORT =
            Comparator.comparing((String p) -> p.substring(0, p.indexOf('/')))
                    .thenComparingInt(p -> Integer.parseInt(p.substring(p.indexOf('/') + 1)));

    public HostFacts {
        for (String port : ports) {
            if (!port.matches("(tcp|udp)/[0-9]{1,5}")) {
                throw new IllegalArgumentException(
                        "ports: '" + port + "' is not proto/port (e.g. tcp/22, udp/123)");
            }
        }
        TreeSet<String> p = new TreeSet<>(BY_PORT);
        p.addAll(ports);
        ports = List.copyOf(p);
        services = List.copyOf(new TreeSet<>(services));
        certs = java.util.Collections.unmodifiableMap(new TreeMap<>(certs));
    }

    public HostFacts withHostKey(Optional<String> key) {
        return new HostFacts(key, os, kernel, bootId, ports, services, packages, certs);
    }

    /**
     * Parses the facts probe's output, or the {@link #lines()} of recorded facts: {@code key=value}
     * lines ({@code service=}, {@code port=}, {@code cert=PATH SHA256} and {@code pkg=} repeat),
     * then, after {@value #PORTS_MARKER}, a socket listing in any format {@link PortCheck} reads.
     */
    static HostFacts parse(String out) {
        Map<String, String> one = new HashMap<>();
        List<String> ports = new ArrayList<>();
        List<String> services = new ArrayList<>();
        List<String> pkgs = new ArrayList<>();
        Map<String, String> certs = new TreeMap<>();
        StringBuilder listing = new StringBuilder();
        boolean inPorts = false;
        for (String line : out.split("\n")) {
            if (inPorts) {
                listing.append(line).append('\n');
                continue;
            }
            if (line.strip().equals(PORTS_MARKER)) {
                inPorts = true;
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) continue;
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1);
            switch (key) {
                case "port" -> {
                    if (value.strip().matches("(tcp|udp)/[0-9]{1,5}")) ports.add(value.strip());
                }
                case "service" -> {
                    if (!value.isBlank()) services.add(value.strip());
                }
                case "pkg" -> pkgs.add(value);
                case "cert" -> {
                    String v = value.strip();
                    int sp = v.lastIndexOf(' ');
                    if (sp > 0) certs.putIfAbsent(v.substring(0, sp), v.substring(sp + 1));
                }
                default -> one.putIfAbsent(key, value.strip());
            }
        }
        if (inPorts) ports.addAll(listeningPorts(listing.toString(), one.get("ephemeral")));
        Optional<Packages> packages = Optional.empty();
        String manager = one.getOrDefault("pkg_manager", "");
        if (!manager.isEmpty()) {
            int count = parseInt(one.get("pkg_count")).orElse(pkgs.size());
            String sha = one.getOrDefault("pkg_sha256", "");
            if (sha.isEmpty()) sha = sha256(pkgs);
            packages = Optional.of(new Packages(manager, count, sha));
        }
        String key = one.getOrDefault("host_key", "");
        return new HostFacts(
                key.isEmpty() ? Optional.empty() : Optional.of(key),
                one.getOrDefault("os", ""),
                one.getOrDefault("kernel", ""),
                one.getOrDefault("boot_id", ""),
                ports,
                services,
                packages,
                certs);
    }

    /** The facts as {@code key=value} lines that {@link #parse} reads back. */
    public List<String> lines() {
        List<String> l = new ArrayList<>();
        hostKey.ifPresent(k -> l.add("host_key=" + k));
        l.add("os=" + os);
        l.add("kernel=" + kernel);
        l.add("boot_id=" + bootId);
        ports.forEach(p -> l.add("port=" + p));
        services.forEach(s -> l.add("service=" + s));
        packages.ifPresent(p -> {
            l.add("pkg_manager=" + p.manager());
            l.add("pkg_count=" + p.count());
            l.add("pkg_sha256=" + p.sha256());
        });
        certs.forEach((path, sha) -> l.add("cert=" + path + " " + sha));
        return l;
    }

    /** One line for a person: what was recorded. */
    public String summary() {
        return (os.isEmpty() ? "OS unknown" : os)
                + ", "
                + kernel
                + ", "
                + count(ports.size(), "port")
                + ", "
                + count(services.size(), "service")
                + ", "
                + packages.map(p -> count(p.count(), "package") + " (" + p.manager() + ")")
                        .orElse("packages unknown")
                + ", "
                + count(certs.size(), "certificate");
    }

    static String count(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    private static List<String> listeningPorts(String listing, String ephemeral) {
        int low = Integer.MAX_VALUE;
        int high = -1;
        if (ephemeral != null) {
            String[] r = ephemeral.strip().split("[-\\s]+");
            if (r.length == 2) {
                low = parseInt(r[0]).orElse(low);
                high = parseInt(r[1]).orElse(high);
            }
        }
        List<String> ports = new ArrayList<>();
        for (PortCheck.Socket s : PortCheck.parseListing(listing).sockets()) {
            if (s.port() >= low && s.port() <= high) continue;
            ports.add(s.proto() + "/" + s.port());
        }
        return ports;
    }

    private static Optional<Integer> parseInt(String s) {
        if (s == null) return Optional.empty();
        try {
            return Optional.of(Integer.parseInt(s.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The SHA-256 of the lines as the host's sha256sum would hash them, each ending in \n. */
    static String sha256(List<String> lines) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String l : lines) d.update((l + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
