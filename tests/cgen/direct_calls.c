/* BlueScript unit 1 (generated) */
#include "bs.h"

int32_t bs_f_square_1(int32_t);
int32_t bs_f_next_1(void);
int32_t (*bs_fp_square)(int32_t) = bs_f_square_1;
int32_t (*bs_fp_next)(void) = bs_f_next_1;

inline
/*@-*/int32_t bs_f_square_1(int32_t l0_x) {
    /*@273,278*/return (l0_x * l0_x);
}

inline
/*@-*/int32_t bs_f_next_1(void) {
    /*@318,327*/return (__builtin_expect(bs_fp_square == bs_f_square_1, 1) ? bs_f_square_1(3) : bs_fp_square(3));
}

/*@-*/void bs_unit_1(void) {
    /*@331,364*/bs_print(bs_box_int(({ int32_t t0 = (__builtin_expect(bs_fp_square == bs_f_square_1, 1) ? bs_f_square_1((__builtin_expect(bs_fp_next == bs_f_next_1, 1) ? bs_f_next_1() : bs_fp_next())) : bs_fp_square((__builtin_expect(bs_fp_next == bs_f_next_1, 1) ? bs_f_next_1() : bs_fp_next()))); int32_t t1 = (__builtin_expect(bs_fp_square == bs_f_square_1, 1) ? bs_f_square_1(4) : bs_fp_square(4)); (t0 + t1); })));
    /*@365,395*/bs_print(bs_box_int((__builtin_expect(bs_fp_square == bs_f_square_1, 1) ? bs_f_square_1(({ int32_t t2 = (__builtin_expect(bs_fp_next == bs_f_next_1, 1) ? bs_f_next_1() : bs_fp_next()); int32_t t3 = (__builtin_expect(bs_fp_next == bs_f_next_1, 1) ? bs_f_next_1() : bs_fp_next()); (t2 + t3); })) : bs_fp_square(({ int32_t t2 = (__builtin_expect(bs_fp_next == bs_f_next_1, 1) ? bs_f_next_1() : bs_fp_next()); int32_t t3 = (__builtin_expect(bs_fp_next == bs_f_next_1, 1) ? bs_f_next_1() : bs_fp_next()); (t2 + t3); })))));
}
