/* BlueScript unit 1 (generated) */
#include "bs.h"

#line 1 "bs-inline-c@99"
static int twice(int v) { return 2 * v; }
#line 7 "unit.c"
int32_t bs_f_f_1(int32_t);
int32_t (*bs_fp_f)(int32_t) = bs_f_f_1;

inline
/*@-*/int32_t bs_f_f_1(int32_t l0_n) {
    /*@188,189*/int32_t l1_out = 0;
    /*@197,218*/{
#line 1 "bs-inline-c@197"
(l1_out) = twice((l0_n));
;
#line 18 "unit.c"
    }
    /*@229,232*/return l1_out;
}

/*@-*/void bs_unit_1(void) {
    /*@235,247*/bs_print(bs_box_int((__builtin_expect(bs_fp_f == bs_f_f_1, 1) ? bs_f_f_1(21) : bs_fp_f(21))));
}
