/* BlueScript unit 2 (generated) */
#include "bs.h"

extern bs_value (*bs_fp_area)(bs_value, bs_value);
bs_value bs_f_area_2(bs_value, bs_value);
static __attribute__((noinline)) void bs_profile_out(bs_profile *p, uint32_t n, const bs_value *args) { bs_profile_hit(p, n, args); }
__attribute__((section(".data.bs_profile"))) bs_profile bs_pr_area_2 = {5, BS_PROFILE_COUNTING, 2u, 5u, 0u, {0}, {{0}}};
__attribute__((optimize("optimize-sibling-calls"))) bs_value bs_pw_area_2(bs_value a0, bs_value a1) { if (__builtin_expect(bs_pr_area_2.state == BS_PROFILE_COUNTING && bs_pr_area_2.countdown > 1, 1)) bs_pr_area_2.countdown--; else if (bs_pr_area_2.state < BS_PROFILE_REPORTED || bs_patch_wanted) bs_profile_out(&bs_pr_area_2, 2u, (const bs_value[]){a0, a1}); return bs_f_area_2(a0, a1); }

inline
/*@-*/bs_value bs_f_area_2(bs_value l0_w, bs_value l1_h) {
    /*@31,40*/return ({ bs_value t0 = bs_any_arith(3u, l0_w, l1_h, 2u); bs_value t1 = bs_box_int(0); bs_any_arith(1u, t0, t1, 3u); });
}

/*@-*/void bs_unit_2(void) {
    bs_fp_area = bs_pw_area_2;
    /*@43,60*/bs_print((__builtin_expect(bs_fp_area == bs_f_area_2, 1) ? bs_f_area_2(bs_box_int(4), bs_box_int(5)) : bs_fp_area == bs_pw_area_2 ? bs_pw_area_2(bs_box_int(4), bs_box_int(5)) : bs_fp_area(bs_box_int(4), bs_box_int(5))));
}
