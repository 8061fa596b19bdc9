/* BlueScript unit 1 (generated) */
#include "bs.h"

int32_t bs_f_sum_1(bs_value, bs_value);
float bs_f_reassigned_1(bs_value);
bs_value bs_f_boxed_1(bs_value);
int32_t (*bs_fp_sum)(bs_value, bs_value) = bs_f_sum_1;
float (*bs_fp_reassigned)(bs_value) = bs_f_reassigned_1;
bs_value (*bs_fp_boxed)(bs_value) = bs_f_boxed_1;

inline
/*@-*/int32_t bs_f_sum_1(bs_value l0_a, bs_value l1_flags) {
    /*@308,309*/int32_t l2_s = 0;
    /*@320,321*/int32_t l3_k = 0;
    {
        bs_array *hv0 = (bs_array *)bs_ptr(l0_a); uint32_t hl0 = hv0->length; int32_t *hd0 = (int32_t *)hv0->data;
        bs_array *hv1 = (bs_array *)bs_ptr(l1_flags); uint32_t hl1 = hv1->length; uint8_t *hd1 = (uint8_t *)hv1->data;
        if ((int64_t)l3_k > ((int64_t)hl0 - 1) || (1 * (int64_t)l3_k + (int64_t)0 >= 0 && 1 * ((int64_t)hl0 - 1) + (int64_t)0 < (int64_t)hl1 && 1 * (int64_t)l3_k + (int64_t)0 >= 0 && 1 * ((int64_t)hl0 - 1) + (int64_t)0 < (int64_t)hl0)) {
            /*@331,343*/while (({ int32_t t0 = l3_k; int32_t t1 = ((int32_t)hl0); (t0 < t1); })) {
                /*@355,363*/if (hd1[l3_k]) {
                    /*@373,382*/(l2_s = ({ int32_t t2 = l2_s; int32_t t3 = hd0[l3_k]; (t2 + t3); }));
                }
                /*@393,396*/(l3_k++);
            }
        } else {
            /*@331,343*/while (({ int32_t t0 = l3_k; int32_t t1 = ((int32_t)hl0); (t0 < t1); })) {
                /*@355,363*/if ((*bs_byte_in(hd1, hl1, l3_k, 1u))) {
                    /*@373,382*/(l2_s = ({ int32_t t4 = l2_s; int32_t t5 = (*bs_int_in(hd0, hl0, l3_k, 2u)); (t4 + t5); }));
                }
                /*@393,396*/(l3_k++);
            }
        }
    }
    {
        bs_array *hv2 = (bs_array *)bs_ptr(l0_a); uint32_t hl2 = hv2->length; int32_t *hd2 = (int32_t *)hv2->data;
        do {
            /*@412,415*/(l3_k--);
        /*@427,444*/} while (((l3_k > 0) && ((*bs_int_in(hd2, hl2, l3_k, 3u)) > 0)));
    }
    /*@455,456*/return l2_s;
}

inline
/*@-*/float bs_f_reassigned_1(bs_value l0_a) {
    /*@511,514*/float l1_f = 0e0f;
    /*@525,526*/int32_t l2_j = 0;
    /*@536,548*/while (({ int32_t t6 = l2_j; int32_t t7 = bs_array_length(l0_a); (t6 < t7); })) {
        /*@556,565*/(l1_f = ({ float t8 = l1_f; float t9 = (*bs_float_at(l0_a, l2_j, 4u)); (t8 + t9); }));
        /*@570,579*/(l0_a = bs_float_array_of(1, (const float[]){1e0f}));
        /*@584,587*/(l2_j++);
    }
    /*@601,602*/return l1_f;
}

inline
/*@-*/bs_value bs_f_boxed_1(bs_value l0_xs) {
    /*@654,655*/bs_value l1_t = bs_box_int(0);
    {
        /*@671,672*/int32_t l2_i = 0;
        /*@674,679*/for (; (l2_i < 2); (l2_i++)) {
            /*@692,701*/(l1_t = bs_array_get(l0_xs, l2_i, 5u));
        }
    }
    /*@715,716*/{ bs_value bs_ret = l1_t; BS_FORGET(l1_t); return bs_ret; }
}

/*@-*/void bs_unit_1(void) {
}
