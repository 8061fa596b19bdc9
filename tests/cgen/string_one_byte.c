/* BlueScript unit 1 (generated) */
#include "bs.h"

BS_STRING_LITERAL_SHARED(bs_lit_d228cb69781a8caf78912b704e4a9477, 1, "x");
BS_STRING_LITERAL_SHARED(bs_lit_bb0ba5e74aca739516f96843f4fbfdc0, 11, "banana tree");
BS_STRING_LITERAL_SHARED(bs_lit_69894944e1757277b806e97e8f03f2ed, 4, "blue");
BS_STRING_LITERAL_SHARED(bs_lit_08809544bbab1be95aa0733055b69a62, 2, "ab");
bs_value bs_g_v = BS_NULL;
int32_t bs_f_vowels_1(bs_value);
int32_t (*bs_fp_vowels)(bs_value) = bs_f_vowels_1;

inline
/*@-*/int32_t bs_f_vowels_1(bs_value l0_s) {
    /*@221,222*/int32_t l1_n = 0;
    {
        /*@238,239*/int32_t l2_i = 0;
        /*@241,253*/for (; ({ int32_t t0 = l2_i; int32_t t1 = bs_string_length(l0_s); (t0 < t1); }); (l2_i++)) {
            /*@276,297*/bs_value l3_c = bs_string_substring(l0_s, l2_i, (l2_i + 1));
            /*@306,326*/if ((bs_string_is_char(l3_c, 97u) || bs_string_is_char(l3_c, 101u))) {
                /*@336,339*/(l1_n++);
            }
        }
    }
    /*@359,360*/return l1_n;
}

/*@-*/void bs_unit_1(void) {
    /*@377,380*/bs_g_v = bs_ref(&bs_lit_d228cb69781a8caf78912b704e4a9477);
    /*@381,409*/bs_print(bs_box_int((__builtin_expect(bs_fp_vowels == bs_f_vowels_1, 1) ? bs_f_vowels_1(bs_ref(&bs_lit_bb0ba5e74aca739516f96843f4fbfdc0)) : bs_fp_vowels(bs_ref(&bs_lit_bb0ba5e74aca739516f96843f4fbfdc0)))));
    /*@410,425*/bs_print(bs_box_bool(bs_string_is_char(bs_g_v, 120u)));
    /*@426,462*/bs_print(bs_box_bool((!bs_string_is_char(bs_string_substring(bs_ref(&bs_lit_69894944e1757277b806e97e8f03f2ed), 0, 1), 98u))));
    /*@463,481*/bs_print(bs_box_bool(bs_string_is_char(bs_ref(&bs_lit_08809544bbab1be95aa0733055b69a62), 97u)));
}
