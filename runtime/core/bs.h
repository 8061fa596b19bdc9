/* bs.h: the C API that compiled BlueScript units call; the only runtime header they include. */
#ifndef BS_H
#define BS_H

#include <stdint.h>

/*
 * Values.
 *
 * A boxed value (`bs_value`) is one 32-bit word on every target. The low two bits are the tag:
 *
 *   bits 31 ............................. 2 | 1 0
 *   ----------------------------------------+-----
 *   30-bit two's-complement integer          | 0 0
 *   sign | 6-bit exponent | 23-bit fraction  | 0 1   (float, see bs_box_float)
 *   symbol: false = 2, true = 6              | 1 0
 *   4-byte aligned address                   | 1 1   (reference; 3 alone is null/undefined)
 *
 * Unboxed values use plain C types: integer -> int32_t, float -> float (IEEE binary32),
 * boolean -> int32_t (0 or 1). Every address the runtime hands out fits in 32 bits, on the host
 * device too (its regions are mapped below 4 GB).
 */
typedef uint32_t bs_value;

#define BS_NULL ((bs_value)3)
#define BS_FALSE ((bs_value)2)
#define BS_TRUE ((bs_value)6)

/*
 * BS_FORGET(v): compiled code's end of a local `v` that held a reference. It zeroes the register
 * (or stack slot) the C compiler kept `v` in: the collector scans registers and the stack
 * conservatively, and a dead reference left there (across a loop's back edge, until the next
 * iteration's allocation assigns the variable again, say) would keep its object alive. The
 * instruction takes `v`'s own location as its operand; a compiler-level `v = 0` would be dropped
 * or put elsewhere.
 */
#if defined(__x86_64__)
#define BS_FORGET(v) __asm__ volatile("xorl %k0, %k0" : "+r"(v))
#elif defined(__thumb2__)
#define BS_FORGET(v) __asm__ volatile("mov %0, #0" : "+r"(v))
#else
#define BS_FORGET(v) ((void)(v))
#endif

/* Run-time error codes (docs/protocol.md, section 4). */
#define BS_ERR_DIV_ZERO 1
#define BS_ERR_OUT_OF_MEMORY 2
#define BS_ERR_STACK_OVERFLOW 3
#define BS_ERR_FAULT 4
#define BS_ERR_LOAD_RANGE 5
#define BS_ERR_BAD_VERSION 6
#define BS_ERR_BAD_MESSAGE 7
#define BS_ERR_CALL_RANGE 8
#define BS_ERR_INDEX_RANGE 9
#define BS_ERR_TYPE 10
#define BS_ERR_NO_SESSION 11
#define BS_ERR_INTERRUPTED 12
#define BS_ERR_AUTH 13
#define BS_ERR_SWAP_MISMATCH 14
#define BS_ERR_TIMERS 15 /* setInterval/setTimeout with every timer in use (detail1: how many) */

/*
 * Aborts the running unit: the runtime unwinds to the CALL that started it and reports an ERROR
 * message with these fields. `site` is the site number the host gave the check in compiled code.
 */
_Noreturn void bs_error(uint32_t code, uint32_t site, uint32_t detail1, uint32_t detail2);

/* Heap objects start with a header word: bits 31..8 class id, bits 7..0 flags. */
#define BS_HDR_MARK 1u   /* reached by the current collection */
#define BS_HDR_STATIC 2u /* not in the heap (e.g. a string literal in a unit's rodata) */
#define BS_HDR(class_id, flags) ((((uint32_t)(class_id)) << 8) | (flags))
#define BS_HDR_CLASS(header) ((header) >> 8)

/* Built-in class ids. */
#define BS_CLASS_STRING 1

/* A string: header, length in bytes, then the bytes and a terminating NUL. */
typedef struct bs_string {
    uint32_t header;
    uint32_t length;
    char bytes[];
} bs_string;

/*
 * Declares a string literal in a unit's rodata. `len` is the number of bytes of `text` without the
 * terminating NUL; the value of the literal is bs_ref(&name).
 */
#define BS_STRING_LITERAL(name, len, text)                                                         \
    static const struct {                                                                          \
        uint32_t header;                                                                           \
        uint32_t length;                                                                           \
        char bytes[(len) + 1];                                                                     \
    } name __attribute__((aligned(4))) = {BS_HDR(BS_CLASS_STRING, BS_HDR_STATIC), (len), text}

/* A string literal of a unit that later units may share: a global in a section of its own (the
   host frees a unit's other constants when its code goes, but values may point at literals),
   and its declaration in the units that use the copy an earlier unit defined. */
#define BS_STRING_LITERAL_SHARED(name, len, text)                                                  \
    const struct bs_string_literal_##name {                                                        \
        uint32_t header;                                                                           \
        uint32_t length;                                                                           \
        char bytes[(len) + 1];                                                                     \
    } name __attribute__((aligned(4), section(".rodata.bs_lit"))) = {                              \
        BS_HDR(BS_CLASS_STRING, BS_HDR_STATIC), (len), text}
#define BS_STRING_LITERAL_EXTERN(name, len)                                                        \
    extern const struct bs_string_literal_##name {                                                 \
        uint32_t header;                                                                           \
        uint32_t length;                                                                           \
        char bytes[(len) + 1];                                                                     \
    } name

/* --- boxing and unboxing --------------------------------------------------------------------- */

static inline bs_value bs_box_int(int32_t i) { return (bs_value)((uint32_t)i << 2); }
static inline int32_t bs_unbox_int(bs_value v) { return ((int32_t)v) >> 2; }
static inline bs_value bs_box_bool(int32_t b) { return b ? BS_TRUE : BS_FALSE; }
static inline int32_t bs_unbox_bool(bs_value v) { return v == BS_TRUE; }
static inline int bs_is_int(bs_value v) { return (v & 3) == 0; }
static inline int bs_is_float(bs_value v) { return (v & 3) == 1; }
static inline int bs_is_ref(bs_value v) { return (v & 3) == 3 && v != BS_NULL; }
/* The address a reference (or null) holds. Subtracting the tag, rather than masking it, lets the
   C compiler fold it into the offset of a field load: one instruction instead of two. */
static inline void *bs_ptr(bs_value v) { return (void *)((uintptr_t)v - 3u); }
static inline bs_value bs_ref(const void *p) { return (bs_value)(uintptr_t)p | 3u; }

/* Truthiness of a boxed value: false only for undefined, false, integer 0 and float +0.0. */
static inline int32_t bs_truthy(bs_value v) { return v != BS_NULL && v != BS_FALSE && v != 0 && v != 1; }

union bs_float_bits {
    float f;
    uint32_t u;
};

/*
 * A boxed float keeps the sign and the 23-bit fraction but only 6 exponent bits: the binary32
 * value is scaled by 2^-96; magnitudes of 2^32 and above become infinities, tiny ones lose
 * precision gradually. NaN boxes as 0x7F000001.
 */
static inline bs_value bs_box_float(float f) {
    union bs_float_bits b;
    if (f != f)
        return 0x7F000001u;
    b.f = f * 0x1p-96f;
    uint32_t sign = b.u & 0x80000000u;
    uint32_t exponent = (b.u >> 23) & 0xFFu;
    uint32_t fraction = b.u & 0x7FFFFFu;
    if ((exponent & 0xC0u) != 0 || (exponent & 0x3Fu) == 0x3Fu)
        return sign | (0x3Fu << 25) | 1u;
    return sign | (exponent << 25) | (fraction << 2) | 1u;
}

static inline float bs_unbox_float(bs_value v) {
    union bs_float_bits b;
    uint32_t sign = v & 0x80000000u;
    uint32_t exponent = (v >> 25) & 0x3Fu;
    uint32_t fraction = (v >> 2) & 0x7FFFFFu;
    if (exponent == 0x3Fu) {
        b.u = sign | 0x7F800000u | fraction;
        return b.f;
    }
    b.u = sign | (exponent << 23) | fraction;
    return b.f * 0x1p96f;
}

/* bs_unbox_float(bs_box_float(f)): the value a boxed float keeps of `f`. A binary32 exponent of
   97 to 158 is kept as it is, so only others take the scaling (specialised copies, see
   docs/dynamic.md, use this where the generic code kept the value in `any`). */
static inline float bs_round_boxed_float(float f) {
    union bs_float_bits b;
    b.f = f;
    if (((b.u >> 23) & 0xFFu) - 97u < 62u)
        return f;
    return bs_unbox_float(bs_box_float(f));
}

/* --- integer and float arithmetic with BlueScript's rules ------------------------------------ */
/* Units are compiled with -fwrapv: +, -, * and unary - on int32_t wrap modulo 2^32. */

static inline int32_t bs_idiv(int32_t a, int32_t b, uint32_t site) {
    if (b == 0)
        bs_error(BS_ERR_DIV_ZERO, site, 0, 0);
    if (b == -1)
        return (int32_t)(0u - (uint32_t)a);
    return a / b;
}

static inline int32_t bs_imod(int32_t a, int32_t b, uint32_t site) {
    if (b == 0)
        bs_error(BS_ERR_DIV_ZERO, site, 0, 0);
    if (b == -1)
        return 0;
    return a % b;
}

static inline int32_t bs_shl(int32_t a, int32_t n) { return (int32_t)((uint32_t)a << (n & 31)); }
static inline int32_t bs_shr(int32_t a, int32_t n) { return a >> (n & 31); }
static inline int32_t bs_ushr(int32_t a, int32_t n) { return (int32_t)((uint32_t)a >> (n & 31)); }

/* float -> integer truncates toward zero and saturates; NaN gives 0. */
static inline int32_t bs_f2i(float f) {
    if (f != f)
        return 0;
    if (f >= 2147483648.0f)
        return INT32_MAX;
    if (f <= -2147483648.0f)
        return INT32_MIN;
    return (int32_t)f;
}

/* integer ** integer: exact power modulo 2^32; a negative exponent gives 1/a^-b truncated. */
int32_t bs_ipow(int32_t base, int32_t exponent, uint32_t site);
/* float ** float in binary32. */
float bs_fpow(float base, float exponent);

/* --- strings and output ---------------------------------------------------------------------- */

/* a + b where a or b is a string: the other operand is converted with bs_to_string. */
bs_value bs_string_concat(bs_value a, bs_value b);
/* The string form of a boxed value (section 4.6 of the language spec). */
bs_value bs_to_string(bs_value v);
/* 1 when two strings have the same bytes. */
int32_t bs_string_equal(bs_value a, bs_value b);
/* bs_string_equal (and bs_any_equal, the same) for compiled code: the same word, a value that is
 * not an object, different lengths and one-byte strings are answered inline. */
static inline int32_t bs_string_equal_fast(bs_value a, bs_value b) {
    if (a == b)
        return 1;
    if (!bs_is_ref(a) || !bs_is_ref(b))
        return 0;
    const bs_string *sa = (const bs_string *)bs_ptr(a), *sb = (const bs_string *)bs_ptr(b);
    if (sa->length != sb->length || BS_HDR_CLASS(sa->header) != BS_CLASS_STRING ||
        BS_HDR_CLASS(sb->header) != BS_CLASS_STRING)
        return 0;
    if (sa->length == 1)
        return sa->bytes[0] == sb->bytes[0];
    return bs_string_equal(a, b);
}
/* <0, 0 or >0 as for strcmp of the two strings' bytes. */
int32_t bs_string_compare(bs_value a, bs_value b);

/* time.now(): milliseconds (with a fraction) since the first call; time.delay(ms) waits. */
float bs_time_now(void);
void bs_time_delay(int32_t ms);

/*
 * Timers and events (docs/semantics.md, "Timers"). Callbacks never interrupt other code: a due
 * timer, or a driver's bs_event_post, only queues the callback, and the runtime calls it while
 * the device is idle or inside time.delay.
 *
 * bs_event_post queues a call of a `() => void` function value. It is safe from an interrupt
 * handler (and from other threads on the host port); returns 1 when queued, 0 when the queue
 * (BS_EVENT_QUEUE entries) was full: the loss is counted and reported to the host. The value
 * must stay reachable elsewhere (a global, say) until its call runs only if the driver keeps
 * it for later posts: a queued value is a root of the collector.
 */
int bs_event_post(bs_value callback);
/* A driver that may post while the device is idle (a pin watch, say) adds 1 while it is
   installed and -1 when it is removed: the device then counts as active (the host keeps polling
   and `bscript run` keeps running) and wakes every BS_EVENT_POLL_US to run what was posted.
   RESET sets the count to 0. */
void bs_event_sources_add(int32_t delta);
/* setInterval (repeat 1) / setTimeout (repeat 0): a positive id; ms < 1 counts as 1. A
   BS_ERR_TIMERS error at `site` when all BS_TIMERS_MAX timers are in use. */
int32_t bs_timer_set(bs_value callback, int32_t ms, int32_t repeat, uint32_t site);
static inline int32_t bs_set_interval(bs_value callback, int32_t ms, uint32_t site) {
    return bs_timer_set(callback, ms, 1, site);
}
static inline int32_t bs_set_timeout(bs_value callback, int32_t ms, uint32_t site) {
    return bs_timer_set(callback, ms, 0, site);
}
/* clearInterval / clearTimeout: an unknown or finished id does nothing. */
void bs_timer_clear(int32_t id);

/* print / console.log (stream 0) or console.error (stream 1, standard error) of `n` values (none
   too): the values in print format separated by single spaces, then a newline. */
void bs_print_values(uint32_t stream, uint32_t n, const bs_value *values);
/* print / console.log of one value. */
static inline void bs_print(bs_value v) { bs_print_values(0, 1, &v); }
/* console.error of one value. */
static inline void bs_print_error(bs_value v) { bs_print_values(1, 1, &v); }

/* --- strings: members --------------------------------------------------------------------- */

static inline int32_t bs_string_length(bs_value s) { return (int32_t)((bs_string *)bs_ptr(s))->length; }
int32_t bs_string_starts_with(bs_value s, bs_value prefix);
int32_t bs_string_ends_with(bs_value s, bs_value suffix);
/* JavaScript's substring: both ends clamped to [0, length], swapped when start > end. */
bs_value bs_string_slice(bs_value s, int32_t start, int32_t end);
/* The ready-made one-byte strings of the byte values below bs_char_string_count (0 when the port
   has none; BS_CHAR_STRINGS in bs_config.h). */
typedef struct bs_char_string {
    uint32_t header;
    uint32_t length;
    char bytes[4];
} bs_char_string;
extern bs_char_string bs_char_strings[];
extern const uint32_t bs_char_string_count;
/* substring, with the one-byte case (reading a text character by character) inline. */
static inline bs_value bs_string_substring(bs_value s, int32_t start, int32_t end) {
    const bs_string *a = (const bs_string *)bs_ptr(s);
    if ((uint32_t)end - (uint32_t)start == 1u && (uint32_t)start < a->length) {
        uint32_t c = (uint8_t)a->bytes[start];
        if (c < bs_char_string_count)
            return bs_ref(&bs_char_strings[c]);
    }
    return bs_string_slice(s, start, end);
}

/* --- objects --------------------------------------------------------------------------------- */

/*
 * Class ids. The built-in ones are below; from BS_FIRST_PROGRAM_CLASS on, the host gives out one
 * id per class of the program and per array type that is not built in (`string[]`, `Shape[]`,
 * `integer[][]`, ...), and each unit defines the ids it introduces with bs_class_define() before
 * anything else runs.
 */
#define BS_CLASS_INT_ARRAY 2   /* integer[] (and enum arrays): length, raw int32_t elements */
#define BS_CLASS_FLOAT_ARRAY 3 /* float[]: length, raw binary32 elements */
#define BS_CLASS_BOOL_ARRAY 4  /* boolean[]: length, one byte (0/1) per element */
#define BS_CLASS_UINT8_ARRAY 5 /* Uint8Array: length, one byte per element */
#define BS_CLASS_FIXED_ARRAY 6 /* FixedArray: length, boxed elements */
#define BS_CLASS_ANY_ARRAY 7   /* any[]: a growable array (bs_vector) */
#define BS_CLASS_STORE 8       /* the element store of a growable array */
#define BS_CLASS_FUNCTION 9    /* a function value (reserved) */
#define BS_CLASS_CELL 10       /* a captured variable holding a boxed value (reserved) */
#define BS_CLASS_RAW_CELL 11   /* a captured variable holding a raw int32_t/float (reserved) */
#define BS_FIRST_PROGRAM_CLASS 16
#define BS_MAX_CLASSES 1024    /* size of the class table (ids 0 .. BS_MAX_CLASSES-1) */

/* What a class id describes. */
#define BS_KIND_OBJECT 0    /* an instance of a program class: `words` words, header included */
#define BS_KIND_REF_ARRAY 1 /* a growable array of references (string[], Shape[], T[][]): a bs_vector */

/* A field, for access by name through `any`. */
typedef struct bs_field {
    uint32_t name_id;  /* program-wide id of the property name */
    uint16_t word;     /* index of the word in the object (1 = first word after the header) */
    uint16_t type;     /* BS_TYPE_* of the field: raw for integer/float/boolean, else boxed */
    uint32_t class_id; /* for a field of class or array type: what a stored value must be; for a
                          field of function type BS_CLASS_FUNCTION (its class's field_signatures
                          hold the signature) */
    uint32_t nullable; /* 1 when undefined may be stored too */
} bs_field;

/*
 * The entry of a method or function for calls through `any`: takes the receiver (or the function
 * value) and the boxed arguments, converts them with checks, calls, and boxes the result.
 */
typedef bs_value (*bs_dyn_entry)(bs_value self, const bs_value *args, uint32_t site);

/* A method, for calls by name through `any`. */
typedef struct bs_method {
    uint32_t name_id;
    uint32_t argc;
    bs_dyn_entry entry;
} bs_method;

/* What a function value knows about its code (word 2 of the function value). */
typedef struct bs_fn_info {
    const char *signature; /* the static type, e.g. "(integer) => float" */
    uint32_t argc;
    bs_dyn_entry entry; /* for calls through `any` */
} bs_fn_info;

/* A class descriptor. The host emits one as a constant in the unit that declares the class. */
typedef struct bs_class {
    const char *name;         /* printable name: "Shape", "string[]", "integer[][]" */
    uint32_t kind;            /* BS_KIND_* */
    uint32_t super_id;        /* class id of the superclass, 0 if none */
    uint32_t words;           /* BS_KIND_OBJECT: instance size in words, header included */
    const uint32_t *ref_bits; /* BS_KIND_OBJECT: bit k of ref_bits[k / 32] is set when word k holds a boxed value */
    uint32_t element_id;      /* BS_KIND_REF_ARRAY: what every element must be (BS_ELEMENT_*) */
    uint32_t n_methods;
    void *const *vtable; /* method bodies in dispatch order; subclasses extend their superclass's */
    uint32_t n_fields;
    const bs_field *fields;
    uint32_t n_dyn_methods;
    const bs_method *methods;
    /* BS_KIND_OBJECT: the signature of each field of `fields` of function type (else NULL); NULL
       when the class has none. */
    const char *const *field_signatures;
} bs_class;

/*
 * The element_id of a growable array's class: 0 when any value may be an element (any[]); else the
 * class id of bs_any_to_class (a program class or one of its subclasses, exactly that array class,
 * any array for BS_CLASS_ANY_ARRAY, a string for BS_CLASS_STRING), or BS_CLASS_FUNCTION for a
 * function value whose signature is the array's element type: the class's name without its "("
 * and ")[]". With BS_ELEMENT_NULLABLE, undefined may be an element too.
 */
#define BS_ELEMENT_NULLABLE 0x80000000u

/* The class table, indexed by class id; NULL for ids not defined. */
extern const bs_class *bs_class_table[BS_MAX_CLASSES];

/* Defines class `id` (idempotent for the same descriptor). */
void bs_class_define(uint32_t id, const bs_class *c);

/* Allocates an instance of program class `class_id`: raw words 0, boxed words BS_NULL. */
bs_value bs_object_new(uint32_t class_id);
/* For compiled code, which knows the layout: a zeroed object of `words` words (header included)
 * with the header of `class_id`; the caller sets its reference fields to BS_NULL. */
bs_value bs_object_alloc(uint32_t class_id, uint32_t words);

static inline uint32_t *bs_words(bs_value o) { return (uint32_t *)bs_ptr(o); }
static inline uint32_t bs_class_id_of(bs_value o) { return BS_HDR_CLASS(*bs_words(o)); }
static inline void *const *bs_vtable(bs_value o) { return bs_class_table[bs_class_id_of(o)]->vtable; }

/* 1 when `v` is an object of class `class_id` or of one of its subclasses (0 for non-objects). */
int32_t bs_instance_of(bs_value v, uint32_t class_id);
/* bs_instance_of for compiled code: an object of exactly that class answers at once. */
/* 1 when `v` is an object of exactly class `class_id` (not a subclass; strings never count). */
static inline int32_t bs_is_exactly(bs_value v, uint32_t class_id) {
    return bs_is_ref(v) && bs_class_id_of(v) == class_id && class_id != BS_CLASS_STRING;
}
static inline int32_t bs_instance_of_fast(bs_value v, uint32_t class_id) {
    return bs_is_exactly(v, class_id) || bs_instance_of(v, class_id);
}
/* 1 when `v` is a string (x instanceof string). */
static inline int32_t bs_is_string(bs_value v) { return bs_is_ref(v) && BS_HDR_CLASS(*(uint32_t *)bs_ptr(v)) == BS_CLASS_STRING; }
/* Whether v is the one-byte string of byte c: `s == 'c'` against a one-byte literal. */
static inline int32_t bs_string_is_char(bs_value v, uint32_t c) {
    if (!bs_is_string(v))
        return 0;
    const bs_string *s = (const bs_string *)bs_ptr(v);
    return s->length == 1 && (uint8_t)s->bytes[0] == c;
}
/* 1 when `v` is an array of any kind (x instanceof Array). */
int32_t bs_is_array(bs_value v);

/* --- function values ------------------------------------------------------------------------ */

/*
 * A function value (BS_CLASS_FUNCTION): header, the code's address, its signature (a C string in
 * the unit's data, e.g. "(integer) => float"), then the cells of the variables it captured. The
 * code takes the function value itself as a hidden first argument.
 */
bs_value bs_function_new(uint32_t code, const bs_fn_info *info, uint32_t n_captured);
static inline void *bs_function_code(bs_value f) { return (void *)(uintptr_t)bs_words(f)[1]; }
static inline bs_value bs_function_capture(bs_value f, uint32_t k) { return bs_words(f)[3 + k]; }

/* Cells of captured variables: BS_CLASS_CELL holds a boxed value, BS_CLASS_RAW_CELL a raw
 * int32_t or float; the value is word 1. */
bs_value bs_cell_new(bs_value v);
bs_value bs_raw_cell_new(uint32_t raw);

/* --- arrays ---------------------------------------------------------------------------------- */

/* Arrays with their elements inline: integer[], float[], boolean[], Uint8Array, FixedArray. */
typedef struct bs_array {
    uint32_t header;
    uint32_t length;
    uint32_t data[];
} bs_array;

/* Growable arrays (any[] and every BS_KIND_REF_ARRAY class): elements live in a separate store. */
typedef struct bs_vector {
    uint32_t header;
    uint32_t length;
    bs_value store; /* a BS_CLASS_STORE object: header, capacity, then `capacity` boxed slots */
} bs_vector;

typedef struct bs_store {
    uint32_t header;
    uint32_t capacity;
    bs_value slots[];
} bs_store;

/* Every array kind keeps its length in the word after the header. */
static inline int32_t bs_array_length(bs_value a) { return (int32_t)((bs_array *)bs_ptr(a))->length; }

/* Construction; a negative length is an INDEX_RANGE error at `site`. */
bs_value bs_int_array_new(int32_t length, int32_t init, uint32_t site);
bs_value bs_float_array_new(int32_t length, float init, uint32_t site);
bs_value bs_bool_array_new(int32_t length, int32_t init, uint32_t site);
bs_value bs_uint8_array_new(int32_t length, int32_t init, uint32_t site);
bs_value bs_fixed_array_new(int32_t length, bs_value init, uint32_t site);
/* any[] (class_id BS_CLASS_ANY_ARRAY) or a BS_KIND_REF_ARRAY class. */
bs_value bs_vector_new(uint32_t class_id, int32_t length, bs_value init, uint32_t site);

/* Array literals: `n` elements copied from `elements`. */
bs_value bs_int_array_of(int32_t n, const int32_t *elements);
bs_value bs_float_array_of(int32_t n, const float *elements);
bs_value bs_bool_array_of(int32_t n, const int32_t *elements);
bs_value bs_vector_of(uint32_t class_id, int32_t n, const bs_value *elements);

_Noreturn void bs_index_error(int32_t index, uint32_t length, uint32_t site);

/* Element access: the address of element `i`, after a bounds check (INDEX_RANGE at `site`).
   The _in forms take the elements and the length themselves: a loop's view of a fixed-length
   array loads them once before the loop (the C compiler cannot tell that element stores leave the
   length alone); the _at forms take the array. */
static inline int32_t *bs_int_in(int32_t *data, uint32_t length, int32_t i, uint32_t site) {
    if ((uint32_t)i >= length)
        bs_index_error(i, length, site);
    return data + i;
}
static inline float *bs_float_in(float *data, uint32_t length, int32_t i, uint32_t site) {
    if ((uint32_t)i >= length)
        bs_index_error(i, length, site);
    return data + i;
}
/* boolean[] and Uint8Array. */
static inline uint8_t *bs_byte_in(uint8_t *data, uint32_t length, int32_t i, uint32_t site) {
    if ((uint32_t)i >= length)
        bs_index_error(i, length, site);
    return data + i;
}
static inline int32_t *bs_int_at(bs_value a, int32_t i, uint32_t site) {
    bs_array *p = (bs_array *)bs_ptr(a);
    return bs_int_in((int32_t *)p->data, p->length, i, site);
}
static inline float *bs_float_at(bs_value a, int32_t i, uint32_t site) {
    bs_array *p = (bs_array *)bs_ptr(a);
    return bs_float_in((float *)p->data, p->length, i, site);
}
static inline uint8_t *bs_byte_at(bs_value a, int32_t i, uint32_t site) {
    bs_array *p = (bs_array *)bs_ptr(a);
    return bs_byte_in((uint8_t *)p->data, p->length, i, site);
}
/* FixedArray. */
static inline bs_value *bs_fixed_at(bs_value a, int32_t i, uint32_t site) {
    bs_array *p = (bs_array *)bs_ptr(a);
    if ((uint32_t)i >= p->length)
        bs_index_error(i, p->length, site);
    return (bs_value *)p->data + i;
}
/* Growable arrays. The address is valid until the array grows: take it after evaluating the value. */
static inline bs_value *bs_vector_at(bs_value a, int32_t i, uint32_t site) {
    bs_vector *p = (bs_vector *)bs_ptr(a);
    if ((uint32_t)i >= p->length)
        bs_index_error(i, p->length, site);
    return ((bs_store *)bs_ptr(p->store))->slots + i;
}

/*
 * Element access through the any[] view of an array of any kind: reads box the element, writes
 * convert the value to the array's element type (a TYPE_ERROR when it does not fit). bs_array_set
 * returns `v`.
 */
bs_value bs_array_get(bs_value a, int32_t i, uint32_t site);
bs_value bs_array_set(bs_value a, int32_t i, bs_value v, uint32_t site);

/* push/unshift return the new length; pop/shift return BS_NULL on an empty array. They need a
 * growable array (a TYPE_ERROR for the any[] view of a raw array). */
int32_t bs_vector_push(bs_value a, bs_value v);
int32_t bs_vector_unshift(bs_value a, bs_value v);
bs_value bs_vector_pop(bs_value a);
bs_value bs_vector_shift(bs_value a);

/* `v`, after a check that it may be an element of the growable array `a` (its class's element_id;
 * a TYPE_ERROR at `site` when it may not, or when `a` is not growable). */
bs_value bs_vector_check(bs_value a, bs_value v, uint32_t site);
/* bs_vector_check for compiled code: an element of an any[] object needs no check. */
static inline bs_value bs_vector_element(bs_value a, bs_value v, uint32_t site) {
    return bs_class_id_of(a) == BS_CLASS_ANY_ARRAY ? v : bs_vector_check(a, v, site);
}
/* push and unshift through the any[] view, which may hold an array of another element type. */
static inline int32_t bs_view_push(bs_value a, bs_value v, uint32_t site) {
    return bs_vector_push(a, bs_vector_element(a, v, site));
}
static inline int32_t bs_view_unshift(bs_value a, bs_value v, uint32_t site) {
    return bs_vector_unshift(a, bs_vector_element(a, v, site));
}

/* --- any ------------------------------------------------------------------------------------- */

/* Type codes used in TYPE_ERROR details and field descriptors. */
#define BS_TYPE_INTEGER 1
#define BS_TYPE_FLOAT 2
#define BS_TYPE_BOOLEAN 3
#define BS_TYPE_STRING 4
#define BS_TYPE_NULL 5
#define BS_TYPE_ANY 6
#define BS_TYPE_OBJECT 7
#define BS_TYPE_ARRAY 8 /* any array (the any[] view) */
/* For a class or array type, TYPE_ERROR's detail1 is BS_TYPE_CLASS_BASE + its class id. */
#define BS_TYPE_CLASS_BASE 0x10000u

/*
 * Conversions from `any`, checked at run time. A failure stops the unit with
 * bs_error(BS_ERR_TYPE, site, <expected: BS_TYPE_* or BS_TYPE_CLASS_BASE + id>, <the value>).
 */
int32_t bs_any_to_int(bs_value v, uint32_t site);
float bs_any_to_float(bs_value v, uint32_t site); /* integers are converted */
bs_value bs_any_to_string(bs_value v, uint32_t site);
bs_value bs_any_to_null(bs_value v, uint32_t site);
/* An instance of `class_id` or a subclass (for array classes: exactly that class; for
 * BS_CLASS_ANY_ARRAY: any array, for BS_CLASS_STRING: a string); with `nullable`, BS_NULL passes
 * too. */
bs_value bs_any_to_class(bs_value v, uint32_t class_id, int32_t nullable, uint32_t site);
/* bs_any_to_class for compiled code: an object of exactly that class passes at once. */
static inline bs_value bs_any_to_class_fast(bs_value v, uint32_t class_id, int32_t nullable, uint32_t site) {
    return bs_is_exactly(v, class_id) ? v : bs_any_to_class(v, class_id, nullable, site);
}
/* Any array (the `any[]` view of every array kind). */
bs_value bs_any_to_array(bs_value v, uint32_t site);

/* Operators on boxed values, decided at run time from the tags (section 4 of the spec). */
#define BS_OP_ADD 1
#define BS_OP_SUB 2
#define BS_OP_MUL 3
#define BS_OP_DIV 4
#define BS_OP_REM 5
#define BS_OP_POW 6
#define BS_OP_LT 7
#define BS_OP_LE 8
#define BS_OP_GT 9
#define BS_OP_GE 10
#define BS_OP_NEG 11 /* unary minus: only in the detail1 of bs_any_negate's TYPE_ERROR */
#define BS_OP_INC 12 /* ++ and --: only in the detail1 of the TYPE_ERROR compiled code raises */
#define BS_OP_DEC 13
/*
 * + - * / % ** on two boxed values: integer op integer stays integer (30-bit result), a float
 * makes it float, + with a string concatenates; anything else is a TYPE_ERROR with detail1 =
 * BS_TYPE_ANY + (op << 8) and detail2 = the offending operand. Integer / and % by zero are
 * DIV_ZERO errors.
 */
bs_value bs_any_arith(uint32_t op, bs_value a, bs_value b, uint32_t site);
/* < <= > >=: numbers numerically, two strings byte-wise; else a TYPE_ERROR as above. */
int32_t bs_any_compare(uint32_t op, bs_value a, bs_value b, uint32_t site);
/* ==: the same word, or two strings with the same bytes. */
int32_t bs_any_equal(bs_value a, bs_value b);
/*
 * Property access and calls through `any`. Names are program-wide ids the host gives out (0 is
 * `length`, 4-7 are push, pop, unshift, shift). A missing property or method, a wrong number of
 * arguments or a value that cannot be called is a TYPE_ERROR with detail1 = one of the codes
 * below + (name id << 8), detail2 = the object.
 */
#define BS_TYPE_NO_PROPERTY 9
#define BS_TYPE_NO_METHOD 10
#define BS_TYPE_NOT_CALLABLE 11
#define BS_TYPE_ARG_COUNT 12
bs_value bs_any_get(bs_value o, uint32_t name_id, uint32_t site);
/* Stores `v` (converted to the field's type, with a check) and returns it. */
bs_value bs_any_set(bs_value o, uint32_t name_id, bs_value v, uint32_t site);
bs_value bs_any_call_method(bs_value o, uint32_t name_id, uint32_t argc, const bs_value *args, uint32_t site);
bs_value bs_any_call(bs_value f, uint32_t argc, const bs_value *args, uint32_t site);
/* A function value whose static type is exactly `signature`, else a TYPE_ERROR. */
bs_value bs_any_to_function(bs_value v, const char *signature, uint32_t site);

/* Unary minus of a boxed number; else a TYPE_ERROR with detail1 = BS_TYPE_ANY + (BS_OP_NEG << 8). */
bs_value bs_any_negate(bs_value a, uint32_t site);

/*
 * The conversions below are inline, so that only the units that use them carry their code (the
 * runtime image of a small device has little flash to spare).
 */

/* `object`: a class instance or a string, else a TYPE_ERROR expecting BS_TYPE_OBJECT. */
static inline bs_value bs_any_to_object(bs_value v, uint32_t site) {
    if (bs_is_ref(v)) {
        uint32_t id = bs_class_id_of(v);
        if (id == BS_CLASS_STRING ||
            (id >= BS_FIRST_PROGRAM_CLASS && id < BS_MAX_CLASSES && bs_class_table[id] != 0 &&
             bs_class_table[id]->kind == BS_KIND_OBJECT))
            return v;
    }
    bs_error(BS_ERR_TYPE, site, BS_TYPE_OBJECT, v);
}

/*
 * new Array<T>(src): a new array of class `class_id` (T[]) holding src's elements, each converted
 * to T: into a raw array as bs_array_set does; into a growable one checked with `check`
 * (BS_TYPE_ANY: none, BS_TYPE_STRING, BS_TYPE_OBJECT, BS_TYPE_ARRAY: any array kind, or
 * BS_TYPE_CLASS_BASE + a class id), undefined only when `nullable`. A TYPE_ERROR at `site` when
 * src is no array, unless `by_length` and src is an integer: then that many zero values.
 */
static inline bs_value bs_array_copy(bs_value src, uint32_t class_id, uint32_t check, int32_t nullable,
                                     int32_t by_length, uint32_t site) {
    int32_t length_only = by_length && bs_is_int(src);
    if (!length_only && !bs_is_array(src))
        bs_error(BS_ERR_TYPE, site, BS_TYPE_ARRAY, src);
    int32_t n = length_only ? bs_unbox_int(src) : bs_array_length(src);
    bs_value dst;
    if (class_id == BS_CLASS_INT_ARRAY)
        dst = bs_int_array_new(n, 0, site);
    else if (class_id == BS_CLASS_FLOAT_ARRAY)
        dst = bs_float_array_new(n, 0.0f, site);
    else if (class_id == BS_CLASS_BOOL_ARRAY)
        dst = bs_bool_array_new(n, 0, site);
    else
        dst = bs_vector_new(class_id, n, BS_NULL, site);
    if (length_only)
        return dst;
    int32_t raw = class_id == BS_CLASS_INT_ARRAY || class_id == BS_CLASS_FLOAT_ARRAY ||
                  class_id == BS_CLASS_BOOL_ARRAY;
    for (int32_t i = 0; i < n; i++) {
        bs_value v = bs_array_get(src, i, site);
        if (raw) {
            bs_array_set(dst, i, v, site);
            continue;
        }
        if (v == BS_NULL) {
            if (!nullable)
                bs_error(BS_ERR_TYPE, site, check, v);
        } else if (check == BS_TYPE_STRING) {
            bs_any_to_string(v, site);
        } else if (check == BS_TYPE_OBJECT) {
            bs_any_to_object(v, site);
        } else if (check == BS_TYPE_ARRAY) {
            bs_any_to_array(v, site);
        } else if (check >= BS_TYPE_CLASS_BASE) {
            bs_any_to_class(v, check - BS_TYPE_CLASS_BASE, 0, site);
        }
        *bs_vector_at(dst, i, site) = v;
    }
    return dst;
}


/* --- the dynamic compiler's profiling (docs/dynamic.md) --------------------------------------- */

#define BS_PROFILE_MAX_ARGS 8
#define BS_PROFILE_ROWS 4
#define BS_PROFILE_COUNTING 0
#define BS_PROFILE_RECORDING 1
#define BS_PROFILE_REPORTED 2
#define BS_PROFILE_OFF 3
#define BS_PROFILE_NO_ROW 0xFFu
/* An argument's signature: these codes, else the class id in the object's header. */
#define BS_SIG_INTEGER 0xFFF1u
#define BS_SIG_FLOAT 0xFFF2u
#define BS_SIG_BOOLEAN 0xFFF3u
#define BS_SIG_UNDEFINED 0xFFF4u

typedef struct bs_profile {
    int32_t countdown; /* calls left before recording starts */
    uint8_t state;     /* BS_PROFILE_* */
    uint8_t nargs;     /* untyped arguments profiled, 1 .. BS_PROFILE_MAX_ARGS */
    uint8_t needed;    /* times one signature must be seen before it is reported */
    uint8_t rows;      /* rows of sig/seen in use */
    uint8_t seen[BS_PROFILE_ROWS];
    uint16_t sig[BS_PROFILE_ROWS][BS_PROFILE_MAX_ARGS];
} bs_profile;

/* Set when the host asked (PATCH) to install code while a CALL runs. */
extern volatile uint8_t bs_patch_wanted;
/* Sends PROFILE for `p` (row BS_PROFILE_NO_ROW: no signature dominates). */
void bs_runtime_profile_report(bs_profile *p, uint32_t row);
/* Sends PAUSED and serves the host's requests until RESUME (docs/dynamic.md). */
void bs_runtime_patch_point(void);

static inline uint16_t bs_profile_sig(bs_value v) {
    if (bs_is_int(v))
        return BS_SIG_INTEGER;
    if (bs_is_float(v))
        return BS_SIG_FLOAT;
    if (v == BS_TRUE || v == BS_FALSE)
        return BS_SIG_BOOLEAN;
    if (v == BS_NULL)
        return BS_SIG_UNDEFINED;
    return (uint16_t)bs_class_id_of(v);
}

/* Records one call of a profiled function with its `n` untyped arguments. */
static inline void bs_profile_hit(bs_profile *p, uint32_t n, const bs_value *args) {
    if (p->state == BS_PROFILE_COUNTING) {
        if (--p->countdown > 0)
            return;
        p->state = BS_PROFILE_RECORDING;
    }
    if (p->state != BS_PROFILE_RECORDING) {
        if (bs_patch_wanted)
            bs_runtime_patch_point();
        return;
    }
    uint16_t sig[BS_PROFILE_MAX_ARGS];
    for (uint32_t i = 0; i < n; i++)
        sig[i] = bs_profile_sig(args[i]);
    uint32_t row = 0;
    for (; row < p->rows; row++) {
        uint32_t i = 0;
        while (i < n && p->sig[row][i] == sig[i])
            i++;
        if (i == n)
            break;
    }
    if (row == p->rows) {
        if (row == BS_PROFILE_ROWS) {
            p->state = BS_PROFILE_REPORTED;
            bs_runtime_profile_report(p, BS_PROFILE_NO_ROW);
            return;
        }
        for (uint32_t i = 0; i < n; i++)
            p->sig[row][i] = sig[i];
        p->seen[row] = 0;
        p->rows++;
    }
    if (++p->seen[row] >= p->needed) {
        p->state = BS_PROFILE_REPORTED;
        bs_runtime_profile_report(p, row);
    }
}

#endif
