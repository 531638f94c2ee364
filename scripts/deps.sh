#!/bin/sh
# Install the Debian packages capsim needs, only those missing.
# Run by `make run` and `make test`; a no-op when everything is there.
set -e
need=""
for p in libgsl-dev libcjson-dev libcmocka-dev gnuplot-nox pkg-config; do
    dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
[ -z "$need" ] && exit 0
echo "capsim: installing missing packages:$need" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq $need >&2
