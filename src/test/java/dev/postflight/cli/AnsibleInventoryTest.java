package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.testing.SshTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -i} with an Ansible inventory (INI, YAML, {@code ansible-inventory --list} JSON) against
 * real SSH servers (MINA SSHD): a bastion that forwards and a web host behind it.
 */
class AnsibleInventoryTest {
    @TempDir Path dir;
    SshTestServer web;
    SshTestServer bastion;
    Path knownHosts;
    Path checks;

    @BeforeEach
    void start() throws Exception {
        web = SshTestServer.start(Files.createDirectory(dir.resolve("web")));
        bastion =
                SshTestServer.start(Files.createDirectory(dir.resolve("bastion")), Map.of(), true);
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(
                knownHosts, web.knownHostsLine() + "\n" + bastion.knownHostsLine() + "\n");
        checks =
                write(
                        "c.yaml",
                        "checks:\n  - id: greeting\n    command: { run: \"echo {{ greeting }}\", stdout_contains: hello }\n");
    }

    @AfterEach
    void stop() throws Exception {
        web.close();
        bastion.close();
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private Cli verify(Path inventory, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "verify",
                                "-i",
                                inventory.toString(),
                                "-c",
                                checks.toString(),
                                "--known-hosts",
                                knownHosts.toString(),
                                "--ssh-config",
                                dir.resolve("no-config").toString(),
                                "--no-color"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private String ini() {
        return "[bastions]\nbastion ansible_host=127.0.0.1 ansible_port="
                + bastion.port()
                + " ansible_ssh_private_key_file="
                + bastion.clientKey()
                + "\n\n[web]\nweb1 ansible_host=127.0.0.1 ansible_ssh_common_args='-o ProxyJump=bastion'\n"
                + "[web:vars]\nansible_port="
                + web.port()
                + "\nansible_ssh_private_key_file="
                + web.clientKey()
                + "\ngreeting=hello\n\n[all:vars]\nansible_user=ops\n";
    }

    @Test
    void anIniInventoryReachesItsHostThroughTheProxyJumpInItsSshCommonArgs() throws Exception {
        Cli r = verify(write("hosts.ini", ini()), "--limit", "all:!bastions");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(
                r.out().contains("web1 (ssh ops@127.0.0.1:" + web.port() + " via bastion)"),
                r.out());
        assertEquals(1, web.commands().size(), "commands: " + web.commands());
        assertEquals(List.of(), bastion.commands());
    }

    @Test
    void aYamlInventoryWithGroupVarsUnderAllAndChildrenIsRead() throws Exception {
        Path inv =
                write(
                        "hosts.yml",
                        "all:\n  vars:\n    ansible_user: ops\n  children:\n    web:\n      hosts:\n"
                                + "        web1:\n          ansible_host: 127.0.0.1\n          ansible_port: "
                                + web.port()
                                + "\n      vars:\n        greeting: hello\n        ansible_ssh_private_key_file: "
                                + web.clientKey()
                                + "\n");
        Cli r = verify(inv, "--limit", "web*");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("web1 (ssh ops@127.0.0.1:" + web.port() + ")"), r.out());
    }

    @Test
    void theJsonOfAnsibleInventoryListIsRead() throws Exception {
        Path inv =
                write(
                        "inventory.json",
                        "{\"_meta\": {\"hostvars\": {\"web1\": {\"ansible_host\": \"127.0.0.1\", \"ansible_port\": "
                                + web.port()
                                + ", \"ansible_user\": \"ops\", \"ansible_ssh_private_key_file\": \""
                                + web.clientKey()
                                + "\", \"greeting\": \"hello\"}}},\n"
                                + " \"all\": {\"children\": [\"ungrouped\", \"web\"]},\n"
                                + " \"web\": {\"hosts\": [\"web1\"]}}\n");
        Cli r = verify(inv, "--limit", "web:&all");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("web1 (ssh ops@127.0.0.1:" + web.port() + ")"), r.out());
    }

    @Test
    void aProxyJumpToAHostThatIsNotInTheInventoryIsALoadErrorWithItsLine() throws Exception {
        Path inv = write("hosts.ini", ini().replace("ProxyJump=bastion", "ProxyJump=bastoin"));
        Cli r = verify(inv);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                inv
                        + ":5:1: host 'web1': ansible_ssh_common_args: ProxyJump 'bastoin' is not a"
                        + " host of this inventory (did you mean 'bastion'?)\n",
                r.err());
        assertEquals(List.of(), web.commands());
    }

    @Test
    void aProxyCommandIsRefusedRatherThanConnectingDirectly() throws Exception {
        Path inv =
                write(
                        "hosts.ini",
                        ini().replace(
                                        "'-o ProxyJump=bastion'",
                                        "'-o ProxyCommand=\"ssh -W %h:%p bastion\"'"));
        Cli r = verify(inv);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                inv
                        + ":5:1: host 'web1': ansible_ssh_common_args: ProxyCommand is not supported"
                        + " (the host would be reached directly): write -o ProxyJump=HOST\n",
                r.err());
    }

    @Test
    void aPortThatIsNotANumberInGroupVarsIsALoadErrorAtThatLine() throws Exception {
        Path inv =
                write(
                        "hosts.ini",
                        ini().replace("ansible_port=" + web.port() + "\n", "ansible_port=ssh\n"));
        Cli r = verify(inv);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                inv + ":7:1: host 'web1': ansible_port: 'ssh' is not a TCP port (1-65535)\n",
                r.err());
    }

    @Test
    void ansibleJumpHostsThatFormACycleAreALoadError() throws Exception {
        Path inv =
                write(
                        "hosts.ini",
                        "a ansible_ssh_common_args='-J b'\nb ansible_ssh_common_args='-J a'\n");
        Cli r = verify(inv);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                inv
                        + ":1:1: jump: the jump hosts of 'a' form a cycle (a -> b -> a)\n"
                        + inv
                        + ":2:1: jump: the jump hosts of 'b' form a cycle (b -> a -> b)\n",
                r.err());
    }

    @Test
    void anExcludedNameThatIsNoGroupOrHostIsATypoNotAnEmptyExclusion() throws Exception {
        Cli r = verify(write("hosts.ini", ini()), "--limit", "all:!bastoins");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                "postflight: --limit: no group or host named 'bastoins' (did you mean"
                        + " 'bastions'?)\n",
                r.err());
        assertEquals(List.of(), web.commands());
    }

    @Test
    void aHostRangeInAnIniSectionBecomesOneHostPerName() throws Exception {
        Path inv =
                write(
                        "hosts.ini",
                        "[web]\nweb[08:10] ansible_host=127.0.0.1 ansible_user=ops ansible_port="
                                + web.port()
                                + " ansible_ssh_private_key_file="
                                + web.clientKey()
                                + " greeting=hello\n");
        Cli r = verify(inv, "--limit", "~web(09|10)");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("\nPassed: 2 hosts: web09, web10\n"), r.out());
        assertTrue(!r.out().contains("web08"), r.out());
        assertEquals(2, web.commands().size(), "commands: " + web.commands());
    }

    @Test
    void groupVarsBesideTheInventoryAreAnErrorNotSilentlyLeftOut() throws Exception {
        Files.createDirectory(dir.resolve("group_vars"));
        Files.writeString(dir.resolve("group_vars/web.yml"), "ansible_user: deploy\n");
        Path inv = write("hosts.ini", ini());
        Cli r = verify(inv);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                inv
                        + ":1:1: group_vars/ beside this inventory holds vars postflight does not read"
                        + " (they may set the user or the jump host): give postflight what Ansible"
                        + " sees, ansible-inventory -i "
                        + inv
                        + " --list > inventory.json\n",
                r.err());
        assertEquals(List.of(), web.commands());
    }

    @Test
    void aMisspeltKeyOfAPostflightInventoryIsNotTakenForAnAnsibleGroup() throws Exception {
        Path inv = write("inv.yaml", "hots:\n  web1: { address: 127.0.0.1 }\n");
        Cli r = verify(inv);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                inv + ":1:1: unknown key 'hots' in the inventory (did you mean 'hosts'?)\n",
                r.err());
    }

    @Test
    void aLimitOfOnlySeparatorsIsAnErrorNotEveryHost() throws Exception {
        Cli r = verify(write("hosts.ini", ini()), "--limit", ",:");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("postflight: --limit: ',:' names no group, host or pattern\n", r.err());
        assertEquals(List.of(), web.commands());
    }
}
