#!/usr/bin/env bash
# Sets up and runs every test: formatting and lints, the Rust unit tests, the conformance suite
# and the REPL transcripts on the host device, the runtime's C tests, and each benchmark once
# at a tiny size.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n=== %s\n' "$*" >&2; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --locked --all-targets -- -D warnings

step "runtime C tests"
runtime/tests/run.sh

step "cargo test (unit tests, conformance suite, REPL transcripts)"
cargo test --locked --release --workspace

step "benchmarks at a tiny size"
out="$(mktemp -d)"
./target/release/bscript bench repl --count 8 --out "$out"
rm -rf "$out"

echo "all tests passed" >&2
