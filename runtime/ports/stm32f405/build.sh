#!/bin/sh
# build.sh: builds the stm32f405 runtime image (the reference build command) and prints its size.
# Usage: runtime/ports/stm32f405/build.sh OUTPUT BUILD_ID   (BUILD_ID: 16 hex digits, with or without 0x)
# Run it with: qemu-system-arm -M netduinoplus2 -cpu cortex-m4 -kernel OUTPUT -nographic -monitor none
#   -semihosting-config enable=on,target=native -serial tcp:127.0.0.1:PORT,server=on,wait=on,nodelay=on
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
cd "$(dirname "$0")/../.."
arm-none-eabi-gcc -std=c11 -Os -g -Wall -Wextra -Werror -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffp-contract=off -fno-common -specs=nano.specs -nostartfiles -Lports/stm32f405 -Tlink.ld -Wl,--gc-sections -DBS_BUILD_ID=0x${id}ULL -Icore -Iports/stm32f405 core/*.c ports/stm32f405/*.c -o "$out" -lm
arm-none-eabi-size -A "$out" | grep -E '^(section|\.text|\.ARM\.exidx|\.stack|\.regions|\.data|\.bss) '
