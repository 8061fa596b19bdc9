/* Are We Fast Yet: Bounce (100 balls in a 500x500 box for 50 steps). Checksum: 1331 bounces.
   Random numbers: the suite's generator, seed 74755, seed = ((seed * 1309) + 13849) & 65535. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define BENCH_NAME "Bounce"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif

typedef struct {
    int32_t seed;
} BounceRandom;

static int32_t random_next(BounceRandom *random) {
    random->seed = (int32_t)((((uint32_t)random->seed * 1309u) + 13849u) & 65535u);
    return random->seed;
}

static int32_t abs_int(int32_t x) { return x < 0 ? -x : x; }

typedef struct {
    int32_t x, y, x_vel, y_vel;
} Ball;

static void ball_init(Ball *ball, BounceRandom *random) {
    ball->x = random_next(random) % 500;
    ball->y = random_next(random) % 500;
    ball->x_vel = (random_next(random) % 300) - 150;
    ball->y_vel = (random_next(random) % 300) - 150;
}

static bool ball_bounce(Ball *ball) {
    const int32_t x_limit = 500;
    const int32_t y_limit = 500;
    bool bounced = false;
    ball->x += ball->x_vel;
    ball->y += ball->y_vel;
    if (ball->x > x_limit) { ball->x = x_limit; ball->x_vel = 0 - abs_int(ball->x_vel); bounced = true; }
    if (ball->x < 0) { ball->x = 0; ball->x_vel = abs_int(ball->x_vel); bounced = true; }
    if (ball->y > y_limit) { ball->y = y_limit; ball->y_vel = 0 - abs_int(ball->y_vel); bounced = true; }
    if (ball->y < 0) { ball->y = 0; ball->y_vel = abs_int(ball->y_vel); bounced = true; }
    return bounced;
}

int benchmark(void) {
    BounceRandom random = {74755};
    const int ball_count = 100;
    int bounces = 0;
    Ball *balls = malloc((size_t)ball_count * sizeof(Ball));
    if (balls == NULL)
        return -1;
    for (int i = 0; i < ball_count; i++)
        ball_init(&balls[i], &random);
    for (int i = 0; i < 50; i++) {
        for (int b = 0; b < ball_count; b++) {
            if (ball_bounce(&balls[b]))
                bounces++;
        }
    }
    free(balls);
    return bounces;
}

int verify_result(int result) { return result == 1331; }

#include "harness.h"
