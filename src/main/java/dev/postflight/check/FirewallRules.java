package dev.postflight.check;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the firewall interpreters share: the connection they judge (a NEW TCP connection to a port,
 * from anywhere or from a network), the answer of a chain walk, and address prefixes.
 */
final class FirewallRules {
    private FirewallRules() {}

    /**
     * A NEW TCP connection to {@code port} on one of the host's own (non-loopback) addresses.
     * Without {@code from} it comes from anywhere: an address no rule names (a rule that matches
     * only some sources does not match it).
     */
    record Connection(int port, Optional<Cidr> from, Optional<String> iface) {
        Connection(int port, Optional<Cidr> from) {
            this(port, from, Optional.empty());
        }

        boolean ipv6() {
            return from.map(Cidr::ipv6).orElse(false);
        }

        String describe() {
            return "tcp/"
                    + port
                    + " from "
                    + from.map(Cidr::toString).orElse("anywhere")
                    + iface.map(i -> " on " + i).orElse("");
        }

        /**
         * Does the connection arrive on one of {@code names} ({@code wildcard} at the end of a name
         * matches any rest: iptables' {@code eth+}, nft's {@code eth*})? Without an {@code
         * interface} only the loopback ("lo", BSD's "lo0") is known not to match; {@code rule} says
         * what the rule wrote.
         */
        Match arrivesOn(List<String> names, char wildcard, String rule) {
            if (iface.isEmpty()) {
                if (names.stream().allMatch(n -> n.equals("lo") || n.equals("lo0"))) {
                    return Match.NO;
                }
                return Match.unknown(
                        rule
                                + " (the interface the connection arrives on is unknown: set"
                                + " interface)");
            }
            String on = iface.get();
            return Match.of(
                    names.stream()
                            .anyMatch(n ->
                                    n.equals(on)
                                            || (!n.isEmpty()
                                                    && n.charAt(n.length() - 1) == wildcard
                                                    && on.startsWith(
                                                            n.substring(0, n.length() - 1)))));
        }

        /** Does a source match on {@code prefixes} hold: yes, no, or empty when only partly. */
        Optional<Boolean> sourceIn(List<Cidr> prefixes) {
            if (from.isEmpty()) {
                return Optional.of(prefixes.stream().anyMatch(p -> p.length() == 0));
            }
            Cidr s = from.get();
            boolean partly = false;
            for (Cidr p : prefixes) {
                if (p.ipv6() != s.ipv6()) continue;
                if (p.contains(s)) return Optional.of(true);
                if (s.contains(p)) partly = true;
            }
            return partly ? Optional.empty() : Optional.of(false);
        }
    }

    /**
     * Does a destination match hold: the connection goes to one of the host's own non-loopback
     * addresses, so "any" and the host itself ({@code self}, {@code me}) match, loopback prefixes
     * do not, and other addresses are unknown (which of its addresses the host is reached on).
     */
    static Match destination(String address, List<String> self) {
        if (address.equals("any") || self.contains(address)) return Match.YES;
        Cidr d;
        try {
            d = Cidr.parse(address);
        } catch (IllegalArgumentException e) {
            return Match.unknown("to " + address);
        }
        boolean loopback =
                Cidr.parse("127.0.0.0/8").contains(d) || Cidr.parse("::1/128").contains(d);
        return loopback ? Match.NO : Match.unknown("to " + address);
    }

    /** How a walk through rules ended. */
    sealed interface Outcome {}

    /** Accepted (by a rule or a policy; {@code by} says which). */
    record Accepted(String by) implements Outcome {}

    /** Dropped or rejected ({@code how} is "dropped" or "rejected"). */
    record Dropped(String how, String by) implements Outcome {}

    /** A rule that may match uses something the interpreter cannot judge. */
    record Undecidable(String why) implements Outcome {}

    /** The end of a chain (or a return) without a verdict: the caller goes on. */
    record Continue() implements Outcome {}

    /** Three-valued match: true, false, or unknown (with why). */
    record Match(Optional<Boolean> value, String why) {
        static final Match YES = new Match(Optional.of(true), "");
        static final Match NO = new Match(Optional.of(false), "");

        static Match of(boolean b) {
            return b ? YES : NO;
        }

        static Match unknown(String why) {
            return new Match(Optional.empty(), why);
        }

        Match not() {
            return value.map(b -> of(!b)).orElse(this);
        }

        boolean isNo() {
            return value.isPresent() && !value.get();
        }

        boolean isUnknown() {
            return value.isEmpty();
        }
    }

    /**
     * Whether the connection comes from one of {@code prefixes} (a rule's source written as {@code
     * written}); a prefix this cannot read, or a source only partly inside, is unknown.
     */
    static Match sourceAmong(List<String> prefixes, String written, Connection c) {
        List<Cidr> cidrs = new ArrayList<>();
        for (String x : prefixes) {
            try {
                cidrs.add(Cidr.parse(x));
            } catch (IllegalArgumentException e) {
                return Match.unknown("from " + written);
            }
        }
        return c.sourceIn(cidrs)
                .map(Match::of)
                .orElse(Match.unknown("from " + written + " (the source is only partly in it)"));
    }

    /**
     * Several hooks in order (nft base chains, iptables' INPUT): a drop anywhere is final, an
     * accept only ends its own chain.
     */
    static Outcome combine(List<Outcome> hooks) {
        Optional<Outcome> dropped = hooks.stream().filter(o -> o instanceof Dropped).findFirst();
        if (dropped.isPresent()) return dropped.get();
        Optional<Outcome> unknown =
                hooks.stream().filter(o -> o instanceof Undecidable).findFirst();
        if (unknown.isPresent()) return unknown.get();
        // Every hook accepts: name a rule that does rather than a chain's policy.
        return hooks.stream()
                .filter(o -> o instanceof Accepted a && !a.by().startsWith("the policy"))
                .findFirst()
                .or(() -> hooks.stream().findFirst())
                .orElse(new Accepted("no firewall rules"));
    }

    /** An IPv4 or IPv6 prefix. */
    record Cidr(byte[] address, int length, String text) {
        Cidr {
            if (length < 0 || length > address.length * 8) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
        }

        /** Parses {@code 10.0.0.0/8}, {@code 2001:db8::/32} or a single address. */
        static Cidr parse(String text) {
            String s = text.strip();
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            if (!addr.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                throw new IllegalArgumentException("not an IP address or CIDR: " + text);
            }
            byte[] bytes;
            try {
                bytes = InetAddress.getByName(addr).getAddress(); // a literal: no name lookup
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address or CIDR: " + text);
            }
            int length;
            try {
                length = slash < 0 ? bytes.length * 8 : Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IP address or CIDR: " + text);
            }
            return new Cidr(bytes, length, s);
        }

        boolean ipv6() {
            return address.length == 16;
        }

        private BigInteger network(int len) {
            BigInteger a = new BigInteger(1, address);
            int bits = address.length * 8;
            return a.shiftRight(bits - len);
        }

        /** Every address of {@code other} is in this prefix. */
        boolean contains(Cidr other) {
            if (other.ipv6() != ipv6() || other.length < length) return false;
            return network(length).equals(other.network(length));
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
