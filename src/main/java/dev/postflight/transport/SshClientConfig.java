package dev.postflight.transport;

import dev.postflight.files.UserHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The user's OpenSSH client config ({@code ~/.ssh/config}) applied to inventory hosts: what the
 * inventory leaves unset comes from the config as {@code ssh -G} resolves it ({@link
 * OpenSshConfig}), then from OpenSSH's defaults. Admins already describe their fleet there; making
 * them repeat it in an inventory would let the two drift apart.
 */
final class SshClientConfig {

    static final List<String> DEFAULT_IDENTITIES = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    private final OpenSshConfig config;
    private final Path home;

    SshClientConfig(OpenSshConfig config, Path home) {
        this.config = config;
        this.home = home;
    }

    /** Reads {@code file}; a file that does not exist is an empty config, as for OpenSSH. */
    static SshClientConfig load(Path file) {
        return new SshClientConfig(OpenSshConfig.of(file), UserHome.dir());
    }

    /**
     * {@code FILE:LINE: KEYWORD is not supported…} for each keyword postflight ignores; reading the
     * config and what it includes, which fails here rather than mid-run.
     *
     * @throws IOException when a file cannot be read or has unbalanced quotes
     */
    List<String> unsupported() throws IOException {
        try {
            return config.unsupported();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
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
        SshHostSettings s =
                config.settings(
                        target.alias(),
                        new OpenSshConfig.Seed(target.address(), target.user(), target.port()));
        List<Path> identities = identities(target, s);
        Optional<ResolvedTarget> jump =
                target.jump().isPresent()
                        ? Optional.of(resolve(target.jump().get(), depth + 1))
                        : s.proxyJump().map(v -> resolveJumpChain(v, depth));
        Optional<String> proxyCommand =
                target.jump().isPresent()
                        ? Optional.empty()
                        : s.proxyCommand()
                                .map(c -> OpenSshConfig.proxyCommand(c, s, target.alias()));
        SshHostOptions options =
                new SshHostOptions(
                        proxyCommand,
                        s.userKnownHostsFilesSet()
                                ? s.userKnownHostsFiles().stream()
                                        .filter(f -> !f.equals("none"))
                                        .findFirst()
                                        .map(Path::of)
                                : Optional.empty(),
                        s.strictHostKeyChecking(),
                        s.hostKeyAlias(),
                        s.connectTimeout(),
                        s.serverAliveInterval(),
                        s.identitiesOnly(),
                        s.identityAgent(),
                        s.certificateFiles().stream()
                                .map(c -> Path.of(config.expandPath(c, s, target.alias())))
                                .toList());
        return new ResolvedTarget(
                target.alias(), s.hostname(), s.user(), s.port(), identities, jump, options);
    }

    private List<Path> identities(SshTarget target, SshHostSettings s) {
        if (target.identity().isPresent()) {
            return List.of(expandTilde(target.identity().get().toString()));
        }
        List<Path> fromConfig = new ArrayList<>();
        for (String value : s.identityFiles()) {
            fromConfig.add(Path.of(config.expandPath(value, s, target.alias())));
        }
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
                                Optional.of(previous),
                                resolved.options().withoutProxyCommand());
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
