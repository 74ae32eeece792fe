# Assertions for the e2e scenarios: each failure names what a user would have seen.
OUT_LAST=

fail() { echo "    FAILED: $*" >&2; [ -n "$OUT_LAST" ] && sed 's/^/      | /' "$OUT_LAST.txt" >&2; exit 1; }
ok() { echo "    ok: $*"; }

# pf NAME ARGS...: bin/postflight in the lab; stdout+stderr in out/NAME.txt, the JSON report in
# out/NAME.json, the exit code in $rc.
pf() {
    local name=$1; shift
    OUT_LAST="$LAB_DIR/out/$name"
    rc=0
    runner "$@" --known-hosts "$LAB_DIR/runner/known_hosts" --ssh-config /dev/null --no-color \
        --report "json=$OUT_LAST.json" >"$OUT_LAST.txt" 2>&1 || rc=$?
}

expect_exit() { [ "$rc" = "$1" ] || fail "exit code $rc, expected $1"; ok "exit $1"; }

# expect_check HOST CHECK STATUS [TEXT]: the check's status in the last JSON report, and its reason
# containing TEXT.
expect_check() {
    local host=$1 id=$2 status=$3 text=${4:-} got reason
    got=$(jq -r --arg h "$host" --arg c "$id" \
        '.hosts[] | select(.name == $h) | .checks[] | select(.id == $c) | .status' "$OUT_LAST.json")
    reason=$(jq -r --arg h "$host" --arg c "$id" \
        '.hosts[] | select(.name == $h) | .checks[] | select(.id == $c) | .reason' "$OUT_LAST.json")
    [ "$got" = "$status" ] || fail "$host/$id is '$got', expected '$status' ($reason)"
    if [ -n "$text" ]; then
        case $reason in *"$text"*) ;; *) fail "$host/$id reason lacks '$text': $reason" ;; esac
    fi
    ok "$host/$id $status${text:+ ($text)}"
}

# expect_unreachable HOST TEXT: the host could not be reached, and why.
expect_unreachable() {
    local why
    why=$(jq -r --arg h "$1" '.hosts[] | select(.name == $h) | .unreachable // ""' "$OUT_LAST.json")
    case $why in *"$2"*) ;; *) fail "$1 unreachable reason lacks '$2': '$why'" ;; esac
    ok "$1 unreachable: $2"
}

expect_output() { grep -qF -- "$1" "$OUT_LAST.txt" || fail "output lacks '$1'"; ok "output says '$1'"; }

# expect_on HOST DESCRIPTION CMD...: CMD succeeds on the host (its state afterwards).
expect_on() {
    local host=$1 what=$2; shift 2
    on "$host" "$@" >/dev/null 2>&1 || fail "on $host: $what"
    ok "$host: $what"
}
expect_not_on() {
    local host=$1 what=$2; shift 2
    ! on "$host" "$@" >/dev/null 2>&1 || fail "on $host: $what"
    ok "$host: $what"
}

# inventory FILE: the lab inventory header (root login with the runner's key).
inventory() {
    printf 'defaults: { user: root, identity: %s }\n' "$LAB_DIR/runner/id" >"$1"
}

# expect_audit FILE DESCRIPTION JQ-CONDITION: some line of the audit log (JSON lines) matches.
expect_audit() {
    jq -en "[inputs | select($3)] | length > 0" "$1" >/dev/null || fail "audit log: $2"
    ok "audit log: $2"
}
