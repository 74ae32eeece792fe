#!/usr/bin/env bash
# Start-up latency (issue 8): the median wall time of RUNS runs (default 20), JVM start included,
# of three commands, each started four ways. Prints a markdown table.
#
# Commands:
#   local-1    verify --local with one check (command `true`)
#   local      verify --local -c checks/local.yaml (what `make run` does)
#   ssh-1host  verify one host over a real OpenSSH sshd on a loopback port, the 12 checks of
#              bench/fleet.sh (needs root and openssh-server)
# Start-up modes (same JVM flags as bin/postflight: -XX:+UseSerialGC -XX:TieredStopAtLevel=1,
# and -XX:UserThreadWaitAttemptsAtExit=0 on JDK 22+):
#   none       no archive of postflight's classes (the JDK's own default CDS archive only)
#   cds        a dynamic CDS archive made by one earlier run (-XX:+AutoCreateSharedArchive)
#   aot        an AOT cache (JDK 24+, JEP 483) trained by one verify --local run, as 'make build'
#   aot-wait   aot without -XX:UserThreadWaitAttemptsAtExit=0 (JDK 22+): the JVM's exit waits
#              up to 300 ms for threads in native code
#   launcher   bin/postflight as shipped (aot on JDK 24+ after 'make build', else cds)
#   before     with BEFORE=DIR: DIR/bin/postflight, another built checkout (e.g. main)
# Runs are interleaved (one of each mode in turn), each after the CPUs were idle for a moment
# (others share this machine); every run's exit code is checked; everything started is stopped
# by PID on exit.
set -euo pipefail
RUNS=${RUNS:-20}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
jar=$top/target/postflight.jar
[ -f "$jar" ] || { echo "run 'make build' first" >&2; exit 2; }
work=$(mktemp -d /tmp/postflight-latency.XXXXXX)
sshd_pid=
cleanup() {
    [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
home=$("$top/bin/find-jdk")
java=$home/bin/java
major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
vm=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xlog:cds*=off -Xlog:aot*=off)
[ "$major" -ge 22 ] && vm+=(-XX:UserThreadWaitAttemptsAtExit=0)

# One host: a real sshd on a loopback port, as bench/fleet.sh does it.
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
for _ in $(seq 1 50); do [ -s "$work/sshd.pid" ] && break; sleep 0.1; done
sshd_pid=$(cat "$work/sshd.pid")
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/hostkey.pub")" >"$work/known_hosts"
printf 'defaults: { user: root, identity: %s }\nhosts:\n  h1: { address: 127.0.0.1, port: %s }\n' \
    "$work/client" "$port" >"$work/inventory.yaml"
sed -n '/^checklist: twelve/,/^YAML/p' "$here/fleet.sh" | sed '$d' >"$work/twelve.yaml"
printf 'checklist: one\nchecks:\n  - { id: true, command: { run: "true" } }\n' >"$work/one.yaml"

declare -A args=(
    [local-1]="verify --local -c $work/one.yaml"
    [local]="verify --local -c $top/checks/local.yaml"
    [ssh-1host]="verify -i $work/inventory.yaml -c $work/twelve.yaml --known-hosts $work/known_hosts --ssh-config /dev/null"
)
commands=(local-1 local ssh-1host)

# The archives, each made the way its mode makes it, in this run's own folder.
# shellcheck disable=SC2086
"$java" "${vm[@]}" -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile="$work/pf.jsa" \
    -jar "$jar" ${args[local]} >/dev/null 2>&1 || true
modes=(none cds)
if [ "$major" -ge 24 ]; then
    # shellcheck disable=SC2086
    "$java" "${vm[@]}" -XX:AOTMode=record -XX:AOTConfiguration="$work/pf.aotconf" \
        -jar "$jar" ${args[local]} >/dev/null 2>&1 || true
    "$java" "${vm[@]}" -XX:AOTMode=create -XX:AOTConfiguration="$work/pf.aotconf" \
        -XX:AOTCache="$work/pf.aot" -jar "$jar" >/dev/null 2>&1
    modes+=(aot aot-wait)
fi
modes+=(launcher)
[ -n "${BEFORE:-}" ] && modes+=(before)

run() { # mode command: one run; prints its wall time in seconds
    local mode=$1 cmd=$2 start end rc=0
    local -a pre
    case $mode in
    none) pre=("$java" "${vm[@]}" -jar "$jar") ;;
    cds) pre=("$java" "${vm[@]}" -XX:SharedArchiveFile="$work/pf.jsa" -jar "$jar") ;;
    aot) pre=("$java" "${vm[@]}" -XX:AOTCache="$work/pf.aot" -jar "$jar") ;;
    aot-wait)
        pre=("$java" "${vm[@]}" -XX:UserThreadWaitAttemptsAtExit=30 -XX:AOTCache="$work/pf.aot"
            -jar "$jar") ;;
    launcher) pre=("$top/bin/postflight") ;;
    before) pre=("$BEFORE/bin/postflight") ;;
    esac
    start=$EPOCHREALTIME
    # shellcheck disable=SC2086
    "${pre[@]}" ${args[$cmd]} >"$work/out" 2>&1 || rc=$?
    end=$EPOCHREALTIME
    if [ "$rc" -ne 0 ]; then
        echo "$mode $cmd exited $rc:" >&2
        tail -20 "$work/out" >&2
        exit 1
    fi
    echo "$end - $start" | bc
}

quiet() { # waits (up to 3 s) until both CPUs were at least 80 % idle for 0.3 s
    local a b i
    for i in $(seq 1 6); do
        read -r _ u n s id _ </proc/stat; a=$((u + n + s + id)); b=$id
        sleep 0.3
        read -r _ u n s id _ </proc/stat
        [ $(((id - b) * 100 / (u + n + s + id - a + 1))) -ge 80 ] && return 0
        sleep 0.2
    done
}

echo "JDK: $("$java" -version 2>&1 | sed -n 2p); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${commands[@]}"; do
    for m in "${modes[@]}"; do run "$m" "$c" >/dev/null; done # page cache, archives, sshd
done
for r in $(seq 1 "$RUNS"); do
    for c in "${commands[@]}"; do
        for m in "${modes[@]}"; do
            quiet
            echo "$c $m $(run "$m" "$c")" >>"$work/times"
        done
    done
done
printf '| command |'
for m in "${modes[@]}"; do printf ' %s (s) |' "$m"; done
printf '\n|---|'
for _ in "${modes[@]}"; do printf -- '---|'; done
printf '\n'
for c in "${commands[@]}"; do
    printf '| %s |' "$c"
    for m in "${modes[@]}"; do
        awk -v c="$c" -v m="$m" '$1 == c && $2 == m { print $3 }' "$work/times" | sort -n |
            awk '{a[NR] = $1} END { x = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
                printf " %.3f |", x }'
    done
    printf '\n'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
