# Scenario 3 (seed 002): the provider redeployed red1 and restored it: new SSH host key, the
# Let's Encrypt files missing, nginx down. red1 is reachable only through the bastion. verify
# refuses the changed key (naming both fingerprints); once the operator has checked and removed
# the old key, verify reports the missing certificate files, nginx down and each virtual host.
lab_host bastion 10.77.0.20
lab_host red1 10.78.0.2 bastion
for h in bastion red1; do host_start $h; done
host_trust bastion 10.77.0.20
host_trust red1 10.78.0.2
old_fp=$(ssh-keygen -lf "$LAB_DIR/hosts/red1/up/etc/ssh/ssh_host_ed25519_key.pub" | awk '{print $2}')

# The redeploy: a fresh host key, no certificates, nginx down.
host_sshd_stop red1
on red1 sh -c 'rm -f /etc/ssh/ssh_host_ed25519_key*; ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key'
host_sshd_start red1
on red1 sh -c '/etc/init.d/nginx stop; rm -rf /etc/letsencrypt/live/*' >/dev/null 2>&1
new_fp=$(on red1 ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub | awk '{print $2}')
[ "$old_fp" != "$new_fp" ] || fail "the redeploy did not change the host key"

inv="$LAB_DIR/inv-red.yaml"
inventory "$inv"
cat >>"$inv" <<YAML
hosts:
  bastion: { address: 10.77.0.20 }
  red1: { address: 10.78.0.2, jump: bastion, vars: { site_name: site.red1.lab, git_name: git.red1.lab, ci_name: ci.red1.lab, tls_via: ssh } }
YAML
set -- -i "$inv" -c checks/redeployed-host.yaml --limit red1

pf red-key verify "$@"
expect_exit 1
expect_unreachable red1 "has CHANGED"
expect_output "$old_fp"
expect_output "$new_fp"
expect_output "ssh-keygen -R"
for v in site git ci; do expect_check red1 vhost-$v error "host unreachable"; done
expect_on red1 "nginx still down: nothing was changed" sh -c '! /etc/init.d/nginx status'

# The operator checks the new key with the provider, removes the old one and trusts the new.
ssh-keygen -q -R 10.78.0.2 -f "$LAB_DIR/runner/known_hosts" >/dev/null 2>&1
pf red-checks verify "$@" --accept-new-host-keys
expect_exit 1
expect_check red1 nginx-running fail "not running"
expect_check red1 nginx-config-valid fail
expect_check red1 nginx-certificate-files fail "missing"
expect_output "/etc/letsencrypt/live/git.red1.lab/fullchain.pem"
for v in site git ci; do expect_check red1 vhost-$v fail "via ssh to 127.0.0.1:443"; done
expect_check red1 certbot-renewal pass
grep -q "^10.78.0.2 ssh-ed25519" "$LAB_DIR/runner/known_hosts" || fail "the new key was not recorded"
ok "the new host key was recorded in known_hosts"

# After the operator restores the certificates and starts nginx, every virtual host passes.
for v in site git ci; do
    lab_cert "$v.red1.lab" "$LAB_DIR/out/red1-certs/$v.red1.lab"
done
on red1 sh -c "cp -r $LAB_DIR/out/red1-certs/* /etc/letsencrypt/live/ && /etc/init.d/nginx start" >/dev/null
pf red-restored verify "$@"
expect_exit 0
for v in site git ci; do expect_check red1 vhost-$v pass "$v.red1.lab"; done
