#!/usr/bin/env bash
# The systemd units of packaging/systemd against what the real ticsx-hub does:
#  1. `systemd-analyze verify` finds nothing to say about them (any output fails: verify exits
#     0 on an unknown key), and `systemd-analyze security` rates them OK or better;
#  2. with strace: every system call and socket family the hub uses while it starts, answers a
#     ping and a scrape of its metrics page, and stops (and the backup while it copies and prunes) is let in by the unit's
#     SystemCallFilter= and RestrictAddressFamilies=, and nothing maps memory writable and
#     executable (MemoryDenyWriteExecute=).
# Skips (77) without systemd-analyze; the strace part is skipped with a message without strace.
# Needs TX_BUILD_DIR and TX_SOURCE_DIR (ctest sets them).
set -euo pipefail

src=${TX_SOURCE_DIR:?}/packaging/systemd
hub=${TX_BUILD_DIR:?}/hub/ticsx-hub
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "SKIP: systemd-analyze is missing (Debian: systemd); the units were not checked"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ticsx-systemd-XXXXXX")
hubpid=
cleanup() {
    if [ -n "$hubpid" ]; then
        kill -KILL "$(awk 'NR == 1 { print $1 }' "$work/run.trace")" "$hubpid" 2>/dev/null || true
        wait "$hubpid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The units as installed, but running the binaries just built (verify checks that they exist).
# ticsx-campaign.* are user units; verified in the system manager's mode, which needs no
# user session (%h is then root's home).
cli=${TX_BUILD_DIR:?}/client/ticsx
for u in ticsx-hub.service ticsx-hub-backup.service ticsx-hub-backup.timer \
    ticsx-campaign.service ticsx-campaign.timer; do
    sed -e "s#/usr/bin/ticsx-hub#$hub#g" -e "s#/usr/bin/ticsx #$cli #g" "$src/$u" >"$work/$u"
done
grep -q "^ExecStart=$cli campaign run" "$work/ticsx-campaign.service" ||
    fail "ticsx-campaign.service: ExecStart does not run ticsx campaign run"
# --man=no: the man page is installed with the package, not here.
out=$(cd "$work" && systemd-analyze verify --man=no ./ticsx-hub.service \
    ./ticsx-hub-backup.service ./ticsx-hub-backup.timer ./ticsx-campaign.service \
    ./ticsx-campaign.timer 2>&1) || fail "verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify has something to say:
$out"
echo "ok: systemd-analyze verify"

for u in ticsx-hub.service ticsx-hub-backup.service; do
    rating=$(cd "$work" && systemd-analyze security --offline=yes "./$u" 2>&1 |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p')
    case $rating in
    *" SAFE" | *" OK") echo "ok: $u exposure $rating" ;;
    *) fail "$u: systemd-analyze security rates it '${rating:-?}'" ;;
    esac
done
# The hub refuses a data directory others may open: systemd would make it 0755.
grep -q '^StateDirectoryMode=0700$' "$src/ticsx-hub.service" || fail "ticsx-hub.service: StateDirectoryMode=0700 missing"

if ! command -v strace >/dev/null 2>&1; then
    echo "SKIP (part): strace is missing (Debian: strace); system calls were not checked"
    exit 0
fi

# Every system call a group of systemd-analyze syscall-filter holds, groups expanded.
systemd-analyze syscall-filter >"$work/groups"
expand() {
    awk -v want="$1" '
        /^@/ { g = $1; next }
        /^ *#/ || NF == 0 { next }
        { member[g] = member[g] " " $1 }
        END {
            n = split(want, stack, " "); seen[""] = 1
            while (n > 0) {
                x = stack[n--]
                if (x in seen) continue
                seen[x] = 1
                if (substr(x, 1, 1) == "@") { m = split(member[x], a, " "); for (i = 1; i <= m; i++) stack[++n] = a[i] }
                else print x
            }
        }' "$work/groups" | sort -u
}

# Checks a strace log against unit $2: its allowed and denied groups, its address families.
check_trace() {
    local log=$1 unit=$2 allow deny fams
    allow=$(sed -n 's/^SystemCallFilter=\([^~].*\)/\1/p' "$src/$unit" | tr '\n' ' ')
    deny=$(sed -n 's/^SystemCallFilter=~\(.*\)/\1/p' "$src/$unit" | tr '\n' ' ')
    expand "$allow" >"$work/allow"
    expand "$deny" >"$work/deny"
    comm -23 "$work/allow" "$work/deny" >"$work/allowed"
    sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p; s/^[0-9]* *<\.\.\. \([a-z0-9_]*\) resumed>.*/\1/p' "$log" |
        sort -u >"$work/used"
    [ -s "$work/used" ] || fail "$log: no system calls read"
    local missing
    missing=$(comm -23 "$work/used" "$work/allowed" | tr '\n' ' ')
    [ -z "$missing" ] || fail "$unit: the process uses system calls its SystemCallFilter= denies: $missing"
    fams=$(sed -n 's/^RestrictAddressFamilies=\(.*\)/\1/p' "$src/$unit")
    for f in $(grep -o 'socket(AF_[A-Z0-9]*' "$log" | sed 's/socket(//' | sort -u); do
        case " $fams " in
        *" $f "*) ;;
        *) fail "$unit: the process opens an $f socket, which RestrictAddressFamilies=$fams denies" ;;
        esac
    done
    if grep -E 'mprotect\([^)]*PROT_EXEC|mmap\([^)]*(PROT_WRITE\|PROT_EXEC|PROT_EXEC\|PROT_WRITE)' "$log" >/dev/null; then
        fail "$unit: the process maps memory executable at run time (MemoryDenyWriteExecute=)"
    fi
    echo "ok: $unit lets in the $(wc -l <"$work/used") system calls and the socket families the process used"
}

data=$work/data
"$hub" init --data "$data" >/dev/null
# LeakSanitizer cannot run under ptrace: in a sanitizer build the traced processes go without it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
strace -f -qq -o "$work/run.trace" "$hub" run --data "$data" --bind 'tcp://127.0.0.1:*' \
    --metrics 127.0.0.1:0 2>"$work/run.log" &
hubpid=$!
for _ in $(seq 1 600); do
    [ -s "$data/endpoint" ] && break
    kill -0 "$hubpid" 2>/dev/null || fail "the hub stopped: $(cat "$work/run.log")"
    sleep 0.1
done
[ -s "$data/endpoint" ] || fail "the hub did not start: $(cat "$work/run.log")"
"$hub" health --data "$data" >/dev/null || fail "the hub did not answer its ping"
# One scrape of the metrics page, so its thread's calls are in the trace too.
port=$(sed -n 's#.*metrics on http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$work/run.log" | head -n 1)
[ -n "$port" ] || fail "the hub did not say where its metrics are: $(cat "$work/run.log")"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
grep -q '^HTTP/1.[01] 200' <&3 || fail "the metrics page did not answer 200"
exec 3<&-
strace -f -qq -o "$work/backup.trace" "$hub" backup --data "$data" --into "$work/backups" --keep 1 >/dev/null ||
    fail "backup failed"
# The hub itself, not strace, gets the signal: the first pid of the trace.
kill -TERM "$(awk 'NR == 1 { print $1 }' "$work/run.trace")"
wait "$hubpid" || fail "the hub did not stop cleanly: $(cat "$work/run.log")"
hubpid=
check_trace "$work/run.trace" ticsx-hub.service
check_trace "$work/backup.trace" ticsx-hub-backup.service
