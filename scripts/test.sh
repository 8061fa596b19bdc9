#!/usr/bin/env bash
# Sets up and runs every test: formatting and lints, the Rust unit tests, the conformance suite
# and the REPL transcripts on the host device (also with the collector in stress mode) and then
# on qemu-mps2-an385 (a Cortex-M3 in QEMU) and stm32f405 (a Cortex-M4F in QEMU), the notebook in
# headless Chromium on the host device and the Cortex-M3,
# the runtime's C tests, each fuzz target for 30 seconds, and each benchmark once at a tiny size.
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

step "cargo test (unit tests, conformance suite, REPL transcripts, differential test)"
# The differential test draws random programs; a fixed seed keeps CI repeatable (run it with
# another BSCRIPT_DIFF_SEED, or none, to look for new differences).
BSCRIPT_DIFF_SEED="${BSCRIPT_DIFF_SEED:-20261125}" cargo test --locked --release --workspace

step "GC stress: the conformance suite and REPL transcripts, collecting at every allocation"
BSCRIPT_GC_STRESS=1 cargo test --locked --release -p bscript --test conformance --test repl

step "dynamic compiler: the conformance suite and REPL transcripts specialising at the first call, and with it off"
BSCRIPT_DYNAMIC=eager cargo test --locked --release -p bscript --test conformance --test repl
BSCRIPT_DYNAMIC=off cargo test --locked --release -p bscript --test conformance --test repl

step "qemu-mps2-an385: runtime image size (fails over the port's memory budget)"
cargo run --locked --release -q -p bs-toolchain --example runtime_size -- qemu-mps2-an385

step "qemu-mps2-an385: conformance suite and REPL transcripts"
cargo test --locked --release -p bscript --test conformance -- --target qemu-mps2-an385
cargo test --locked --release -p bscript --test repl -- --target qemu-mps2-an385
# The notebook in headless Chromium on the Cortex-M device (on the host device it runs with the
# workspace's tests above).
BSCRIPT_NOTEBOOK_TARGET=qemu-mps2-an385 cargo test --locked --release -p bscript --test notebook
BSCRIPT_DYNAMIC=eager cargo test --locked --release -p bscript --test conformance --test repl -- --target qemu-mps2-an385
BSCRIPT_DYNAMIC=off cargo test --locked --release -p bscript --test conformance --test repl -- --target qemu-mps2-an385

step "stm32f405: runtime image size, conformance suite and REPL transcripts (the lossy link runs with the workspace's tests)"
cargo run --locked --release -q -p bs-toolchain --example runtime_size -- stm32f405
cargo test --locked --release -p bscript --test conformance -- --target stm32f405
cargo test --locked --release -p bscript --test repl -- --target stm32f405

step "fuzz targets: formatting, lints, and each target for 30 seconds"
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
cargo clippy --manifest-path fuzz/Cargo.toml --locked --all-targets -- -D warnings
cargo test --manifest-path fuzz/Cargo.toml --locked --release --lib
for t in frontend compile host_frames device; do
    scripts/fuzz.sh "$t" 30
done

step "benchmarks at a tiny size"
bscript="${CARGO_TARGET_DIR:-target}/release/bscript"
out="$(mktemp -d)"
"$bscript" bench repl --count 8 --out "$out"
"$bscript" --target qemu-mps2-an385 bench repl --count 8 --out "$out"
"$bscript" --target stm32f405 bench repl --count 8 --out "$out"
"$bscript" bench link --inputs 20 --out "$out"
"$bscript" bench compile --tiny --out "$out"
# Timers: an interval's accuracy and a callback's latency, on each target.
"$bscript" bench events --tiny --out "$out"
"$bscript" --target qemu-mps2-an385 bench events --tiny --out "$out"
# Short samples of the soaks (the full ones, outside CI: README, "Benchmarks"): the link over two
# seeds at each of two fault rates, and a long session on each target, which fails if anything
# grows or an input gives the wrong kind of outcome.
"$bscript" bench link --inputs 30 --seeds 2 --out "$out" \
    --faults drop=5%,corrupt=5%,duplicate=1%,delay=2%,seed=1000 \
    --faults drop=10%,corrupt=10%,duplicate=3%,delay=2%,seed=2000
"$bscript" bench soak --inputs 200 --sample 20 --out "$out"
"$bscript" --target qemu-mps2-an385 bench soak --inputs 200 --sample 20 --out "$out"
# Every benchmark program on every installed system, once, at one iteration: a wrong result fails.
"$bscript" bench awfy --tiny --out "$out"
"$bscript" bench dsp --tiny --out "$out"
"$bscript" --target qemu-mps2-an385 bench awfy --tiny --out "$out"
"$bscript" --target qemu-mps2-an385 bench dsp --tiny --out "$out"
# On the STM32F405's 128 KiB of SRAM the allocation-heavy programs do not fit: absent cells.
"$bscript" --target stm32f405 bench awfy --tiny --out "$out"
"$bscript" --target stm32f405 bench dsp --tiny --out "$out"
rm -rf "$out"

echo "all tests passed" >&2
