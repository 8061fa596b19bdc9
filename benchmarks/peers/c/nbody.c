/* Are We Fast Yet: NBody (the Jovian planets and the sun, advanced in steps of 0.01).
   Computed in binary32 (`float`), like the BlueScript version, with the same Newton square root
   (no libm), so the checksum is the BlueScript one: the energy after INNER_SIZE steps scaled by
   10^6 and truncated, -169086 after 1000 steps (-169074 after 1, -169077 after 250000).
   The suite's binary64 energy is -0.16907495402506745 after 1 step and -0.1690859889909308 after
   250000. */
#include <stdlib.h>

#define BENCH_NAME "NBody"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif
#ifndef INNER_SIZE
#define INNER_SIZE 1000
#endif

#define PI 3.141592653589793f
#define SOLAR_MASS (4.0f * PI * PI)
#define DAYS_PER_YEAR 365.24f
#define BODY_COUNT 5

static float sqrt_float(float x) {
    if (x <= 0.0f)
        return 0.0f;
    float r = x > 1.0f ? x : 1.0f;
    for (int i = 0; i < 100; i++) {
        float next = 0.5f * (r + x / r);
        if (next >= r)
            return r;
        r = next;
    }
    return r;
}

typedef struct {
    float x, y, z, vx, vy, vz, mass;
} Body;

static Body body(float x, float y, float z, float vx, float vy, float vz, float mass) {
    Body b;
    b.x = x;
    b.y = y;
    b.z = z;
    b.vx = vx * DAYS_PER_YEAR;
    b.vy = vy * DAYS_PER_YEAR;
    b.vz = vz * DAYS_PER_YEAR;
    b.mass = mass * SOLAR_MASS;
    return b;
}

static void offset_momentum(Body *b, float px, float py, float pz) {
    b->vx = 0.0f - (px / SOLAR_MASS);
    b->vy = 0.0f - (py / SOLAR_MASS);
    b->vz = 0.0f - (pz / SOLAR_MASS);
}

static void init_system(Body *bodies) {
    bodies[0] = body(0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f); /* sun */
    bodies[1] = body(4.84143144246472090e+00f, -1.16032004402742839e+00f, -1.03622044471123109e-01f,
                     1.66007664274403694e-03f, 7.69901118419740425e-03f, -6.90460016972063023e-05f,
                     9.54791938424326609e-04f); /* jupiter */
    bodies[2] = body(8.34336671824457987e+00f, 4.12479856412430479e+00f, -4.03523417114321381e-01f,
                     -2.76742510726862411e-03f, 4.99852801234917238e-03f, 2.30417297573763929e-05f,
                     2.85885980666130812e-04f); /* saturn */
    bodies[3] = body(1.28943695621391310e+01f, -1.51111514016986312e+01f, -2.23307578892655734e-01f,
                     2.96460137564761618e-03f, 2.37847173959480950e-03f, -2.96589568540237556e-05f,
                     4.36624404335156298e-05f); /* uranus */
    bodies[4] = body(1.53796971148509165e+01f, -2.59193146099879641e+01f, 1.79258772950371181e-01f,
                     2.68067772490389322e-03f, 1.62824170038242295e-03f, -9.51592254519715870e-05f,
                     5.15138902046611451e-05f); /* neptune */
    float px = 0.0f;
    float py = 0.0f;
    float pz = 0.0f;
    for (int i = 0; i < BODY_COUNT; i++) {
        px += bodies[i].vx * bodies[i].mass;
        py += bodies[i].vy * bodies[i].mass;
        pz += bodies[i].vz * bodies[i].mass;
    }
    offset_momentum(&bodies[0], px, py, pz);
}

static void advance(Body *bodies, float dt) {
    for (int i = 0; i < BODY_COUNT; i++) {
        Body *i_body = &bodies[i];
        for (int j = i + 1; j < BODY_COUNT; j++) {
            Body *j_body = &bodies[j];
            float dx = i_body->x - j_body->x;
            float dy = i_body->y - j_body->y;
            float dz = i_body->z - j_body->z;
            float d_squared = dx * dx + dy * dy + dz * dz;
            float distance = sqrt_float(d_squared);
            float mag = dt / (d_squared * distance);
            i_body->vx = i_body->vx - (dx * j_body->mass * mag);
            i_body->vy = i_body->vy - (dy * j_body->mass * mag);
            i_body->vz = i_body->vz - (dz * j_body->mass * mag);
            j_body->vx = j_body->vx + (dx * i_body->mass * mag);
            j_body->vy = j_body->vy + (dy * i_body->mass * mag);
            j_body->vz = j_body->vz + (dz * i_body->mass * mag);
        }
    }
    for (int i = 0; i < BODY_COUNT; i++) {
        Body *b = &bodies[i];
        b->x = b->x + dt * b->vx;
        b->y = b->y + dt * b->vy;
        b->z = b->z + dt * b->vz;
    }
}

static float energy(const Body *bodies) {
    float e = 0.0f;
    for (int i = 0; i < BODY_COUNT; i++) {
        const Body *i_body = &bodies[i];
        e += 0.5f * i_body->mass * (i_body->vx * i_body->vx + i_body->vy * i_body->vy + i_body->vz * i_body->vz);
        for (int j = i + 1; j < BODY_COUNT; j++) {
            const Body *j_body = &bodies[j];
            float dx = i_body->x - j_body->x;
            float dy = i_body->y - j_body->y;
            float dz = i_body->z - j_body->z;
            float distance = sqrt_float(dx * dx + dy * dy + dz * dz);
            e -= (i_body->mass * j_body->mass) / distance;
        }
    }
    return e;
}

int benchmark(void) {
    Body *bodies = malloc(BODY_COUNT * sizeof(Body));
    if (bodies == NULL)
        return 0;
    init_system(bodies);
    for (int i = 0; i < INNER_SIZE; i++)
        advance(bodies, 0.01f);
    int result = (int)(energy(bodies) * 1000000.0f);
    free(bodies);
    return result;
}

int verify_result(int result) {
    switch (INNER_SIZE) {
    case 1: return result == -169074;
    case 1000: return result == -169086;
    case 250000: return result == -169077;
    default: return 0;
    }
}

#include "harness.h"
