/* BlueScript unit 1 (generated) */
#include "bs.h"

BS_STRING_LITERAL_SHARED(bs_lit_d228cb696f1a8caf78912b704e4a8964, 1, "a");
BS_STRING_LITERAL_SHARED(bs_lit_d228cb69721a8caf78912b704e4a8d15, 1, "b");
bs_value bs_g_area = BS_NULL;
bs_value bs_g_view = BS_NULL;
void bs_init_Shape_1(bs_value);
void bs_init_Bag_1(bs_value);
int32_t bs_m_Bag_put_1(bs_value, bs_value, bs_value, bs_value, bs_value);
int32_t bs_arrow_1_0(bs_value, bs_value, bs_value);
static bs_value bs_dyn_bs_arrow_1_0(bs_value self, const bs_value *args, uint32_t site) { (void)args; (void)site; bs_value a0 = bs_any_to_class_fast(args[0], 16u, 0, site); bs_value a1 = bs_any_to_class_fast(args[1], 18u, 0, site); return bs_box_int(((int32_t (*)(bs_value, bs_value, bs_value))bs_arrow_1_0)(self, a0, a1)); }
static const bs_fn_info bs_fi_bs_arrow_1_0 = {"(Shape,string[]) => integer", 2u, bs_dyn_bs_arrow_1_0};
__attribute__((section(".rodata.bs_class"))) static const uint32_t bs_refs_16[] = {0x00000000u};
__attribute__((section(".rodata.bs_class"))) static const bs_field bs_fields_16[] = {{8u, 1u, 1u, 0u, 0u}};
__attribute__((section(".rodata.bs_class"))) static const bs_class bs_class_16 = {"Shape", BS_KIND_OBJECT, 0u, 2u, bs_refs_16, 0, 0u, 0, 1u, bs_fields_16, 0u, 0};
__attribute__((section(".rodata.bs_class"))) static const uint32_t bs_refs_17[] = {0x00000000u};
__attribute__((section(".rodata.bs_class"))) static void *const bs_vt_17[] = {(void *)bs_m_Bag_put_1};
static bs_value bs_dyn_17_0(bs_value self, const bs_value *args, uint32_t site) { (void)args; (void)site; bs_value a0 = bs_any_to_class_fast(args[0], 16u, 0, site); bs_value a1 = bs_any_to_class_fast(args[1], 3u, 0, site); bs_value a2 = bs_any_to_class_fast(args[2], 16u, 1, site); bs_value a3 = bs_any_to_function(args[3], "(integer) => integer", site); return bs_box_int(((int32_t (*)(bs_value, bs_value, bs_value, bs_value, bs_value))bs_vtable(self)[0])(self, a0, a1, a2, a3)); }
__attribute__((section(".rodata.bs_class"))) static const bs_method bs_methods_17[] = {{9u, 4u, bs_dyn_17_0}};
__attribute__((section(".rodata.bs_class"))) static const bs_class bs_class_17 = {"Bag", BS_KIND_OBJECT, 0u, 1u, bs_refs_17, 0, 1u, bs_vt_17, 0u, 0, 1u, bs_methods_17};
static const bs_class bs_class_18 = {"string[]", BS_KIND_REF_ARRAY, 0, 0, 0, 1u, 0, 0, 0, 0, 0, 0};

/*@-*/int32_t bs_arrow_1_0(bs_value l0__3c_closure_3e_, bs_value l1_s, bs_value l2_names) {
    /*@455,473*/return ({ int32_t t0 = ((int32_t *)bs_words(l1_s))[1]; int32_t t1 = bs_array_length(l2_names); (t0 + t1); });
}

inline
/*@-*/void bs_init_Shape_1(bs_value l0_this) {
    /*@251,261*/(((int32_t *)bs_words(l0_this))[1] = 1);
}

inline
/*@-*/void bs_init_Bag_1(bs_value l0_this) {
}

inline
/*@-*/int32_t bs_m_Bag_put_1(bs_value l0_this, bs_value l1_s, bs_value l2_xs, bs_value l3_o, bs_value l4_f) {
    /*@394,397*/return ((int32_t *)bs_words(l1_s))[1];
}

/*@-*/void bs_unit_1(void) {
    bs_class_define(18u, &bs_class_18);
    bs_class_define(16u, &bs_class_16);
    bs_class_define(17u, &bs_class_17);
    /*@415,473*/bs_g_area = ({ bs_value tf2 = bs_function_new((uint32_t)(uintptr_t)bs_arrow_1_0, &bs_fi_bs_arrow_1_0, 0u); tf2; });
    /*@492,497*/bs_g_view = bs_vector_of(7u, 1, (const bs_value[]){bs_ref(&bs_lit_d228cb696f1a8caf78912b704e4a8964)});
    /*@498,512*/bs_view_push(bs_g_view, bs_ref(&bs_lit_d228cb69721a8caf78912b704e4a8d15), 1);
}
