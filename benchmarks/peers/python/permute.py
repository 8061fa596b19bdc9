# Are We Fast Yet: Permute (recursive permutations of 6 elements), Python peer of
# benchmarks/awfy/permute.bs (runs on MicroPython and CPython). Checksum: 8660 calls.
import sys
import time

iterations = 3
expected = 8660


class Permute:
    def __init__(self):
        self.count = 0
        self.v = [0] * 6

    def swap(self, i, j):
        tmp = self.v[i]
        self.v[i] = self.v[j]
        self.v[j] = tmp

    def permute(self, n):
        self.count += 1
        if n != 0:
            n1 = n - 1
            self.permute(n1)
            for i in range(n1, -1, -1):
                self.swap(n1, i)
                self.permute(n1)
                self.swap(n1, i)


def benchmark():
    p = Permute()
    p.permute(6)
    return p.count


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
            print('Permute: WRONG got ' + str(result) + ' expected ' + str(expected))
            sys.exit(1)
    elapsed = ticks_diff(ticks_us(), start)
    print('Permute: ok ' + str(elapsed))


main()
