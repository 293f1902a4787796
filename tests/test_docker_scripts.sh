#!/usr/bin/env bash
# docker/hub-entrypoint.sh and docker/demo-client.sh outside a container, with the built
# ticsx-hub and ticsx first on PATH:
#  1. --help prints the entry point's and `ticsx-hub run`'s help and creates nothing;
#  2. a data directory the hub's uid may not write makes it exit 2 naming a permission problem
#     (as root: run as uid 65534 against a root-owned directory; otherwise a 0500 directory);
#  3. without arguments it creates the hub and serves; the demo client enrols a buyer and a
#     supplier and completes an exchange (request, answer, fetch, verify, report) against it;
#     SIGTERM stops the hub with exit 0.
# Needs TX_BUILD_DIR and TX_SOURCE_DIR (ctest sets them).
set -euo pipefail

build=${TX_BUILD_DIR:?}
src=${TX_SOURCE_DIR:?}
work=$(mktemp -d "${TMPDIR:-/tmp}/ticsx-docker-scripts-XXXXXX")
hubpid=
cleanup() {
    if [ -n "$hubpid" ]; then
        kill -KILL "$hubpid" 2>/dev/null || true
        wait "$hubpid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export PATH="$build/hub:$build/client:$PATH"
# Copies another uid can read (the source tree may be in a private home).
chmod 755 "$work"
cp "$src/docker/hub-entrypoint.sh" "$src/docker/demo-client.sh" "$work/"
chmod 755 "$work/hub-entrypoint.sh" "$work/demo-client.sh"

echo "1. --help creates nothing"
mkdir -m 700 "$work/help"
TICSX_DATA=$work/help sh "$work/hub-entrypoint.sh" --help >"$work/help.txt" 2>&1 ||
    fail "--help exited $?: $(cat "$work/help.txt")"
grep -q 'usage: ticsx-hub run' "$work/help.txt" || fail "--help did not print ticsx-hub run's usage"
[ -z "$(ls -A "$work/help")" ] || fail "--help created $(ls -A "$work/help")"

echo "2. an unwritable data directory is named as a permission problem"
mkdir -m 755 "$work/ro"
status=0
if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups env TICSX_DATA="$work/ro" \
        sh "$work/hub-entrypoint.sh" >"$work/ro.txt" 2>&1 || status=$?
else
    chmod 500 "$work/ro"
    TICSX_DATA=$work/ro sh "$work/hub-entrypoint.sh" >"$work/ro.txt" 2>&1 || status=$?
fi
cat "$work/ro.txt"
[ "$status" -eq 2 ] || fail "exit $status for an unwritable data directory, not 2"
grep -q 'permission problem' "$work/ro.txt" || fail "the message does not name a permission problem"
grep -q 'chown' "$work/ro.txt" || fail "the message does not say what to run"
[ -z "$(ls -A "$work/ro")" ] || fail "files were created in the unwritable directory"

echo "3. the entry point starts a hub; the demo client completes an exchange"
mkdir -m 700 "$work/data"
TICSX_DATA=$work/data TICSX_BIND='tcp://127.0.0.1:*' sh "$work/hub-entrypoint.sh" \
    >"$work/hub.log" 2>&1 &
hubpid=$!
for _ in $(seq 100); do
    [ -s "$work/data/endpoint" ] && break
    kill -0 "$hubpid" 2>/dev/null || fail "the hub exited: $(cat "$work/hub.log")"
    sleep 0.1
done
[ -s "$work/data/endpoint" ] || fail "the hub wrote no endpoint within 10 s"
mkdir -m 700 "$work/homes"
TICSX_DATA=$work/data TICSX_DEMO_HOMES=$work/homes TICSX_HUB=$(cat "$work/data/endpoint") \
    HOME=$work sh "$work/demo-client.sh" >"$work/client.log" 2>&1 ||
    { tail -n 20 "$work/client.log"; fail "the demo client failed"; }
grep -q '^demo-client: exchange complete' "$work/client.log" || fail "no exchange completed"
grep -q 'verified' "$work/client.log" || fail "ticsx verify did not verify the assessment"
tail -n 1 "$work/client.log"
kill -TERM "$hubpid"
status=0
wait "$hubpid" || status=$?
hubpid=
[ "$status" -eq 0 ] || fail "the hub exited $status after SIGTERM"
echo "PASS"
