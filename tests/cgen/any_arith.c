/* BlueScript unit 1 (generated) */
#include "bs.h"

BS_STRING_LITERAL_SHARED(bs_lit_a68d9d5edd8b5822836dbc798fff2401, 3, "two");
bs_value bs_g_a = BS_NULL;
bs_value bs_g_b = BS_NULL;
bs_value bs_g_c = BS_NULL;
bs_value bs_g_xs = BS_NULL;

/*@-*/void bs_unit_1(void) {
    /*@190,191*/bs_g_a = bs_box_int(3);
    /*@205,208*/bs_g_b = bs_box_float(2.5e0f);
    /*@222,231*/bs_g_c = ({ bs_value t0 = bs_any_arith(3u, bs_g_a, bs_g_b, 1u); bs_value t1 = bs_box_int(1); bs_any_arith(1u, t0, t1, 2u); });
    /*@232,240*/bs_print(bs_g_c);
    /*@241,253*/bs_print(bs_box_bool(bs_any_compare(7u, bs_g_a, bs_g_b, 3u)));
    /*@254,263*/bs_print(bs_any_negate(bs_g_a, 4u));
    /*@264,267*/({ bs_value tu2 = bs_g_a; if (!bs_is_int(tu2) && !bs_is_float(tu2)) bs_error(10u, 5u, 3078u, tu2); bs_value tn2 = bs_any_arith(1u, tu2, bs_box_int(1), 5u); bs_g_a = tn2; tu2; });
    /*@268,271*/({ bs_value tu3 = bs_g_b; if (!bs_is_int(tu3) && !bs_is_float(tu3)) bs_error(10u, 6u, 3078u, tu3); bs_value tn3 = bs_any_arith(1u, tu3, bs_box_int(1), 6u); bs_g_b = tn3; tn3; });
    /*@272,284*/bs_print(bs_any_arith(5u, bs_g_a, bs_box_int(2), 7u));
    /*@301,311*/bs_g_xs = bs_vector_of(7u, 2, (const bs_value[]){bs_box_int(1), bs_ref(&bs_lit_a68d9d5edd8b5822836dbc798fff2401)});
    /*@312,319*/({ bs_value l0_tmp = bs_g_xs; int32_t l1_tmp = 0; ({ bs_value tu4 = bs_array_get(l0_tmp, l1_tmp, 8u); if (!bs_is_int(tu4) && !bs_is_float(tu4)) bs_error(10u, 9u, 3078u, tu4); bs_value tn4 = bs_any_arith(1u, tu4, bs_box_int(1), 9u); bs_array_set(l0_tmp, l1_tmp, tn4, 8u); tu4; }); });
    /*@320,336*/bs_print(({ bs_value t5 = bs_array_get(bs_g_xs, 0, 10u); bs_value t6 = bs_g_a; bs_any_arith(2u, t5, t6, 11u); }));
}
