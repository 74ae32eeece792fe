#!/usr/bin/env bash
# make e2e: builds the lab (e2e/lab.sh), runs the seed scenarios (e2e/scenarios/*.sh) against
# real OpenSSH, nginx and chrony in network namespaces, and always tears the lab down.
#   e2e/run.sh [SCENARIO-PREFIX...]     e.g. e2e/run.sh 1 5
# Needs root. Exit 0 when every scenario passed.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
if [ "$(id -u)" != 0 ]; then echo "make e2e needs root (it builds network namespaces)" >&2; exit 2; fi
missing=()
for t in ip unshare nsenter setpriv /usr/sbin/sshd nginx chronyd socat nft openssl jq ss; do
    command -v "$t" >/dev/null || missing+=("$t")
done
compgen -G '/usr/lib/*/faketime/libfaketime.so.1' >/dev/null || missing+=(libfaketime)
if [ ${#missing[@]} -gt 0 ]; then
    echo "make e2e needs: ${missing[*]} (apt-get install iproute2 util-linux openssh-server nginx chrony socat nftables openssl jq libfaketime)" >&2
    exit 2
fi
[ -f target/postflight.jar ] || { echo "target/postflight.jar is missing: make build" >&2; exit 2; }
export JAVA_HOME=${JAVA_HOME:-$(bin/find-jdk)}

source e2e/lab.sh
source e2e/assert.sh
trap 'lab_down' EXIT
trap 'echo "e2e: interrupted" >&2; exit 130' INT TERM

echo "e2e: building the lab in network namespaces (pfl-*)"
lab_up
mkdir -p "$LAB_DIR/out"

results=()
failed=0
started=$(date +%s)
for f in e2e/scenarios/[0-9]*.sh; do
    base=$(basename "$f" .sh)
    if [ $# -gt 0 ]; then
        want=
        for p in "$@"; do case $base in "$p"*) want=1 ;; esac; done
        [ -n "$want" ] || continue
    fi
    echo "e2e: scenario $base"
    t0=$(date +%s)
    if ( set -euo pipefail; SCENARIO=$base; source "$f" ); then
        results+=("PASS  $base  ($(( $(date +%s) - t0 ))s)")
    else
        results+=("FAIL  $base  ($(( $(date +%s) - t0 ))s)")
        failed=$((failed + 1))
    fi
done
echo
echo "e2e results ($(( $(date +%s) - started ))s):"
printf '  %s\n' "${results[@]}"
[ "$failed" = 0 ]
