package dev.postflight.transport;

import com.jcraft.jsch.Identity;
import com.jcraft.jsch.IdentityRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys a run offers its hosts, in OpenSSH's order: the ssh-agent's keys first, then the key
 * files, each file's certificates ({@code KEY-cert.pub}, or a {@code CertificateFile} of the host
 * that certifies that key) before the plain key. A key file locked by a passphrase is used through
 * the agent when the agent holds the same key; otherwise its passphrase is asked once per run at
 * the terminal, before any host is contacted ({@link #unlock}); with nobody to ask, a key named for
 * a host (inventory {@code identity}, {@code IdentityFile}) stops the run, and one of OpenSSH's
 * default key files is left out, as {@code ssh -o BatchMode=yes} does. Before, JSch was handed the
 * locked file and authentication failed without a word about the passphrase (issue 17).
 */
final class Identities {
    private final boolean useAgent;
    private final Map<String, String> env;
    private final Set<Path> defaults;
    private final Map<Path, byte[]> passphrases = new ConcurrentHashMap<>();
    private final Set<String> settled = ConcurrentHashMap.newKeySet();

    /**
     * @param useAgent whether to ask ssh-agent at all
     * @param env the environment {@code SSH_AUTH_SOCK} is read from
     * @param defaults OpenSSH's default key files, offered when present but never required
     */
    Identities(boolean useAgent, Map<String, String> env, Set<Path> defaults) {
        this.useAgent = useAgent;
        this.env = Map.copyOf(env);
        this.defaults = Set.copyOf(defaults);
    }

    /**
     * Makes every locked key file of {@code target} (not of its jump hosts: the caller asks for
     * each hop with its own agent) usable: held by the agent, or unlocked with a passphrase from
     * {@code prompt}, asked at most once per file. A file already settled with the same agent is
     * not read again, so a fleet of hosts sharing one key costs one look.
     *
     * @throws LockedKey for a key named for the host that stays locked, or a wrong passphrase
     */
    void unlock(ResolvedTarget target, Optional<String> identityAgent, PassphrasePrompt prompt)
            throws LockedKey {
        Optional<Path> socket = agentSocket(identityAgent);
        Optional<List<Identity>> agentKeys = Optional.empty();
        for (Path file : target.identities()) {
            if (passphrases.containsKey(file) || !Files.isReadable(file)) continue;
            if (!settled.add(file + "\0" + socket.map(Path::toString).orElse(""))) continue;
            KeyFile key;
            try {
                key = KeyFile.read(file);
            } catch (JSchException e) {
                continue;
            }
            if (!key.encrypted()) continue;
            if (agentKeys.isEmpty()) {
                agentKeys =
                        Optional.of(
                                socket.flatMap(SshAgent::open)
                                        .map(SshAgent::keys)
                                        .orElse(List.of()));
            }
            if (inAgent(key, agentKeys.get())) continue;
            // A locked key without its public half may well be in the agent: offer the agent's
            // keys and let the server decide rather than ask for a passphrase that is not needed.
            if (socket.flatMap(SshAgent::open).isPresent() && key.publicBlob().isEmpty()) continue;
            Optional<char[]> typed = prompt.ask(file);
            if (typed.isPresent()) {
                byte[] passphrase = utf8(typed.get());
                boolean right;
                try {
                    right = key.unlocks(passphrase);
                } catch (JSchException e) {
                    right = false;
                }
                if (!right) {
                    Arrays.fill(passphrase, (byte) 0);
                    throw new LockedKey(
                            file,
                            "wrong passphrase for identity file "
                                    + file
                                    + " of host "
                                    + target.alias()
                                    + "; or load it into ssh-agent with: ssh-add "
                                    + file);
                }
                passphrases.put(file, passphrase);
                continue;
            }
            if (defaults.contains(file)) continue;
            throw new LockedKey(
                    file,
                    "identity file of host "
                            + target.alias()
                            + " is protected by a passphrase, and neither does ssh-agent"
                            + " hold it nor is there a terminal to ask for it: load it into"
                            + " ssh-agent with: ssh-add "
                            + file);
        }
    }

    /**
     * The identities of one session with {@code target}: the agent's keys (those of the host's key
     * files first, so that a full agent does not use up the server's MaxAuthTries before them),
     * then the files the agent does not hold. What was offered (or left out, and why) goes to
     * {@code offered}, for the authentication-failed message.
     */
    IdentityRepository forSession(
            JSch jsch,
            ResolvedTarget target,
            Optional<String> identityAgent,
            List<Path> certificateFiles,
            List<String> offered) {
        List<KeyFile> keys = new ArrayList<>();
        for (Path file : target.identities()) {
            if (!Files.isReadable(file)) continue;
            try {
                keys.add(KeyFile.read(file));
            } catch (JSchException e) {
                offered.add(file + " (unreadable: " + e.getMessage() + ")");
            }
        }
        Optional<IdentityRepository> agent = agentSocket(identityAgent).flatMap(SshAgent::open);
        List<Identity> agentKeys = new ArrayList<>(agent.map(SshAgent::keys).orElse(List.of()));
        agentKeys.sort(
                Comparator.comparingInt(a -> {
                    for (int i = 0; i < keys.size(); i++) {
                        if (keys.get(i).hasPublicKey(a.getPublicKeyBlob())) return i;
                    }
                    return keys.size();
                }));
        if (target.options().identitiesOnly()) {
            // IdentitiesOnly: the agent signs for the key files only, never offers its others.
            agentKeys.removeIf(
                    a -> keys.stream().noneMatch(k -> k.hasPublicKey(a.getPublicKeyBlob())));
        }
        if (agent.isPresent()) {
            offered.add(
                    "ssh-agent ("
                            + agentKeys.size()
                            + (agentKeys.size() == 1 ? " key)" : " keys)"));
        }
        for (KeyFile key : keys) {
            Path file = key.path();
            byte[] passphrase = passphrases.get(file);
            boolean locked = key.encrypted() && passphrase == null;
            if (!locked) {
                for (Path cert : certificates(key, certificateFiles)) {
                    try {
                        jsch.addIdentity(file.toString(), cert.toString(), passphrase);
                        offered.add(cert.toString());
                    } catch (JSchException e) {
                        offered.add(cert + " (unusable certificate: " + e.getMessage() + ")");
                    }
                }
            }
            if (inAgent(key, agentKeys)) {
                offered.add(file + " (through ssh-agent)");
            } else if (locked) {
                offered.add(
                        file
                                + " (protected by a passphrase and not in ssh-agent: ssh-add "
                                + file
                                + ")");
            } else {
                try {
                    jsch.addIdentity(file.toString(), passphrase);
                    offered.add(file.toString());
                } catch (JSchException e) {
                    offered.add(file + " (unreadable: " + e.getMessage() + ")");
                }
            }
        }
        Vector<Identity> all = new Vector<>(agentKeys);
        all.addAll(jsch.getIdentityRepository().getIdentities());
        return new Offered(all);
    }

    /** The certificate beside the key, then the host's {@code CertificateFile}s that certify it. */
    private static List<Path> certificates(KeyFile key, List<Path> certificateFiles) {
        List<Path> certs = new ArrayList<>(key.certificate().stream().toList());
        for (Path file : certificateFiles) {
            if (certs.contains(file) || !Files.isReadable(file)) continue;
            Optional<byte[]> certified = UserCertificate.certifiedKey(file);
            if (certified.isPresent() && key.hasPublicKey(certified.get())) certs.add(file);
        }
        return certs;
    }

    private Optional<Path> agentSocket(Optional<String> identityAgent) {
        return useAgent ? SshAgent.socket(identityAgent, env) : Optional.empty();
    }

    private static boolean inAgent(KeyFile key, List<Identity> agentKeys) {
        return agentKeys.stream().anyMatch(a -> key.hasPublicKey(a.getPublicKeyBlob()));
    }

    private static byte[] utf8(char[] typed) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(typed));
        Arrays.fill(typed, '\0');
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) Arrays.fill(encoded.array(), (byte) 0);
        return bytes;
    }

    /** The identities of one session, in the order they are offered. */
    private record Offered(Vector<Identity> identities) implements IdentityRepository {

        @Override
        public String getName() {
            return "postflight";
        }

        @Override
        public int getStatus() {
            return RUNNING;
        }

        @Override
        public Vector<Identity> getIdentities() {
            return new Vector<>(identities);
        }

        @Override
        public boolean add(byte[] identity) {
            return false;
        }

        @Override
        public boolean remove(byte[] blob) {
            return false;
        }

        @Override
        public void removeAll() {}
    }
}
