#!/bin/sh
# run.sh: builds one C benchmark program for the Cortex-M3 and runs it bare-metal under QEMU's
# mps2-an385 machine, with deterministic guest time (-icount shift=0: one instruction is one
# nanosecond, so 1 us of guest time is 1000 instructions).
#
# Usage: benchmarks/peers/c/baremetal/run.sh NAME.c [ITERATIONS] [INNER_SIZE]
# Prints the program's output line and exits with its status (0 ok, 1 wrong result, 2 out of heap,
# 3 fault, 4 build failed, 124 timeout after TIMEOUT seconds; 64 for a bad command line).
# Environment: HEAP_KB (default 256), STACK_KB (default 16), TIMEOUT (default 120),
#   STATS=1 (print the heap's and the stack's peak use on standard error),
#   KEEP=DIR (keep the image there, as DIR/NAME.elf).
set -eu
if [ $# -lt 1 ] || [ $# -gt 3 ]; then
    echo "usage: $0 NAME.c [ITERATIONS] [INNER_SIZE]" >&2
    exit 64
fi
here=$(cd "$(dirname "$0")" && pwd)
source=$1
if [ ! -f "$source" ]; then
    echo "$0: no such file: $source" >&2
    exit 64
fi
sourcedir=$(cd "$(dirname "$source")" && pwd)
name=$(basename "$source" .c)

defines="-DBENCH_BARE_METAL"
if [ $# -ge 2 ] && [ -n "$2" ]; then defines="$defines -DITERATIONS=$2"; fi
if [ $# -ge 3 ] && [ -n "$3" ]; then defines="$defines -DINNER_SIZE=$3"; fi
if [ "${STATS:-0}" = 1 ]; then defines="$defines -DBAREMETAL_STATS"; fi
heap=$(( ${HEAP_KB:-256} * 1024 ))
stack=$(( ${STACK_KB:-16} * 1024 ))

if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP"
    work=$(cd "$KEEP" && pwd)
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/baremetal.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
elf=$work/$name.elf

# The program (with the harness) and the support files; nano.specs: newlib-nano's smaller stdio and malloc.
# shellcheck disable=SC2086
if ! arm-none-eabi-gcc -std=c11 -O2 -mcpu=cortex-m3 -mthumb $defines \
    -ffunction-sections -fdata-sections -I"$sourcedir" -I"$here" \
    -specs=nano.specs -nostartfiles -T"$here/link.ld" \
    -Wl,--gc-sections -Wl,--defsym=BAREMETAL_HEAP_SIZE=$heap -Wl,--defsym=BAREMETAL_STACK_SIZE=$stack \
    "$source" "$here/startup.c" "$here/uart.c" "$here/timer.c" "$here/syscalls.c" \
    -o "$elf" -lm; then
    echo "$0: $name: build failed" >&2
    exit 4
fi

# -icount shift=0,sleep=off: guest time advances exactly 1 ns per instruction, never with the host's
# clock. Standard input is not the terminal: QEMU leaves the terminal alone.
status=0
timeout --foreground "${TIMEOUT:-120}" qemu-system-arm -M mps2-an385 -cpu cortex-m3 -nographic \
    -monitor none -serial stdio -icount shift=0,align=off,sleep=off \
    -semihosting-config enable=on,target=native -kernel "$elf" </dev/null || status=$?
if [ "$status" = 124 ]; then
    echo "$0: $name: timed out after ${TIMEOUT:-120} s" >&2
fi
exit "$status"
