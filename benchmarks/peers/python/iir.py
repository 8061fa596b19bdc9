# DSP kernel: cascade of 4 biquad sections (direct form I, Q14 coefficients, 32-bit state), an
# 8th-order Butterworth low-pass with cut-off at a tenth of the sample rate, over a stream of
# inner_size blocks of 2048 Q15 samples from a 32-bit LCG, each block filtered in place. The filter
# state carries over from block to block; with samples in [-8192, 8191] no sum leaves
# [-2^29, 2^29). Checksum: chk = chk * 31 + y over all outputs, wrapping at 32 bits.
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
SECTIONS = 4
BLOCK_SIZE = 2048

# per section: b0, b1, b2, a1, a2 (y = (b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2) >> 14)
COEFFS = [
    992, 1985, 992, -16816, 4401,
    1051, 2102, 1051, -17807, 5627,
    1179, 2359, 1179, -19984, 8318,
    1404, 2807, 1404, -23783, 13013,
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


def biquad_cascade(coeffs, state, sections, inp, out, n):
    # state per section: x1, x2, y1, y2
    for i in range(n):
        x = inp[i]
        for s in range(sections):
            c = 5 * s
            st = 4 * s
            acc = (coeffs[c] * x + coeffs[c + 1] * state[st] + coeffs[c + 2] * state[st + 1]
                   - coeffs[c + 3] * state[st + 2] - coeffs[c + 4] * state[st + 3])
            y = acc >> 14
            state[st + 1] = state[st]
            state[st] = x
            state[st + 3] = state[st + 2]
            state[st + 2] = y
            x = y
        out[i] = x


def benchmark():
    global seed
    seed = 42
    buf = [0] * BLOCK_SIZE  # filtered in place
    state = [0] * (4 * SECTIONS)
    chk = 0
    for _ in range(inner_size):
        for i in range(BLOCK_SIZE):
            buf[i] = next_sample()
        biquad_cascade(COEFFS, state, SECTIONS, buf, buf, BLOCK_SIZE)
        for i in range(BLOCK_SIZE):
            chk = (chk * 31 + buf[i]) & MASK
    return to_signed(chk)


def expected_for(size):
    if size == 1:
        return 395591987
    if size == 16:
        return 1125237439
    if size == 128:
        return -1878796596
    return -1


iterations = 3
inner_size = 16
expected = expected_for(inner_size)

start = ticks_us()
for _ in range(iterations):
    result = benchmark()
    if result != expected:
        print("IIR: WRONG got " + str(result) + " expected " + str(expected))
        sys.exit(1)
elapsed = ticks_diff(ticks_us(), start)
print("IIR: ok " + str(elapsed))
