/* BlueScript unit 1 (generated) */
#include "bs.h"

void bs_init_Counter_1(bs_value, int32_t);
int32_t bs_m_Counter_step_1(bs_value, int32_t);
int32_t bs_f_run_1(bs_value);
void bs_init_Twice_1(bs_value);
int32_t bs_m_Twice_step_1(bs_value, int32_t);
int32_t (*bs_fp_run)(bs_value) = bs_f_run_1;
__attribute__((section(".rodata.bs_class"))) static const uint32_t bs_refs_16[] = {0x00000000u};
__attribute__((section(".rodata.bs_class"))) static void *const bs_vt_16[] = {(void *)bs_m_Counter_step_1};
__attribute__((section(".rodata.bs_class"))) static const bs_field bs_fields_16[] = {{8u, 1u, 1u, 0u, 0u}};
static bs_value bs_dyn_16_0(bs_value self, const bs_value *args, uint32_t site) { (void)args; (void)site; int32_t a0 = bs_any_to_int(args[0], site); return bs_box_int(((int32_t (*)(bs_value, int32_t))bs_vtable(self)[0])(self, a0)); }
__attribute__((section(".rodata.bs_class"))) static const bs_method bs_methods_16[] = {{9u, 1u, bs_dyn_16_0}};
__attribute__((section(".rodata.bs_class"))) static const bs_class bs_class_16 = {"Counter", BS_KIND_OBJECT, 0u, 2u, bs_refs_16, 0, 1u, bs_vt_16, 1u, bs_fields_16, 1u, bs_methods_16};
__attribute__((section(".rodata.bs_class"))) static const uint32_t bs_refs_17[] = {0x00000000u};
__attribute__((section(".rodata.bs_class"))) static void *const bs_vt_17[] = {(void *)bs_m_Twice_step_1};
__attribute__((section(".rodata.bs_class"))) static const bs_field bs_fields_17[] = {{8u, 1u, 1u, 0u, 0u}};
static bs_value bs_dyn_17_0(bs_value self, const bs_value *args, uint32_t site) { (void)args; (void)site; int32_t a0 = bs_any_to_int(args[0], site); return bs_box_int(((int32_t (*)(bs_value, int32_t))bs_vtable(self)[0])(self, a0)); }
__attribute__((section(".rodata.bs_class"))) static const bs_method bs_methods_17[] = {{9u, 1u, bs_dyn_17_0}};
__attribute__((section(".rodata.bs_class"))) static const bs_class bs_class_17 = {"Twice", BS_KIND_OBJECT, 16u, 2u, bs_refs_17, 0, 1u, bs_vt_17, 1u, bs_fields_17, 1u, bs_methods_17};

inline
/*@-*/int32_t bs_f_run_1(bs_value l0_c) {
    /*@511,532*/return ({ int32_t t0 = ({ bs_value tc1 = l0_c; int32_t ta1_0 = 1; (__builtin_expect(bs_class_id_of(tc1) == 16u, 1) ? bs_m_Counter_step_1(tc1, ta1_0) : ((int32_t (*)(bs_value, int32_t))bs_vtable(tc1)[0])(tc1, ta1_0)); }); int32_t t2 = ({ bs_value tc3 = l0_c; int32_t ta3_0 = 2; (__builtin_expect(bs_class_id_of(tc3) == 16u, 1) ? bs_m_Counter_step_1(tc3, ta3_0) : ((int32_t (*)(bs_value, int32_t))bs_vtable(tc3)[0])(tc3, ta3_0)); }); (t0 + t2); });
}

inline
/*@-*/void bs_init_Counter_1(bs_value l0_this, int32_t l1_n) {
    /*@245,255*/(((int32_t *)bs_words(l0_this))[1] = l1_n);
}

inline
/*@-*/int32_t bs_m_Counter_step_1(bs_value l0_this, int32_t l1_by) {
    /*@295,307*/(((int32_t *)bs_words(l0_this))[1] = (((int32_t *)bs_words(l0_this))[1] + l1_by));
    /*@319,325*/return ((int32_t *)bs_words(l0_this))[1];
}

inline
/*@-*/void bs_init_Twice_1(bs_value l0_this) {
    /*@385,393*/bs_init_Counter_1(l0_this, 0);
}

inline
/*@-*/int32_t bs_m_Twice_step_1(bs_value l0_this, int32_t l1_by) {
    /*@440,458*/return bs_m_Counter_step_1(l0_this, (2 * l1_by));
}

/*@-*/void bs_unit_1(void) {
    bs_class_define(16u, &bs_class_16);
    bs_class_define(17u, &bs_class_17);
    /*@536,562*/bs_print(bs_box_int((__builtin_expect(bs_fp_run == bs_f_run_1, 1) ? bs_f_run_1(({ int32_t ta4_0 = 1; bs_value to4 = bs_object_alloc(16u, 2u); bs_init_Counter_1(to4, ta4_0); to4; })) : bs_fp_run(({ int32_t ta4_0 = 1; bs_value to4 = bs_object_alloc(16u, 2u); bs_init_Counter_1(to4, ta4_0); to4; })))));
    /*@563,586*/bs_print(bs_box_int((__builtin_expect(bs_fp_run == bs_f_run_1, 1) ? bs_f_run_1(({ bs_value to5 = bs_object_alloc(17u, 2u); bs_init_Twice_1(to5); to5; })) : bs_fp_run(({ bs_value to5 = bs_object_alloc(17u, 2u); bs_init_Twice_1(to5); to5; })))));
}
