# Are We Fast Yet: Mandelbrot (bitmap of a size x size image, 50 iterations per pixel), Python
# peer of benchmarks/awfy/mandelbrot.bs (runs on MicroPython and CPython).
# Python floats are binary64, so the checksums are the suite's binary64 ones: 128 for size 1,
# 239 for size 100 (computed with this program), 191 for 500, 50 for 750. (The binary32 programs
# give 109 for size 100 and 18 for 500.)
import sys
import time

iterations = 3
inner_size = 100


def expected_for(size):
    if size == 1:
        return 128
    if size == 100:
        return 239
    if size == 500:
        return 191
    if size == 750:
        return 50
    return -1


expected = expected_for(inner_size)


def mandelbrot(size):
    total = 0
    byte_acc = 0
    bit_num = 0
    y = 0
    while y < size:
        ci = (2.0 * y / size) - 1.0
        x = 0
        while x < size:
            zrzr = 0.0
            zi = 0.0
            zizi = 0.0
            cr = (2.0 * x / size) - 1.5
            z = 0
            not_done = True
            escape = 0
            while not_done and z < 50:
                zr = zrzr - zizi + cr
                zi = 2.0 * zr * zi + ci
                zrzr = zr * zr
                zizi = zi * zi
                if zrzr + zizi > 4.0:
                    not_done = False
                    escape = 1
                z += 1
            byte_acc = (byte_acc << 1) + escape
            bit_num += 1
            if bit_num == 8:
                total ^= byte_acc
                byte_acc = 0
                bit_num = 0
            elif x == size - 1:
                byte_acc <<= 8 - bit_num
                total ^= byte_acc
                byte_acc = 0
                bit_num = 0
            x += 1
        y += 1
    return total


def benchmark():
    return mandelbrot(inner_size)


try:
    ticks_us = time.ticks_us
    ticks_diff = time.ticks_diff
except AttributeError:
    def ticks_us():
        return int(time.perf_counter() * 1000000)

    def ticks_diff(end, start):
        return end - start


def main():
    start = ticks_us()
    for _ in range(iterations):
        result = benchmark()
        if result != expected:
            print('Mandelbrot: WRONG got ' + str(result) + ' expected ' + str(expected))
            sys.exit(1)
    elapsed = ticks_diff(ticks_us(), start)
    print('Mandelbrot: ok ' + str(elapsed))


main()
