# Are We Fast Yet: Sieve (Eratosthenes on 5000 flags), Python peer of benchmarks/awfy/sieve.bs
# (runs on MicroPython and CPython). Checksum: 669 primes.
import sys
import time

iterations = 3
expected = 669


def sieve(flags, size):
    prime_count = 0
    for i in range(2, size + 1):
        if flags[i - 1]:
            prime_count += 1
            k = i + i
            while k <= size:
                flags[k - 1] = False
                k += i
    return prime_count


def benchmark():
    flags = [True] * 5000
    return sieve(flags, 5000)


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
            print('Sieve: WRONG got ' + str(result) + ' expected ' + str(expected))
            sys.exit(1)
    elapsed = ticks_diff(ticks_us(), start)
    print('Sieve: ok ' + str(elapsed))


main()
