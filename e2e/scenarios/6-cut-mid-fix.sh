# Scenario 6: the connection to the host is cut in the middle of a fix. The fix runs detached on
# the host, so it ends as written: its finally step still starts the time daemon again, and the
# runner reports the lost connection instead of a result it did not see.
lab_host cut1 10.77.0.51
host_start cut1
host_trust cut1 10.77.0.51
inv="$LAB_DIR/inv-cut.yaml"
inventory "$inv"
printf 'hosts:\n  cut1: { address: 10.77.0.51 }\n' >>"$inv"
set -- -i "$inv" -c e2e/checklists/maintenance-task.yaml

pf cut-fix-bg verify "$@" --fix --yes --timeout 60s &
fixer=$!
# Wait until the fix has stopped the daemon (it is in its long step), then cut the link.
for _ in $(seq 1 100); do
    on cut1 /etc/init.d/chrony status >/dev/null 2>&1 || break
    sleep 0.2
done
on cut1 sh -c '! /etc/init.d/chrony status' >/dev/null 2>&1 || fail "the fix never stopped the daemon"
ip -n pfl-cut1 link set eth0 down
ok "link to cut1 cut while its fix runs"
wait $fixer || true
OUT_LAST="$LAB_DIR/out/cut-fix-bg"
rc=$(jq -r .exit_code "$OUT_LAST.json")
expect_exit 1
expect_output "lost"

# On the host the fix went on: its step finished and finally started the daemon again.
for _ in $(seq 1 40); do
    on cut1 sh -c 'grep -q "^done" /root/.local/state/postflight/fix-*-slow-task/state' 2>/dev/null && break
    sleep 0.5
done
expect_on cut1 "the fix ran to its end" sh -c 'grep -q "^done" /root/.local/state/postflight/fix-*-slow-task/state'
expect_on cut1 "its step finished" test -f /var/lib/lab/task-done
expect_on cut1 "finally started the time daemon again" /etc/init.d/chrony status

ip -n pfl-cut1 link set eth0 up
pf cut-after verify "$@"
expect_exit 0
