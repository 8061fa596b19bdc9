/* bs_function.c: function values (closures) and the cells that hold captured variables. */
#include "bs.h"
#include "bs_heap.h"

bs_value bs_function_new(uint32_t code, const bs_fn_info *info, uint32_t n_captured) {
    uint32_t words = 3u + n_captured;
    uint32_t *f = bs_heap_alloc(words * 4u);
    f[0] = BS_HDR(BS_CLASS_FUNCTION, 0);
    f[1] = code;
    f[2] = (uint32_t)(uintptr_t)info;
    for (uint32_t k = 3; k < words; k++)
        f[k] = BS_NULL;
    return bs_ref(f);
}

bs_value bs_cell_new(bs_value v) {
    uint32_t *c = bs_heap_alloc(8u);
    c[0] = BS_HDR(BS_CLASS_CELL, 0);
    c[1] = v;
    return bs_ref(c);
}

bs_value bs_raw_cell_new(uint32_t raw) {
    uint32_t *c = bs_heap_alloc(8u);
    c[0] = BS_HDR(BS_CLASS_RAW_CELL, 0);
    c[1] = raw;
    return bs_ref(c);
}
