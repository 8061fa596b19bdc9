#!/bin/sh
# Runs every Are-We-Fast-Yet program on a target and fails if one prints WRONG or exits non-zero.
#   benchmarks/awfy/run.sh [TARGET] [ITERATIONS]
# TARGET defaults to host. ITERATIONS, when given, replaces each program's `const iterations = 3`.
# On qemu-mps2-an385 (32 KB heap) the programs that need a bigger heap run at a smaller inner
# size (see README.md). BSCRIPT names the bscript binary (default: bscript on PATH, else the
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
status=0
for src in "$here"/*.bs; do
  name=$(basename "$src")
  file="$tmp/$name"
  cp "$src" "$file"
  if [ -n "$iters" ]; then
    sed -i "s/^const iterations = [0-9]*/const iterations = $iters/" "$file"
  fi
  if [ "$target" = qemu-mps2-an385 ]; then
    case "$name" in
      storage.bs) sed -i 's/^const innerSize = [0-9]*/const innerSize = 5/' "$file" ;;
      deltablue.bs) sed -i 's/^const innerSize = [0-9]*/const innerSize = 50/' "$file" ;;
      havlak.bs) sed -i 's/^const innerSize = [0-9]*/const innerSize = 1/' "$file" ;;
      cd.bs) sed -i 's/^const innerSize = [0-9]*/const innerSize = 38/' "$file" ;;
      json.bs) echo "$name: skipped on $target (its 20 KB text exceeds the 16 KB data region)"; continue ;;
    esac
  fi
  out=$("$bscript" --target "$target" run "$file" 2>&1)
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
