# Are We Fast Yet: Storage (a tree of arrays, 4 children per node, random-length leaves), Python
# peer of benchmarks/awfy/storage.bs (runs on MicroPython and CPython).
# Checksum: the number of arrays, (4^depth - 1) / 3: 5461 for the suite's depth 7, 341 for 5.
# Random numbers: the suite's generator, seed 74755, seed = ((seed * 1309) + 13849) & 65535.
# Each array is a list; a leaf is a list of 1 to 10 Nones.
import sys
import time

iterations = 3
inner_size = 7
expected = ((1 << (2 * inner_size)) - 1) // 3


class StorageRandom:
    def __init__(self):
        self.seed = 74755

    def next(self):
        self.seed = ((self.seed * 1309) + 13849) & 65535
        return self.seed


class Storage:
    def __init__(self):
        self.count = 0
        self.random = StorageRandom()

    def build_tree_depth(self, depth):
        self.count += 1
        if depth == 1:
            return [None] * (self.random.next() % 10 + 1)
        arr = [None] * 4
        for i in range(4):
            arr[i] = self.build_tree_depth(depth - 1)
        return arr


def benchmark():
    storage = Storage()
    storage.build_tree_depth(inner_size)
    return storage.count


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
            print('Storage: WRONG got ' + str(result) + ' expected ' + str(expected))
            sys.exit(1)
    elapsed = ticks_diff(ticks_us(), start)
    print('Storage: ok ' + str(elapsed))


main()
