/* BlueScript unit 1 (generated) */
#include "bs.h"

bs_value bs_g_twice = BS_NULL;
bs_value bs_g_f = BS_NULL;
bs_value bs_f_add_1(bs_value, bs_value);
void bs_f_show_1(bs_value);
int32_t bs_f_square_1(int32_t);
bs_value bs_f_explicit_1(bs_value);
int32_t bs_f_none_1(void);
bs_value bs_f_nine_1(bs_value, bs_value, bs_value, bs_value, bs_value, bs_value, bs_value, bs_value, bs_value);
void bs_f_native_1(bs_value);
static __attribute__((noinline)) void bs_profile_out(bs_profile *p, uint32_t n, const bs_value *args) { bs_profile_hit(p, n, args); }
__attribute__((section(".data.bs_profile"))) bs_profile bs_pr_add_1 = {5, BS_PROFILE_COUNTING, 2u, 5u, 0u, {0}, {{0}}};
__attribute__((optimize("optimize-sibling-calls"))) bs_value bs_pw_add_1(bs_value a0, bs_value a1) { if (__builtin_expect(bs_pr_add_1.state == BS_PROFILE_COUNTING && bs_pr_add_1.countdown > 1, 1)) bs_pr_add_1.countdown--; else if (bs_pr_add_1.state < BS_PROFILE_REPORTED || bs_patch_wanted) bs_profile_out(&bs_pr_add_1, 2u, (const bs_value[]){a0, a1}); return bs_f_add_1(a0, a1); }
__attribute__((section(".data.bs_profile"))) bs_profile bs_pr_show_1 = {5, BS_PROFILE_COUNTING, 1u, 5u, 0u, {0}, {{0}}};
__attribute__((optimize("optimize-sibling-calls"))) void bs_pw_show_1(bs_value a0) { if (__builtin_expect(bs_pr_show_1.state == BS_PROFILE_COUNTING && bs_pr_show_1.countdown > 1, 1)) bs_pr_show_1.countdown--; else if (bs_pr_show_1.state < BS_PROFILE_REPORTED || bs_patch_wanted) bs_profile_out(&bs_pr_show_1, 1u, (const bs_value[]){a0}); bs_f_show_1(a0); }
void bs_init_Box_1(bs_value, bs_value);
bs_value bs_m_Box_get_1(bs_value, bs_value);
bs_value (*bs_fp_add)(bs_value, bs_value) = bs_pw_add_1;
void (*bs_fp_show)(bs_value) = bs_pw_show_1;
int32_t (*bs_fp_square)(int32_t) = bs_f_square_1;
bs_value (*bs_fp_explicit)(bs_value) = bs_f_explicit_1;
int32_t (*bs_fp_none)(void) = bs_f_none_1;
bs_value (*bs_fp_nine)(bs_value, bs_value, bs_value, bs_value, bs_value, bs_value, bs_value, bs_value, bs_value) = bs_f_nine_1;
void (*bs_fp_native)(bs_value) = bs_f_native_1;
bs_value bs_arrow_1_0(bs_value, bs_value);
static bs_value bs_tramp_add_1(bs_value a0, bs_value a1, bs_value a2) { (void)a0; return bs_fp_add(a1, a2); }
static bs_value bs_dyn_bs_tramp_add_1(bs_value self, const bs_value *args, uint32_t site) { (void)args; (void)site; bs_value a0 = args[0]; bs_value a1 = args[1]; return ((bs_value (*)(bs_value, bs_value, bs_value))bs_tramp_add_1)(self, a0, a1); }
static const bs_fn_info bs_fi_bs_tramp_add_1 = {"(any,any) => any", 2u, bs_dyn_bs_tramp_add_1};
static bs_value bs_dyn_bs_arrow_1_0(bs_value self, const bs_value *args, uint32_t site) { (void)args; (void)site; bs_value a0 = args[0]; return ((bs_value (*)(bs_value, bs_value))bs_arrow_1_0)(self, a0); }
static const bs_fn_info bs_fi_bs_arrow_1_0 = {"(any) => any", 1u, bs_dyn_bs_arrow_1_0};
__attribute__((section(".rodata.bs_class"))) static const uint32_t bs_refs_16[] = {0x00000002u};
__attribute__((section(".rodata.bs_class"))) static void *const bs_vt_16[] = {(void *)bs_m_Box_get_1};
__attribute__((section(".rodata.bs_class"))) static const bs_field bs_fields_16[] = {{8u, 1u, 6u, 0u, 1u}};
static bs_value bs_dyn_16_0(bs_value self, const bs_value *args, uint32_t site) { (void)args; (void)site; bs_value a0 = args[0]; return ((bs_value (*)(bs_value, bs_value))bs_vtable(self)[0])(self, a0); }
__attribute__((section(".rodata.bs_class"))) static const bs_method bs_methods_16[] = {{9u, 1u, bs_dyn_16_0}};
__attribute__((section(".rodata.bs_class"))) static const bs_class bs_class_16 = {"Box", BS_KIND_OBJECT, 0u, 2u, bs_refs_16, 0, 1u, bs_vt_16, 1u, bs_fields_16, 1u, bs_methods_16};

/*@-*/bs_value bs_arrow_1_0(bs_value l0__3c_closure_3e_, bs_value l1_x) {
    /*@861,866*/return bs_any_arith(1u, l1_x, l1_x, 3u);
}

inline
/*@-*/bs_value bs_f_add_1(bs_value l0_a, bs_value l1_b) {
    /*@484,489*/return bs_any_arith(1u, l0_a, l1_b, 1u);
}

inline
/*@-*/void bs_f_show_1(bs_value l0_x) {
    /*@514,522*/bs_print(l0_x);
}

inline
/*@-*/int32_t bs_f_square_1(int32_t l0_x) {
    /*@574,579*/return (l0_x * l0_x);
}

inline
/*@-*/bs_value bs_f_explicit_1(bs_value l0_x) {
    /*@620,621*/return l0_x;
}

inline
/*@-*/int32_t bs_f_none_1(void) {
    /*@652,653*/return 1;
}

inline
/*@-*/bs_value bs_f_nine_1(bs_value l0_a, bs_value l1_b, bs_value l2_c, bs_value l3_d, bs_value l4_e, bs_value l5_f, bs_value l6_g, bs_value l7_h, bs_value l8_i) {
    /*@709,710*/return l0_a;
}

inline
/*@-*/void bs_f_native_1(bs_value l0_x) {
    /*@742,753*/{
#line 1 "bs-inline-c@742"
(void)(l0_x);
;
#line 81 "unit.c"
    }
}

inline
/*@-*/void bs_init_Box_1(bs_value l0_this, bs_value l1_v) {
    /*@793,803*/(bs_words(l0_this)[1] = l1_v);
}

inline
/*@-*/bs_value bs_m_Box_get_1(bs_value l0_this, bs_value l1_k) {
    /*@824,834*/return bs_any_arith(1u, bs_words(l0_this)[1], l1_k, 2u);
}

/*@-*/void bs_unit_1(void) {
    bs_class_define(16u, &bs_class_16);
    /*@854,866*/bs_g_twice = ({ bs_value tf0 = bs_function_new((uint32_t)(uintptr_t)bs_arrow_1_0, &bs_fi_bs_arrow_1_0, 0u); tf0; });
    /*@868,883*/(__builtin_expect(bs_fp_show == bs_f_show_1, 1) ? bs_f_show_1((__builtin_expect(bs_fp_add == bs_f_add_1, 1) ? bs_f_add_1(bs_box_int(1), bs_box_int(2)) : bs_fp_add == bs_pw_add_1 ? bs_pw_add_1(bs_box_int(1), bs_box_int(2)) : bs_fp_add(bs_box_int(1), bs_box_int(2)))) : bs_fp_show == bs_pw_show_1 ? bs_pw_show_1((__builtin_expect(bs_fp_add == bs_f_add_1, 1) ? bs_f_add_1(bs_box_int(1), bs_box_int(2)) : bs_fp_add == bs_pw_add_1 ? bs_pw_add_1(bs_box_int(1), bs_box_int(2)) : bs_fp_add(bs_box_int(1), bs_box_int(2)))) : bs_fp_show((__builtin_expect(bs_fp_add == bs_f_add_1, 1) ? bs_f_add_1(bs_box_int(1), bs_box_int(2)) : bs_fp_add == bs_pw_add_1 ? bs_pw_add_1(bs_box_int(1), bs_box_int(2)) : bs_fp_add(bs_box_int(1), bs_box_int(2)))));
    /*@894,897*/bs_g_f = bs_function_new((uint32_t)(uintptr_t)bs_tramp_add_1, &bs_fi_bs_tramp_add_1, 0u);
    /*@898,956*/bs_print(({ bs_value t1 = ({ bs_value t2 = ({ bs_value t3 = ({ bs_value tc4 = bs_g_f; bs_value ta4_0 = bs_box_float(2.5e0f); bs_value ta4_1 = bs_box_int(1); ((bs_value (*)(bs_value, bs_value, bs_value))bs_function_code(tc4))(tc4, ta4_0, ta4_1); }); bs_value t5 = bs_box_int((__builtin_expect(bs_fp_square == bs_f_square_1, 1) ? bs_f_square_1(3) : bs_fp_square(3))); bs_any_arith(1u, t3, t5, 4u); }); bs_value t6 = (__builtin_expect(bs_fp_explicit == bs_f_explicit_1, 1) ? bs_f_explicit_1(bs_box_int((__builtin_expect(bs_fp_none == bs_f_none_1, 1) ? bs_f_none_1() : bs_fp_none()))) : bs_fp_explicit(bs_box_int((__builtin_expect(bs_fp_none == bs_f_none_1, 1) ? bs_f_none_1() : bs_fp_none())))); bs_any_arith(1u, t2, t6, 5u); }); bs_value t7 = ({ bs_value tc8 = bs_g_twice; bs_value ta8_0 = bs_box_int(1); ((bs_value (*)(bs_value, bs_value))bs_function_code(tc8))(tc8, ta8_0); }); bs_any_arith(1u, t1, t7, 6u); }));
    /*@957,981*/bs_print(({ bs_value tc9 = ({ bs_value ta10_0 = bs_box_int(1); bs_value to10 = bs_object_alloc(16u, 2u); bs_words(to10)[1] = BS_NULL; bs_init_Box_1(to10, ta10_0); to10; }); bs_value ta9_0 = bs_box_int(2); (__builtin_expect(bs_class_id_of(tc9) == 16u, 1) ? bs_m_Box_get_1(tc9, ta9_0) : ((bs_value (*)(bs_value, bs_value))bs_vtable(tc9)[0])(tc9, ta9_0)); }));
    /*@982,1020*/bs_print((__builtin_expect(bs_fp_nine == bs_f_nine_1, 1) ? bs_f_nine_1(bs_box_int(1), bs_box_int(2), bs_box_int(3), bs_box_int(4), bs_box_int(5), bs_box_int(6), bs_box_int(7), bs_box_int(8), bs_box_int(9)) : bs_fp_nine(bs_box_int(1), bs_box_int(2), bs_box_int(3), bs_box_int(4), bs_box_int(5), bs_box_int(6), bs_box_int(7), bs_box_int(8), bs_box_int(9))));
    /*@1021,1030*/(__builtin_expect(bs_fp_native == bs_f_native_1, 1) ? bs_f_native_1(bs_box_int(0)) : bs_fp_native(bs_box_int(0)));
}
