#!/bin/sh
# Checks that every shared library the binaries link directly (their ELF NEEDED entries) comes
# from a Debian package in the runtime list, so the slim image installs all it needs and apt
# brings the rest as dependencies. Run in the Dockerfile's build stage, or on the host:
#   docker/check-runtime-deps.sh "libzmq5 libsodium23 ..." build/hub/ticsx-hub build/client/ticsx
set -eu

if [ $# -lt 2 ]; then
    echo "usage: check-runtime-deps.sh \"PACKAGE...\" BINARY..." >&2
    exit 2
fi
allowed="libc6 $1"
shift
status=0
for bin in "$@"; do
    for so in $(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }'); do
        pkgs=$(dpkg -S "*/$so" 2>/dev/null | cut -d: -f1 | sort -u)
        found=
        for p in $pkgs; do
            case " $allowed " in
            *" $p "*) found=$p ;;
            esac
        done
        if [ -n "$found" ]; then
            echo "$bin: $so from $found"
        else
            echo "$bin: $so from ${pkgs:-no package} is not in the runtime list" >&2
            status=1
        fi
    done
done
exit $status
