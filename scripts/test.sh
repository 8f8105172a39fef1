#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the format check, the unit and
# integration suites (warnings are errors), the same suites under ASan+UBSan, and every
# fuzzer for a bounded time. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs="$(nproc)"

started=$SECONDS
step() { printf '\n=== [%ds] %s\n' "$((SECONDS - started))" "$*"; }
trap 'printf "\n=== [%ds] done (exit %d)\n" "$((SECONDS - started))" "$?"' EXIT
# Unity builds (six sources per compile) and line tables only (-g1, enough for sanitizer
# stack traces) cut each full build from ~10.5 to ~3.5 minutes on two cores; developers'
# own build directories stay per-file for fast incremental builds.
build_options=(--unity on -Dunity_size=6 -Dcpp_args=-g1)

step "setup"
scripts/setup.sh

step "format"
scripts/check-format.sh

step "fuzz build (clang, libFuzzer, ${CASCADE_FUZZ_SECONDS:-10}s per target)"
[ -d build-fuzz ] || CC=clang CXX=clang++ meson setup build-fuzz "${build_options[@]}" -Dfuzz=true \
  -Dfuzz_seconds="${CASCADE_FUZZ_SECONDS:-10}" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
# Only the fuzz targets: the unit tests are built and run by the two builds below.
mapfile -t fuzz_targets < <(ninja -C build-fuzz -t targets all | sed -n 's|^\(tests/fuzz/Fuzz[A-Za-z0-9]*\): .*|\1|p' | sort -u)
ninja -C build-fuzz -j"$jobs" "${fuzz_targets[@]}"
meson test -C build-fuzz --no-rebuild --suite fuzz --num-processes "$jobs" --print-errorlogs

step "sanitizer build (ASan+UBSan)"
[ -d build-asan ] || meson setup build-asan "${build_options[@]}" -Db_sanitize=address,undefined -Dwerror=true >/dev/null
ninja -C build-asan -j"$jobs"
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
  meson test -C build-asan --num-processes "$jobs" --print-errorlogs

step "release build"
[ -d build ] || meson setup build "${build_options[@]}" -Dwerror=true >/dev/null
ninja -C build -j"$jobs"
meson test -C build --num-processes "$jobs" --print-errorlogs
