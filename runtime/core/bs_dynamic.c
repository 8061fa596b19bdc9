/* bs_dynamic.c: property access and calls through `any` (by program-wide name ids). */
#include <string.h>

#include "bs.h"

#define NAME_LENGTH 0u
#define NAME_STARTS_WITH 1u
#define NAME_ENDS_WITH 2u
#define NAME_SUBSTRING 3u
#define NAME_PUSH 4u
#define NAME_POP 5u
#define NAME_UNSHIFT 6u
#define NAME_SHIFT 7u

static _Noreturn void dyn_error(uint32_t what, uint32_t name_id, bs_value o, uint32_t site) {
    bs_error(BS_ERR_TYPE, site, what + (name_id << 8), o);
}

/* The descriptor of a program object's class, or NULL for anything else. */
static const bs_class *dyn_class(bs_value o) {
    if (!bs_is_ref(o))
        return NULL;
    uint32_t id = bs_class_id_of(o);
    if (id < BS_FIRST_PROGRAM_CLASS || id >= BS_MAX_CLASSES)
        return NULL;
    const bs_class *c = bs_class_table[id];
    return c && c->kind == BS_KIND_OBJECT ? c : NULL;
}

static const bs_field *dyn_field(const bs_class *c, uint32_t name_id) {
    for (uint32_t k = 0; c && k < c->n_fields; k++)
        if (c->fields[k].name_id == name_id)
            return &c->fields[k];
    return NULL;
}

static int dyn_has_length(bs_value o) {
    if (!bs_is_ref(o))
        return 0;
    return bs_is_array(o) || bs_class_id_of(o) == BS_CLASS_STRING;
}

bs_value bs_any_get(bs_value o, uint32_t name_id, uint32_t site) {
    if (name_id == NAME_LENGTH && dyn_has_length(o))
        return bs_box_int(bs_array_length(o));
    const bs_field *f = dyn_field(dyn_class(o), name_id);
    if (f == NULL)
        dyn_error(BS_TYPE_NO_PROPERTY, name_id, o, site);
    uint32_t w = bs_words(o)[f->word];
    switch (f->type) {
    case BS_TYPE_INTEGER:
        return bs_box_int((int32_t)w);
    case BS_TYPE_FLOAT: {
        union bs_float_bits b;
        b.u = w;
        return bs_box_float(b.f);
    }
    case BS_TYPE_BOOLEAN:
        return bs_box_bool((int32_t)w);
    default:
        return w;
    }
}

static bs_value dyn_to_function(bs_value v, const char *signature, const char *end, uint32_t site);

bs_value bs_any_set(bs_value o, uint32_t name_id, bs_value v, uint32_t site) {
    const bs_field *f = dyn_field(dyn_class(o), name_id);
    if (f == NULL)
        dyn_error(BS_TYPE_NO_PROPERTY, name_id, o, site);
    uint32_t *slot = &bs_words(o)[f->word];
    switch (f->type) {
    case BS_TYPE_INTEGER:
        *slot = (uint32_t)bs_any_to_int(v, site);
        break;
    case BS_TYPE_FLOAT: {
        union bs_float_bits b;
        b.f = bs_any_to_float(v, site);
        *slot = b.u;
        break;
    }
    case BS_TYPE_BOOLEAN:
        *slot = (uint32_t)bs_truthy(v);
        break;
    case BS_TYPE_STRING:
        *slot = (f->nullable && v == BS_NULL) ? v : bs_any_to_string(v, site);
        break;
    default:
        if (f->class_id != 0) {
            if (f->class_id != BS_CLASS_FUNCTION)
                bs_any_to_class(v, f->class_id, (int32_t)f->nullable, site);
            else {
                const bs_class *c = dyn_class(o);
                dyn_to_function(v, c->field_signatures[f - c->fields], NULL, site);
            }
        }
        *slot = v;
        break;
    }
    return v;
}

static void dyn_argc(uint32_t argc, uint32_t expected, uint32_t name_id, bs_value o, uint32_t site) {
    if (argc != expected)
        dyn_error(BS_TYPE_ARG_COUNT, name_id, o, site);
}

bs_value bs_any_call_method(bs_value o, uint32_t name_id, uint32_t argc, const bs_value *args, uint32_t site) {
    if (bs_is_ref(o) && bs_class_id_of(o) == BS_CLASS_STRING) {
        switch (name_id) {
        case NAME_STARTS_WITH:
            dyn_argc(argc, 1, name_id, o, site);
            return bs_box_bool(bs_string_starts_with(o, bs_any_to_string(args[0], site)));
        case NAME_ENDS_WITH:
            dyn_argc(argc, 1, name_id, o, site);
            return bs_box_bool(bs_string_ends_with(o, bs_any_to_string(args[0], site)));
        case NAME_SUBSTRING:
            dyn_argc(argc, 2, name_id, o, site);
            return bs_string_substring(o, bs_any_to_int(args[0], site), bs_any_to_int(args[1], site));
        default:
            break;
        }
    }
    if (bs_is_ref(o) && bs_is_array(o) && name_id >= NAME_PUSH && name_id <= NAME_SHIFT) {
        switch (name_id) {
        case NAME_PUSH:
            dyn_argc(argc, 1, name_id, o, site);
            return bs_box_int(bs_view_push(o, args[0], site));
        case NAME_UNSHIFT:
            dyn_argc(argc, 1, name_id, o, site);
            return bs_box_int(bs_view_unshift(o, args[0], site));
        case NAME_POP:
            dyn_argc(argc, 0, name_id, o, site);
            return bs_vector_pop(o);
        default:
            dyn_argc(argc, 0, name_id, o, site);
            return bs_vector_shift(o);
        }
    }
    const bs_class *c = dyn_class(o);
    for (uint32_t k = 0; c && k < c->n_dyn_methods; k++) {
        const bs_method *m = &c->methods[k];
        if (m->name_id == name_id) {
            dyn_argc(argc, m->argc, name_id, o, site);
            return m->entry(o, args, site);
        }
    }
    dyn_error(BS_TYPE_NO_METHOD, name_id, o, site);
}

static const bs_fn_info *dyn_function(bs_value f) {
    if (!bs_is_ref(f) || bs_class_id_of(f) != BS_CLASS_FUNCTION)
        return NULL;
    return (const bs_fn_info *)(uintptr_t)bs_words(f)[2];
}

bs_value bs_any_call(bs_value f, uint32_t argc, const bs_value *args, uint32_t site) {
    const bs_fn_info *info = dyn_function(f);
    if (info == NULL)
        dyn_error(BS_TYPE_NOT_CALLABLE, 0, f, site);
    dyn_argc(argc, info->argc, 0, f, site);
    return info->entry(f, args, site);
}

/* Whether signature `a` is the text `b` (up to `end`, or to its NUL when `end` is NULL). A loop
   rather than strcmp: the C library's is tuned for long strings and costs 400 bytes of flash on a
   Cortex-M, for this one caller. */
static int same_signature(const char *a, const char *b, const char *end) {
    while (*a != '\0' && *a == *b && b != end) {
        a++;
        b++;
    }
    return *a == '\0' && (end != NULL ? b == end : *b == '\0');
}

static bs_value dyn_to_function(bs_value v, const char *signature, const char *end, uint32_t site) {
    const bs_fn_info *info = dyn_function(v);
    if (info == NULL || !same_signature(info->signature, signature, end))
        dyn_error(BS_TYPE_NOT_CALLABLE, 0, v, site);
    return v;
}

bs_value bs_any_to_function(bs_value v, const char *signature, uint32_t site) {
    return dyn_to_function(v, signature, NULL, site);
}

bs_value bs_vector_check(bs_value a, bs_value v, uint32_t site) {
    const bs_class *c = bs_class_table[bs_class_id_of(a)];
    if (c == NULL || c->kind != BS_KIND_REF_ARRAY) /* not growable: push and unshift fail here */
        bs_error(BS_ERR_TYPE, site, BS_TYPE_CLASS_BASE + BS_CLASS_ANY_ARRAY, a);
    if (c->element_id == 0)
        return v;
    uint32_t elem = c->element_id & ~BS_ELEMENT_NULLABLE;
    int32_t nullable = (c->element_id & BS_ELEMENT_NULLABLE) != 0;
    if (elem != BS_CLASS_FUNCTION)
        return bs_any_to_class(v, elem, nullable, site);
    if (nullable && v == BS_NULL)
        return v;
    /* The class's name is "(" signature ")[]". */
    const char *name = c->name;
    return dyn_to_function(v, name + 1, name + strlen(name) - 3, site);
}
