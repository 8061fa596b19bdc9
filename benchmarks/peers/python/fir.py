# DSP kernel: 32-tap FIR filter (Q15 coefficients, a low-pass windowed sinc with cut-off at a
# tenth of the sample rate) over a stream of inner_size blocks of 2048 Q15 samples from a 32-bit
# LCG, each block filtered in place. The delay line (stored twice, so every output reads 32
# consecutive entries) and its position carry over from block to block. Each output is the
# 32-bit accumulator shifted right (arithmetically) by 15; with samples in [-8192, 8191] no sum
# leaves [-2^29, 2^29). Checksum: chk = chk * 31 + y over all outputs, wrapping at 32 bits.
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
TAPS = 32
BLOCK_SIZE = 2048

COEFFS = [
    -17, 20, 73, 135, 164, 91, -129, -466,
    -783, -850, -435, 588, 2141, 3927, 5501, 6424,
    6424, 5501, 3927, 2141, 588, -435, -850, -783,
    -466, -129, 91, 164, 135, 73, 20, -17,
]

seed = 0


def next_random():
    global seed
    seed = (seed * 1664525 + 1013904223) & MASK
    return seed


def next_sample():
    return ((next_random() >> 18) & 0x3FFF) - 8192


def to_signed(x):
    return x - 0x100000000 if x & 0x80000000 else x


def fir(coeffs, taps, state, pos, inp, out, n):
    for i in range(n):
        x = inp[i]
        state[pos] = x
        state[pos + taps] = x
        newest = pos + taps
        acc = 0
        for k in range(taps):
            acc += coeffs[k] * state[newest - k]
        out[i] = acc >> 15
        pos += 1
        if pos == taps:
            pos = 0
    return pos


def benchmark():
    global seed
    seed = 42
    buf = [0] * BLOCK_SIZE  # filtered in place
    state = [0] * (2 * TAPS)
    pos = 0
    chk = 0
    for _ in range(inner_size):
        for i in range(BLOCK_SIZE):
            buf[i] = next_sample()
        pos = fir(COEFFS, TAPS, state, pos, buf, buf, BLOCK_SIZE)
        for i in range(BLOCK_SIZE):
            chk = (chk * 31 + buf[i]) & MASK
    return to_signed(chk)


def expected_for(size):
    if size == 1:
        return 1695060806
    if size == 8:
        return 811539690
    if size == 128:
        return 680395909
    return -1


iterations = 3
inner_size = 8
expected = expected_for(inner_size)

start = ticks_us()
for _ in range(iterations):
    result = benchmark()
    if result != expected:
        print("FIR: WRONG got " + str(result) + " expected " + str(expected))
        sys.exit(1)
elapsed = ticks_diff(ticks_us(), start)
print("FIR: ok " + str(elapsed))
