#!/bin/sh
# The demo client of docker/compose.yaml: waits for the hub's public key in the shared /data
# volume, creates an organisation (once), has it enrolled, and pings the hub over CURVE with
# the hub key pinned. In a real deployment the organisation sends its profile.tx to the hub
# operator, who runs `ticsx-hub enroll` on the hub's host; this container plays the operator
# through the shared volume (and shares the hub's PID namespace, which LMDB's reader table
# relies on when two processes use one database).
set -eu

data=${TICSX_DATA:-/data}
home=${TICSX_HOME:-$HOME/.config/ticsx}
name=${TICSX_NAME:-Demo Supplier}
export TICSX_HOME="$home"
export TICSX_HUB="${TICSX_HUB:-tcp://hub:7700}"
export TICSX_HUB_KEY="${TICSX_HUB_KEY:-$data/hub.pub}"

echo "demo-client: waiting for the hub's public key $TICSX_HUB_KEY"
waited=0
while [ ! -s "$TICSX_HUB_KEY" ]; do
    if [ "$waited" -ge 60 ]; then
        echo "demo-client: no $TICSX_HUB_KEY after 60 s: is the hub running?" >&2
        exit 3
    fi
    sleep 1
    waited=$((waited + 1))
done

if [ ! -e "$home/identity.key" ]; then
    ticsx keygen --name "$name"
fi
ticsx-hub enroll --data "$data" "$home/profile.tx"
ticsx whoami

# The hub admits the new key at the next handshake; allow it a moment.
tries=0
until ticsx ping; do
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ]; then
        echo "demo-client: the hub at $TICSX_HUB did not answer the ping" >&2
        exit 3
    fi
    sleep 1
done
