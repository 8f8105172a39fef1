#!/usr/bin/env bash
# Debian's libsrtp2 is built on NSS and is ~5x slower than the same release built on
# OpenSSL (docs/BENCHMARKS.md). Per-viewer encryption is the edge's main cost, so we
# build Debian's own source package with --enable-openssl, once, and install it as a
# static library under /usr/local where pkg-config finds it before the system copy.
set -euo pipefail
prefix=/usr/local
marker="$prefix/lib/pkgconfig/libsrtp2.pc"
if [ -f "$marker" ] && grep -q "cascade-openssl" "$marker"; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
src_list=/etc/apt/sources.list.d/cascade-deb-src.sources
if ! grep -rqs "^Types:.*deb-src" /etc/apt/sources.list.d/ && ! grep -qs "^deb-src" /etc/apt/sources.list; then
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | $SUDO tee "$src_list" >/dev/null
  $SUDO apt-get update -qq
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "setup: building libsrtp2 with OpenSSL from Debian's source package"
apt-get source -qq libsrtp2 >/dev/null 2>&1
cd libsrtp2-*/
./configure --quiet --prefix="$prefix" --enable-openssl >/dev/null
make -s -j"$(nproc)" libsrtp2.a >/dev/null 2>&1
$SUDO make -s install >/dev/null
# Mark our build so the check above finds it and so `pkg-config --variable` shows where it came from.
echo "# cascade-openssl build of Debian libsrtp2 source" | $SUDO tee -a "$marker" >/dev/null
