/* BlueScript unit 1 (generated) */
#include "bs.h"

BS_STRING_LITERAL_SHARED(bs_lit_d228cb69781a8caf78912b704e4a9477, 1, "x");
bs_value bs_f_scale_1(int32_t, bs_value, bs_value, bs_value);
static __attribute__((noinline)) void bs_profile_out(bs_profile *p, uint32_t n, const bs_value *args) { bs_profile_hit(p, n, args); }
__attribute__((section(".data.bs_profile"))) bs_profile bs_pr_scale_1 = {5, BS_PROFILE_COUNTING, 2u, 5u, 0u, {0}, {{0}}};
__attribute__((optimize("optimize-sibling-calls"))) bs_value bs_pw_scale_1(int32_t a0, bs_value a1, bs_value a2, bs_value a3) { if (__builtin_expect(bs_pr_scale_1.state == BS_PROFILE_COUNTING && bs_pr_scale_1.countdown > 1, 1)) bs_pr_scale_1.countdown--; else if (bs_pr_scale_1.state < BS_PROFILE_REPORTED || bs_patch_wanted) bs_profile_out(&bs_pr_scale_1, 2u, (const bs_value[]){a1, a3}); return bs_f_scale_1(a0, a1, a2, a3); }
bs_value (*bs_fp_scale)(int32_t, bs_value, bs_value, bs_value) = bs_pw_scale_1;

inline
/*@-*/bs_value bs_f_scale_1(int32_t l0_n, bs_value l1_v, bs_value l2_s, bs_value l3_w) {
    /*@230,239*/return ({ bs_value t0 = bs_any_arith(3u, l1_v, bs_box_int(l0_n), 1u); bs_value t1 = l3_w; bs_any_arith(1u, t0, t1, 2u); });
}

/*@-*/void bs_unit_1(void) {
    /*@243,271*/bs_print((__builtin_expect(bs_fp_scale == bs_f_scale_1, 1) ? bs_f_scale_1(2, bs_box_float(1.5e0f), bs_ref(&bs_lit_d228cb69781a8caf78912b704e4a9477), bs_box_int(1)) : bs_fp_scale == bs_pw_scale_1 ? bs_pw_scale_1(2, bs_box_float(1.5e0f), bs_ref(&bs_lit_d228cb69781a8caf78912b704e4a9477), bs_box_int(1)) : bs_fp_scale(2, bs_box_float(1.5e0f), bs_ref(&bs_lit_d228cb69781a8caf78912b704e4a9477), bs_box_int(1))));
}
