# Are We Fast Yet: Queens (eight queens, solved 10 times), Python peer of
# benchmarks/awfy/queens.bs (runs on MicroPython and CPython). Checksum: true (returned as 1).
import sys
import time

iterations = 3
expected = 1


class Queens:
    def __init__(self):
        self.free_rows = [True] * 8
        self.free_maxs = [True] * 16
        self.free_mins = [True] * 16
        self.queen_rows = [-1] * 8

    def get_row_column(self, r, c):
        return self.free_rows[r] and self.free_maxs[c + r] and self.free_mins[c - r + 7]

    def set_row_column(self, r, c, v):
        self.free_rows[r] = v
        self.free_maxs[c + r] = v
        self.free_mins[c - r + 7] = v

    def place_queen(self, c):
        for r in range(8):
            if self.get_row_column(r, c):
                self.queen_rows[r] = c
                self.set_row_column(r, c, False)
                if c == 7:
                    return True
                if self.place_queen(c + 1):
                    return True
                self.set_row_column(r, c, True)
        return False


def queens():
    return Queens().place_queen(0)


def benchmark():
    result = True
    for _ in range(10):
        result = result and queens()
    return 1 if result else 0


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
            print('Queens: WRONG got ' + str(result) + ' expected ' + str(expected))
            sys.exit(1)
    elapsed = ticks_diff(ticks_us(), start)
    print('Queens: ok ' + str(elapsed))


main()
