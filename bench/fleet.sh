#!/usr/bin/env bash
# Fleet benchmark (issue 8, first cut): N real OpenSSH sshd processes on loopback ports, the
# same 12 checks run by postflight (one JVM, one exec per host) and by parallel-ssh -p 50
# (one ssh process per host running ONE shell command that does all 12 probes: the floor for
# process-per-host tools). Every tool's output is verified (all 12 checks passed on all hosts).
# Prints a markdown table row per tool; everything it starts is stopped by PID on exit.
# Needs root (sshd), openssh-server and pssh (apt-get install openssh-server pssh).
set -euo pipefail
N=${1:-50}
RUNS=${RUNS:-3}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
work=$(mktemp -d /tmp/postflight-bench.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -n "${KEEP:-}" ] && cp "$work"/out.* /tmp/ 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT INT TERM

ssh-keygen -q -t ed25519 -N '' -f "$work/client"
ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey"
cp "$work/client.pub" "$work/authorized_keys"
mkdir -p /run/sshd
: >"$work/known_hosts"
printf 'defaults: { user: root, identity: %s }\nhosts:\n' "$work/client" >"$work/inventory.yaml"
: >"$work/hosts.txt"
base=$((22000 + RANDOM % 20000))
for i in $(seq 1 "$N"); do
    port=$((base + i))
    cat >"$work/sshd_$i.conf" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $work/hostkey
PidFile $work/sshd_$i.pid
AuthorizedKeysFile $work/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
MaxStartups 200
# Root's ~/.bashrc on these machines may do slow set-up for every command; SHLVL=1 makes
# bash skip it, for every tool alike.
SetEnv SHLVL=1
CONF
    /usr/sbin/sshd -f "$work/sshd_$i.conf" -E "$work/sshd_$i.log"
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/hostkey.pub")" >>"$work/known_hosts"
    printf '  h%s: { address: 127.0.0.1, port: %s }\n' "$i" "$port" >>"$work/inventory.yaml"
    echo "root@127.0.0.1:$port" >>"$work/hosts.txt"
done
sleep 1
for i in $(seq 1 "$N"); do pids+=("$(cat "$work/sshd_$i.pid")"); done

cat >"$work/twelve.yaml" <<'YAML'
checklist: twelve
checks:
  - { id: file-exists, file: { path: /etc/hostname } }
  - { id: file-age, file: { path: /etc/passwd, max_age: 36500d } }
  - { id: process, process: { pattern: "sshd" } }
  - { id: port, port: { port: 22, listening: false } }
  - { id: disk, disk: { mount: /, max_used: 99% } }
  - { id: inodes, disk: { mount: /, max_inodes_used: 99% } }
  - { id: clock, clock: { reference: runner, warn: 2s, critical: 5s } }
  - { id: command-output, command: { run: "uname -s", stdout_contains: Linux } }
  - { id: file-contains, file: { path: /etc/passwd, contains: "root:" } }
  - { id: load, command: { run: "cat /proc/loadavg" } }
  - { id: file-absent, file: { path: /nonexistent/postflight, exists: false } }
  - { id: uid, command: { run: "id -u", stdout_matches: "^0$" } }
YAML
# The same 12 probes as ONE shell command; prints OK12 when all passed.
PROBE='n=0; [ -e /etc/hostname ] && n=$((n+1)); [ $(( $(date +%s) - $(stat -c %Y /etc/passwd) )) -lt 3153600000 ] && n=$((n+1)); ps -A -o args= | grep -q "[s]shd" && n=$((n+1)); ! ss -H -lnt "sport = :22" | grep -q . && n=$((n+1)); [ "$(df -P / | awk "NR==2{print \$5+0}")" -lt 99 ] && n=$((n+1)); [ "$(df -Pi / | awk "NR==2{print \$5+0}")" -lt 99 ] && n=$((n+1)); date +%s.%N >/dev/null && n=$((n+1)); uname -s | grep -q Linux && n=$((n+1)); grep -q "root:" /etc/passwd && n=$((n+1)); cat /proc/loadavg >/dev/null && n=$((n+1)); [ ! -e /nonexistent/postflight ] && n=$((n+1)); [ "$(id -u)" = 0 ] && n=$((n+1)); echo "OK$n"'

measure() { # name, command...; prints median wall, CPU (user+sys) and peak RSS over RUNS
    local name=$1; shift
    local walls=() cpus=() rss=0
    for r in $(seq 1 "$RUNS"); do
        /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/out.$name" 2>"$work/err.$name" || true
        read -r w u s m <"$work/time"
        walls+=("$w"); cpus+=("$(echo "$u + $s" | bc)"); [ "$m" -gt "$rss" ] && rss=$m
        verify_"$name"
    done
    printf '%s %s %s %s\n' "$name" "$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
        "$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$rss"
}
verify_postflight() {
    grep -q "Summary: $N hosts · $((N * 12)) checks · $((N * 12)) passed" "$work/out.postflight" \
        || { echo "postflight did not pass all checks:" >&2; tail -20 "$work/out.postflight" >&2; exit 1; }
}
verify_pssh() {
    [ "$(grep -c '^OK12$' "$work/out.pssh")" = "$N" ] \
        || { echo "parallel-ssh did not pass all checks:" >&2; head -20 "$work/out.pssh" "$work/err.pssh" >&2; exit 1; }
}

measure postflight "$top/bin/postflight" verify -i "$work/inventory.yaml" -c "$work/twelve.yaml" \
    --known-hosts "$work/known_hosts" --ssh-config /dev/null --no-color --concurrency 64
measure pssh parallel-ssh -p 50 -i -t 120 -h "$work/hosts.txt" \
    -x "-i $work/client -o UserKnownHostsFile=$work/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes" \
    "$PROBE"
