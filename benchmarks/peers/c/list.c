/* Are We Fast Yet: List (Takeuchi-style tail on linked lists of 15, 10 and 6). Checksum: 10. */
#include <stdbool.h>
#include <stdlib.h>

#define BENCH_NAME "List"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif

typedef struct ListElement {
    int val;
    struct ListElement *next;
} ListElement;

static int element_length(const ListElement *e) {
    if (e->next == NULL)
        return 1;
    return 1 + element_length(e->next);
}

static bool out_of_memory;

static ListElement *make_list(int length) {
    if (length == 0)
        return NULL;
    ListElement *e = malloc(sizeof *e);
    if (e == NULL) {
        out_of_memory = true;
        return NULL;
    }
    e->val = length;
    e->next = make_list(length - 1);
    return e;
}

static void free_list(ListElement *e) {
    while (e != NULL) {
        ListElement *next = e->next;
        free(e);
        e = next;
    }
}

static bool is_shorter_than(const ListElement *x, const ListElement *y) {
    const ListElement *x_tail = x;
    const ListElement *y_tail = y;
    while (y_tail != NULL) {
        if (x_tail == NULL)
            return true;
        x_tail = x_tail->next;
        y_tail = y_tail->next;
    }
    return false;
}

static ListElement *tail(ListElement *x, ListElement *y, ListElement *z) {
    if (is_shorter_than(y, x))
        return tail(tail(x->next, y, z), tail(y->next, z, x), tail(z->next, x, y));
    return z;
}

int benchmark(void) {
    ListElement *a = make_list(15);
    ListElement *b = make_list(10);
    ListElement *c = make_list(6);
    int result = -1;
    if (!out_of_memory) {
        ListElement *r = tail(a, b, c);
        result = r == NULL ? 0 : element_length(r);
    }
    free_list(a);
    free_list(b);
    free_list(c);
    return result;
}

int verify_result(int result) { return result == 10; }

#include "harness.h"
