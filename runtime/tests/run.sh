#!/bin/sh
# run.sh: builds the runtime's C unit tests with the runtime's build flags and runs them.
set -eu
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
gcc -std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -static -no-pie -fno-pie -fno-stack-protector -fcf-protection=none -Iruntime/core -Iruntime/ports/host runtime/core/*.c runtime/tests/test_format.c -o "$out/test_format" -lm
"$out/test_format"
