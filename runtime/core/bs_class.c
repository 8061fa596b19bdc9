/* bs_class.c: the class table (built-in and program class descriptors), object allocation and instance tests. */
#include <string.h>

#include "bs.h"
#include "bs_class.h"
#include "bs_hal.h"
#include "bs_heap.h"

/* Descriptors of the built-in classes; only their names and kinds are used. */
#define CLASS_BUILTIN(class_name, class_kind) {.name = (class_name), .kind = (class_kind)}
static const bs_class class_string = CLASS_BUILTIN("string", BS_KIND_OBJECT);
static const bs_class class_int_array = CLASS_BUILTIN("integer[]", BS_KIND_OBJECT);
static const bs_class class_float_array = CLASS_BUILTIN("float[]", BS_KIND_OBJECT);
static const bs_class class_bool_array = CLASS_BUILTIN("boolean[]", BS_KIND_OBJECT);
static const bs_class class_uint8_array = CLASS_BUILTIN("Uint8Array", BS_KIND_OBJECT);
static const bs_class class_fixed_array = CLASS_BUILTIN("FixedArray", BS_KIND_OBJECT);
static const bs_class class_any_array = CLASS_BUILTIN("any[]", BS_KIND_REF_ARRAY);
static const bs_class class_function = CLASS_BUILTIN("#Function", BS_KIND_OBJECT);

#define CLASS_BUILTINS                                                                             \
    [BS_CLASS_STRING] = &class_string, [BS_CLASS_INT_ARRAY] = &class_int_array,                    \
    [BS_CLASS_FLOAT_ARRAY] = &class_float_array, [BS_CLASS_BOOL_ARRAY] = &class_bool_array,        \
    [BS_CLASS_UINT8_ARRAY] = &class_uint8_array, [BS_CLASS_FIXED_ARRAY] = &class_fixed_array,      \
    [BS_CLASS_ANY_ARRAY] = &class_any_array, [BS_CLASS_FUNCTION] = &class_function

/* Zero-initialised (no flash copy on a microcontroller); bs_class_reset fills in the built-ins
 * when the runtime starts and at every RESET. */
const bs_class *bs_class_table[BS_MAX_CLASSES];

static const bs_class *const class_builtins[BS_FIRST_PROGRAM_CLASS] = {CLASS_BUILTINS};

void bs_class_reset(void) {
    memset((void *)bs_class_table, 0, sizeof bs_class_table);
    memcpy((void *)bs_class_table, class_builtins, sizeof class_builtins);
}

void bs_class_define(uint32_t id, const bs_class *c) {
    if (id != 0 && id < BS_MAX_CLASSES)
        bs_class_table[id] = c;
}

const char *bs_class_name(uint32_t class_id) {
    const bs_class *c = class_id < BS_MAX_CLASSES ? bs_class_table[class_id] : NULL;
    return c != NULL ? c->name : NULL;
}

bs_value bs_object_new(uint32_t class_id) {
    const bs_class *c = class_id < BS_MAX_CLASSES ? bs_class_table[class_id] : NULL;
    if (c == NULL || c->kind != BS_KIND_OBJECT || c->words == 0 || c->words > 0x3FFFFFFFu)
        bs_hal_panic("bs_object_new: the class is not defined");
    uint32_t words = c->words;
    uint32_t *o = bs_heap_alloc(words * 4u);
    o[0] = BS_HDR(class_id, 0);
    if (c->ref_bits != NULL)
        for (uint32_t k = 1; k < words; k++)
            if ((c->ref_bits[k / 32u] >> (k % 32u)) & 1u)
                o[k] = BS_NULL;
    return bs_ref(o);
}

bs_value bs_object_alloc(uint32_t class_id, uint32_t words) {
    uint32_t *o = bs_heap_alloc(words * 4u);
    o[0] = BS_HDR(class_id, 0);
    return bs_ref(o);
}

int32_t bs_instance_of(bs_value v, uint32_t class_id) {
    if (!bs_is_ref(v))
        return 0;
    uint32_t id = bs_class_id_of(v);
    if (id == BS_CLASS_STRING)
        return 0;
    if (id == class_id)
        return 1;
    /* Array classes match exactly; program classes also through their superclasses. */
    if (class_id < BS_FIRST_PROGRAM_CLASS || class_id >= BS_MAX_CLASSES)
        return 0;
    const bs_class *target = bs_class_table[class_id];
    if (target == NULL || target->kind == BS_KIND_REF_ARRAY)
        return 0;
    for (uint32_t steps = 0; steps < BS_MAX_CLASSES && id < BS_MAX_CLASSES; steps++) {
        const bs_class *c = bs_class_table[id];
        if (c == NULL || c->super_id == 0)
            return 0;
        id = c->super_id;
        if (id == class_id)
            return 1;
    }
    return 0;
}

int32_t bs_is_array(bs_value v) {
    if (!bs_is_ref(v))
        return 0;
    uint32_t id = bs_class_id_of(v);
    if (id >= BS_CLASS_INT_ARRAY && id <= BS_CLASS_ANY_ARRAY)
        return 1;
    const bs_class *c = id >= BS_FIRST_PROGRAM_CLASS && id < BS_MAX_CLASSES ? bs_class_table[id] : NULL;
    return c != NULL && c->kind == BS_KIND_REF_ARRAY;
}
