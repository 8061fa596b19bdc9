/* bs_array.c: arrays: construction of every kind, literals, index errors and the growable arrays' push/pop/shift/unshift. */
#include <string.h>

#include "bs.h"
#include "bs_heap.h"

/* Capacity of the store of a new growable array with fewer elements, and the least growth. */
#define ARRAY_MIN_CAPACITY 4u

_Noreturn void bs_index_error(int32_t index, uint32_t length, uint32_t site) {
    bs_error(BS_ERR_INDEX_RANGE, site, (uint32_t)index, length);
}

/* Allocates `bytes` for an object, stopping with OUT_OF_MEMORY when it does not fit in 32 bits. */
static void *array_alloc(uint64_t bytes) {
    if (bytes > 0xFFFFFFFFu)
        bs_error(BS_ERR_OUT_OF_MEMORY, 0, 0xFFFFFFFFu, 0);
    return bs_heap_alloc((uint32_t)bytes);
}

/* A new inline array of `length` elements of `element_size` bytes, all zero. */
static bs_array *inline_array_new(uint32_t class_id, int32_t length, uint32_t element_size, uint32_t site) {
    if (length < 0)
        bs_index_error(length, 0, site);
    bs_array *a = array_alloc(sizeof(bs_array) + (uint64_t)(uint32_t)length * element_size);
    a->header = BS_HDR(class_id, 0);
    a->length = (uint32_t)length;
    return a;
}

static void fill_words(uint32_t *words, uint32_t n, uint32_t value) {
    if (value == 0)
        return; /* new blocks are zeroed */
    for (uint32_t i = 0; i < n; i++)
        words[i] = value;
}

bs_value bs_int_array_new(int32_t length, int32_t init, uint32_t site) {
    bs_array *a = inline_array_new(BS_CLASS_INT_ARRAY, length, 4u, site);
    fill_words(a->data, a->length, (uint32_t)init);
    return bs_ref(a);
}

bs_value bs_float_array_new(int32_t length, float init, uint32_t site) {
    union bs_float_bits b;
    b.f = init;
    bs_array *a = inline_array_new(BS_CLASS_FLOAT_ARRAY, length, 4u, site);
    fill_words(a->data, a->length, b.u);
    return bs_ref(a);
}

bs_value bs_bool_array_new(int32_t length, int32_t init, uint32_t site) {
    bs_array *a = inline_array_new(BS_CLASS_BOOL_ARRAY, length, 1u, site);
    if (init != 0)
        memset(a->data, 1, a->length);
    return bs_ref(a);
}

bs_value bs_uint8_array_new(int32_t length, int32_t init, uint32_t site) {
    bs_array *a = inline_array_new(BS_CLASS_UINT8_ARRAY, length, 1u, site);
    if ((init & 0xFF) != 0)
        memset(a->data, init & 0xFF, a->length);
    return bs_ref(a);
}

bs_value bs_fixed_array_new(int32_t length, bs_value init, uint32_t site) {
    bs_array *a = inline_array_new(BS_CLASS_FIXED_ARRAY, length, 4u, site);
    fill_words(a->data, a->length, init);
    return bs_ref(a);
}

bs_value bs_int_array_of(int32_t n, const int32_t *elements) {
    bs_array *a = inline_array_new(BS_CLASS_INT_ARRAY, n < 0 ? 0 : n, 4u, 0);
    if (a->length > 0)
        memcpy(a->data, elements, a->length * 4u);
    return bs_ref(a);
}

bs_value bs_float_array_of(int32_t n, const float *elements) {
    bs_array *a = inline_array_new(BS_CLASS_FLOAT_ARRAY, n < 0 ? 0 : n, 4u, 0);
    if (a->length > 0)
        memcpy(a->data, elements, a->length * 4u);
    return bs_ref(a);
}

bs_value bs_bool_array_of(int32_t n, const int32_t *elements) {
    bs_array *a = inline_array_new(BS_CLASS_BOOL_ARRAY, n < 0 ? 0 : n, 1u, 0);
    uint8_t *bytes = (uint8_t *)a->data;
    for (uint32_t i = 0; i < a->length; i++)
        bytes[i] = elements[i] != 0;
    return bs_ref(a);
}

/* --- growable arrays ---------------------------------------------------------------------------- */

static bs_store *store_new(uint32_t capacity) {
    bs_store *s = array_alloc(sizeof(bs_store) + (uint64_t)capacity * 4u);
    s->header = BS_HDR(BS_CLASS_STORE, 0);
    s->capacity = capacity;
    return s;
}

/* The store of a growable array, or NULL when it has none. */
static bs_store *vector_store(const bs_vector *v) { return bs_is_ref(v->store) ? bs_ptr(v->store) : NULL; }

/* A new growable array of `length` elements with room for at least ARRAY_MIN_CAPACITY. */
static bs_vector *vector_new(uint32_t class_id, uint32_t length) {
    /* The new vector is on this stack while the store is allocated, so a collection keeps it. */
    bs_vector *v = bs_heap_alloc(sizeof(bs_vector));
    v->header = BS_HDR(class_id, 0);
    v->store = BS_NULL;
    bs_store *s = store_new(length < ARRAY_MIN_CAPACITY ? ARRAY_MIN_CAPACITY : length);
    v->store = bs_ref(s);
    v->length = length;
    return v;
}

bs_value bs_vector_new(uint32_t class_id, int32_t length, bs_value init, uint32_t site) {
    if (length < 0)
        bs_index_error(length, 0, site);
    bs_vector *v = vector_new(class_id, (uint32_t)length);
    fill_words(vector_store(v)->slots, v->length, init);
    return bs_ref(v);
}

bs_value bs_vector_of(uint32_t class_id, int32_t n, const bs_value *elements) {
    bs_vector *v = vector_new(class_id, n < 0 ? 0u : (uint32_t)n);
    if (v->length > 0)
        memcpy(vector_store(v)->slots, elements, v->length * 4u);
    return bs_ref(v);
}

/*
 * Replaces the store of `v` by one twice as large (or more) with the elements moved up by
 * `offset` slots (0 or 1). Returns the new store.
 */
static bs_store *vector_grow(bs_vector *v, uint32_t offset) {
    bs_store *old = vector_store(v);
    uint32_t capacity = old != NULL ? old->capacity : 0;
    uint32_t wanted = capacity < ARRAY_MIN_CAPACITY ? ARRAY_MIN_CAPACITY : capacity;
    if (wanted > 0x3FFFFFFFu - wanted)
        bs_error(BS_ERR_OUT_OF_MEMORY, 0, 0xFFFFFFFFu, 0);
    wanted *= 2u;
    bs_store *s = store_new(wanted); /* `v` keeps the old store alive meanwhile */
    old = vector_store(v);
    if (old != NULL && v->length > 0)
        memcpy(s->slots + offset, old->slots, v->length * 4u);
    v->store = bs_ref(s);
    return s;
}

/* A growable array's operations need a growable array: an any[] view of another kind fails. */
static void require_vector(bs_value a) {
    uint32_t id = bs_class_id_of(a);
    const bs_class *c = bs_class_table[id];
    if (id != BS_CLASS_ANY_ARRAY && !(c && c->kind == BS_KIND_REF_ARRAY))
        bs_error(BS_ERR_TYPE, 0, BS_TYPE_CLASS_BASE + BS_CLASS_ANY_ARRAY, a);
}

bs_value bs_array_get(bs_value a, int32_t i, uint32_t site) {
    switch (bs_class_id_of(a)) {
    case BS_CLASS_INT_ARRAY:
        return bs_box_int(*bs_int_at(a, i, site));
    case BS_CLASS_FLOAT_ARRAY:
        return bs_box_float(*bs_float_at(a, i, site));
    case BS_CLASS_BOOL_ARRAY:
        return bs_box_bool(*bs_byte_at(a, i, site));
    case BS_CLASS_UINT8_ARRAY:
        return bs_box_int(*bs_byte_at(a, i, site));
    case BS_CLASS_FIXED_ARRAY:
        return *bs_fixed_at(a, i, site);
    default:
        return *bs_vector_at(a, i, site);
    }
}

bs_value bs_array_set(bs_value a, int32_t i, bs_value v, uint32_t site) {
    uint32_t id = bs_class_id_of(a);
    switch (id) {
    case BS_CLASS_INT_ARRAY: {
        int32_t *slot = bs_int_at(a, i, site);
        *slot = bs_any_to_int(v, site);
        return v;
    }
    case BS_CLASS_FLOAT_ARRAY: {
        float *slot = bs_float_at(a, i, site);
        *slot = bs_any_to_float(v, site);
        return v;
    }
    case BS_CLASS_BOOL_ARRAY:
        *bs_byte_at(a, i, site) = (uint8_t)bs_truthy(v);
        return v;
    case BS_CLASS_UINT8_ARRAY: {
        uint8_t *slot = bs_byte_at(a, i, site);
        *slot = (uint8_t)bs_any_to_int(v, site);
        return v;
    }
    case BS_CLASS_FIXED_ARRAY:
        *bs_fixed_at(a, i, site) = v;
        return v;
    case BS_CLASS_ANY_ARRAY:
        *bs_vector_at(a, i, site) = v;
        return v;
    default: {
        /* A string[], C[], … seen as any[]: the element must fit the element type. */
        bs_value *slot = bs_vector_at(a, i, site);
        *slot = bs_vector_check(a, v, site);
        return v;
    }
    }
}

int32_t bs_vector_push(bs_value a, bs_value value) {
    require_vector(a);
    bs_vector *v = bs_ptr(a);
    bs_store *s = vector_store(v);
    if (s == NULL || v->length >= s->capacity)
        s = vector_grow(v, 0);
    s->slots[v->length++] = value;
    return (int32_t)v->length;
}

int32_t bs_vector_unshift(bs_value a, bs_value value) {
    require_vector(a);
    bs_vector *v = bs_ptr(a);
    bs_store *s = vector_store(v);
    if (s == NULL || v->length >= s->capacity)
        s = vector_grow(v, 1);
    else if (v->length > 0)
        memmove(s->slots + 1, s->slots, v->length * 4u);
    s->slots[0] = value;
    v->length++;
    return (int32_t)v->length;
}

bs_value bs_vector_pop(bs_value a) {
    require_vector(a);
    bs_vector *v = bs_ptr(a);
    if (v->length == 0)
        return BS_NULL;
    bs_store *s = vector_store(v);
    bs_value value = s->slots[--v->length];
    s->slots[v->length] = 0; /* the store's spare slots hold no references */
    return value;
}

bs_value bs_vector_shift(bs_value a) {
    require_vector(a);
    bs_vector *v = bs_ptr(a);
    if (v->length == 0)
        return BS_NULL;
    bs_store *s = vector_store(v);
    bs_value value = s->slots[0];
    v->length--;
    memmove(s->slots, s->slots + 1, v->length * 4u);
    s->slots[v->length] = 0;
    return value;
}
