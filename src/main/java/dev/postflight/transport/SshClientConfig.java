package dev.postflight.transport;

import com.jcraft.jsch.ConfigRepository;
import com.jcraft.jsch.OpenSSHConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The user's OpenSSH client config ({@code ~/.ssh/config}) as far as postflight honours it:
 * HostName, User, Port, IdentityFile and ProxyJump. Admins already describe their fleet there;
 * making them repeat it in an inventory would let the two drift apart.
 */
final class SshClientConfig {

    static final List<String> DEFAULT_IDENTITIES = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    private final Optional<OpenSSHConfig> parsed;
    private final Path home;
    private final String localUser;

    private SshClientConfig(Optional<OpenSSHConfig> parsed, Path home, String localUser) {
        this.parsed = parsed;
        this.home = home;
        this.localUser = localUser;
    }

    /** Reads {@code file}; a file that does not exist is an empty config, as for OpenSSH. */
    static SshClientConfig load(Path file) throws IOException {
        Optional<OpenSSHConfig> parsed =
                Files.exists(file)
                        ? Optional.of(OpenSSHConfig.parseFile(file.toString()))
                        : Optional.empty();
        return new SshClientConfig(
                parsed, dev.postflight.files.UserHome.dir(), System.getProperty("user.name"));
    }

    /** Inventory values win, then the config for the alias, then OpenSSH's defaults. */
    ResolvedTarget resolve(SshTarget target) {
        return resolve(target, 0);
    }

    private ResolvedTarget resolve(SshTarget target, int depth) {
        if (depth > 8) {
            throw new IllegalArgumentException(
                    "jump hosts of " + target.alias() + " nest deeper than 8 (a ProxyJump loop?)");
        }
        Optional<ConfigRepository.Config> config = parsed.map(c -> c.getConfig(target.alias()));
        String address =
                target.address()
                        .or(() -> config.map(ConfigRepository.Config::getHostname))
                        .orElse(target.alias());
        String user =
                target.user()
                        .or(() -> config.map(ConfigRepository.Config::getUser))
                        .orElse(localUser);
        int port =
                target.port().isPresent()
                        ? target.port().getAsInt()
                        : config.map(ConfigRepository.Config::getPort)
                                .filter(p -> p > 0)
                                .orElse(22);
        List<Path> identities = identities(target, config);
        Optional<ResolvedTarget> jump =
                target.jump().isPresent()
                        ? Optional.of(resolve(target.jump().get(), depth + 1))
                        : config.map(c -> c.getValue("ProxyJump"))
                                .filter(v -> !v.isBlank() && !v.equalsIgnoreCase("none"))
                                .map(v -> resolveJumpChain(v, depth));
        return new ResolvedTarget(target.alias(), address, user, port, identities, jump);
    }

    private List<Path> identities(SshTarget target, Optional<ConfigRepository.Config> config) {
        if (target.identity().isPresent()) {
            return List.of(expandTilde(target.identity().get().toString()));
        }
        List<Path> fromConfig = new ArrayList<>();
        config.map(c -> c.getValues("IdentityFile"))
                .ifPresent(values -> {
                    for (String value : values) {
                        fromConfig.add(expandTilde(value));
                    }
                });
        if (!fromConfig.isEmpty()) {
            return fromConfig;
        }
        return DEFAULT_IDENTITIES.stream()
                .map(name -> home.resolve(".ssh").resolve(name))
                .filter(Files::isReadable)
                .toList();
    }

    /**
     * ProxyJump {@code a,b} means: reach {@code a}, from it reach {@code b}, from {@code b} the
     * target. Each hop is {@code [user@]host[:port]} and is itself looked up in the config; as with
     * OpenSSH, the chain decides how {@code b} is reached, never {@code b}'s own ProxyJump (which
     * would skip {@code a}).
     */
    private ResolvedTarget resolveJumpChain(String value, int depth) {
        ResolvedTarget previous = null;
        for (String hop : value.split(",")) {
            SshTarget spec = parseHop(hop.trim());
            ResolvedTarget resolved = resolve(spec, depth + 1);
            if (previous != null) {
                resolved =
                        new ResolvedTarget(
                                resolved.alias(),
                                resolved.address(),
                                resolved.user(),
                                resolved.port(),
                                resolved.identities(),
                                Optional.of(previous));
            }
            previous = resolved;
        }
        return previous;
    }

    private static SshTarget parseHop(String hop) {
        String rest = hop.toLowerCase(Locale.ROOT).startsWith("ssh://") ? hop.substring(6) : hop;
        String user = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            rest = rest.substring(at + 1);
        }
        Integer port = null;
        int colon = rest.lastIndexOf(':');
        if (colon > 0 && rest.indexOf(':') == colon) {
            port = Integer.parseInt(rest.substring(colon + 1));
            rest = rest.substring(0, colon);
        } else if (rest.startsWith("[") && rest.contains("]:")) {
            port = Integer.parseInt(rest.substring(rest.indexOf("]:") + 2));
            rest = rest.substring(1, rest.indexOf("]:"));
        }
        SshTarget spec = SshTarget.named(rest);
        if (user != null) {
            spec = spec.withUser(user);
        }
        if (port != null) {
            spec = spec.withPort(port);
        }
        return spec;
    }

    /**
     * The {@code CertificateFile}s the config gives {@code alias} (user certificates, issue 17).
     */
    List<Path> certificateFiles(String alias) {
        return parsed.map(c -> c.getConfig(alias).getValues("CertificateFile"))
                .map(values -> java.util.Arrays.stream(values).map(this::expandTilde).toList())
                .orElse(List.of());
    }

    private Path expandTilde(String value) {
        if (value.equals("~")) {
            return home;
        }
        if (value.startsWith("~/")) {
            return home.resolve(value.substring(2));
        }
        return Path.of(value);
    }
}
