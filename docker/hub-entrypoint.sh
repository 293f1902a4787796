#!/bin/sh
# Entry point of the ticsx image. Without arguments (or with options only): creates the hub in
# /data on first start, then serves on port 7700 as PID 1, so `docker stop` (SIGTERM) lets it
# finish the commit in flight and exit 0. Options are passed to `ticsx-hub run`, e.g.
# --log-level debug. A command instead runs that ticsx-hub command, e.g. enroll --data /data F.
set -eu

data=${TICSX_DATA:-/data}
bind=${TICSX_BIND:-tcp://0.0.0.0:7700}

case ${1:-} in
'' | -*) ;;
*) exec ticsx-hub "$@" ;;
esac

if [ ! -e "$data/hub.key" ]; then
    ticsx-hub init --data "$data"
fi
exec ticsx-hub run --data "$data" --bind "$bind" "$@"
