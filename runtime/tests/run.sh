#!/bin/sh
# run.sh: builds the runtime's C unit tests with the runtime's build flags, normally and with -DBS_GC_STRESS=1, and runs them.
set -eu
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags="-std=c11 -O2 -g -Wall -Wextra -Werror -DBS_HEAP_CHECK=1 -D_GNU_SOURCE -static -no-pie -fno-pie -fno-stack-protector -fcf-protection=none -Iruntime/core -Iruntime/ports/host"
gcc $flags runtime/core/bs_sha256.c runtime/tests/test_sha256.c -o "$out/test_sha256"
"$out/test_sha256"
for stress in 0 1; do
    gcc $flags -DBS_GC_STRESS=$stress runtime/core/*.c runtime/tests/test_format.c -o "$out/test_format$stress" -lm
    gcc $flags -DBS_GC_STRESS=$stress runtime/core/*.c runtime/tests/test_support.c runtime/tests/test_values.c -o "$out/test_values$stress" -lm
    gcc $flags -DBS_GC_STRESS=$stress runtime/core/*.c runtime/tests/test_support.c runtime/tests/test_gc.c -o "$out/test_gc$stress" -lm
    gcc $flags -DBS_GC_STRESS=$stress runtime/core/*.c runtime/tests/test_support.c runtime/tests/test_profile.c -o "$out/test_profile$stress" -lm
done
for stress in 0 1; do
    [ $stress = 1 ] && echo "with BS_GC_STRESS=1:"
    "$out/test_format$stress"
    "$out/test_values$stress"
    "$out/test_gc$stress"
    "$out/test_profile$stress"
done
# The core must also build for a Cortex-M3 (newlib) when that compiler is installed.
if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    for f in runtime/core/*.c; do
        arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -std=c11 -O2 -Wall -Wextra -Werror -Iruntime/core -Iruntime/ports/host -c "$f" -o "$out/arm.o"
    done
    echo "core builds for Cortex-M3"
fi
