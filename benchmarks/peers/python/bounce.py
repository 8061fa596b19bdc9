# Are We Fast Yet: Bounce (100 balls in a 500x500 box for 50 steps), Python peer of
# benchmarks/awfy/bounce.bs (runs on MicroPython and CPython). Checksum: 1331 bounces.
# Random numbers: the suite's generator, seed 74755, seed = ((seed * 1309) + 13849) & 65535.
import sys
import time

iterations = 3
expected = 1331


class BounceRandom:
    def __init__(self):
        self.seed = 74755

    def next(self):
        self.seed = ((self.seed * 1309) + 13849) & 65535
        return self.seed


def abs_int(x):
    return -x if x < 0 else x


class Ball:
    def __init__(self, random):
        self.x = random.next() % 500
        self.y = random.next() % 500
        self.x_vel = (random.next() % 300) - 150
        self.y_vel = (random.next() % 300) - 150

    def bounce(self):
        x_limit = 500
        y_limit = 500
        bounced = False
        self.x += self.x_vel
        self.y += self.y_vel
        if self.x > x_limit:
            self.x = x_limit
            self.x_vel = 0 - abs_int(self.x_vel)
            bounced = True
        if self.x < 0:
            self.x = 0
            self.x_vel = abs_int(self.x_vel)
            bounced = True
        if self.y > y_limit:
            self.y = y_limit
            self.y_vel = 0 - abs_int(self.y_vel)
            bounced = True
        if self.y < 0:
            self.y = 0
            self.y_vel = abs_int(self.y_vel)
            bounced = True
        return bounced


def benchmark():
    random = BounceRandom()
    ball_count = 100
    bounces = 0
    balls = []
    for _ in range(ball_count):
        balls.append(Ball(random))
    for _ in range(50):
        for ball in balls:
            if ball.bounce():
                bounces += 1
    return bounces


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
            print('Bounce: WRONG got ' + str(result) + ' expected ' + str(expected))
            sys.exit(1)
    elapsed = ticks_diff(ticks_us(), start)
    print('Bounce: ok ' + str(elapsed))


main()
