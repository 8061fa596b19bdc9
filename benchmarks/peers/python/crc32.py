# DSP kernel: CRC-32 (IEEE 802.3: reflected, polynomial 0xEDB88320, initial value and final
# xor 0xFFFFFFFF). One iteration builds the 256-entry table, fills a 4096-byte buffer from a
# 32-bit LCG and runs the CRC over the buffer inner_size times, each pass continuing the previous
# pass's CRC (so the result is the CRC-32 of the buffer repeated inner_size times).
# Checksum: the CRC as a signed 32-bit integer.
import sys
import time

try:
    ticks_us = time.ticks_us
    ticks_diff = time.ticks_diff
except AttributeError:
    def ticks_us():
        return int(time.perf_counter() * 1000000)

    def ticks_diff(a, b):
        return a - b

MASK = 0xFFFFFFFF
BUFFER_SIZE = 4096
CHECK_VALUE = -873187034  # 0xCBF43926 as a signed 32-bit integer

seed = 0


def next_random():
    global seed
    seed = (seed * 1664525 + 1013904223) & MASK
    return seed


def to_signed(x):
    return x - 0x100000000 if x & 0x80000000 else x


def make_table(table):
    for n in range(256):
        c = n
        for _ in range(8):
            if c & 1:
                c = 0xEDB88320 ^ (c >> 1)
            else:
                c = c >> 1
        table[n] = c


def crc32_update(crc, table, buf, length):
    c = crc ^ MASK
    for i in range(length):
        c = table[(c ^ buf[i]) & 0xFF] ^ (c >> 8)
    return c ^ MASK


def benchmark():
    global seed
    seed = 42
    table = [0] * 256
    make_table(table)
    buf = bytearray(BUFFER_SIZE)
    for i in range(BUFFER_SIZE):
        buf[i] = next_random() >> 24
    crc = 0
    for _ in range(inner_size):
        crc = crc32_update(crc, table, buf, BUFFER_SIZE)
    return to_signed(crc)


def self_test():
    # CRC-32 of the ASCII bytes "123456789" (the standard check value is 0xCBF43926)
    table = [0] * 256
    make_table(table)
    text = bytearray(b"123456789")
    return to_signed(crc32_update(0, table, text, 9))


def expected_for(size):
    if size == 1:
        return 336427039
    if size == 32:
        return 1101000063
    if size == 128:
        return -1866180634
    return -1


iterations = 3
inner_size = 32
expected = expected_for(inner_size)

check = self_test()
if check != CHECK_VALUE:
    print("CRC32: WRONG got " + str(check) + " expected " + str(CHECK_VALUE))
    sys.exit(1)
start = ticks_us()
for _ in range(iterations):
    result = benchmark()
    if result != expected:
        print("CRC32: WRONG got " + str(result) + " expected " + str(expected))
        sys.exit(1)
elapsed = ticks_diff(ticks_us(), start)
print("CRC32: ok " + str(elapsed))
