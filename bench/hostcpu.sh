#!/usr/bin/env bash
# The host's side of one verification (issue 18): ONE real OpenSSH sshd on a loopback port in a
# cgroup of its own (cgroup v1 cpuacct or v2), so that its CPU time counts everything a connection
# makes the host do: sshd's own work per connection, the login shell, the probe batch and every
# process it starts. Each command below connects RUNS times (default 20); the figure is the
# cgroup's CPU time divided by RUNS. The 12 checks and parallel-ssh's one command are those of
# bench/fleet.sh (read from it, not copied).
#   ssh-true        ssh HOST true: the floor of any tool that logs in with OpenSSH
#   pssh-command    ssh HOST "<fleet.sh's one command doing the 12 probes>", what parallel-ssh
#                   runs on every host
#   postflight-11   postflight verify, the 12 checks without the clock check (one exec)
#   postflight-12   postflight verify, the 12 checks (the batch's exec and the clock's round trips)
# Needs root (sshd, cgroups), openssh-server and openssh-client; `make build` first.
set -euo pipefail
RUNS=${RUNS:-20}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
[ -f "$top/target/postflight.jar" ] || { echo "hostcpu.sh: run 'make build' first" >&2; exit 2; }
command -v /usr/sbin/sshd >/dev/null || { echo "hostcpu.sh needs: apt-get install openssh-server" >&2; exit 2; }

work=$(mktemp -d /tmp/postflight-hostcpu.XXXXXX)
cg=
sshd_pid=
cleanup() {
    [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null || true
    if [ -n "$cg" ]; then
        for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; sleep 0.3; done
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [ -d /sys/fs/cgroup/cpuacct ]; then
    cg=/sys/fs/cgroup/cpuacct/pf-hostcpu-$$
    mkdir "$cg"
    cpu_ns() { cat "$cg/cpuacct.usage"; }
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    cg=/sys/fs/cgroup/pf-hostcpu-$$
    mkdir "$cg"
    cpu_ns() { awk '$1 == "usage_usec" { printf "%d\n", $2 * 1000 }' "$cg/cpu.stat"; }
else
    echo "hostcpu.sh: no cgroup (v1 cpuacct or v2) to measure the host's CPU" >&2
    exit 2
fi

ssh-keygen -q -t ed25519 -N '' -f "$work/client"
ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey"
cp "$work/client.pub" "$work/authorized_keys"
mkdir -p /run/sshd
port=$((22000 + RANDOM % 20000))
cat >"$work/sshd.conf" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $work/hostkey
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
SetEnv SHLVL=1
CONF
/usr/sbin/sshd -f "$work/sshd.conf" -E "$work/sshd.log"
for _ in $(seq 50); do [ -s "$work/sshd.pid" ] && break; sleep 0.1; done
sshd_pid=$(cat "$work/sshd.pid")
echo "$sshd_pid" >"$cg/cgroup.procs"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/hostkey.pub")" >"$work/known_hosts"
printf 'defaults: { user: root, identity: %s }\nhosts:\n  h1: { address: 127.0.0.1, port: %s }\n' \
    "$work/client" "$port" >"$work/inventory.yaml"
sed -n '/^cat >"\$work\/twelve.yaml"/,/^YAML$/p' "$here/fleet.sh" | sed '1d;$d' >"$work/twelve.yaml"
grep -v 'id: clock' "$work/twelve.yaml" >"$work/eleven.yaml"
probe=$(sed -n "s/^PROBE='\(.*\)'\$/\1/p" "$here/fleet.sh")
[ "$(grep -c 'id: ' "$work/twelve.yaml")" = 12 ] && [ -n "$probe" ] \
    || { echo "hostcpu.sh: could not read the checks from bench/fleet.sh" >&2; exit 2; }

ssh_to() {
    ssh -p "$port" -i "$work/client" -o UserKnownHostsFile="$work/known_hosts" \
        -o StrictHostKeyChecking=yes -o BatchMode=yes root@127.0.0.1 "$@"
}
pf() {
    "$top/bin/postflight" verify -i "$work/inventory.yaml" -c "$1" --known-hosts "$work/known_hosts" \
        --ssh-config /dev/null --no-color
}
measure() { # label, expected output pattern, command...
    local label=$1 want=$2 a b
    shift 2
    "$@" >"$work/out" 2>&1 # one unmeasured run: caches warm alike for every command
    a=$(cpu_ns)
    for _ in $(seq "$RUNS"); do
        "$@" >"$work/out" 2>&1 || true
        [ -z "$want" ] || grep -q "$want" "$work/out" \
            || { echo "$label: unexpected output:" >&2; cat "$work/out" >&2; exit 1; }
    done
    sleep 0.5 # the last session's processes end after the client has its answer
    b=$(cpu_ns)
    printf '| %s | %s | %.1f |\n' "$label" "$RUNS" "$(echo "($b - $a) / $RUNS / 1000000" | bc -l)"
}
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "| command | runs | host CPU per connection (ms) |"
echo "|---|---|---|"
measure ssh-true '' ssh_to true
measure pssh-command '^OK12$' ssh_to "$probe"
measure postflight-11 'Summary: 1 host · 11 checks · 11 passed' pf "$work/eleven.yaml"
measure postflight-12 'Summary: 1 host · 12 checks · 12 passed' pf "$work/twelve.yaml"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
