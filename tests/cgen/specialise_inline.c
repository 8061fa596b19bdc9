/* BlueScript unit 2 (generated) */
#include "bs.h"

extern int32_t (*bs_fp_rotr)(int32_t, int32_t);
extern bs_value bs_g_table;
extern int32_t (*bs_fp_scale)(bs_value, int32_t);
extern bs_value (*bs_fp_untyped)(bs_value);
extern int32_t (*bs_fp_fact)(int32_t);
extern int32_t (*bs_fp_big)(int32_t);
extern int32_t (*bs_fp_back)(int32_t);
int32_t bs_f_rotr_1(int32_t, int32_t);
static inline int32_t bs_fl_rotr_1_1(int32_t, int32_t);
int32_t bs_f_scale_1(bs_value, int32_t);
static inline int32_t bs_fl_scale_1_1(bs_value, int32_t);
bs_value bs_f_untyped_1(bs_value);
bs_value bs_pw_untyped_1(bs_value);
static inline int32_t bs_fl_untyped_1_1(int32_t);
bs_value bs_fs_mix_1_1(int32_t, int32_t);
bs_value bs_f_mix_1(bs_value, bs_value);
bs_value bs_fg_mix_1_1(bs_value, bs_value);
uint32_t bs_gf_mix_1_1 = 0;

static inline
/*@-*/int32_t bs_fl_rotr_1_1(int32_t l0_x, int32_t l1_n) {
    (void)l0_x; (void)l1_n;
    /*@559,586*/return (bs_ushr(l0_x, l1_n) | bs_shl(l0_x, (32 - l1_n)));
}

static inline
/*@-*/int32_t bs_fl_scale_1_1(bs_value l0_a, int32_t l1_i) {
    (void)l0_a; (void)l1_i;
    /*@641,649*/return ((*bs_int_at(l0_a, l1_i, 14u)) * 3);
}

static inline
/*@-*/int32_t bs_fl_untyped_1_1(int32_t l0_v) {
    (void)l0_v;
    /*@683,688*/return bs_unbox_int(bs_box_int((l0_v + 1)));
}

inline
/*@-*/bs_value bs_fs_mix_1_1(int32_t l0_a, int32_t l1_b) {
    (void)l0_a; (void)l1_b;
    /*@1077,1100*/int32_t l2_r = ({ int32_t t0 = (__builtin_expect(bs_fp_rotr == bs_f_rotr_1, 1) ? bs_fl_rotr_1_1(l0_a, 7) : bs_fp_rotr(l0_a, 7)); int32_t t1 = (__builtin_expect(bs_fp_rotr == bs_f_rotr_1, 1) ? bs_fl_rotr_1_1(l1_b, 3) : bs_fp_rotr(l1_b, 3)); (t0 ^ t1); }); (void)l2_r;
    /*@1110,1171*/return ({ bs_value t2 = ({ bs_value t3 = ({ bs_value t4 = ({ bs_value t5 = bs_box_int(bs_unbox_int(bs_box_int(({ int32_t t6 = l2_r; int32_t t7 = (__builtin_expect(bs_fp_scale == bs_f_scale_1, 1) ? bs_fl_scale_1_1(bs_g_table, 1) : bs_fp_scale(bs_g_table, 1)); (t6 + t7); })))); bs_value t8 = (__builtin_expect(bs_fp_untyped == bs_f_untyped_1 || bs_fp_untyped == bs_pw_untyped_1, 1) ? bs_box_int(bs_fl_untyped_1_1(bs_unbox_int(bs_box_int(l2_r)))) : bs_fp_untyped(bs_box_int(bs_unbox_int(bs_box_int(l2_r))))); bs_any_arith(1u, t5, t8, 10u); }); bs_value t9 = bs_box_int(bs_unbox_int(bs_box_int(bs_fp_fact(3)))); bs_any_arith(1u, t4, t9, 11u); }); bs_value t10 = bs_box_int(bs_unbox_int(bs_box_int(bs_fp_big(l0_a)))); bs_any_arith(1u, t3, t10, 12u); }); bs_value t11 = bs_box_int(bs_unbox_int(bs_box_int(bs_fp_back(0)))); bs_any_arith(1u, t2, t11, 13u); });
}

/*@-*/bs_value bs_fg_mix_1_1(bs_value a0, bs_value a1) {
    if (__builtin_expect(bs_is_int(a0) && bs_is_int(a1), 1)) {
        return bs_fs_mix_1_1(bs_unbox_int(a0), bs_unbox_int(a1));
    }
    bs_gf_mix_1_1++;
    if (bs_patch_wanted)
        bs_runtime_patch_point();
    return bs_f_mix_1(a0, a1);
}

/*@-*/void bs_unit_2(void) {
}
