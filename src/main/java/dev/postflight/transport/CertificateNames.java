package dev.postflight.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The names a certificate is valid for and whether it covers a given name, by the rules browsers
 * use (RFC 6125): subjectAltName dNSName entries with at most one wildcard, as the whole leftmost
 * label ({@code *.example.org} covers {@code git.example.org}, not {@code a.b.example.org} nor
 * {@code example.org}); iPAddress entries for an IP literal; the subject CN is not consulted. The
 * JDK's own checker ({@code sun.security.util.HostnameChecker}) is not exported, so this is ours.
 */
public final class CertificateNames {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private CertificateNames() {}

    /** The dNSName entries of the subjectAltName extension, in certificate order. */
    public static List<String> dnsNames(X509Certificate cert) {
        return sans(cert, SAN_DNS);
    }

    /** The iPAddress entries of the subjectAltName extension. */
    public static List<String> ipAddresses(X509Certificate cert) {
        return sans(cert, SAN_IP);
    }

    /** Every subjectAltName a user would recognise: DNS names, then IP addresses. */
    public static List<String> all(X509Certificate cert) {
        List<String> out = new ArrayList<>(dnsNames(cert));
        out.addAll(ipAddresses(cert));
        return List.copyOf(out);
    }

    /** Whether the certificate is valid for {@code name} (a DNS name or an IP literal). */
    public static boolean covers(X509Certificate cert, String name) {
        String n = normalize(name);
        Optional<InetAddress> ip = ipLiteral(n);
        if (ip.isPresent()) {
            return ipAddresses(cert).stream()
                    .map(CertificateNames::ipLiteral)
                    .anyMatch(a -> a.equals(ip));
        }
        return dnsNames(cert).stream().anyMatch(p -> matches(p, n));
    }

    /** Whether one dNSName pattern covers {@code name}; see the class comment for the rules. */
    public static boolean matches(String pattern, String name) {
        String p = normalize(pattern);
        String n = normalize(name);
        if (p.isEmpty() || n.isEmpty()) return false;
        if (!p.startsWith("*.")) return !p.contains("*") && p.equals(n);
        String suffix = p.substring(1);
        if (suffix.contains("*") || suffix.chars().filter(c -> c == '.').count() < 2) return false;
        if (!n.endsWith(suffix)) return false;
        String label = n.substring(0, n.length() - suffix.length());
        return !label.isEmpty() && !label.contains(".");
    }

    /** The subject's common name, or empty when it has none. */
    public static Optional<String> commonName(X500Principal principal) {
        return attribute(principal, "CN");
    }

    /** The CN of a principal, else its O, else the whole distinguished name. */
    public static String shortName(X500Principal principal) {
        return commonName(principal)
                .or(() -> attribute(principal, "O"))
                .orElse(principal.getName(X500Principal.RFC2253));
    }

    private static Optional<String> attribute(X500Principal principal, String type) {
        try {
            LdapName dn = new LdapName(principal.getName(X500Principal.RFC2253));
            List<Rdn> rdns = new ArrayList<>(dn.getRdns());
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase(type)) {
                    return Optional.of(String.valueOf(rdns.get(i).getValue()));
                }
            }
            return Optional.empty();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }

    private static List<String> sans(X509Certificate cert, int type) {
        Collection<List<?>> all;
        try {
            all = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (all == null) return List.of();
        List<String> out = new ArrayList<>();
        for (List<?> entry : all) {
            if (entry.size() >= 2
                    && entry.get(0) instanceof Integer t
                    && t == type
                    && entry.get(1) instanceof String s) {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }

    private static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private static Optional<InetAddress> ipLiteral(String s) {
        boolean v4 = s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = s.contains(":") && s.matches("[0-9a-fA-F:.\\[\\]%]+");
        if (!v4 && !v6) return Optional.empty();
        try {
            return Optional.of(InetAddress.getByName(s));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code name} is an IP literal rather than a DNS name (no SNI is sent for those). */
    public static boolean isIpLiteral(String name) {
        return ipLiteral(normalize(name)).isPresent();
    }
}
