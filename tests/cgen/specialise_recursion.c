/* BlueScript unit 2 (generated) */
#include "bs.h"

int32_t bs_fs_fib_1_1(int32_t);
bs_value bs_f_fib_1(bs_value);
bs_value bs_fg_fib_1_1(bs_value);
uint32_t bs_gf_fib_1_1 = 0;

inline
/*@-*/int32_t bs_fs_fib_1_1(int32_t l0_n) {
    (void)l0_n;
    /*@142,147*/if ((l0_n < 2)) {
        /*@156,157*/return l0_n;
    }
    /*@168,191*/return bs_unbox_int(bs_box_int(({ int32_t t0 = bs_fs_fib_1_1(bs_unbox_int(bs_box_int((l0_n - 1)))); int32_t t1 = bs_fs_fib_1_1(bs_unbox_int(bs_box_int((l0_n - 2)))); (t0 + t1); })));
}

/*@-*/bs_value bs_fg_fib_1_1(bs_value a0) {
    if (__builtin_expect(bs_is_int(a0), 1)) {
        return bs_box_int(bs_fs_fib_1_1(bs_unbox_int(a0)));
    }
    bs_gf_fib_1_1++;
    if (bs_patch_wanted)
        bs_runtime_patch_point();
    return bs_f_fib_1(a0);
}

/*@-*/void bs_unit_2(void) {
}
