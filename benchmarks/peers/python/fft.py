# DSP kernel: 256-point radix-2 decimation-in-time complex FFT in Q15 fixed point, scaling by 1/2
# in every stage. The twiddle factors come from a quarter-wave sine table computed with integer
# arithmetic only (a Horner evaluation of the degree-9 Taylor polynomial of sin in Q14/Q15).
# One iteration builds the tables and transforms inner_size frames of 256 complex samples from a
# 32-bit LCG. Checksum: chk = chk * 31 + re, then chk * 31 + im, over every bin of every frame,
# wrapping at 32 bits.
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
N = 256

seed = 0


def next_random():
    global seed
    seed = (seed * 1664525 + 1013904223) & MASK
    return seed


def next_sample():
    return ((next_random() >> 18) & 0x3FFF) - 8192


def to_signed(x):
    return x - 0x100000000 if x & 0x80000000 else x


def sine_q15(k, quarter):
    # sin(pi/2 * k / quarter) in Q15, for 0 <= k <= quarter
    x = (k * 25736) // quarter  # the angle in Q14 (pi/2 is 25736 / 16384)
    y = (x * x) >> 14
    t = 32768 - ((y * 32768) >> 14) // 72
    t = 32768 - ((y * t) >> 14) // 42
    t = 32768 - ((y * t) >> 14) // 20
    t = 32768 - ((y * t) >> 14) // 6
    s = (x * t) >> 14
    if s > 32767:
        s = 32767
    return s


def make_twiddles(quarter_table, cos_table, sin_table, n):
    quarter = n >> 2
    for k in range(quarter + 1):
        quarter_table[k] = sine_q15(k, quarter)
    for k in range(n >> 1):
        if k <= quarter:
            cos_table[k] = quarter_table[quarter - k]
            sin_table[k] = quarter_table[k]
        else:
            cos_table[k] = -quarter_table[k - quarter]
            sin_table[k] = quarter_table[2 * quarter - k]


def fft(re, im, n, cos_table, sin_table):
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j ^= bit
        if i < j:
            t = re[i]
            re[i] = re[j]
            re[j] = t
            t = im[i]
            im[i] = im[j]
            im[j] = t
    size = 2
    while size <= n:
        half = size >> 1
        step = n // size
        for first in range(0, n, size):
            for m in range(half):
                wr = cos_table[m * step]
                wi = -sin_table[m * step]
                a = first + m
                b = a + half
                tr = (re[b] * wr - im[b] * wi) >> 15
                ti = (re[b] * wi + im[b] * wr) >> 15
                ur = re[a]
                ui = im[a]
                re[a] = (ur + tr) >> 1
                im[a] = (ui + ti) >> 1
                re[b] = (ur - tr) >> 1
                im[b] = (ui - ti) >> 1
        size <<= 1


def benchmark():
    global seed
    seed = 42
    quarter_table = [0] * (N // 4 + 1)
    cos_table = [0] * (N // 2)
    sin_table = [0] * (N // 2)
    make_twiddles(quarter_table, cos_table, sin_table, N)
    re = [0] * N
    im = [0] * N
    chk = 0
    for _ in range(inner_size):
        for i in range(N):
            re[i] = next_sample()
            im[i] = next_sample()
        fft(re, im, N, cos_table, sin_table)
        for i in range(N):
            chk = (chk * 31 + re[i]) & MASK
            chk = (chk * 31 + im[i]) & MASK
    return to_signed(chk)


def expected_for(size):
    if size == 1:
        return 1466855936
    if size == 64:
        return 1975448733
    if size == 128:
        return 498908693
    return -1


iterations = 3
inner_size = 64
expected = expected_for(inner_size)

start = ticks_us()
for _ in range(iterations):
    result = benchmark()
    if result != expected:
        print("FFT: WRONG got " + str(result) + " expected " + str(expected))
        sys.exit(1)
elapsed = ticks_diff(ticks_us(), start)
print("FFT: ok " + str(elapsed))
