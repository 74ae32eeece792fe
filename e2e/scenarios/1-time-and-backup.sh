# Scenarios 1 and 2 (seed 003): after the window web1 and web2 came back with their clocks 3 h
# behind, chronyd stopped and the hourly backup due in the window missed. verify reports all of
# it; verify --fix --yes stops the daemon, syncs once, starts it again (finally) and re-runs the
# backup. On web2 the one-shot sync cannot reach the NTP server: its daemon must still end up
# running and its clock check stays failing ("still failing").
for h in web1:11 web2:12; do
    lab_host "${h%:*}" "10.77.0.${h#*:}"
    host_start "${h%:*}"
    host_trust "${h%:*}" "10.77.0.${h#*:}"
    # The window: the VM paused, its clock came back 3 h behind and the time daemon stopped.
    on "${h%:*}" sh -c 'echo -3h >/etc/postflight-lab/faketime; /etc/init.d/chrony stop' >/dev/null
done
# web2 cannot reach any NTP server (its provider's firewall).
on web2 nft -f - <<'NFT'
table inet lab {
    chain out { type filter hook output priority 0; udp dport 123 drop; }
}
NFT

inv="$LAB_DIR/inv-time.yaml"
inventory "$inv"
cat >>"$inv" <<YAML
groups:
  web:
    hosts: [web1, web2]
    vars:
      ntp_server: $LAB_REF
      # The lab's 2 cores carry the runner and every host: the exec method's uncertainty
      # (half a round trip, ~50-150 ms here) must stay below the warn threshold.
      clock_warn: 500ms
      backup_dir: /var/backups/lab
      backup_pattern: "*.tar.gz"
      backup_schedule: "0 * * * *"
      backup_become: "false"
hosts:
  web1: { address: 10.77.0.11, vars: { site_url: "https://site.web1.lab/" } }
  web2: { address: 10.77.0.12, vars: { site_url: "https://site.web2.lab/" } }
YAML
audit="$LAB_DIR/out/audit-time.jsonl"
set -- -i "$inv" -c checks/after-maintenance.yaml

pf time-before verify "$@"
expect_exit 1
for h in web1 web2; do
    expect_check $h time-daemon fail "not running"
    expect_check $h time-synchronised fail
    expect_check $h clock-offset fail "behind"
    expect_check $h backup-ran fail "did not run"
    expect_check $h site-reachable pass
done
expect_not_on web1 "nothing changed without --fix (chronyd still stopped)" /etc/init.d/chrony status

pf time-fix verify "$@" --fix --yes --audit "$audit"
expect_exit 1
for id in time-daemon time-synchronised clock-offset backup-ran; do
    expect_check web1 $id fixed
done
expect_check web2 clock-offset fail "still failing"
expect_check web2 backup-ran fixed
expect_on web1 "chronyd running" /etc/init.d/chrony status
expect_on web2 "chronyd running after the failed sync (finally)" /etc/init.d/chrony status
expect_on web1 "clock offset file within 1 s of the reference" \
    awk '{ x = $1 + 0; exit !(x > -1 && x < 1) }' /etc/postflight-lab/faketime
expect_on web2 "clock still 3 h behind" grep -qx -- -3h /etc/postflight-lab/faketime
expect_on web1 "a new backup archive" sh -c 'ls /var/backups/lab | grep -v etc-old | grep -q tar.gz'

# The audit log: what was approved, each step's result, finally, the re-check.
a="$LAB_DIR/out/audit-time.jsonl"
expect_audit "$a" "web1: resync-clock approved with --yes" \
    '.event == "approval" and .host == "web1" and .fix == "resync-clock" and .how == "--yes"'
expect_audit "$a" "web1: every step of resync-clock, finally included, exited 0" \
    '.event == "step-result" and .host == "web1" and .fix == "resync-clock" and .step == "f1" and .exit == 0'
expect_audit "$a" "web1: resync-clock succeeded" \
    '.event == "fix-result" and .host == "web1" and .fix == "resync-clock" and .succeeded == true'
expect_audit "$a" "web1: the clock re-checked and passing" \
    '.event == "reverify" and .host == "web1" and .check == "clock-offset" and .status == "pass"'
expect_audit "$a" "web2: the sync step failed" \
    '.event == "step-result" and .host == "web2" and .step == "s2" and .exit != 0'
expect_audit "$a" "web2: finally ran (the daemon started again)" \
    '.event == "step-result" and .host == "web2" and .step == "f1" and .exit == 0'
expect_audit "$a" "web2: resync-clock failed, finally completed" \
    '.event == "fix-result" and .host == "web2" and .fix == "resync-clock" and .succeeded == false and .finally_completed == true'

pf time-after verify "$@" --limit web1
expect_exit 0
