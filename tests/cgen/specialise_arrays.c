/* BlueScript unit 2 (generated) */
#include "bs.h"

float bs_fs_dot_1_1(bs_value, bs_value, int32_t);
float bs_f_dot_1(bs_value, bs_value, int32_t);
float bs_fg_dot_1_1(bs_value, bs_value, int32_t);
uint32_t bs_gf_dot_1_1 = 0;

inline
/*@-*/float bs_fs_dot_1_1(bs_value l0_xs, bs_value l1_ys, int32_t l2_n) {
    (void)l0_xs; (void)l1_ys; (void)l2_n;
    /*@260,263*/float l3_t = 0e0f; (void)l3_t;
    {
        /*@280,281*/int32_t l4_i = 0; (void)l4_i;
        bs_array *hv0 = (bs_array *)bs_ptr(l0_xs); uint32_t hl0 = hv0->length; float *hd0 = (float *)hv0->data;
        bs_array *hv1 = (bs_array *)bs_ptr(l1_ys); uint32_t hl1 = hv1->length; float *hd1 = (float *)hv1->data;
        if ((int64_t)l4_i > ((int64_t)l2_n - 1) || (1 * (int64_t)l4_i + (int64_t)0 >= 0 && 1 * ((int64_t)l2_n - 1) + (int64_t)0 < (int64_t)hl0 && 1 * (int64_t)l4_i + (int64_t)0 >= 0 && 1 * ((int64_t)l2_n - 1) + (int64_t)0 < (int64_t)hl1)) {
            /*@283,288*/for (; (l4_i < l2_n); (++l4_i)) {
                /*@301,319*/(l3_t = bs_round_boxed_float(({ float t0 = bs_round_boxed_float(l3_t); float t1 = bs_round_boxed_float(({ float t2 = bs_round_boxed_float(hd0[l4_i]); float t3 = bs_round_boxed_float(hd1[l4_i]); (t2 * t3); })); (t0 + t1); })));
            }
        } else {
            /*@283,288*/for (; (l4_i < l2_n); (++l4_i)) {
                /*@301,319*/(l3_t = bs_round_boxed_float(({ float t4 = bs_round_boxed_float(l3_t); float t5 = bs_round_boxed_float(({ float t6 = bs_round_boxed_float((*bs_float_in(hd0, hl0, l4_i, 8u))); float t7 = bs_round_boxed_float((*bs_float_in(hd1, hl1, l4_i, 9u))); (t6 * t7); })); (t4 + t5); })));
            }
        }
    }
    /*@334,335*/return l3_t;
}

/*@-*/float bs_fg_dot_1_1(bs_value a0, bs_value a1, int32_t a2) {
    if (__builtin_expect(bs_is_exactly(a0, 3u) && bs_is_exactly(a1, 3u), 1)) {
        return bs_fs_dot_1_1(a0, a1, a2);
    }
    bs_gf_dot_1_1++;
    if (bs_patch_wanted)
        bs_runtime_patch_point();
    return bs_f_dot_1(a0, a1, a2);
}

/*@-*/void bs_unit_2(void) {
}
