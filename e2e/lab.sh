# The e2e lab (issue 8), sourced by e2e/run.sh. Needs root, iproute2, OpenSSH's sshd, nginx,
# chrony, libfaketime, nftables, socat, openssl and a JDK (keytool).
#
# Every host is a network namespace pfl-NAME plus its own mount and UTS namespace: /etc, /var,
# and /usr/local are copy-on-write overlays of this machine's, /root and /run are empty, so each host
# has its own sshd and host key, its own nginx (Debian's init script, several TLS virtual hosts
# from the lab CA), its own chronyd (Debian's init script) and its own backup job. Hosts sit on
# a bridge in the lab namespace pfl-lab, where the runner and the lab's reference NTP server run.
#
# Clocks: every host process gets libfaketime through the host's sshd (SetEnv) with the host's
# own offset file /etc/postflight-lab/faketime, so "3 hours behind" is that host's clock only.
# Nothing in the lab may set the machine's clock: every lab process runs without CAP_SYS_TIME
# (setpriv --bounding-set -sys_time), chronyd runs with -x, and the host's ntpdate is a shim
# that really queries the reference (chronyd -Q, which never sets a clock) and then rewrites
# only that host's offset file.
#
# Cleanup: everything the lab starts lives in its namespaces; lab_down kills those processes by
# PID (ip netns pids), deletes the namespaces and unmounts the lab's tmpfs.

LAB_DIR=/tmp/postflight-lab
LAB_NS=pfl-lab
LAB_REF=10.77.0.1
NOSYSTIME=(setpriv --bounding-set=-sys_time)

lab_log() { printf '  lab: %s\n' "$*" >&2; }

lab_faketime_lib() { compgen -G '/usr/lib/*/faketime/libfaketime.so.1' | head -n 1; }

# Kills every process in the lab's namespaces (all of them started by the lab), by PID.
lab_kill_ns() {
    local ns=$1 p pids
    for _ in 1 2 3; do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -z "$pids" ] && return 0
        for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
        sleep 0.2
    done
}

lab_down() {
    local ns
    for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^pfl-/ {print $1}'); do
        lab_kill_ns "$ns"
    done
    for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^pfl-/ {print $1}'); do
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf /etc/netns/$LAB_NS
    if mountpoint -q "$LAB_DIR" 2>/dev/null; then umount -l "$LAB_DIR" || true; fi
    rm -rf "$LAB_DIR"
}

# lab_up: the lab namespace, its bridge, the reference NTP server, the lab CA, the runner's key.
lab_up() {
    lab_down
    mkdir -p "$LAB_DIR"
    mount -t tmpfs -o size=1g,mode=0700 postflight-lab "$LAB_DIR"
    mkdir -p "$LAB_DIR"/{hosts,runner,ref,ca}
    ip netns add $LAB_NS
    ip -n $LAB_NS link set lo up
    ip -n $LAB_NS link add pflbr type bridge
    ip -n $LAB_NS addr add $LAB_REF/24 dev pflbr
    ip -n $LAB_NS link set pflbr up
    mkdir -p /etc/netns/$LAB_NS
    printf '127.0.0.1 localhost\n' >/etc/netns/$LAB_NS/hosts

    # The lab's reference NTP server: chronyd serving this machine's (real) clock, never setting it.
    mkdir -m 700 "$LAB_DIR/ref/run"
    cat >"$LAB_DIR/ref/chrony.conf" <<CONF
local stratum 8
allow 10.77.0.0/16
cmdport 0
bindcmdaddress $LAB_DIR/ref/run/chronyd.sock
pidfile $LAB_DIR/ref/chronyd.pid
driftfile $LAB_DIR/ref/drift
CONF
    ip netns exec $LAB_NS "${NOSYSTIME[@]}" chronyd -x -u root -f "$LAB_DIR/ref/chrony.conf"

    # Lab CA: signs every host's nginx certificates; the runner trusts it through a JVM trust store.
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=postflight lab CA" \
        -keyout "$LAB_DIR/ca/ca.key" -out "$LAB_DIR/ca/ca.pem" 2>/dev/null
    "$JAVA_HOME/bin/keytool" -importcert -noprompt -alias lab-ca -file "$LAB_DIR/ca/ca.pem" \
        -keystore "$LAB_DIR/runner/trust.p12" -storetype PKCS12 -storepass changeit >/dev/null 2>&1

    # A host's init: sets up its file system view, then reaps orphans until the lab ends.
    cat >"$LAB_DIR/host-init.sh" <<'INIT'
set -e
H=$1
hostname "$2"
for d in etc var usr/local; do
    mkdir -p "$H/up/$d" "$H/work/$d"
    mount -t overlay "pfl-$2" -o "lowerdir=/$d,upperdir=$H/up/$d,workdir=$H/work/$d" "/$d"
done
# root's home starts empty: what earlier runs left in this machine's /root (postflight's fix
# history and locks under ~/.local/state) must not leak into a lab host.
mkdir -p "$H/up/root"
mount --bind "$H/up/root" /root
mount -t tmpfs tmpfs /run
mkdir -p /run/sshd /run/lock /run/chrony /var/log/nginx /var/lib/lab
chmod 1777 /run/lock
touch "$H/ready"
set +e
trap 'exit 0' TERM
while :; do sleep 3600 & wait $!; done
INIT

    ssh-keygen -q -t ed25519 -N '' -C postflight-lab -f "$LAB_DIR/runner/id"
    cp "$LAB_DIR/runner/id.pub" "$LAB_DIR/runner/authorized_keys"
    : >"$LAB_DIR/runner/known_hosts"
}

# lab_cert NAME DIR SAN...: a key and a certificate from the lab CA, as certbot lays them out.
lab_cert() {
    local cn=$1 dir=$2; shift 2
    local san; san=$(printf 'DNS:%s,' "$cn" "$@"); san=${san%,}
    mkdir -p "$dir"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$dir/privkey.pem" \
        -out "$dir/req.csr" 2>/dev/null
    openssl x509 -req -in "$dir/req.csr" -CA "$LAB_DIR/ca/ca.pem" -CAkey "$LAB_DIR/ca/ca.key" \
        -CAcreateserial -days 90 -extfile <(printf 'subjectAltName=%s\n' "$san") \
        -out "$dir/cert.pem" 2>/dev/null
    cat "$dir/cert.pem" "$LAB_DIR/ca/ca.pem" >"$dir/fullchain.pem"
    rm -f "$dir/req.csr"
}

# lab_host NAME IP [BASTION]: a host on the lab bridge, or, with BASTION, on a link of its own to
# that host only (reachable through the bastion and nowhere else). Daemons are not started.
lab_host() {
    local name=$1 ip=$2 bastion=${3:-}
    local H="$LAB_DIR/hosts/$name" etc
    mkdir -p "$H"
    etc="$H/up/etc"
    mkdir -p "$etc"/{ssh,postflight-lab,nginx,letsencrypt/live,default,rc2.d}
    mkdir -p "$H/up/usr/local/sbin" "$H/up/usr/local/bin" "$H/up/var/backups/lab" \
        "$H/up/var/lib/lab" "$H/up/root"

    ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$etc/ssh/ssh_host_ed25519_key"
    local lib; lib=$(lab_faketime_lib)
    cat >"$etc/ssh/sshd_config" <<CONF
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile /run/sshd.pid
AuthorizedKeysFile $LAB_DIR/runner/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
MaxStartups 100
# SHLVL=1: root's ~/.bashrc on these machines may do slow set-up per command.
# libfaketime: every session sees this host's clock, set by /etc/postflight-lab/faketime.
SetEnv SHLVL=1 LD_PRELOAD=$lib FAKETIME_TIMESTAMP_FILE=/etc/postflight-lab/faketime FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1
CONF
    echo "+0" >"$etc/postflight-lab/faketime"

    # chronyd: Debian's init script; -x (never set the clock), fast polling so the lab is quick.
    echo 'DAEMON_OPTS="-x -u root"' >"$etc/default/chrony"
    mkdir -p "$etc/chrony"
    cat >"$etc/chrony/chrony.conf" <<CONF
server $LAB_REF iburst minpoll 0 maxpoll 2
allow 127.0.0.1/32
driftfile /var/lib/chrony/chrony.drift
CONF

    # nginx: one server for the site and two more virtual hosts, as on seed 002's host.
    local v
    for v in site git ci; do
        if [ $v = site ]; then
            lab_cert "site.$name.lab" "$etc/letsencrypt/live/site.$name.lab" "$name" "$name.lab"
        else
            lab_cert "$v.$name.lab" "$etc/letsencrypt/live/$v.$name.lab"
        fi
    done
    cat >"$etc/nginx/nginx.conf" <<CONF
user root;
worker_processes 1;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    server { listen 80 default_server; location / { return 200 "ok $name\n"; } }
    server {
        listen 443 ssl default_server;
        server_name site.$name.lab $name $name.lab;
        ssl_certificate /etc/letsencrypt/live/site.$name.lab/fullchain.pem;
        ssl_certificate_key /etc/letsencrypt/live/site.$name.lab/privkey.pem;
        location / { return 200 "site $name\n"; }
    }
    server {
        listen 443 ssl;
        server_name git.$name.lab;
        ssl_certificate /etc/letsencrypt/live/git.$name.lab/fullchain.pem;
        ssl_certificate_key /etc/letsencrypt/live/git.$name.lab/privkey.pem;
        location / { return 200 "git $name\n"; }
    }
    server {
        listen 443 ssl;
        server_name ci.$name.lab;
        ssl_certificate /etc/letsencrypt/live/ci.$name.lab/fullchain.pem;
        ssl_certificate_key /etc/letsencrypt/live/ci.$name.lab/privkey.pem;
        location / { return 200 "ci $name\n"; }
    }
}
CONF
    # certbot's renewal, as a cron entry (the checklist looks for one).
    mkdir -p "$etc/cron.d"
    echo "0 */12 * * * root certbot -q renew" >"$etc/cron.d/certbot"

    # The host's one-shot sync tool (see the top of this file).
    cat >"$H/up/usr/local/sbin/ntpdate" <<'SHIM'
#!/bin/sh
# postflight lab shim for ntpdate: refuses, like the real one, while a daemon holds UDP 123;
# otherwise really asks the server (chronyd -Q never sets a clock) and moves only this host's
# faked clock by the measured offset (its libfaketime offset file).
server=
for a in "$@"; do case $a in -*) ;; *) server=$a ;; esac; done
if ss -Hlun 'sport = :123' | grep -q .; then
    echo "$(date '+%d %b %H:%M:%S') ntpdate[$$]: the NTP socket is in use, exiting" >&2; exit 1
fi
out=$(/usr/sbin/chronyd -Q -t 6 -f /dev/null "server $server iburst maxsamples 4" 2>&1)
x=$(printf '%s\n' "$out" | sed -n 's/.*System clock wrong by \([-0-9.]*\) seconds.*/\1/p' | tail -n 1)
if [ -z "$x" ]; then
    echo "$(date '+%d %b %H:%M:%S') ntpdate[$$]: no server suitable for synchronization found" >&2; exit 1
fi
f=/etc/postflight-lab/faketime
old=$(cat "$f")
case $old in *h) old=$(( ${old%h} * 3600 )) ;; *m) old=$(( ${old%m} * 60 )) ;; esac
awk -v o="$old" -v x="$x" 'BEGIN { printf "%+.6f\n", o + x }' >"$f.new" && mv "$f.new" "$f"
echo "$(date '+%d %b %H:%M:%S') ntpdate[$$]: step time server $server offset $x sec"
SHIM
    chmod 755 "$H/up/usr/local/sbin/ntpdate"

    # The backup job and its evidence: one archive per run in /var/backups/lab.
    cat >"$H/up/usr/local/bin/backup.sh" <<'JOB'
#!/bin/sh
set -e
f=/var/backups/lab/etc-$(date +%Y%m%d-%H%M%S).tar.gz
tar -czf "$f.part" -C /etc hostname passwd
mv "$f.part" "$f"
echo "backup written: $f"
JOB
    chmod 755 "$H/up/usr/local/bin/backup.sh"
    echo "$name" >"$etc/hostname"
    # The last backup ran two days ago.
    tar -czf "$H/up/var/backups/lab/etc-old.tar.gz" -C "$etc" hostname
    touch -d '2 days ago' "$H/up/var/backups/lab/etc-old.tar.gz"

    ip netns add "pfl-$name"
    ip -n "pfl-$name" link set lo up
    if [ -z "$bastion" ]; then
        ip link add "pv-$name" netns $LAB_NS type veth peer name eth0 netns "pfl-$name"
        ip -n $LAB_NS link set "pv-$name" master pflbr up
        ip -n "pfl-$name" addr add "$ip/24" dev eth0
        ip -n "pfl-$name" link set eth0 up
        ip -n "pfl-$name" route add default via $LAB_REF
        printf '%s %s %s.lab site.%s.lab git.%s.lab ci.%s.lab\n' "$ip" "$name" "$name" "$name" \
            "$name" "$name" >>/etc/netns/$LAB_NS/hosts
    else
        # A private link bastion <-> host: 10.78.0.1 (bastion) and $ip (host), no routing.
        ip link add "pb-$name" netns "pfl-$bastion" type veth peer name eth0 netns "pfl-$name"
        ip -n "pfl-$bastion" addr add 10.78.0.1/24 dev "pb-$name"
        ip -n "pfl-$bastion" link set "pb-$name" up
        ip -n "pfl-$name" addr add "$ip/24" dev eth0
        ip -n "pfl-$name" link set eth0 up
    fi

    # The host's init: PID 1 of the host's own PID namespace (so ps shows only this host's
    # processes), holding its mount and UTS namespaces; it reaps orphans like an init does.
    ip netns exec "pfl-$name" unshare --mount --uts --pid --fork --mount-proc \
        --propagation private "${NOSYSTIME[@]}" /bin/bash "$LAB_DIR/host-init.sh" "$H" "$name" \
        </dev/null >"$H/init.log" 2>&1 &
    local unshare_pid=$! i
    for i in $(seq 1 50); do [ -f "$H/ready" ] && break; sleep 0.1; done
    [ -f "$H/ready" ] || { cat "$H/init.log" >&2; echo "lab: host $name did not come up" >&2; return 1; }
    ps -o pid= --ppid "$unshare_pid" | tr -d ' ' >"$H/init.pid"
}

# on NAME CMD...: runs CMD inside host NAME (its network, mount, UTS and PID namespaces), without
# the right to set the clock, with the host's faked clock.
on() {
    local name=$1; shift
    on_real_clock "$name" env LD_PRELOAD="$(lab_faketime_lib)" \
        FAKETIME_TIMESTAMP_FILE=/etc/postflight-lab/faketime FAKETIME_NO_CACHE=1 \
        FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"
}

# The same without libfaketime: for sshd, whose sandboxed pre-auth child is killed (SIGSYS) by
# the file reads libfaketime makes; its sessions get the faked clock through SetEnv.
on_real_clock() {
    local name=$1; shift
    nsenter -t "$(cat "$LAB_DIR/hosts/$name/init.pid")" -m -u -n -p -- "${NOSYSTIME[@]}" \
        env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"
}

host_sshd_start() {
    on_real_clock "$1" /usr/sbin/sshd -f /etc/ssh/sshd_config -E /var/log/sshd.log
}
host_sshd_stop() { on "$1" sh -c 'kill "$(cat /run/sshd.pid)"; rm -f /run/sshd.pid'; }

# Records the host's current key in the runner's known_hosts (the key it had before the window).
host_trust() {
    local name=$1 addr=$2
    echo "$addr $(cut -d' ' -f1,2 "$LAB_DIR/hosts/$name/up/etc/ssh/ssh_host_ed25519_key.pub")" \
        >>"$LAB_DIR/runner/known_hosts"
}

# host_start NAME: sshd, chronyd and nginx, as after a normal boot.
host_start() {
    local name=$1
    host_sshd_start "$name"
    on "$name" /etc/init.d/chrony start >/dev/null
    on "$name" /etc/init.d/nginx start >/dev/null
}

# runner ARGS...: bin/postflight inside the lab namespace, trusting the lab CA.
runner() {
    ip netns exec $LAB_NS env JAVA_OPTS="-Djavax.net.ssl.trustStore=$LAB_DIR/runner/trust.p12 -Djavax.net.ssl.trustStorePassword=changeit" \
        "$TOP/bin/postflight" "$@"
}
