/* Are We Fast Yet: Mandelbrot (bitmap of a size x size image, 50 iterations per pixel).
   Computed in binary32 (`float`), like the BlueScript version, so the checksums are the binary32
   ones: 128 for size 1, 109 for size 100, 18 for size 500. (The suite's binary64 checksums are
   128, 191 for 500 and 50 for 750.) */
#define BENCH_NAME "Mandelbrot"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif
#ifndef INNER_SIZE
#define INNER_SIZE 100
#endif

static int mandelbrot(int size) {
    int sum = 0;
    int byte_acc = 0;
    int bit_num = 0;
    int y = 0;
    while (y < size) {
        float ci = (2.0f * (float)y / (float)size) - 1.0f;
        int x = 0;
        while (x < size) {
            float zrzr = 0.0f;
            float zi = 0.0f;
            float zizi = 0.0f;
            float cr = (2.0f * (float)x / (float)size) - 1.5f;
            int z = 0;
            int not_done = 1;
            int escape = 0;
            while (not_done && z < 50) {
                float zr = zrzr - zizi + cr;
                zi = 2.0f * zr * zi + ci;
                zrzr = zr * zr;
                zizi = zi * zi;
                if (zrzr + zizi > 4.0f) {
                    not_done = 0;
                    escape = 1;
                }
                z++;
            }
            byte_acc = (byte_acc << 1) + escape;
            bit_num++;
            if (bit_num == 8) {
                sum ^= byte_acc;
                byte_acc = 0;
                bit_num = 0;
            } else if (x == size - 1) {
                byte_acc <<= 8 - bit_num;
                sum ^= byte_acc;
                byte_acc = 0;
                bit_num = 0;
            }
            x++;
        }
        y++;
    }
    return sum;
}

int benchmark(void) { return mandelbrot(INNER_SIZE); }

int verify_result(int result) {
    switch (INNER_SIZE) {
    case 1: return result == 128;
    case 100: return result == 109;
    case 500: return result == 18;
    default: return 0;
    }
}

#include "harness.h"
