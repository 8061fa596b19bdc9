/* BlueScript unit 1 (generated) */
#include "bs.h"

void bs_f_rows_1(bs_value, bs_value, int32_t, int32_t);
int32_t bs_f_refreshed_1(bs_value, int32_t);
void (*bs_fp_rows)(bs_value, bs_value, int32_t, int32_t) = bs_f_rows_1;
int32_t (*bs_fp_refreshed)(bs_value, int32_t) = bs_f_refreshed_1;

inline
/*@-*/void bs_f_rows_1(bs_value l0_m, bs_value l1_sums, int32_t l2_w, int32_t l3_h) {
    {
        /*@436,437*/int32_t l4_r = 0;
        bs_array *hv0 = (bs_array *)bs_ptr(l0_m); uint32_t hl0 = hv0->length; int32_t *hd0 = (int32_t *)hv0->data;
        bs_array *hv1 = (bs_array *)bs_ptr(l1_sums); uint32_t hl1 = hv1->length; int32_t *hd1 = (int32_t *)hv1->data;
        if ((int64_t)l4_r > ((int64_t)l3_h - 1) || (1 * (int64_t)l4_r + (int64_t)0 >= 0 && 1 * ((int64_t)l3_h - 1) + (int64_t)0 < (int64_t)hl1 && 1 * (int64_t)0 + (int64_t)0 >= 0 && 1 * ((int64_t)l2_w - 1) + (int64_t)0 < (int64_t)hl0)) {
            /*@439,444*/for (; (l4_r < l3_h); (l4_r++)) {
                /*@457,468*/({ int32_t ti0 = l4_r; int32_t tv0 = 0; hd1[ti0] = tv0; tv0; });
                {
                    /*@486,487*/int32_t l5_c = 0;
                    /*@489,494*/for (; (l5_c < l2_w); (l5_c++)) {
                            /*@509,524*/({ int32_t ti1 = l4_r; int32_t tv1 = ({ int32_t t2 = hd1[l4_r]; int32_t t3 = hd0[l5_c]; (t2 + t3); }); hd1[ti1] = tv1; tv1; });
                    }
                }
            }
        } else {
            /*@439,444*/for (; (l4_r < l3_h); (l4_r++)) {
                /*@457,468*/({ int32_t ti4 = l4_r; int32_t tv4 = 0; *bs_int_in(hd1, hl1, ti4, 1u) = tv4; tv4; });
                {
                    /*@486,487*/int32_t l5_c = 0;
                    if ((int64_t)l5_c > ((int64_t)l2_w - 1) || ((int64_t)l4_r >= 0 && (int64_t)l4_r < (int64_t)hl1 && 1 * (int64_t)l5_c + (int64_t)0 >= 0 && 1 * ((int64_t)l2_w - 1) + (int64_t)0 < (int64_t)hl0)) {
                        /*@489,494*/for (; (l5_c < l2_w); (l5_c++)) {
                            /*@509,524*/({ int32_t ti5 = l4_r; int32_t tv5 = ({ int32_t t6 = hd1[l4_r]; int32_t t7 = hd0[l5_c]; (t6 + t7); }); hd1[ti5] = tv5; tv5; });
                        }
                    } else {
                        /*@489,494*/for (; (l5_c < l2_w); (l5_c++)) {
                            /*@509,524*/({ int32_t ti8 = l4_r; int32_t tv8 = ({ int32_t t9 = (*bs_int_in(hd1, hl1, l4_r, 2u)); int32_t t10 = (*bs_int_in(hd0, hl0, l5_c, 3u)); (t9 + t10); }); *bs_int_in(hd1, hl1, ti8, 2u) = tv8; tv8; });
                        }
                    }
                }
            }
        }
    }
}

inline
/*@-*/int32_t bs_f_refreshed_1(bs_value l0_a, int32_t l1_n) {
    /*@604,605*/int32_t l2_s = 0;
    /*@627,633*/bs_value l3_b = bs_int_array_of(2, (const int32_t[]){0, 0});
    {
        /*@649,650*/int32_t l4_i = 0;
        bs_array *hv2 = (bs_array *)bs_ptr(l0_a); uint32_t hl2 = hv2->length; int32_t *hd2 = (int32_t *)hv2->data;
        if ((int64_t)l4_i > ((int64_t)l1_n - 1) || (1 * (int64_t)l4_i + (int64_t)0 >= 0 && 1 * ((int64_t)l1_n - 1) + (int64_t)0 < (int64_t)hl2)) {
            /*@652,657*/for (; (l4_i < l1_n); (l4_i++)) {
                /*@670,679*/(l2_s = ({ int32_t t11 = l2_s; int32_t t12 = hd2[l4_i]; (t11 + t12); }));
                /*@684,694*/(l3_b = bs_int_array_of(2, (const int32_t[]){l4_i, l4_i}));
                {
                    /*@712,713*/int32_t l5_j = 0;
                    bs_array *hv3 = (bs_array *)bs_ptr(l3_b); uint32_t hl3 = hv3->length; int32_t *hd3 = (int32_t *)hv3->data;
                    if ((int64_t)l5_j > ((int64_t)2 - 1) || (1 * (int64_t)l5_j + (int64_t)0 >= 0 && 1 * ((int64_t)2 - 1) + (int64_t)0 < (int64_t)hl3)) {
                        /*@715,720*/for (; (l5_j < 2); (l5_j++)) {
                            /*@727,743*/(l2_s = ({ int32_t t13 = l2_s; int32_t t14 = ({ int32_t t15 = hd3[l5_j]; int32_t t16 = hd2[l4_i]; (t15 + t16); }); (t13 + t14); }));
                        }
                    } else {
                        /*@715,720*/for (; (l5_j < 2); (l5_j++)) {
                            /*@727,743*/(l2_s = ({ int32_t t17 = l2_s; int32_t t18 = ({ int32_t t19 = (*bs_int_in(hd3, hl3, l5_j, 5u)); int32_t t20 = hd2[l4_i]; (t19 + t20); }); (t17 + t18); }));
                        }
                    }
                }
            }
        } else {
            /*@652,657*/for (; (l4_i < l1_n); (l4_i++)) {
                /*@670,679*/(l2_s = ({ int32_t t21 = l2_s; int32_t t22 = (*bs_int_in(hd2, hl2, l4_i, 4u)); (t21 + t22); }));
                /*@684,694*/(l3_b = bs_int_array_of(2, (const int32_t[]){l4_i, l4_i}));
                {
                    /*@712,713*/int32_t l5_j = 0;
                    bs_array *hv4 = (bs_array *)bs_ptr(l3_b); uint32_t hl4 = hv4->length; int32_t *hd4 = (int32_t *)hv4->data;
                    if ((int64_t)l5_j > ((int64_t)2 - 1) || (1 * (int64_t)l5_j + (int64_t)0 >= 0 && 1 * ((int64_t)2 - 1) + (int64_t)0 < (int64_t)hl4 && (int64_t)l4_i >= 0 && (int64_t)l4_i < (int64_t)hl2)) {
                        /*@715,720*/for (; (l5_j < 2); (l5_j++)) {
                            /*@727,743*/(l2_s = ({ int32_t t23 = l2_s; int32_t t24 = ({ int32_t t25 = hd4[l5_j]; int32_t t26 = hd2[l4_i]; (t25 + t26); }); (t23 + t24); }));
                        }
                    } else {
                        /*@715,720*/for (; (l5_j < 2); (l5_j++)) {
                            /*@727,743*/(l2_s = ({ int32_t t27 = l2_s; int32_t t28 = ({ int32_t t29 = (*bs_int_in(hd4, hl4, l5_j, 5u)); int32_t t30 = (*bs_int_in(hd2, hl2, l4_i, 6u)); (t29 + t30); }); (t27 + t28); }));
                        }
                    }
                }
            }
        }
    }
    /*@757,758*/{ int32_t bs_ret = l2_s; BS_FORGET(l3_b); return bs_ret; }
}

/*@-*/void bs_unit_1(void) {
}
