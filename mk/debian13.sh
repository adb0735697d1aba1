#!/bin/bash
# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
# `make test-debian13`: runs a make target (default: test) inside a Debian 13 (trixie) root, as a newcomer
# on Debian 13 would: torch 2.6, oneDNN 3.7, GCC 14, Python 3.13, installed by the Makefile's own
# dependency step. The root is made once with debootstrap from the mirror apt already uses and kept in
# $DEBIAN13_ROOT (default ~/.cache/mkldnn_rnn/debian13) between runs; the tree is copied in afresh each run.
#   mk/debian13.sh [make target ...]
#   mk/debian13.sh -- command [arg ...]   runs a command in the root as it stands (the benchmark's children,
#                                         bench/debian13.py), with the caller's environment, the tree not copied
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${DEBIAN13_ROOT:-$HOME/.cache/mkldnn_rnn/debian13}
COMMAND=()
if [ "${1:-}" = "--" ]; then
    shift
    COMMAND=("$@")
    [ -f "$ROOT/.mkldnn_rnn-root" ] || { echo "error: no Debian 13 root in $ROOT (make test-debian13 makes it)" >&2; exit 1; }
fi
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(test)

# The mirror of this machine's apt sources (deb822 or one-line format).
mirror() {
    local m
    m=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [ -n "$m" ] || m=$(awk '/^deb / && $2 ~ /^http/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    echo "${m:-http://deb.debian.org/debian}"
}

if [ ! -f "$ROOT/.mkldnn_rnn-root" ]; then
    command -v debootstrap >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap; }
    MIRROR=$(mirror)
    echo "== making the Debian 13 root in $ROOT from $MIRROR (once; about 5 minutes)"
    rm -rf "$ROOT.partial"
    mkdir -p "$(dirname "$ROOT")"
    if ! debootstrap --variant=minbase trixie "$ROOT.partial" "$MIRROR" > "$ROOT.debootstrap.log" 2>&1; then
        tail -5 "$ROOT.debootstrap.log" >&2
        echo "error: debootstrap of Debian 13 from $MIRROR failed (is the mirror reachable?); log: $ROOT.debootstrap.log" >&2
        exit 1
    fi
    rm -rf "$ROOT" && mv "$ROOT.partial" "$ROOT" && touch "$ROOT/.mkldnn_rnn-root"
fi

# /proc, /dev and /sys for the tools inside; unmounted however this script ends.
mounted=()
cleanup() { for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done; }
trap cleanup EXIT
for fs in proc dev sys; do
    if ! mountpoint -q "$ROOT/$fs"; then mount --bind "/$fs" "$ROOT/$fs" && mounted+=("$ROOT/$fs"); fi
done
if [ ${#COMMAND[@]} -gt 0 ]; then
    chroot "$ROOT" "${COMMAND[@]}"
    exit
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

# The tree as git sees it (tracked files and new ones it does not ignore); the root's own build folder is
# kept between runs, so that a second run builds only what changed.
mkdir -p "$ROOT/src/mkldnn_rnn"
find "$ROOT/src/mkldnn_rnn" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' \
    | tar --null -T - -cf - | tar -xf - -C "$ROOT/src/mkldnn_rnn"

echo "== Debian 13 root: make ${TARGETS[*]}"
chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 CI="${CI:-}" \
    /bin/bash -c "cd /src/mkldnn_rnn && make ${TARGETS[*]}"
