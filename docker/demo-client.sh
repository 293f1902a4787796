#!/bin/sh
# The demo client of docker/compose.yaml: waits for the hub's public key in the shared /data
# volume, creates a buyer and a supplier (once), has both enrolled, and plays one exchange over
# CURVE with the hub key pinned: the buyer requests the TICS self-check, the supplier answers
# it, the buyer fetches, verifies and reports. In a real deployment each organisation sends its
# profile.tx to the hub operator, who runs `ticsx-hub enroll` on the hub's host; this container
# plays the operator through the shared volume (and shares the hub's PID namespace, which
# LMDB's reader table relies on when two processes use one database). Exit 0: the exchange
# completed and verified.
set -eu

data=${TICSX_DATA:-/data}
homes=${TICSX_DEMO_HOMES:-$HOME/.config/ticsx}
buyer_name=${TICSX_BUYER_NAME:-Demo Buyer}
name=${TICSX_NAME:-Demo Supplier}
export TICSX_HUB="${TICSX_HUB:-tcp://hub:7700}"
export TICSX_HUB_KEY="${TICSX_HUB_KEY:-$data/hub.pub}"

say() {
    echo "demo-client: $*"
}

# as WHO ARGS...: runs ticsx with WHO's home (buyer or supplier).
as() {
    who=$1
    shift
    TICSX_HOME=$homes/$who ticsx "$@"
}

say "waiting for the hub's public key $TICSX_HUB_KEY"
waited=0
while [ ! -s "$TICSX_HUB_KEY" ]; do
    if [ "$waited" -ge 60 ]; then
        echo "demo-client: no $TICSX_HUB_KEY after 60 s: is the hub running?" >&2
        exit 3
    fi
    sleep 1
    waited=$((waited + 1))
done

for who in buyer supplier; do
    if [ "$who" = buyer ]; then n=$buyer_name; else n=$name; fi
    if [ ! -e "$homes/$who/identity.key" ]; then
        as "$who" keygen --name "$n"
    fi
    ticsx-hub enroll --data "$data" "$homes/$who/profile.tx"
done
as supplier whoami

# The hub admits a new key at the next handshake; allow it a moment.
tries=0
until as buyer ping; do
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ]; then
        echo "demo-client: the hub at $TICSX_HUB did not answer the ping" >&2
        exit 3
    fi
    sleep 1
done

say "the buyer asks $name for the TICS self-check"
due=$(date -u -d '+30 days' +%Y-%m-%d)
request=$(as buyer -q request --questionnaire tics-selfcheck --to "$name" --due "$due")
say "request $request"

say "$name answers: every item 'yes'"
as supplier inbox
rm -f "$homes/supplier/answers.csv" "$homes/supplier/answers.filled.csv"
as supplier questionnaire template "$request" --out "$homes/supplier/answers.csv"
# The template's rows (CRLF) end in ",,,,,," (answer, comment and the remediation plan
# columns empty); quoted texts never do.
sed 's/,,,,,,\(\r\?\)$/,yes,,,,,\1/' "$homes/supplier/answers.csv" >"$homes/supplier/answers.filled.csv"
as supplier answer "$request" --file "$homes/supplier/answers.filled.csv"

say "the buyer fetches, verifies and reports"
as buyer fetch
as buyer verify
as buyer report
say "exchange complete: request $request answered, fetched and verified"
