#!/bin/sh
# Runs every Are-We-Fast-Yet program on a target and fails if one prints WRONG or exits non-zero.
#   benchmarks/awfy/run.sh [TARGET] [ITERATIONS]
# TARGET defaults to host. ITERATIONS, when given, replaces each program's `const iterations = 3`.
# On qemu-mps2-an385 the device gets the memory `bscript bench` gives it (its default 32 KB heap
# and 16 KB data region are too small for several programs; see README.md). BSCRIPT names the bscript binary (default: bscript on PATH, else the
# repository's target/release/bscript).
set -u
target=${1:-host}
iters=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
bscript=${BSCRIPT:-}
if [ -z "$bscript" ]; then
  if command -v bscript >/dev/null 2>&1; then bscript=bscript
  else bscript="$here/../../target/release/bscript"; fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
memory=
if [ "$target" = qemu-mps2-an385 ]; then
  memory="--memory stack=64K,code=256K,data=256K,heap=1M"
fi
status=0
for src in "$here"/*.bs; do
  name=$(basename "$src")
  file="$tmp/$name"
  cp "$src" "$file"
  if [ -n "$iters" ]; then
    sed -i "s/^const iterations = [0-9]*/const iterations = $iters/" "$file"
  fi
  # shellcheck disable=SC2086
  out=$("$bscript" --target "$target" $memory run "$file" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  if [ $rc -ne 0 ]; then
    echo "$name: FAILED (exit status $rc)"
    status=1
  elif printf '%s\n' "$out" | grep -q WRONG; then
    status=1
  elif ! printf '%s\n' "$out" | grep -q ': ok$'; then
    echo "$name: FAILED (no ok line)"
    status=1
  fi
done
exit $status
