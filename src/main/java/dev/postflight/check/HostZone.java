package dev.postflight.check;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The host's time zone as the host names it: its {@code date +%z} offset and the zone names it
 * gives (/etc/localtime's link, /etc/timezone, FreeBSD's /var/db/zoneinfo, TZ), in that order. A
 * check that computes the host's local times (cron slots, syslog lines) observes it with {@link
 * #PROBE} and resolves it at the host's now with {@link #at}.
 */
record HostZone(String offset, List<String> names) {
    HostZone {
        names = List.copyOf(names);
    }

    static final String SCRIPT =
            """
            echo "offset=$(date +%z)"
            if [ -L /etc/localtime ]; then echo "zone_localtime=$(readlink /etc/localtime)"; fi
            if [ -r /etc/timezone ]; then echo "zone_timezone=$(head -n 1 /etc/timezone)"; fi
            if [ -r /var/db/zoneinfo ]; then echo "zone_zoneinfo=$(head -n 1 /var/db/zoneinfo)"; fi
            if [ -n "${TZ:-}" ]; then echo "zone_tz=$TZ"; fi
            """;

    static final Probe<HostZone> PROBE = Probe.host("host time zone", SCRIPT, o -> parse(o.out()));

    static HostZone parse(String out) {
        KeyValues kv = KeyValues.parse(out);
        List<String> names = new ArrayList<>();
        String link = value(kv, "zone_localtime");
        int at = link.indexOf("zoneinfo/");
        if (at >= 0) names.add(link.substring(at + "zoneinfo/".length()));
        names.add(value(kv, "zone_timezone"));
        names.add(value(kv, "zone_zoneinfo"));
        names.add(value(kv, "zone_tz").replaceFirst("^:", ""));
        return new HostZone(value(kv, "offset"), names);
    }

    private static String value(KeyValues kv, String key) {
        return kv.text(key).orElse("");
    }

    /**
     * The host's zone at {@code now}: the first name that agrees with its offset; otherwise that
     * fixed offset (noted, since a DST change is then not followed); empty when neither is known.
     */
    Optional<ZoneId> at(Instant now, List<String> notes) {
        Optional<ZoneOffset> fixed = Optional.empty();
        try {
            if (!offset.isEmpty()) fixed = Optional.of(ZoneOffset.of(offset));
        } catch (DateTimeException e) {
            fixed = Optional.empty();
        }
        for (String name : names) {
            String n = name.trim().replaceFirst("^posix/", "").replaceFirst("^right/", "");
            if (n.isEmpty()) continue;
            try {
                ZoneId z = ZoneId.of(n);
                if (fixed.isEmpty() || z.getRules().getOffset(now).equals(fixed.get())) {
                    return Optional.of(z);
                }
            } catch (DateTimeException e) {
                // Not a region name (e.g. TZ=JST-9): try the next source.
            }
        }
        if (fixed.isPresent()) {
            notes.add(
                    "the host's zone name is unknown; its current offset "
                            + fixed.get()
                            + " is used, so a DST change is not followed");
        }
        return fixed.map(ZoneId.class::cast);
    }
}
