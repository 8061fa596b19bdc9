#!/usr/bin/env bash
# Builds and runs one coverage-guided fuzz target (clang's libFuzzer) for SECONDS seconds.
#
#   scripts/fuzz.sh TARGET SECONDS [LIBFUZZER-OPTION...]
#
# Targets (ARCHITECTURE.md, "Fuzzing"):
#   frontend     parse and check, in process (the input: units separated by NUL bytes)
#   compile      check, C generation, gcc and the linker for every unit that checks
#   host_frames  the host's frame decoder and the reliable-link reader against a scripted device
#   device       the device's frame reader and message loop (runtime C) with ASan and UBSan,
#                against a fake HAL with a virtual clock
#
# The Rust targets build on stable Rust: libfuzzer-sys with LLVM's sanitizer-coverage pass asked
# for by -C flags (cargo-fuzz would need nightly). The working corpus is fuzz/corpus/TARGET (kept
# between runs, not in git); the seeds in fuzz/seeds/TARGET are made afresh from the conformance
# suite, the REPL transcripts and frames recorded from a real session. An input that fails is
# written to fuzz/artifacts/TARGET/ and the script exits non-zero; rerun it with
#   fuzz/target/x86_64-unknown-linux-gnu/release/TARGET FILE    (fuzz/target/c/device FILE)
set -euo pipefail
shopt -s inherit_errexit # a failed build inside $(...) stops the script
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

usage() {
    echo "usage: $0 frontend|compile|host_frames|device SECONDS [LIBFUZZER-OPTION...]" >&2
    exit 2
}
[ $# -ge 2 ] || usage
target=$1
seconds=$2
shift 2
case $target in frontend | compile | host_frames | device) ;; *) usage ;; esac
case $seconds in '' | *[!0-9]*) usage ;; esac

for tool in clang python3; do
    command -v $tool >/dev/null 2>&1 || {
        echo "fuzz: $tool is missing (scripts/setup.sh installs it)" >&2
        exit 1
    }
done

host=$(rustc -vV | sed -n 's/^host: //p')

# --- building ------------------------------------------------------------------------------------

build_rust() {
    # Coverage for libFuzzer on stable: the sanitizer-coverage pass with the counters, PC table
    # and comparison hooks libFuzzer reads (debug assertions and overflow checks come from
    # fuzz/Cargo.toml's profile). --target keeps the flags off build scripts.
    RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing" \
        cargo build --manifest-path fuzz/Cargo.toml --locked --release --target "$host" --bin "$1" >&2
    echo "$root/fuzz/target/$host/release/$1"
}

build_device() {
    local out=fuzz/target/c
    mkdir -p $out
    local flags=(-std=c11 -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -fno-sanitize-recover=undefined
        -Iruntime/tests/fuzz -Iruntime/core)
    local core=()
    for f in runtime/core/*.c; do
        # bs_protocol.c and bs_runtime.c are included by the harness; the collector scans the
        # stack word by word, ASan's red zones included, so it is built without ASan (as a
        # conservative collector must be).
        case $f in
        */bs_protocol.c | */bs_runtime.c) ;;
        */bs_gc.c) clang "${flags[@]}" -fsanitize=fuzzer-no-link,undefined -c "$f" -o $out/bs_gc.o >&2 ;;
        *) core+=("$f") ;;
        esac
    done
    clang "${flags[@]}" -fsanitize=fuzzer,address,undefined "${core[@]}" $out/bs_gc.o \
        runtime/tests/fuzz/fuzz_device.c -o $out/device -lm >&2
    echo "$root/$out/device"
}

# --- seeds ---------------------------------------------------------------------------------------

seeds=fuzz/seeds/$target
rm -rf "$seeds"
mkdir -p "$seeds" "fuzz/corpus/$target" "fuzz/artifacts/$target"

seed_programs() {
    local f
    for f in tests/conformance/*.bs tests/cgen/*.bs tests/diagnostics/*.bs; do
        [ -f "$f" ] && cp "$f" "$seeds/$(echo "$f" | tr / _)"
    done
    # A REPL transcript is a session of units: one per line, separated by NUL bytes.
    for f in tests/repl/*.in; do
        tr '\n' '\0' <"$f" >"$seeds/$(basename "$f" .in).units"
    done
}

# Records the frames of a real session on the host device (bscript with a runtime that copies
# what goes in and out) and turns them into seeds for `device` or `host_frames`.
seed_frames() {
    local rec
    rec=$(mktemp -d)
    bscript=target/release/bscript
    [ -x "$bscript" ] || cargo build --release --locked -q -p bscript >&2
    local image
    image=$("$bscript" board info | sed -n 's/^runtime image: //p')
    cat >"$rec/runtime" <<WRAP
#!/bin/sh
n=\$(date +%s%N)
tee "$rec/in-\$n" | "$image" | tee "$rec/out-\$n"
WRAP
    chmod +x "$rec/runtime"
    local f
    for f in tests/conformance/arith*.bs tests/conformance/class*.bs tests/conformance/string*.bs \
        tests/conformance/error*.bs tests/conformance/array*.bs; do
        [ -f "$f" ] && "$bscript" --runtime-exe "$rec/runtime" run "$f" >/dev/null 2>&1 || true
    done
    for f in tests/repl/*.in; do
        "$bscript" --runtime-exe "$rec/runtime" repl <"$f" >/dev/null 2>&1 || true
    done
    python3 fuzz/seeds.py "$target" "$rec" "$seeds"
    rm -rf "$rec"
}

case $target in
frontend | compile)
    bin=$(build_rust "$target")
    seed_programs
    opts=(-dict=fuzz/dict/bluescript.dict -timeout=10 -max_len=8192)
    ;;
host_frames)
    bin=$(build_rust "$target")
    seed_frames
    opts=(-timeout=10 -max_len=8192)
    ;;
device)
    bin=$(build_device)
    seed_frames
    opts=(-timeout=10 -max_len=8192)
    ;;
esac

echo "fuzz: $target for ${seconds}s ($(ls "$seeds" | wc -l) seeds, $(ls "fuzz/corpus/$target" | wc -l) in the corpus)" >&2
exec nice -n 15 "$bin" "${opts[@]}" -max_total_time="$seconds" -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$target/" "$@" \
    "fuzz/corpus/$target" "$seeds"
