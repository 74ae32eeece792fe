#!/usr/bin/env bash
# Fleet benchmark (issue 8): N real OpenSSH sshd processes on loopback ports, the same 12 checks
# run by each of
#   postflight       one JVM, one exec per host;
#   pssh             parallel-ssh -p 50, one ssh process per host running ONE shell command that
#                    does all 12 probes (the floor for process-per-host tools);
#   ansible          ansible-playbook, forks 50, pipelining, ControlPersist, fact gathering off,
#                    one task per check with real modules (its best case);
#   testinfra        pytest -n 8 with testinfra's ssh backend (OpenSSH client, ControlPersist,
#                    host keys checked like the other tools);
#   testinfra-paramiko   the same with testinfra's paramiko backend (one paramiko connection per
#                    host and worker; it does not check host keys: testinfra sets paramiko's
#                    WarningPolicy and loads no known_hosts file).
# Every tool's output is verified (all 12 checks ran and passed on all N hosts). Each timed run
# holds the exclusive lock $LOCK (others on this machine take it for their heavy runs) and is
# preceded by a note of the load average and how busy the CPUs were in the second before.
# Prints a markdown table; everything it starts is stopped by PID on exit.
# Needs root (sshd), openssh-server, gcc and the tools chosen:
#   apt-get install openssh-server gcc pssh ansible python3-testinfra python3-pytest-xdist
#   (python3-paramiko, for testinfra-paramiko, comes with ansible)
# Environment: TOOLS (default "postflight pssh ansible testinfra testinfra-paramiko"), RUNS
# (default 3) and per tool RUNS_POSTFLIGHT, RUNS_PSSH, RUNS_ANSIBLE, RUNS_TESTINFRA,
# RUNS_TESTINFRA_PARAMIKO; LOCK (default /tmp/pf-cpu.lock); QUIET (default 20) and QUIET_WAIT
# (default 600): before each timed run, wait up to QUIET_WAIT s for a second with at most QUIET %
# CPU busy; KEEP=1 keeps the tools' output in /tmp.
set -euo pipefail
N=${1:-50}
RUNS=${RUNS:-3}
TOOLS=${TOOLS:-postflight pssh ansible testinfra testinfra-paramiko}
LOCK=${LOCK:-/tmp/pf-cpu.lock}
PY=/usr/bin/python3 # Debian's, where ansible and testinfra are installed (not a pyenv shim)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

missing=()
command -v /usr/sbin/sshd >/dev/null || missing+=(openssh-server)
command -v cc >/dev/null || missing+=(gcc)
for t in $TOOLS; do
    case $t in
    postflight) [ -f "$top/target/postflight.jar" ] || { echo "fleet.sh: run 'make build' first" >&2; exit 2; } ;;
    pssh) command -v parallel-ssh >/dev/null || missing+=(pssh) ;;
    ansible) command -v ansible-playbook >/dev/null || missing+=(ansible) ;;
    testinfra | testinfra-paramiko)
        "$PY" -c 'import testinfra' 2>/dev/null || missing+=(python3-testinfra)
        "$PY" -c 'import xdist' 2>/dev/null || missing+=(python3-pytest-xdist)
        if [ "$t" = testinfra-paramiko ]; then "$PY" -c 'import paramiko' 2>/dev/null || missing+=(python3-paramiko); fi
        ;;
    *) echo "fleet.sh: unknown tool $t (choose from: postflight pssh ansible testinfra testinfra-paramiko)" >&2; exit 2 ;;
    esac
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "fleet.sh needs: apt-get install ${missing[*]}" >&2
    exit 2
fi

work=$(mktemp -d /tmp/postflight-bench.XXXXXX)
pids=()
cg=
cleanup() {
    # ControlPersist masters normally end with each timed run (bench/reap.c); after an
    # interrupt, ask any left behind on our own control sockets to exit.
    for s in "$work"/cp-*/*; do
        [ -S "$s" ] && ssh -o ControlPath="$s" -O exit dummy 2>/dev/null || true
    done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    # An sshd that could not bind its port stops the script before pids is filled: stop the
    # others by their pid files, or they outlive the run (and lengthen every host's ps table).
    for f in "$work"/sshd_*.pid; do
        p=$(cat "$f" 2>/dev/null) && kill "$p" 2>/dev/null || true
    done
    if [ -n "$cg" ]; then
        for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; sleep 0.3; done
    fi
    [ -n "${KEEP:-}" ] && cp "$work"/out.* "$work"/err.* /tmp/ 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT INT TERM

cc -O2 -o "$work/reap" "$here/reap.c"
ssh-keygen -q -t ed25519 -N '' -f "$work/client"
ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey"
cp "$work/client.pub" "$work/authorized_keys"
mkdir -p /run/sshd "$work/cp-ansible" "$work/cp-testinfra" "$work/ansible-tmp"
: >"$work/known_hosts"
printf 'defaults: { user: root, identity: %s }\nhosts:\n' "$work/client" >"$work/inventory.yaml"
: >"$work/hosts.txt"
printf '[fleet:vars]\nansible_user=root\nansible_ssh_private_key_file=%s\n[fleet]\n' "$work/client" >"$work/inventory.ini"
ports=()
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
    echo "h$i ansible_host=127.0.0.1 ansible_port=$port" >>"$work/inventory.ini"
    ports+=("$port")
done
# Under load 100 sshd take more than a second to write their pid files: wait up to 10 s for each.
for i in $(seq 1 "$N"); do
    for _ in $(seq 1 100); do [ -f "$work/sshd_$i.pid" ] && break; sleep 0.1; done
    pids+=("$(cat "$work/sshd_$i.pid")")
done

# The hosts' own CPU: every sshd (and so every session, shell and probe it starts) in a cgroup
# of its own, whose CPU time is read before and after each run (cgroup v1 cpuacct or v2).
host_cpu_ns() { echo 0; }
if [ -d /sys/fs/cgroup/cpuacct ] && mkdir "/sys/fs/cgroup/cpuacct/pf-fleet-$$" 2>/dev/null; then
    cg=/sys/fs/cgroup/cpuacct/pf-fleet-$$
    host_cpu_ns() { cat "$cg/cpuacct.usage"; }
elif [ -f /sys/fs/cgroup/cgroup.controllers ] && mkdir "/sys/fs/cgroup/pf-fleet-$$" 2>/dev/null; then
    cg=/sys/fs/cgroup/pf-fleet-$$
    host_cpu_ns() { awk '$1 == "usage_usec" { printf "%d\n", $2 * 1000 }' "$cg/cpu.stat"; }
fi
if [ -n "$cg" ]; then
    for p in "${pids[@]}"; do echo "$p" >"$cg/cgroup.procs"; done
else
    echo "# no cgroup for the hosts' CPU: that column stays empty" >&2
fi

# OpenSSH client settings for ansible and testinfra: our key, our known_hosts file, strict.
# ansible passes its own ControlPath (in cp-ansible); testinfra's ssh backend uses this one.
# The paramiko backend takes User and IdentityFile from here and ignores the rest.
cat >"$work/ssh_config" <<CONF
Host *
    User root
    IdentityFile $work/client
    IdentitiesOnly yes
    UserKnownHostsFile $work/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    ControlMaster auto
    ControlPersist 60s
    ControlPath $work/cp-testinfra/%C
CONF

# The clock tolerance is 5 s, as for ansible and testinfra below. postflight also refuses to judge
# when the reading's own uncertainty (half the exec's round trip) is wider than the tolerance: with
# 50 sessions starting at once on 2 shared cores that round trip takes up to about 4.5 s here.
cat >"$work/twelve.yaml" <<'YAML'
checklist: twelve
checks:
  - { id: file-exists, file: { path: /etc/hostname } }
  - { id: file-age, file: { path: /etc/passwd, max_age: 36500d } }
  - { id: process, process: { pattern: "sshd" } }
  - { id: port, port: { port: 22, listening: false } }
  - { id: disk, disk: { mount: /, max_used: 99% } }
  - { id: inodes, disk: { mount: /, max_inodes_used: 99% } }
  - { id: clock, clock: { reference: runner, warn: 5s, critical: 10s } }
  - { id: command-output, command: { run: "uname -s", stdout_contains: Linux } }
  - { id: file-contains, file: { path: /etc/passwd, contains: "root:" } }
  - { id: load, command: { run: "cat /proc/loadavg" } }
  - { id: file-absent, file: { path: /nonexistent/postflight, exists: false } }
  - { id: uid, command: { run: "id -u", stdout_matches: "^0$" } }
YAML
# The same 12 probes as ONE shell command; prints OK12 when all passed.
PROBE='n=0; [ -e /etc/hostname ] && n=$((n+1)); [ $(( $(date +%s) - $(stat -c %Y /etc/passwd) )) -lt 3153600000 ] && n=$((n+1)); ps -A -o args= | grep -q "[s]shd" && n=$((n+1)); ! ss -H -lnt "sport = :22" | grep -q . && n=$((n+1)); [ "$(df -P / | awk "NR==2{print \$5+0}")" -lt 99 ] && n=$((n+1)); [ "$(df -Pi / | awk "NR==2{print \$5+0}")" -lt 99 ] && n=$((n+1)); date +%s.%N >/dev/null && n=$((n+1)); uname -s | grep -q Linux && n=$((n+1)); grep -q "root:" /etc/passwd && n=$((n+1)); cat /proc/loadavg >/dev/null && n=$((n+1)); [ ! -e /nonexistent/postflight ] && n=$((n+1)); [ "$(id -u)" = 0 ] && n=$((n+1)); echo "OK$n"'

# Ansible: fact gathering off, one task per check, real modules where there is one; each task
# fails the host unless its check passed. The clock is compared with the controller's now().
cat >"$work/ansible.cfg" <<CFG
[defaults]
inventory = $work/inventory.ini
forks = 50
gathering = explicit
host_key_checking = True
interpreter_python = /usr/bin/python3
local_tmp = $work/ansible-tmp
retry_files_enabled = False
display_ok_hosts = False
display_skipped_hosts = False
nocolor = True

[ssh_connection]
pipelining = True
ssh_args = -F $work/ssh_config -o ControlMaster=auto -o ControlPersist=60s
control_path_dir = $work/cp-ansible
CFG
cat >"$work/twelve.yml" <<'YAML'
- name: twelve
  hosts: fleet
  gather_facts: false
  tasks:
    - name: file-exists
      ansible.builtin.stat: { path: /etc/hostname, get_checksum: false, get_mime: false, get_attributes: false }
      register: r
      failed_when: not r.stat.exists
    - name: file-age
      ansible.builtin.stat: { path: /etc/passwd, get_checksum: false, get_mime: false, get_attributes: false }
      register: r
      failed_when: not r.stat.exists or now().timestamp() - r.stat.mtime > 36500 * 86400
    - name: process
      ansible.builtin.command: pgrep -f sshd
      changed_when: false
    - name: port
      community.general.listen_ports_facts: { command: ss }
      register: r
      failed_when: 22 in (r.ansible_facts.tcp_listen | map(attribute='port') | list)
    - name: disk
      ansible.builtin.command: df -P /
      register: r
      changed_when: false
      failed_when: r.rc != 0 or (r.stdout_lines[1].split()[4] | replace('%', '') | int) >= 99
    - name: inodes
      ansible.builtin.command: df -Pi /
      register: r
      changed_when: false
      failed_when: r.rc != 0 or (r.stdout_lines[1].split()[4] | replace('%', '') | int) >= 99
    - name: clock
      ansible.builtin.command: date +%s
      register: r
      changed_when: false
      failed_when: r.rc != 0 or ((r.stdout | int) - now().timestamp()) | abs > 5
    - name: command-output
      ansible.builtin.command: uname -s
      register: r
      changed_when: false
      failed_when: r.rc != 0 or 'Linux' not in r.stdout
    - name: file-contains
      ansible.builtin.slurp: { src: /etc/passwd }
      register: r
      failed_when: "'root:' not in (r.content | b64decode)"
    - name: load
      ansible.builtin.slurp: { src: /proc/loadavg }
    - name: file-absent
      ansible.builtin.stat: { path: /nonexistent/postflight, get_checksum: false, get_mime: false, get_attributes: false }
      register: r
      failed_when: r.stat.exists
    - name: uid
      ansible.builtin.command: id -u
      register: r
      changed_when: false
      failed_when: r.rc != 0 or r.stdout != '0'
YAML

# testinfra: the same 12 checks, one test each, parametrized over the N hosts by --hosts.
cat >"$work/test_twelve.py" <<'PY'
import time


def used_percent(df_output):
    field = df_output.splitlines()[1].split()[4].rstrip("%")
    return 0 if field == "-" else int(field)


def test_file_exists(host):
    assert host.file("/etc/hostname").exists


def test_file_age(host):
    assert time.time() - host.file("/etc/passwd").mtime.timestamp() < 36500 * 86400


def test_process(host):
    assert host.process.filter(comm="sshd")


def test_port(host):
    assert not host.socket("tcp://22").is_listening


def test_disk(host):
    assert used_percent(host.check_output("df -P /")) < 99


def test_inodes(host):
    assert used_percent(host.check_output("df -Pi /")) < 99


def test_clock(host):
    assert abs(int(host.check_output("date +%s")) - time.time()) <= 5


def test_command_output(host):
    assert "Linux" in host.check_output("uname -s")


def test_file_contains(host):
    assert host.file("/etc/passwd").contains("root:")


def test_load(host):
    assert host.file("/proc/loadavg").content_string


def test_file_absent(host):
    assert not host.file("/nonexistent/postflight").exists


def test_uid(host):
    assert host.check_output("id -u") == "0"
PY

# How busy the machine is: load average and the share of CPU time not idle over one second.
busy() {
    local a b a1 a2 a3 a4 a5 a6 a7 a8 b1 b2 b3 b4 b5 b6 b7 b8
    read -r _ a1 a2 a3 a4 a5 a6 a7 a8 _ </proc/stat
    sleep 1
    read -r _ b1 b2 b3 b4 b5 b6 b7 b8 _ </proc/stat
    a=$(((b1 - a1) + (b2 - a2) + (b3 - a3) + (b6 - a6) + (b7 - a7) + (b8 - a8)))
    b=$((a + (b4 - a4) + (b5 - a5)))
    echo "load $(cut -d' ' -f1-3 /proc/loadavg), CPU busy $((100 * a / (b > 0 ? b : 1)))% in the second before"
}

# Takes the lock (fd 9) and waits, up to QUIET_WAIT seconds, for a second in which the CPUs
# were at most QUIET % busy, letting go of the lock while waiting; the last sample is in
# $machine (and is what RESULTS.md should mention when it was not quiet).
QUIET=${QUIET:-20}
QUIET_WAIT=${QUIET_WAIT:-600}
quiet() {
    local start=$SECONDS pct
    while :; do
        exec 9>>"$LOCK"
        flock -n 9 || { echo "# waiting for $LOCK" >&2; flock 9; }
        machine=$(busy)
        pct=${machine##*busy }; pct=${pct%%%*}
        [ "$pct" -le "$QUIET" ] && return
        if [ $((SECONDS - start)) -ge "$QUIET_WAIT" ]; then
            machine="$machine (NOT QUIET: gave up waiting after ${QUIET_WAIT} s)"
            return
        fi
        exec 9>&-
        echo "# machine busy ($machine); waiting" >&2
        sleep 10
    done
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A wall cpu rss runs noisy hostcpu
measure() { # name, command...; median wall, CPU (user+sys) and peak RSS over the tool's runs
    local name=$1; shift
    local var="RUNS_${name^^}" walls=() cpus=() hosts=() m=0 n h0 h1
    var=${var//-/_}
    n=${!var:-$RUNS}
    for r in $(seq 1 "$n"); do
        quiet
        echo "# $N hosts, $name run $r/$n: $machine" >&2
        case $machine in *"NOT QUIET"*) noisy[$name]=" (machine not quiet)" ;; esac
        h0=$(host_cpu_ns)
        /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$work/reap" "$@" \
            >"$work/out.$name" 2>"$work/err.$name" 9>&- || true
        h1=$(host_cpu_ns)
        exec 9>&-
        hosts+=("$(((h1 - h0) / 1000000))")
        # /usr/bin/time writes "Command exited with non-zero status N" first when it did.
        read -r w u s k < <(tail -n 1 "$work/time")
        walls+=("$w"); cpus+=("$(echo "$u + $s" | bc)"); [ "$k" -gt "$m" ] && m=$k
        verify_"$name"
        echo "#   wall $w s, CPU $(echo "$u + $s" | bc | sed 's/^\./0./') s, peak RSS $((k / 1024)) MiB, hosts' CPU ${hosts[-1]} ms" >&2
    done
    wall[$name]=$(printf '%s\n' "${walls[@]}" | median)
    cpu[$name]=$(printf '%s\n' "${cpus[@]}" | median)
    rss[$name]=$m
    hostcpu[$name]=$(printf '%s\n' "${hosts[@]}" | median)
    runs[$name]=$n
}
fail() {
    echo "$1 did not pass all checks on all hosts:" >&2
    tail -n 30 "$work/out.$2" "$work/err.$2" >&2
    exit 1
}
verify_postflight() {
    grep -q "Summary: $N hosts · $((N * 12)) checks · $((N * 12)) passed" "$work/out.postflight" \
        || fail postflight postflight
}
verify_pssh() {
    [ "$(grep -c '^OK12$' "$work/out.pssh")" = "$N" ] || fail parallel-ssh pssh
}
verify_ansible() { # PLAY RECAP: every host ran the 12 tasks, all ok
    [ "$(grep -cE '^h[0-9]+ +: ok=12 +changed=0 +unreachable=0 +failed=0 +skipped=0 +rescued=0 +ignored=0' "$work/out.ansible")" = "$N" ] \
        || fail ansible-playbook ansible
}
verify_testinfra() {
    grep -qE "^=+ $((N * 12)) passed(, [0-9]+ warnings?)? in " "$work/out.testinfra" || fail testinfra testinfra
}
verify_testinfra-paramiko() {
    grep -qE "^=+ $((N * 12)) passed(, [0-9]+ warnings?)? in " "$work/out.testinfra-paramiko" \
        || fail "testinfra (paramiko)" testinfra-paramiko
}

for t in $TOOLS; do
    case $t in
    postflight)
        measure postflight "$top/bin/postflight" verify -i "$work/inventory.yaml" -c "$work/twelve.yaml" \
            --known-hosts "$work/known_hosts" --ssh-config /dev/null --no-color --concurrency 64 ;;
    pssh)
        measure pssh parallel-ssh -p 50 -i -t 120 -h "$work/hosts.txt" \
            -x "-i $work/client -o UserKnownHostsFile=$work/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes" \
            "$PROBE" ;;
    ansible)
        measure ansible env ANSIBLE_CONFIG="$work/ansible.cfg" ansible-playbook "$work/twelve.yml" ;;
    testinfra | testinfra-paramiko)
        backend=ssh; [ "$t" = testinfra-paramiko ] && backend=paramiko
        hosts=$(printf "$backend://root@127.0.0.1:%s," "${ports[@]}")
        measure "$t" env -C "$work" "$PY" -m pytest -p no:cacheprovider -n 8 \
            --hosts="${hosts%,}" --ssh-config="$work/ssh_config" \
            --ssh-identity-file="$work/client" "$work/test_twelve.py" ;;
    esac
done

label() {
    case $1 in
    pssh) echo "parallel-ssh -p 50" ;;
    ansible) echo "ansible-playbook (forks 50)" ;;
    testinfra) echo "testinfra (pytest -n 8, ssh)" ;;
    testinfra-paramiko) echo "testinfra (pytest -n 8, paramiko)" ;;
    *) echo "$1" ;;
    esac
}
ratio() { [ -n "$1" ] && [ -n "$2" ] && echo "$(echo "scale=2; $1 / $2" | bc | sed 's/^\./0./')×" || echo "–"; }
echo
echo "| hosts | tool | runs | wall (s) | runner CPU (s) | CPU per host (ms) | hosts' CPU per host (ms) | peak RSS (MiB) | wall vs parallel-ssh | postflight faster by |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for t in $TOOLS; do
    faster="–"
    case $t in ansible | testinfra*) faster=$(ratio "${wall[$t]}" "${wall[postflight]:-}") ;; esac
    hc="–"; [ -n "$cg" ] && hc=$(echo "${hostcpu[$t]} / $N" | bc)
    printf '| %s | %s%s | %s | %.2f | %.2f | %.0f | %s | %.0f | %s | %s |\n' "$N" "$(label "$t")" "${noisy[$t]:-}" "${runs[$t]}" \
        "${wall[$t]}" "${cpu[$t]}" "$(echo "${cpu[$t]} * 1000 / $N" | bc -l)" "$hc" "$(echo "${rss[$t]} / 1024" | bc -l)" \
        "$(ratio "${wall[$t]}" "${wall[pssh]:-}")" "$faster"
done
