/* bs_any.c: operations on `any`: checked conversions, arithmetic, comparison, equality and negation decided by the tags. */
#include "bs.h"
#include "bs_string.h"

static _Noreturn void any_type_error(uint32_t site, uint32_t expected, bs_value found) {
    bs_error(BS_ERR_TYPE, site, expected, found);
}

/* detail1 of a TYPE_ERROR from operator `op`. */
static uint32_t any_operator(uint32_t op) { return BS_TYPE_ANY + (op << 8); }

static int any_is_number(bs_value v) { return bs_is_int(v) || bs_is_float(v); }

/* A boxed integer or float as a float. */
static float any_float(bs_value v) { return bs_is_int(v) ? (float)bs_unbox_int(v) : bs_unbox_float(v); }

/* --- conversions -------------------------------------------------------------------------------- */

int32_t bs_any_to_int(bs_value v, uint32_t site) {
    if (!bs_is_int(v))
        any_type_error(site, BS_TYPE_INTEGER, v);
    return bs_unbox_int(v);
}

float bs_any_to_float(bs_value v, uint32_t site) {
    if (!any_is_number(v))
        any_type_error(site, BS_TYPE_FLOAT, v);
    return any_float(v);
}

bs_value bs_any_to_string(bs_value v, uint32_t site) {
    if (!bs_string_is(v))
        any_type_error(site, BS_TYPE_STRING, v);
    return v;
}

bs_value bs_any_to_null(bs_value v, uint32_t site) {
    if (v != BS_NULL)
        any_type_error(site, BS_TYPE_NULL, v);
    return v;
}

bs_value bs_any_to_class(bs_value v, uint32_t class_id, int32_t nullable, uint32_t site) {
    if (bs_instance_of(v, class_id) || (nullable && v == BS_NULL))
        return v;
    /* The any[] view of every array kind; a string. */
    if (class_id == BS_CLASS_ANY_ARRAY ? !bs_is_array(v) : class_id != BS_CLASS_STRING || !bs_string_is(v))
        any_type_error(site, BS_TYPE_CLASS_BASE + class_id, v);
    return v;
}

bs_value bs_any_to_array(bs_value v, uint32_t site) {
    if (!bs_is_array(v))
        any_type_error(site, BS_TYPE_ARRAY, v);
    return v;
}

/* --- operators ---------------------------------------------------------------------------------- */

bs_value bs_any_arith(uint32_t op, bs_value a, bs_value b, uint32_t site) {
    if (op == BS_OP_ADD && (bs_string_is(a) || bs_string_is(b)))
        return bs_string_concat(a, b);
    if (op == BS_OP_REM) {
        if (!bs_is_int(a) || !bs_is_int(b))
            any_type_error(site, any_operator(op), bs_is_int(a) ? b : a);
    } else if (!any_is_number(a) || !any_is_number(b)) {
        any_type_error(site, any_operator(op), any_is_number(a) ? b : a);
    }
    if (bs_is_int(a) && bs_is_int(b)) {
        int32_t x = bs_unbox_int(a), y = bs_unbox_int(b);
        switch (op) {
        case BS_OP_ADD:
            return bs_box_int((int32_t)((uint32_t)x + (uint32_t)y));
        case BS_OP_SUB:
            return bs_box_int((int32_t)((uint32_t)x - (uint32_t)y));
        case BS_OP_MUL:
            return bs_box_int((int32_t)((uint32_t)x * (uint32_t)y));
        case BS_OP_DIV:
            return bs_box_int(bs_idiv(x, y, site));
        case BS_OP_REM:
            return bs_box_int(bs_imod(x, y, site));
        case BS_OP_POW:
            return bs_box_int(bs_ipow(x, y, site));
        default:
            break;
        }
    } else {
        float x = any_float(a), y = any_float(b);
        switch (op) {
        case BS_OP_ADD:
            return bs_box_float(x + y);
        case BS_OP_SUB:
            return bs_box_float(x - y);
        case BS_OP_MUL:
            return bs_box_float(x * y);
        case BS_OP_DIV:
            return bs_box_float(x / y);
        case BS_OP_POW:
            return bs_box_float(bs_fpow(x, y));
        default:
            break;
        }
    }
    any_type_error(site, any_operator(op), a); /* not an arithmetic operator */
}

int32_t bs_any_compare(uint32_t op, bs_value a, bs_value b, uint32_t site) {
    int order; /* -1, 0, 1; or 2 when unordered (NaN) */
    if (any_is_number(a) && any_is_number(b)) {
        if (bs_is_int(a) && bs_is_int(b)) {
            int32_t x = bs_unbox_int(a), y = bs_unbox_int(b);
            order = x < y ? -1 : (x > y ? 1 : 0);
        } else {
            float x = any_float(a), y = any_float(b);
            order = x < y ? -1 : (x > y ? 1 : (x == y ? 0 : 2));
        }
    } else if (bs_string_is(a) && bs_string_is(b)) {
        order = bs_string_compare(a, b);
    } else {
        int a_ok = any_is_number(a) || bs_string_is(a);
        any_type_error(site, any_operator(op), a_ok ? b : a);
    }
    switch (op) {
    case BS_OP_LT:
        return order == -1;
    case BS_OP_LE:
        return order == -1 || order == 0;
    case BS_OP_GT:
        return order == 1;
    case BS_OP_GE:
        return order == 0 || order == 1;
    default:
        any_type_error(site, any_operator(op), a); /* not a comparison operator */
    }
}

int32_t bs_any_equal(bs_value a, bs_value b) { return bs_string_equal(a, b); }

bs_value bs_any_negate(bs_value a, uint32_t site) {
    if (bs_is_int(a))
        return bs_box_int((int32_t)(0u - (uint32_t)bs_unbox_int(a)));
    if (bs_is_float(a))
        return bs_box_float(-bs_unbox_float(a));
    any_type_error(site, any_operator(BS_OP_NEG), a);
}
