/* BlueScript unit 2 (generated) */
#include "bs.h"

BS_STRING_LITERAL_SHARED(bs_lit_69f9043fdc757277b806e9a0ecb16e53, 4, "same");
int32_t bs_fs_f_1_1(int32_t, int32_t);
bs_value bs_f_f_1(bs_value, bs_value);
bs_value bs_fg_f_1_1(bs_value, bs_value);
uint32_t bs_gf_f_1_1 = 0;

inline
/*@-*/int32_t bs_fs_f_1_1(int32_t l0_a, int32_t l1_b) {
    (void)l0_a; (void)l1_b;
    /*@240,245*/int32_t l2_s = bs_unbox_int(bs_box_int((l0_a * l1_b))); (void)l2_s;
    /*@257,258*/int32_t l3_i = l0_a; (void)l3_i;
    /*@262,265*/(l3_i = bs_unbox_int(bs_box_int((l3_i + 1))));
    /*@273,279*/if ((l2_s == l3_i)) {
        /*@281,294*/bs_print(bs_ref(&bs_lit_69f9043fdc757277b806e9a0ecb16e53));
    }
    /*@305,314*/return bs_unbox_int(bs_box_int(({ int32_t t0 = l2_s; int32_t t1 = bs_unbox_int(bs_box_int(bs_idiv(l3_i, l1_b, 5u))); (t0 + t1); })));
}

/*@-*/bs_value bs_fg_f_1_1(bs_value a0, bs_value a1) {
    if (__builtin_expect(bs_is_int(a0) && bs_is_int(a1), 1)) {
        return bs_box_int(bs_fs_f_1_1(bs_unbox_int(a0), bs_unbox_int(a1)));
    }
    bs_gf_f_1_1++;
    if (bs_patch_wanted)
        bs_runtime_patch_point();
    return bs_f_f_1(a0, a1);
}

/*@-*/void bs_unit_2(void) {
}
