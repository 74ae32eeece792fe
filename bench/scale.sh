#!/usr/bin/env bash
# Scale benchmark (issue 8): N simulated hosts in ONE separate JVM (dev.postflight.testing.
# SimulatedFleet: Apache MINA SSHD listening on N loopback addresses 127.77.x.y, one host key),
# verified by one postflight run with -Xmx512m. Measures wall time, CPU, peak heap used (from the
# GC log), peak OS threads and peak RSS of the postflight JVM (sampled from /proc every 100 ms),
# and checks that every check passed on every host. Everything it starts is stopped by PID.
#
# The hosts run 12 cheap checks (shell builtins, one stat). The simulated side shares the same 2
# cores, where creating a process is slow (about 25 per probe batch), so by default (HOSTS=replay)
# only the first exec runs a real sh and every other host replays its output with its own nonce
# and clock; HOSTS=sh runs a real sh on every host (0.2-0.3 s of CPU per host here).
#
# LATENCY=100ms (issue 18) makes every simulated host answer as over a WAN with that round trip:
# each read of the server reaches its SSH session that much later (DelayedSessionFactory).
#
# Prints one markdown row: hosts, HOSTS, round trip, concurrency, wall (s), CPU user+sys (s), peak
# heap used (MiB), GCs, peak OS threads, peak RSS (MiB), load average (1 min) before and after;
# and the names of the threads at the peak on stderr.
#
# Usage: bench/scale.sh [N] (default 2000); HOSTS (replay or sh), LATENCY (round trip, default 0),
# CONCURRENCY (default: postflight's own), PORT (default 2222), HEAP (default 512m). Needs
# `make build`; compiles the test classes.
set -euo pipefail
N=${1:-2000}
CONCURRENCY=${CONCURRENCY:-}
LATENCY=${LATENCY:-0}
PORT=${PORT:-2222}
HEAP=${HEAP:-512m}
HOSTS=${HOSTS:-replay}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
work=$(mktemp -d /tmp/postflight-scale.XXXXXX)
fleet_pid=
cleanup() {
    [ -n "$fleet_pid" ] && kill "$fleet_pid" 2>/dev/null || true
    [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT INT TERM
# A host's sockets: the runner and the fleet each hold one per host in flight.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

JAVA_HOME=$("$top/bin/find-jdk")
export JAVA_HOME
(cd "$top" && ./mvnw -B -q test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test)
cp="$top/target/test-classes:$top/target/classes:$(cat "$top/target/test-classpath.txt")"

"$JAVA_HOME/bin/java" -XX:+UseSerialGC ${FLEET_JAVA_OPTS:-} -cp "$cp" dev.postflight.testing.SimulatedFleet \
    "$N" "$work/fleet" "$PORT" "$HOSTS" "$LATENCY" >"$work/fleet.log" 2>&1 &
fleet_pid=$!
for _ in $(seq 1 300); do
    [ -f "$work/fleet/ready" ] && break
    kill -0 "$fleet_pid" 2>/dev/null || { cat "$work/fleet.log" >&2; exit 1; }
    sleep 0.1
done
[ -f "$work/fleet/ready" ] || { echo "simulated fleet did not come up" >&2; exit 1; }

cat >"$work/cheap.yaml" <<'YAML'
checklist: cheap
checks:
  - { id: file-exists, file: { path: /etc/hostname } }
  - { id: file-absent, file: { path: /nonexistent/postflight, exists: false } }
  - { id: tmp-dir, command: { run: "[ -d /tmp ]" } }
  - { id: passwd-readable, command: { run: "[ -r /etc/passwd ]" } }
  - { id: tmp-writable, command: { run: "[ -w /tmp ]" } }
  - { id: echo, command: { run: "echo ok", stdout_contains: ok } }
  - { id: kernel, command: { run: "echo \"$PF_UNAME\"", stdout_contains: Linux } }
  - { id: load, command: { run: "read -r l1 l5 l15 rest </proc/loadavg; echo \"$l1\"" } }
  - { id: uptime, command: { run: "read -r up idle </proc/uptime; echo \"$up\"" } }
  - { id: hostname, command: { run: "read -r h </etc/hostname; [ -n \"$h\" ]" } }
  - { id: clock, clock: { reference: runner, warn: 1m, critical: 2m } }
  - { id: shell, command: { run: "[ -x /bin/sh ]" } }
YAML

concurrency=()
[ -n "$CONCURRENCY" ] && concurrency=(--concurrency "$CONCURRENCY")
load_before=$(cut -d' ' -f1 /proc/loadavg)
export JAVA_OPTS="-Xmx$HEAP -Xlog:gc,gc+heap+exit:file=$work/gc.log"
/usr/bin/time -f "%e %U %S %M" -o "$work/time" \
    "$top/bin/postflight" verify -i "$work/fleet/inventory.yaml" -c "$work/cheap.yaml" \
    --known-hosts "$work/fleet/known_hosts" --ssh-config /dev/null --no-color \
    "${concurrency[@]}" >"$work/out" 2>"$work/err" &
time_pid=$!
pf_pid=
for _ in $(seq 1 100); do
    pf_pid=$(cat "/proc/$time_pid/task/$time_pid/children" 2>/dev/null | tr -d ' ') || true
    [ -n "$pf_pid" ] && break
    sleep 0.01
done
threads=0 rss=0
while [ -n "$pf_pid" ] && [ -r "/proc/$pf_pid/status" ]; do
    while read -r k v _; do
        case $k in
        Threads:)
            if [ "$v" -gt "$threads" ]; then
                threads=$v
                cat "/proc/$pf_pid"/task/*/comm >"$work/peak-threads" 2>/dev/null || true
            fi ;;
        VmRSS:) [ "$v" -gt "$rss" ] && rss=$v ;;
        esac
    done <"/proc/$pf_pid/status" 2>/dev/null || true
    sleep 0.1
done
rc=0
wait "$time_pid" || rc=$?
read -r wall user sys maxrss < <(tail -1 "$work/time")
load_after=$(cut -d' ' -f1 /proc/loadavg)
if ! grep -q "Summary: $N hosts · $((N * 12)) checks · $((N * 12)) passed" "$work/out"; then
    echo "postflight did not pass all checks (exit $rc):" >&2
    grep -v ' passed · ' "$work/out" | head -30 >&2
    tail -5 "$work/err" >&2
    exit 1
fi
# Peak heap used: the largest occupancy before a collection, or at exit if that was larger.
heap=$(sed -n 's/.*Pause.* \([0-9]*\)M->[0-9]*M(.*/\1/p' "$work/gc.log" | sort -n | tail -1)
exit_heap=$(awk '/def new generation|tenured generation/ {
        for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); s += v }
    } END { printf "%d", s / 1024 }' "$work/gc.log")
[ -z "$heap" ] || [ "$exit_heap" -gt "$heap" ] && heap=$exit_heap
gcs=$(grep -c 'Pause' "$work/gc.log" || true)
echo "OS threads at the peak: $(sort "$work/peak-threads" | uniq -c | awk '{ $1 = $1; print }' |
    paste -sd, - | sed 's/,/, /g')" >&2
echo "| hosts | hosts run | round trip | --concurrency | wall (s) | postflight CPU (s) | peak heap used (MiB) | GCs | peak OS threads | peak RSS (MiB) | load before / after |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '| %s | %s | %s | %s | %.2f | %.2f | %s | %s | %s | %s | %s / %s |\n' "$N" "$HOSTS" "$LATENCY" \
    "${CONCURRENCY:-default}" "$wall" "$(echo "$user + $sys" | bc)" "$heap" "$gcs" "$threads" \
    "$((rss / 1024))" "$load_before" "$load_after"
