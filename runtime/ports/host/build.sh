#!/bin/sh
# build.sh: builds the host runtime as one static non-PIE executable (the reference build command).
# Usage: runtime/ports/host/build.sh OUTPUT BUILD_ID   (BUILD_ID: 16 hex digits, with or without 0x)
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 OUTPUT BUILD_ID" >&2
    exit 2
fi
case $1 in
/*) out=$1 ;;
*) out=$PWD/$1 ;;
esac
id=${2#0x}
cd "$(dirname "$0")/../../.."
gcc -std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -static -no-pie -fno-pie -fno-stack-protector -fcf-protection=none -DBS_BUILD_ID=0x${id}ULL -Iruntime/core -Iruntime/ports/host runtime/core/*.c runtime/ports/host/*.c -o "$out" -lm
