/* Are We Fast Yet: Towers (Towers of Hanoi with 13 disks on linked piles). Checksum: 8191 moves.
   The suite throws an error on an illegal move; here a flag makes the checksum wrong. */
#include <stdbool.h>
#include <stdlib.h>

#define BENCH_NAME "Towers"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif

typedef struct TowersDisk {
    int size;
    struct TowersDisk *next;
} TowersDisk;

static TowersDisk *piles[3];
static int moves_done;
static bool towers_error;

static TowersDisk *new_disk(int size) {
    TowersDisk *d = malloc(sizeof *d);
    if (d == NULL) {
        towers_error = true;
        return NULL;
    }
    d->size = size;
    d->next = NULL;
    return d;
}

static void push_disk(TowersDisk *disk, int pile) {
    TowersDisk *top = piles[pile];
    if (disk == NULL) {
        towers_error = true;
        return;
    }
    if (top != NULL && disk->size >= top->size)
        towers_error = true;
    disk->next = top;
    piles[pile] = disk;
}

static TowersDisk *pop_disk_from(int pile) {
    TowersDisk *top = piles[pile];
    if (top == NULL) {
        towers_error = true;
        return new_disk(0);
    }
    piles[pile] = top->next;
    top->next = NULL;
    return top;
}

static void move_top_disk(int from_pile, int to_pile) {
    push_disk(pop_disk_from(from_pile), to_pile);
    moves_done++;
}

static void build_tower_at(int pile, int disks) {
    for (int i = disks; i >= 0; i--)
        push_disk(new_disk(i), pile);
}

static void move_disks(int disks, int from_pile, int to_pile) {
    if (disks == 1) {
        move_top_disk(from_pile, to_pile);
    } else {
        int other_pile = 3 - from_pile - to_pile;
        move_disks(disks - 1, from_pile, other_pile);
        move_top_disk(from_pile, to_pile);
        move_disks(disks - 1, other_pile, to_pile);
    }
}

int benchmark(void) {
    for (int i = 0; i < 3; i++)
        piles[i] = NULL;
    build_tower_at(0, 13);
    moves_done = 0;
    move_disks(13, 0, 1);
    for (int i = 0; i < 3; i++) {
        while (piles[i] != NULL) {
            TowersDisk *d = piles[i];
            piles[i] = d->next;
            free(d);
        }
    }
    if (towers_error)
        return -1;
    return moves_done;
}

int verify_result(int result) { return result == 8191; }

#include "harness.h"
