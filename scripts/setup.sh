#!/usr/bin/env bash
# Installs exactly the Debian packages that Cascade's build, tests and demo need.
# Idempotent and quiet when everything is already present. Needs root (or sudo).
set -euo pipefail

build_packages=(
  meson ninja-build pkg-config cmake g++ clang libclang-rt-14-dev clang-format
  libsrtp2-dev libusrsctp-dev libuv1-dev libssl-dev
  libflatbuffers-dev flatbuffers-compiler doctest-dev
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libhttp-parser-dev
  libbenchmark-dev libmaxminddb-dev libhiredis-dev
)
test_packages=(
  chromium redis-server nftables iproute2 python3 curl ca-certificates openssl
)
srtp_build_packages=(dpkg-dev build-essential)

missing=()
for pkg in "${build_packages[@]}" "${test_packages[@]}" "${srtp_build_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/build-srtp-openssl.sh"

# Browser tests: playwright-core drives Debian's /usr/bin/chromium (never a downloaded
# browser); werift is a second, independent WebRTC stack. Versions pinned by the lock file.
browser_dir="$here/../tests/browser"
if [ ! -d "$browser_dir/node_modules/playwright-core" ] || [ ! -d "$browser_dir/node_modules/werift" ]; then
  echo "setup: installing browser test packages (npm ci)"
  npm ci --prefix "$browser_dir" --no-audit --no-fund --loglevel=error >/dev/null
fi
