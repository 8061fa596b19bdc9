/* BlueScript unit 1 (generated) */
#include "bs.h"

int32_t bs_f_sieve_1(bs_value, int32_t);
int32_t bs_f_everyOther_1(bs_value, int32_t, int32_t);
int32_t (*bs_fp_sieve)(bs_value, int32_t) = bs_f_sieve_1;
int32_t (*bs_fp_everyOther)(bs_value, int32_t, int32_t) = bs_f_everyOther_1;

inline
/*@-*/int32_t bs_f_sieve_1(bs_value l0_flags, int32_t l1_size) {
    /*@314,315*/int32_t l2_count = 0;
    {
        /*@331,332*/int32_t l3_i = 2;
        bs_array *hv0 = (bs_array *)bs_ptr(l0_flags); uint32_t hl0 = hv0->length; uint8_t *hd0 = (uint8_t *)hv0->data;
        if ((int64_t)l1_size < (int64_t)INT32_MAX && ((int64_t)l3_i > (int64_t)l1_size || (1 * (int64_t)l3_i + ((int64_t)0 - (int64_t)1) >= 0 && 1 * (int64_t)l1_size + ((int64_t)0 - (int64_t)1) < (int64_t)hl0))) {
            /*@334,343*/for (; (l3_i <= l1_size); (l3_i++)) {
                /*@360,372*/if (hd0[(l3_i - 1)]) {
                    /*@382,389*/(l2_count++);
                    /*@404,409*/int32_t l4_k = (l3_i + l3_i);
                    if ((int64_t)l3_i >= 1 && (int64_t)l1_size + (int64_t)l3_i <= (int64_t)INT32_MAX && ((int64_t)l4_k > (int64_t)l1_size || (1 * (int64_t)l4_k + ((int64_t)0 - (int64_t)1) >= 0 && 1 * (int64_t)l1_size + ((int64_t)0 - (int64_t)1) < (int64_t)hl0))) {
                        /*@423,432*/while ((l4_k <= l1_size)) {
                            /*@444,464*/({ int32_t ti0 = (l4_k - 1); int32_t tv0 = 0; hd0[ti0] = tv0; tv0; });
                            /*@473,479*/(l4_k = (l4_k + l3_i));
                        }
                    } else {
                        /*@423,432*/while ((l4_k <= l1_size)) {
                            /*@444,464*/({ int32_t ti1 = (l4_k - 1); int32_t tv1 = 0; *bs_byte_in(hd0, hl0, ti1, 2u) = tv1; tv1; });
                            /*@473,479*/(l4_k = (l4_k + l3_i));
                        }
                    }
                }
            }
        } else {
            /*@334,343*/for (; (l3_i <= l1_size); (l3_i++)) {
                /*@360,372*/if ((*bs_byte_in(hd0, hl0, (l3_i - 1), 1u))) {
                    /*@382,389*/(l2_count++);
                    /*@404,409*/int32_t l4_k = (l3_i + l3_i);
                    if ((int64_t)l3_i >= 1 && (int64_t)l1_size + (int64_t)l3_i <= (int64_t)INT32_MAX && ((int64_t)l4_k > (int64_t)l1_size || (1 * (int64_t)l4_k + ((int64_t)0 - (int64_t)1) >= 0 && 1 * (int64_t)l1_size + ((int64_t)0 - (int64_t)1) < (int64_t)hl0))) {
                        /*@423,432*/while ((l4_k <= l1_size)) {
                            /*@444,464*/({ int32_t ti2 = (l4_k - 1); int32_t tv2 = 0; hd0[ti2] = tv2; tv2; });
                            /*@473,479*/(l4_k = (l4_k + l3_i));
                        }
                    } else {
                        /*@423,432*/while ((l4_k <= l1_size)) {
                            /*@444,464*/({ int32_t ti3 = (l4_k - 1); int32_t tv3 = 0; *bs_byte_in(hd0, hl0, ti3, 2u) = tv3; tv3; });
                            /*@473,479*/(l4_k = (l4_k + l3_i));
                        }
                    }
                }
            }
        }
    }
    /*@507,512*/return l2_count;
}

inline
/*@-*/int32_t bs_f_everyOther_1(bs_value l0_a, int32_t l1_from, int32_t l2_step) {
    /*@600,601*/int32_t l3_s = 0;
    {
        /*@617,621*/int32_t l4_i = l1_from;
        bs_array *hv1 = (bs_array *)bs_ptr(l0_a); uint32_t hl1 = hv1->length; int32_t *hd1 = (int32_t *)hv1->data;
        if ((int64_t)l2_step >= 1 && ((int64_t)hl1 - 1) + (int64_t)l2_step <= (int64_t)INT32_MAX && ((int64_t)l4_i > ((int64_t)hl1 - 1) || (1 * (int64_t)l4_i + (int64_t)0 >= 0 && 1 * ((int64_t)hl1 - 1) + (int64_t)0 < (int64_t)hl1))) {
            /*@623,635*/for (; ({ int32_t t4 = l4_i; int32_t t5 = ((int32_t)hl1); (t4 < t5); }); (l4_i = (l4_i + l2_step))) {
                /*@648,657*/(l3_s = ({ int32_t t6 = l3_s; int32_t t7 = hd1[l4_i]; (t6 + t7); }));
            }
        } else {
            /*@623,635*/for (; ({ int32_t t4 = l4_i; int32_t t5 = ((int32_t)hl1); (t4 < t5); }); (l4_i = (l4_i + l2_step))) {
                /*@648,657*/(l3_s = ({ int32_t t8 = l3_s; int32_t t9 = (*bs_int_in(hd1, hl1, l4_i, 3u)); (t8 + t9); }));
            }
        }
    }
    /*@667,668*/return l3_s;
}

/*@-*/void bs_unit_1(void) {
}
