/* BlueScript unit 1 (generated) */
#include "bs.h"

int32_t bs_f_gather_1(bs_value, bs_value);
int32_t bs_f_shrinking_1(bs_value, int32_t);
int32_t bs_f_skipping_1(bs_value);
int32_t bs_f_nested_1(bs_value, int32_t);
int32_t (*bs_fp_gather)(bs_value, bs_value) = bs_f_gather_1;
int32_t (*bs_fp_shrinking)(bs_value, int32_t) = bs_f_shrinking_1;
int32_t (*bs_fp_skipping)(bs_value) = bs_f_skipping_1;
int32_t (*bs_fp_nested)(bs_value, int32_t) = bs_f_nested_1;

inline
/*@-*/int32_t bs_f_gather_1(bs_value l0_a, bs_value l1_idx) {
    /*@426,427*/int32_t l2_s = 0;
    {
        /*@443,444*/int32_t l3_i = 0;
        bs_array *hv0 = (bs_array *)bs_ptr(l0_a); uint32_t hl0 = hv0->length; int32_t *hd0 = (int32_t *)hv0->data;
        bs_array *hv1 = (bs_array *)bs_ptr(l1_idx); uint32_t hl1 = hv1->length; int32_t *hd1 = (int32_t *)hv1->data;
        if ((int64_t)l3_i > ((int64_t)hl1 - 1) || (1 * (int64_t)l3_i + (int64_t)0 >= 0 && 1 * ((int64_t)hl1 - 1) + (int64_t)0 < (int64_t)hl1)) {
            /*@446,460*/for (; ({ int32_t t0 = l3_i; int32_t t1 = ((int32_t)hl1); (t0 < t1); }); (l3_i++)) {
                /*@473,487*/(l2_s = ({ int32_t t2 = l2_s; int32_t t3 = (*bs_int_in(hd0, hl0, hd1[l3_i], 2u)); (t2 + t3); }));
            }
        } else {
            /*@446,460*/for (; ({ int32_t t0 = l3_i; int32_t t1 = ((int32_t)hl1); (t0 < t1); }); (l3_i++)) {
                /*@473,487*/(l2_s = ({ int32_t t4 = l2_s; int32_t t5 = (*bs_int_in(hd0, hl0, (*bs_int_in(hd1, hl1, l3_i, 1u)), 2u)); (t4 + t5); }));
            }
        }
    }
    /*@501,502*/return l2_s;
}

inline
/*@-*/int32_t bs_f_shrinking_1(bs_value l0_a, int32_t l1_n) {
    /*@572,573*/int32_t l2_s = 0;
    {
        /*@589,590*/int32_t l3_i = 0;
        bs_array *hv2 = (bs_array *)bs_ptr(l0_a); uint32_t hl2 = hv2->length; int32_t *hd2 = (int32_t *)hv2->data;
        /*@592,597*/for (; (l3_i < l1_n); (l3_i++)) {
            /*@610,619*/(l2_s = ({ int32_t t6 = l2_s; int32_t t7 = (*bs_int_in(hd2, hl2, l3_i, 3u)); (t6 + t7); }));
            /*@624,633*/(l1_n = (l1_n - 1));
        }
    }
    /*@647,648*/return l2_s;
}

inline
/*@-*/int32_t bs_f_skipping_1(bs_value l0_a) {
    /*@705,706*/int32_t l1_s = 0;
    {
        /*@722,723*/int32_t l2_i = 0;
        bs_array *hv3 = (bs_array *)bs_ptr(l0_a); uint32_t hl3 = hv3->length; int32_t *hd3 = (int32_t *)hv3->data;
        /*@725,737*/for (; ({ int32_t t8 = l2_i; int32_t t9 = ((int32_t)hl3); (t8 < t9); }); (l2_i++)) {
            /*@750,759*/(l1_s = ({ int32_t t10 = l1_s; int32_t t11 = (*bs_int_in(hd3, hl3, l2_i, 4u)); (t10 + t11); }));
            /*@764,773*/(l2_i = (l2_i + 1));
        }
    }
    /*@787,788*/return l1_s;
}

inline
/*@-*/int32_t bs_f_nested_1(bs_value l0_m, int32_t l1_w) {
    /*@855,856*/int32_t l2_s = 0;
    {
        /*@872,873*/int32_t l3_r = 0;
        bs_array *hv4 = (bs_array *)bs_ptr(l0_m); uint32_t hl4 = hv4->length; int32_t *hd4 = (int32_t *)hv4->data;
        /*@875,880*/for (; (l3_r < l1_w); (l3_r++)) {
            {
                /*@906,907*/int32_t l4_c = 0;
                /*@909,914*/for (; (l4_c < l1_w); (l4_c++)) {
                    /*@929,946*/(l2_s = ({ int32_t t18 = l2_s; int32_t t19 = (*bs_int_in(hd4, hl4, ((l3_r * l1_w) + l4_c), 5u)); (t18 + t19); }));
                }
            }
        }
    }
    /*@966,967*/return l2_s;
}

/*@-*/void bs_unit_1(void) {
}
