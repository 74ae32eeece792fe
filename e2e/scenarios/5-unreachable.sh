# Scenario 5 (seed 001): hosts that cannot be reached, each for its own reason — refused (no
# sshd), timed out (a firewall drops SSH), a tarpit (accepts TCP, never sends a banner) — and a
# host that comes back 20 s after the run started, verified with --wait-for-host.
i=40
for h in refused1 dropped1 tarpit1 late1; do
    i=$((i + 1))
    lab_host $h 10.77.0.$i
    host_trust $h 10.77.0.$i
done
on dropped1 nft -f - <<'NFT'
table inet filter {
    chain input { type filter hook input priority 0; tcp dport 22 drop; }
}
NFT
on tarpit1 sh -c 'setsid socat TCP-LISTEN:22,fork,reuseaddr SYSTEM:"sleep 600" </dev/null >/dev/null 2>&1 &'
sleep 0.5

inv="$LAB_DIR/inv-down.yaml"
inventory "$inv"
cat >>"$inv" <<YAML
hosts:
  refused1: { address: 10.77.0.41 }
  dropped1: { address: 10.77.0.42 }
  tarpit1: { address: 10.77.0.43 }
  late1: { address: 10.77.0.44 }
YAML
checks="$LAB_DIR/out/up.yaml"
printf 'checks:\n  - { id: up, command: { run: "uname -s", stdout_contains: Linux } }\n' >"$checks"

pf down verify -i "$inv" -c "$checks" --limit refused1,dropped1,tarpit1 --timeout 20s
expect_exit 1
expect_unreachable refused1 "refused"
expect_unreachable dropped1 "timed out"
expect_unreachable tarpit1 "banner"
expect_check refused1 up error "host unreachable"

# late1's sshd starts 20 s from now; --wait-for-host keeps trying.
( sleep 20; host_sshd_start late1 ) &
waiter=$!
t0=$(date +%s)
pf late verify -i "$inv" -c "$checks" --limit late1 --wait-for-host 90s
waited=$(( $(date +%s) - t0 ))
wait $waiter
expect_exit 0
expect_check late1 up pass
[ "$waited" -ge 18 ] || fail "late1 passed after ${waited}s, before its sshd started"
ok "late1 passed after ${waited}s of waiting"
