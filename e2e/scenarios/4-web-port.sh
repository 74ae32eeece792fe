# Scenario 4 (seed 000): why does the web server not answer? Port 80 not listening (nginx
# down), held by the wrong process, or dropped by a firewall rule; and a healthy host beside.
i=30
for h in p80ok p80stop p80wrong p80fw; do
    i=$((i + 1))
    lab_host $h 10.77.0.$i
    host_start $h
    host_trust $h 10.77.0.$i
done
on p80stop /etc/init.d/nginx stop >/dev/null
on p80wrong /etc/init.d/nginx stop >/dev/null
on p80wrong sh -c 'for p in 80 443; do setsid socat TCP-LISTEN:$p,fork,reuseaddr SYSTEM:"echo hello" </dev/null >/dev/null 2>&1 & done'
on p80fw nft -f - <<'NFT'
table inet filter {
    chain input { type filter hook input priority 0; tcp dport 80 drop; }
}
NFT
sleep 0.5

inv="$LAB_DIR/inv-web.yaml"
inventory "$inv"
cat >>"$inv" <<YAML
hosts:
  p80ok: { address: 10.77.0.31 }
  p80stop: { address: 10.77.0.32 }
  p80wrong: { address: 10.77.0.33 }
  p80fw: { address: 10.77.0.34 }
YAML
pf web verify -i "$inv" -c checks/web-unreachable.yaml
expect_exit 1
for id in http-listening https-listening nginx-process firewall-accepts-http firewall-accepts-https interface-up; do
    expect_check p80ok $id pass
done
expect_check p80stop http-listening fail "nothing listening"
expect_check p80stop nginx-process fail
expect_check p80wrong http-listening fail "socat"
expect_check p80wrong https-listening fail "socat"
expect_check p80fw http-listening fail "no answer within"
expect_check p80fw https-listening pass
expect_check p80fw firewall-accepts-http fail "dropped by nft rule"
expect_check p80fw firewall-accepts-https pass
expect_output "tcp dport 80 drop"
expect_on p80stop "read-only: nginx still stopped" sh -c '! /etc/init.d/nginx status'
