/* BlueScript unit 1 (generated) */
#include "bs.h"

int32_t bs_f_dot_1(bs_value, bs_value);
void bs_f_pairs_1(bs_value, bs_value, int32_t);
int32_t (*bs_fp_dot)(bs_value, bs_value) = bs_f_dot_1;
void (*bs_fp_pairs)(bs_value, bs_value, int32_t) = bs_f_pairs_1;

inline
/*@-*/int32_t bs_f_dot_1(bs_value l0_a, bs_value l1_b) {
    /*@362,363*/int32_t l2_s = 0;
    {
        /*@379,380*/int32_t l3_i = 0;
        bs_array *hv0 = (bs_array *)bs_ptr(l0_a); uint32_t hl0 = hv0->length; int32_t *hd0 = (int32_t *)hv0->data;
        bs_array *hv1 = (bs_array *)bs_ptr(l1_b); uint32_t hl1 = hv1->length; int32_t *hd1 = (int32_t *)hv1->data;
        if ((int64_t)l3_i > ((int64_t)hl0 - 1) || (1 * (int64_t)l3_i + (int64_t)0 >= 0 && 1 * ((int64_t)hl0 - 1) + (int64_t)0 < (int64_t)hl0 && 1 * (int64_t)l3_i + (int64_t)0 >= 0 && 1 * ((int64_t)hl0 - 1) + (int64_t)0 < (int64_t)hl1)) {
            /*@382,394*/for (; ({ int32_t t0 = l3_i; int32_t t1 = ((int32_t)hl0); (t0 < t1); }); (l3_i++)) {
                /*@407,423*/(l2_s = ({ int32_t t2 = l2_s; int32_t t3 = ({ int32_t t4 = hd0[l3_i]; int32_t t5 = hd1[l3_i]; (t4 * t5); }); (t2 + t3); }));
            }
        } else {
            /*@382,394*/for (; ({ int32_t t0 = l3_i; int32_t t1 = ((int32_t)hl0); (t0 < t1); }); (l3_i++)) {
                /*@407,423*/(l2_s = ({ int32_t t6 = l2_s; int32_t t7 = ({ int32_t t8 = (*bs_int_in(hd0, hl0, l3_i, 1u)); int32_t t9 = (*bs_int_in(hd1, hl1, l3_i, 2u)); (t8 * t9); }); (t6 + t7); }));
            }
        }
    }
    /*@437,438*/return l2_s;
}

inline
/*@-*/void bs_f_pairs_1(bs_value l0_x, bs_value l1_y, int32_t l2_n) {
    {
        /*@516,517*/int32_t l3_i = 1;
        bs_array *hv2 = (bs_array *)bs_ptr(l0_x); uint32_t hl2 = hv2->length; float *hd2 = (float *)hv2->data;
        bs_array *hv3 = (bs_array *)bs_ptr(l1_y); uint32_t hl3 = hv3->length; float *hd3 = (float *)hv3->data;
        if ((int64_t)l2_n < (int64_t)INT32_MAX && ((int64_t)l3_i > (int64_t)l2_n || (1 * (int64_t)l3_i + ((int64_t)0 - (int64_t)1) >= 0 && 1 * (int64_t)l2_n + ((int64_t)0 - (int64_t)1) < (int64_t)hl3 && 2 * (int64_t)l3_i + ((2 * (int64_t)0) - (int64_t)1) >= 0 && 2 * (int64_t)l2_n + ((2 * (int64_t)0) - (int64_t)1) < (int64_t)hl2 && 2 * (int64_t)l3_i + (((2 * (int64_t)0) - (int64_t)1) + (int64_t)1) >= 0 && 2 * (int64_t)l2_n + (((2 * (int64_t)0) - (int64_t)1) + (int64_t)1) < (int64_t)hl2))) {
            /*@519,525*/for (; (l3_i <= l2_n); (l3_i++)) {
                /*@548,557*/int32_t l4_j = ((2 * l3_i) - 1);
                /*@562,588*/({ int32_t ti10 = (l3_i - 1); float tv10 = ({ float t11 = hd2[l4_j]; float t12 = hd2[(l4_j + 1)]; (t11 + t12); }); hd3[ti10] = tv10; tv10; });
            }
        } else {
            /*@519,525*/for (; (l3_i <= l2_n); (l3_i++)) {
                /*@548,557*/int32_t l4_j = ((2 * l3_i) - 1);
                /*@562,588*/({ int32_t ti13 = (l3_i - 1); float tv13 = ({ float t14 = (*bs_float_in(hd2, hl2, l4_j, 4u)); float t15 = (*bs_float_in(hd2, hl2, (l4_j + 1), 5u)); (t14 + t15); }); *bs_float_in(hd3, hl3, ti13, 3u) = tv13; tv13; });
            }
        }
    }
}

/*@-*/void bs_unit_1(void) {
}
