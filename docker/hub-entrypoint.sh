#!/bin/sh
# Entry point of the ticsx image. Without arguments (or with options only): creates the hub in
# /data on first start, then serves on port 7700 as PID 1, so `docker stop` (SIGTERM) lets it
# finish the commit in flight and exit 0. Options are passed to `ticsx-hub run`, e.g.
# --log-level debug. A command instead runs that ticsx-hub command, e.g. enroll --data /data F.
# --help only prints help: it creates nothing.
set -eu

data=${TICSX_DATA:-/data}
bind=${TICSX_BIND:-tcp://0.0.0.0:7700}

case ${1:-} in
'' | -*) ;;
*) exec ticsx-hub "$@" ;;
esac

for arg in "$@"; do
    case $arg in
    -h | --help)
        echo "hub-entrypoint.sh: without a command, creates the hub in $data on first start, then runs:"
        echo "  ticsx-hub run --data $data --bind $bind [OPTIONS]"
        echo "A command runs that ticsx-hub command instead (e.g. backup --data $data /data/backup)."
        echo
        exec ticsx-hub run --help
        ;;
    esac
done

# A volume the hub cannot write is named as one, with what to do, before init or run fails on
# some file inside it.
uid=$(id -u)
if [ ! -d "$data" ]; then
    echo "hub-entrypoint.sh: $data does not exist; mount a volume there (docker run -v ticsx-hub:$data ...)" >&2
    exit 2
fi
if [ ! -w "$data" ] || [ ! -x "$data" ] ||
    { [ -e "$data/hub.key" ] && [ ! -r "$data/hub.key" ]; } ||
    { [ -e "$data/data.mdb" ] && [ ! -w "$data/data.mdb" ]; }; then
    owner=$(stat -c '%u:%g %A' "$data" 2>/dev/null || echo '?')
    echo "hub-entrypoint.sh: permission problem: $data (owner and mode: $owner) or the hub's files in it" \
        "are not readable and writable by uid $uid, which the hub runs as." >&2
    echo "  For a bind mount, on the host: chown -R $uid:$(id -g) HOST_DIR && chmod 700 HOST_DIR" >&2
    echo "  or use a named volume (docker run -v ticsx-hub:$data ...), which Docker creates for uid $uid." >&2
    exit 2
fi

if [ ! -e "$data/hub.key" ]; then
    ticsx-hub init --data "$data"
fi
exec ticsx-hub run --data "$data" --bind "$bind" "$@"
