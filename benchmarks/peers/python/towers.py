# Are We Fast Yet: Towers (Towers of Hanoi with 13 disks on linked piles), Python peer of
# benchmarks/awfy/towers.bs (runs on MicroPython and CPython). Checksum: 8191 moves.
# The suite throws an error on an illegal move; here a flag makes the checksum wrong.
import sys
import time

iterations = 3
expected = 8191


class TowersDisk:
    def __init__(self, size):
        self.size = size
        self.next = None


class Towers:
    def __init__(self):
        self.piles = [None, None, None]
        self.moves_done = 0
        self.error = False

    def push_disk(self, disk, pile):
        top = self.piles[pile]
        if top is not None and disk.size >= top.size:
            self.error = True
        disk.next = top
        self.piles[pile] = disk

    def pop_disk_from(self, pile):
        top = self.piles[pile]
        if top is None:
            self.error = True
            return TowersDisk(0)
        self.piles[pile] = top.next
        top.next = None
        return top

    def move_top_disk(self, from_pile, to_pile):
        self.push_disk(self.pop_disk_from(from_pile), to_pile)
        self.moves_done += 1

    def build_tower_at(self, pile, disks):
        for i in range(disks, -1, -1):
            self.push_disk(TowersDisk(i), pile)

    def move_disks(self, disks, from_pile, to_pile):
        if disks == 1:
            self.move_top_disk(from_pile, to_pile)
        else:
            other_pile = 3 - from_pile - to_pile
            self.move_disks(disks - 1, from_pile, other_pile)
            self.move_top_disk(from_pile, to_pile)
            self.move_disks(disks - 1, other_pile, to_pile)


def benchmark():
    towers = Towers()
    towers.build_tower_at(0, 13)
    towers.moves_done = 0
    towers.move_disks(13, 0, 1)
    if towers.error:
        return -1
    return towers.moves_done


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
            print('Towers: WRONG got ' + str(result) + ' expected ' + str(expected))
            sys.exit(1)
    elapsed = ticks_diff(ticks_us(), start)
    print('Towers: ok ' + str(elapsed))


main()
