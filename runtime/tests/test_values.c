/* test_values.c: C unit tests of classes, instance tests, arrays, string members and the `any` operations. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bs.h"
#include "bs_class.h"
#include "bs_config.h"
#include "bs_heap.h"
#include "bs_output.h"
#include "bs_string.h"
#include "test_support.h"

/* --- a 3-level class hierarchy and array classes --------------------------------------------------- */

#define SHAPE 16
#define POLYGON 17
#define SQUARE 18
#define CIRCLE 19
#define SHAPE_ARRAY 20
#define SQUARE_ARRAY 21
#define UNDEFINED_CLASS 22

/* Shape: header, raw int id (word 1), boxed name (word 2). Polygon adds boxed points (word 3),
   Square a raw float side (word 4). Circle adds a raw float radius (word 3). */
static const uint32_t shape_refs[] = {1u << 2};
static const uint32_t polygon_refs[] = {(1u << 2) | (1u << 3)};
static const bs_class shape_class = {.name = "Shape", .kind = BS_KIND_OBJECT, .words = 3, .ref_bits = shape_refs};
static const bs_class polygon_class = {
    .name = "Polygon", .kind = BS_KIND_OBJECT, .super_id = SHAPE, .words = 4, .ref_bits = polygon_refs};
static const bs_class square_class = {
    .name = "Square", .kind = BS_KIND_OBJECT, .super_id = POLYGON, .words = 5, .ref_bits = polygon_refs};
static const bs_class circle_class = {
    .name = "Circle", .kind = BS_KIND_OBJECT, .super_id = SHAPE, .words = 4, .ref_bits = shape_refs};
static const bs_class shape_array_class = {.name = "Shape[]", .kind = BS_KIND_REF_ARRAY, .element_id = SHAPE};
/* super_id is set on purpose: array classes must still match exactly. */
static const bs_class square_array_class = {
    .name = "Square[]", .kind = BS_KIND_REF_ARRAY, .super_id = SHAPE_ARRAY, .element_id = SQUARE};

/* Growable arrays whose elements are checked through any (element_id, bs.h). */
#define OPT_SHAPE_ARRAY 23
#define FN_ARRAY 24
#define ANY_ARRAY_ARRAY 25
#define STRING_ARRAY 26
static const bs_class opt_shape_array_class = {
    .name = "(Shape|undefined)[]", .kind = BS_KIND_REF_ARRAY, .element_id = SHAPE | BS_ELEMENT_NULLABLE};
static const bs_class fn_array_class = {
    .name = "((integer) => integer)[]", .kind = BS_KIND_REF_ARRAY, .element_id = BS_CLASS_FUNCTION};
static const bs_class any_array_array_class = {
    .name = "any[][]", .kind = BS_KIND_REF_ARRAY, .element_id = BS_CLASS_ANY_ARRAY};
static const bs_class string_array_class = {
    .name = "string[]", .kind = BS_KIND_REF_ARRAY, .element_id = BS_CLASS_STRING};

static void define_classes(void) {
    bs_class_define(OPT_SHAPE_ARRAY, &opt_shape_array_class);
    bs_class_define(FN_ARRAY, &fn_array_class);
    bs_class_define(ANY_ARRAY_ARRAY, &any_array_array_class);
    bs_class_define(STRING_ARRAY, &string_array_class);
    bs_class_define(SHAPE, &shape_class);
    bs_class_define(POLYGON, &polygon_class);
    bs_class_define(SQUARE, &square_class);
    bs_class_define(CIRCLE, &circle_class);
    bs_class_define(SHAPE_ARRAY, &shape_array_class);
    bs_class_define(SQUARE_ARRAY, &square_array_class);
    bs_class_define(SQUARE_ARRAY, &square_array_class); /* idempotent */
}

BS_STRING_LITERAL(lit_ab, 2, "ab");
BS_STRING_LITERAL(lit_abc, 3, "abc");
BS_STRING_LITERAL(lit_n, 2, "n=");
BS_STRING_LITERAL(lit_x, 1, "x");
BS_STRING_LITERAL(lit_empty, 0, "");
BS_STRING_LITERAL(lit_blue, 4, "blue");
BS_STRING_LITERAL(lit_script_cap, 6, "Script");
BS_STRING_LITERAL(lit_script, 6, "script");
BS_STRING_LITERAL(lit_long, 20, "bluescriptbluescript");
BS_STRING_LITERAL(lit_ann, 3, "ann");
BS_STRING_LITERAL(lit_bob, 3, "bob");
BS_STRING_LITERAL(lit_cy, 2, "cy");
#define AB bs_ref(&lit_ab)
#define ABC bs_ref(&lit_abc)

/* Arguments and results of the functions run under the trap. */
static bs_value arg_a, arg_b, result;
static uint32_t arg_op, arg_class;
static int32_t arg_i, result_i;

static void test_classes(void) {
    define_classes();
    bs_value shape = bs_object_new(SHAPE), polygon = bs_object_new(POLYGON);
    bs_value square = bs_object_new(SQUARE), circle = bs_object_new(CIRCLE);
    uint32_t *w = bs_words(square);
    CHECK(w[0] == BS_HDR(SQUARE, 0) && w[1] == 0 && w[2] == BS_NULL && w[3] == BS_NULL && w[4] == 0,
          "new Square: raw words 0, boxed words undefined");
    CHECK(bs_heap_block_words(w) >= 5, "room for 5 words");
    CHECK(bs_vtable(square) == NULL && bs_class_id_of(circle) == CIRCLE, "class id and vtable");

    CHECK(bs_instance_of(square, SQUARE) && bs_instance_of(square, POLYGON) && bs_instance_of(square, SHAPE),
          "Square is a Square, a Polygon and a Shape");
    CHECK(bs_instance_of(polygon, SHAPE) && !bs_instance_of(polygon, SQUARE), "Polygon is a Shape, not a Square");
    CHECK(!bs_instance_of(shape, POLYGON) && bs_instance_of(shape, SHAPE), "Shape is not a Polygon");
    CHECK(!bs_instance_of(circle, POLYGON) && bs_instance_of(circle, SHAPE), "Circle is a Shape only");
    CHECK(!bs_instance_of(BS_NULL, SHAPE) && !bs_instance_of(bs_box_int(4), SHAPE) &&
              !bs_instance_of(BS_TRUE, SHAPE) && !bs_instance_of(bs_box_float(1.5f), SHAPE),
          "non-objects are instances of nothing");
    CHECK(!bs_instance_of(AB, BS_CLASS_STRING) && !bs_instance_of(AB, SHAPE) &&
              !bs_instance_of(bs_string_concat(AB, AB), BS_CLASS_STRING),
          "a string is an instance of nothing");
    CHECK(!bs_instance_of(square, UNDEFINED_CLASS) && !bs_instance_of(square, 5000), "unknown classes");

    bs_value shapes = bs_vector_new(SHAPE_ARRAY, 0, BS_NULL, 1);
    bs_value squares = bs_vector_of(SQUARE_ARRAY, 1, &square);
    CHECK(bs_instance_of(shapes, SHAPE_ARRAY) && bs_instance_of(squares, SQUARE_ARRAY), "array classes");
    CHECK(!bs_instance_of(squares, SHAPE_ARRAY) && !bs_instance_of(shapes, SQUARE_ARRAY), "array classes are exact");
    CHECK(!bs_instance_of(squares, SHAPE) && !bs_instance_of(square, SHAPE_ARRAY), "arrays are not shapes");
    bs_value ints = bs_int_array_new(1, 0, 1);
    CHECK(bs_instance_of(ints, BS_CLASS_INT_ARRAY) && !bs_instance_of(ints, BS_CLASS_FLOAT_ARRAY) &&
              !bs_instance_of(bs_vector_new(BS_CLASS_ANY_ARRAY, 0, 0, 1), BS_CLASS_INT_ARRAY),
          "built-in array classes are exact");

    CHECK(bs_is_array(ints) && bs_is_array(bs_float_array_new(0, 0, 1)) && bs_is_array(bs_bool_array_new(0, 0, 1)) &&
              bs_is_array(bs_uint8_array_new(0, 0, 1)) && bs_is_array(bs_fixed_array_new(0, 0, 1)) &&
              bs_is_array(bs_vector_new(BS_CLASS_ANY_ARRAY, 0, 0, 1)) && bs_is_array(shapes) && bs_is_array(squares),
          "every array kind is an array");
    CHECK(!bs_is_array(square) && !bs_is_array(AB) && !bs_is_array(BS_NULL) && !bs_is_array(bs_box_int(3)),
          "non-arrays");

    /* Names in print and string conversion come from the descriptors. */
    bs_output_begin(1);
    bs_print(ints);
    bs_print(bs_float_array_of(0, NULL));
    bs_print(bs_bool_array_of(0, NULL));
    bs_print(bs_uint8_array_new(2, 0, 1));
    bs_print(bs_fixed_array_new(2, 0, 1));
    bs_print(bs_vector_new(BS_CLASS_ANY_ARRAY, 0, 0, 1));
    bs_print(squares);
    bs_print(shapes);
    bs_print(circle);
    bs_print(square);
    const char *out = test_take_output(0);
    CHECK(strcmp(out, "<class integer[]>\n<class float[]>\n<class boolean[]>\n<class Uint8Array>\n<class FixedArray>\n"
                      "<class any[]>\n<class Square[]>\n<class Shape[]>\n<class Circle>\n<class Square>\n") == 0,
          "print of objects: %s", out);
    CHECK(test_is_string(bs_string_concat(bs_ref(&lit_n), square), "n=<class Square>"), "concat an object");
    CHECK(test_is_string(bs_to_string(ints), "<class integer[]>"), "to_string of an array");
    CHECK(strcmp(bs_class_name(BS_CLASS_STRING), "string") == 0 && bs_class_name(UNDEFINED_CLASS) == NULL &&
              bs_class_name(99999) == NULL,
          "class names");
    static uint32_t orphan[2] = {BS_HDR(UNDEFINED_CLASS, 0), 0};
    CHECK(test_is_string(bs_to_string(bs_ref(orphan)), "<class ?>"), "a class without a descriptor");

    /* RESET forgets program classes and keeps the built-in ones. */
    bs_class_reset();
    CHECK(bs_class_table[SHAPE] == NULL && bs_class_table[SQUARE_ARRAY] == NULL, "reset clears program classes");
    CHECK(strcmp(bs_class_name(BS_CLASS_ANY_ARRAY), "any[]") == 0 &&
              strcmp(bs_class_name(BS_CLASS_UINT8_ARRAY), "Uint8Array") == 0,
          "reset keeps the built-in names");
    CHECK(test_is_string(bs_to_string(square), "<class ?>"), "a forgotten class prints as ?");
    define_classes();
}

/* --- arrays ------------------------------------------------------------------------------------- */

static void call_int_array_new(void) { result = bs_int_array_new(arg_i, 0, 31); }
static void call_float_array_new(void) { result = bs_float_array_new(arg_i, 0.0f, 32); }
static void call_bool_array_new(void) { result = bs_bool_array_new(arg_i, 1, 33); }
static void call_uint8_array_new(void) { result = bs_uint8_array_new(arg_i, 1, 34); }
static void call_fixed_array_new(void) { result = bs_fixed_array_new(arg_i, BS_NULL, 35); }
static void call_vector_new(void) { result = bs_vector_new(BS_CLASS_ANY_ARRAY, arg_i, BS_NULL, 36); }
static void call_int_at(void) { result_i = *bs_int_at(arg_a, arg_i, 41); }
static void call_float_at(void) { *bs_float_at(arg_a, arg_i, 42) = 1.0f; }
static void call_byte_at(void) { result_i = *bs_byte_at(arg_a, arg_i, 43); }
static void call_fixed_at(void) { result = *bs_fixed_at(arg_a, arg_i, 44); }
static void call_vector_at(void) { result = *bs_vector_at(arg_a, arg_i, 45); }
static void call_huge_array(void) { result = bs_int_array_new(0x7FFFFFFF, 0, 46); }

static void test_arrays(void) {
    bs_value a = bs_int_array_new(3, 7, 1);
    CHECK(bs_array_length(a) == 3 && *bs_int_at(a, 0, 1) == 7 && *bs_int_at(a, 2, 1) == 7, "integer[] of 7s");
    *bs_int_at(a, 1, 1) = -5;
    CHECK(((bs_array *)bs_ptr(a))->data[1] == (uint32_t)-5, "integer[] element store");
    bs_value f = bs_float_array_new(2, 1.5f, 1);
    CHECK(bs_class_id_of(f) == BS_CLASS_FLOAT_ARRAY && *bs_float_at(f, 1, 1) == 1.5f, "float[]");
    bs_value b = bs_bool_array_new(3, 5, 1);
    CHECK(bs_class_id_of(b) == BS_CLASS_BOOL_ARRAY && *bs_byte_at(b, 0, 1) == 1 && *bs_byte_at(b, 2, 1) == 1,
          "boolean[] of true");
    CHECK(*bs_byte_at(bs_bool_array_new(2, 0, 1), 1, 1) == 0, "boolean[] of false");
    bs_value u = bs_uint8_array_new(4, 300, 1);
    CHECK(bs_class_id_of(u) == BS_CLASS_UINT8_ARRAY && bs_array_length(u) == 4 && *bs_byte_at(u, 3, 1) == 44,
          "Uint8Array keeps the low 8 bits");
    CHECK(*bs_byte_at(bs_uint8_array_new(1, -1, 1), 0, 1) == 255, "Uint8Array(-1)");
    bs_value x = bs_fixed_array_new(2, AB, 1);
    CHECK(bs_class_id_of(x) == BS_CLASS_FIXED_ARRAY && *bs_fixed_at(x, 1, 1) == AB, "FixedArray");
    CHECK(bs_array_length(bs_int_array_new(0, 1, 1)) == 0, "empty array");

    const int32_t ints[] = {1, -2, 3};
    const float floats[] = {0.5f, -1.0f};
    const int32_t bools[] = {0, 2, 1};
    bs_value ia = bs_int_array_of(3, ints), fa = bs_float_array_of(2, floats), ba = bs_bool_array_of(3, bools);
    CHECK(bs_array_length(ia) == 3 && *bs_int_at(ia, 1, 1) == -2 && *bs_int_at(ia, 2, 1) == 3, "integer[] literal");
    CHECK(bs_array_length(fa) == 2 && *bs_float_at(fa, 0, 1) == 0.5f && *bs_float_at(fa, 1, 1) == -1.0f,
          "float[] literal");
    CHECK(*bs_byte_at(ba, 0, 1) == 0 && *bs_byte_at(ba, 1, 1) == 1 && *bs_byte_at(ba, 2, 1) == 1, "boolean[] literal");
    CHECK(bs_array_length(bs_int_array_of(0, NULL)) == 0, "empty literal");

    /* Negative lengths and indexes out of range. */
    arg_i = -1;
    test_expect_error(call_int_array_new, BS_ERR_INDEX_RANGE, 31, 0xFFFFFFFFu, 0, "integer[] length -1");
    arg_i = -7;
    test_expect_error(call_float_array_new, BS_ERR_INDEX_RANGE, 32, (uint32_t)-7, 0, "float[] length -7");
    test_expect_error(call_bool_array_new, BS_ERR_INDEX_RANGE, 33, (uint32_t)-7, 0, "boolean[] length -7");
    test_expect_error(call_uint8_array_new, BS_ERR_INDEX_RANGE, 34, (uint32_t)-7, 0, "Uint8Array length -7");
    test_expect_error(call_fixed_array_new, BS_ERR_INDEX_RANGE, 35, (uint32_t)-7, 0, "FixedArray length -7");
    test_expect_error(call_vector_new, BS_ERR_INDEX_RANGE, 36, (uint32_t)-7, 0, "any[] length -7");
    arg_i = 5;
    CHECK(test_call(call_vector_new) == 0 && bs_array_length(result) == 5 && *bs_vector_at(result, 4, 1) == BS_NULL,
          "any[] of 5 undefined");
    arg_a = a;
    arg_i = 3;
    test_expect_error(call_int_at, BS_ERR_INDEX_RANGE, 41, 3, 3, "integer[] index 3 of 3");
    arg_i = -1;
    test_expect_error(call_int_at, BS_ERR_INDEX_RANGE, 41, 0xFFFFFFFFu, 3, "integer[] index -1");
    arg_i = 2;
    CHECK(test_call(call_int_at) == 0 && result_i == 7, "integer[] index 2");
    arg_a = f;
    test_expect_error(call_float_at, BS_ERR_INDEX_RANGE, 42, 2, 2, "float[] index 2 of 2");
    arg_a = u;
    arg_i = 4;
    test_expect_error(call_byte_at, BS_ERR_INDEX_RANGE, 43, 4, 4, "Uint8Array index 4 of 4");
    arg_a = x;
    arg_i = 100;
    test_expect_error(call_fixed_at, BS_ERR_INDEX_RANGE, 44, 100, 2, "FixedArray index 100");
    arg_a = bs_vector_new(BS_CLASS_ANY_ARRAY, 0, 0, 1);
    arg_i = 0;
    test_expect_error(call_vector_at, BS_ERR_INDEX_RANGE, 45, 0, 0, "any[] index 0 of 0");
    CHECK(test_call(call_huge_array) == 1 && test_error.code == BS_ERR_OUT_OF_MEMORY, "huge array: out of memory");
}

static bs_value vec_get(bs_value v, int32_t i) { return *bs_vector_at(v, i, 0); }

static void test_vectors(void) {
    /* The example of section 3.9. */
    bs_value two[] = {bs_ref(&lit_ann), bs_ref(&lit_bob)};
    bs_value names = bs_vector_of(SHAPE_ARRAY, 2, two);
    CHECK(bs_vector_push(names, bs_ref(&lit_cy)) == 3, "push returns the new length");
    CHECK(bs_vector_pop(names) == bs_ref(&lit_cy), "pop the last");
    CHECK(bs_vector_shift(names) == bs_ref(&lit_ann), "shift the first");
    CHECK(bs_array_length(names) == 1 && vec_get(names, 0) == bs_ref(&lit_bob), "one left");
    bs_value q = bs_vector_of(BS_CLASS_ANY_ARRAY, 0, NULL);
    CHECK(bs_array_length(q) == 0, "empty literal");
    CHECK(bs_vector_push(q, bs_box_int(5)) == 1, "push 5");
    CHECK(bs_vector_unshift(q, bs_ref(&lit_x)) == 2, "unshift x");
    CHECK(vec_get(q, 0) == bs_ref(&lit_x) && vec_get(q, 1) == bs_box_int(5), "x, 5");
    CHECK(bs_vector_pop(q) == bs_box_int(5) && bs_vector_pop(q) == bs_ref(&lit_x), "pop 5, x");
    CHECK(bs_vector_pop(q) == BS_NULL && bs_vector_shift(q) == BS_NULL && bs_array_length(q) == 0,
          "pop and shift of an empty array give undefined");

    /* Growth past the store's capacity, at both ends. */
    bs_value v = bs_vector_new(BS_CLASS_ANY_ARRAY, 3, bs_box_int(-1), 1);
    for (int32_t i = 0; i < 100; i++)
        CHECK(bs_vector_push(v, bs_box_int(i)) == 4 + i, "push %d", i);
    for (int32_t i = 0; i < 50; i++)
        CHECK(bs_vector_unshift(v, bs_box_int(1000 + i)) == 104 + i, "unshift %d", i);
    CHECK(bs_array_length(v) == 153, "153 elements");
    int ok = 1;
    for (int32_t i = 0; i < 50; i++)
        ok &= vec_get(v, i) == bs_box_int(1049 - i);
    for (int32_t i = 0; i < 3; i++)
        ok &= vec_get(v, 50 + i) == bs_box_int(-1);
    for (int32_t i = 0; i < 100; i++)
        ok &= vec_get(v, 53 + i) == bs_box_int(i);
    CHECK(ok, "elements in order after growth");
    const bs_store *s = bs_ptr(((bs_vector *)bs_ptr(v))->store);
    CHECK(s->capacity >= 153 && s->capacity <= 2 * 153 + 8 && bs_class_id_of(((bs_vector *)bs_ptr(v))->store) == BS_CLASS_STORE,
          "capacity %u", s->capacity);
    CHECK(bs_vector_shift(v) == bs_box_int(1049) && bs_vector_pop(v) == bs_box_int(99), "shift and pop");
    CHECK(bs_array_length(v) == 151 && vec_get(v, 0) == bs_box_int(1048) && vec_get(v, 150) == bs_box_int(98),
          "ends after shift and pop");
    CHECK(s->slots[151] == 0 && s->slots[152] == 0, "vacated slots cleared");
    while (bs_array_length(v) > 0)
        bs_vector_shift(v);
    CHECK(bs_vector_shift(v) == BS_NULL, "emptied");
    /* unshift into a store with room moves the elements */
    bs_value w = bs_vector_new(SHAPE_ARRAY, 0, BS_NULL, 1);
    bs_vector_push(w, bs_box_int(1));
    bs_vector_push(w, bs_box_int(2));
    bs_vector_unshift(w, bs_box_int(0));
    CHECK(bs_array_length(w) == 3 && vec_get(w, 0) == bs_box_int(0) && vec_get(w, 1) == bs_box_int(1) &&
              vec_get(w, 2) == bs_box_int(2),
          "unshift in place");
    /* a vector without a store (made by hand) grows one */
    static bs_vector bare = {BS_HDR(BS_CLASS_ANY_ARRAY, 0), 0, BS_NULL};
    CHECK(bs_vector_push(bs_ref(&bare), bs_box_int(9)) == 1 && vec_get(bs_ref(&bare), 0) == bs_box_int(9),
          "push onto a vector without a store");
}

/* --- string members ------------------------------------------------------------------------------ */

static void test_string_members(void) {
    bs_value w = bs_string_concat(bs_ref(&lit_blue), bs_ref(&lit_script));
    CHECK(bs_string_length(w) == 10, "length");
    CHECK(bs_string_starts_with(w, bs_ref(&lit_blue)) == 1, "startsWith blue");
    CHECK(bs_string_starts_with(w, bs_ref(&lit_script)) == 0, "not startsWith script");
    CHECK(bs_string_starts_with(w, bs_ref(&lit_empty)) == 1 && bs_string_ends_with(w, bs_ref(&lit_empty)) == 1,
          "the empty string");
    CHECK(bs_string_starts_with(bs_ref(&lit_ab), ABC) == 0 && bs_string_ends_with(bs_ref(&lit_ab), ABC) == 0,
          "longer than the string");
    CHECK(bs_string_ends_with(w, bs_ref(&lit_script_cap)) == 0, "not endsWith Script");
    CHECK(bs_string_ends_with(w, bs_ref(&lit_script)) == 1 && bs_string_ends_with(w, w) == 1, "endsWith script");
    CHECK(test_is_string(bs_string_substring(w, 4, 10), "script"), "substring(4, 10)");
    CHECK(test_is_string(bs_string_substring(w, -3, 2), "bl"), "substring(-3, 2)");
    CHECK(test_is_string(bs_string_substring(w, 6, -1), "bluesc"), "substring(6, -1) swaps");
    CHECK(test_is_string(bs_string_substring(w, 8, 100), "pt"), "end clamped");
    CHECK(test_is_string(bs_string_substring(w, 100, 8), "pt"), "start clamped and swapped");
    CHECK(test_is_string(bs_string_substring(w, 5, 5), ""), "empty");
    CHECK(test_is_string(bs_string_substring(w, INT32_MIN, INT32_MAX), "bluescript"), "extremes");
    CHECK(bs_string_substring(w, 0, 10) == w, "the whole string is itself");
    CHECK(test_is_string(bs_string_substring(w, 1, 2), "l"), "one byte");
    CHECK(test_is_string(bs_string_substring(w, 2, 1), "l"), "one byte, swapped");
    CHECK(test_is_string(bs_string_substring(w, 9, 12), "t"), "one byte at the end");
    CHECK(test_is_string(bs_string_substring(w, -1, 0), ""), "none before the start");
    CHECK(bs_char_string_count == 0 || bs_string_substring(w, 3, 4) == bs_string_substring(w, 3, 4),
          "one-byte strings are ready-made");
    CHECK(test_is_string(bs_string_substring(bs_ref(&lit_long), 10, 14), "blue"), "substring of a literal");
    CHECK(test_is_string(bs_string_substring(bs_ref(&lit_empty), -1, 1), ""), "substring of the empty string");
}

/* --- any ----------------------------------------------------------------------------------------- */

static void call_to_int(void) { result_i = bs_any_to_int(arg_a, 51); }
static float result_f;
static void call_to_float(void) { result_f = bs_any_to_float(arg_a, 52); }
static void call_to_string(void) { result = bs_any_to_string(arg_a, 53); }
static void call_to_null(void) { result = bs_any_to_null(arg_a, 54); }
static void call_to_class(void) { result = bs_any_to_class(arg_a, arg_class, 0, 55); }
static void call_to_class_nullable(void) { result = bs_any_to_class(arg_a, arg_class, 1, 56); }
static void call_to_array(void) { result = bs_any_to_array(arg_a, 57); }
static void call_vector_check(void) { result = bs_vector_check(arg_b, arg_a, 58); }

static const bs_fn_info fn_int_int = {"(integer) => integer", 1, 0};
static const bs_fn_info fn_int_float = {"(integer) => float", 1, 0};
static const bs_fn_info fn_int = {"(integer) => integ", 1, 0};

/* bs_vector_check: the element type of each kind of growable array, through any. */
static void test_element_checks(void) {
    bs_value shapes = bs_vector_new(SHAPE_ARRAY, 0, BS_NULL, 0);
    bs_value opt = bs_vector_new(OPT_SHAPE_ARRAY, 0, BS_NULL, 0);
    bs_value fns = bs_vector_new(FN_ARRAY, 0, BS_NULL, 0);
    bs_value grid = bs_vector_new(ANY_ARRAY_ARRAY, 0, BS_NULL, 0);
    bs_value strs = bs_vector_new(STRING_ARRAY, 0, BS_NULL, 0);
    bs_value anys = bs_vector_new(BS_CLASS_ANY_ARRAY, 0, BS_NULL, 0);
    bs_value square = bs_object_new(SQUARE), circle = bs_object_new(CIRCLE);
    bs_value ints = bs_int_array_new(2, 0, 0);
    CHECK(bs_vector_check(shapes, square, 0) == square, "a subclass instance in Shape[]");
    CHECK(bs_vector_check(opt, BS_NULL, 0) == BS_NULL, "undefined in (Shape|undefined)[]");
    CHECK(bs_vector_check(anys, bs_box_int(3), 0) == bs_box_int(3), "anything in any[]");
    CHECK(bs_vector_check(grid, ints, 0) == ints, "an integer[] in any[][]");
    CHECK(bs_vector_check(strs, AB, 0) == AB, "a string in string[]");
    bs_value f = bs_function_new(0, &fn_int_int, 0);
    CHECK(bs_vector_check(fns, f, 0) == f, "a function of the element type");
    arg_b = shapes, arg_a = BS_NULL;
    test_expect_error(call_vector_check, BS_ERR_TYPE, 58, BS_TYPE_CLASS_BASE + SHAPE, BS_NULL, "undefined in Shape[]");
    arg_b = opt, arg_a = bs_box_int(1);
    test_expect_error(call_vector_check, BS_ERR_TYPE, 58, BS_TYPE_CLASS_BASE + SHAPE, arg_a, "an integer in (Shape|undefined)[]");
    arg_b = grid, arg_a = circle;
    test_expect_error(call_vector_check, BS_ERR_TYPE, 58, BS_TYPE_CLASS_BASE + BS_CLASS_ANY_ARRAY, circle, "an object in any[][]");
    arg_b = strs, arg_a = BS_NULL;
    test_expect_error(call_vector_check, BS_ERR_TYPE, 58, BS_TYPE_CLASS_BASE + BS_CLASS_STRING, BS_NULL, "undefined in string[]");
    arg_b = fns, arg_a = bs_function_new(0, &fn_int_float, 0);
    test_expect_error(call_vector_check, BS_ERR_TYPE, 58, BS_TYPE_NOT_CALLABLE, arg_a, "a function of another type");
    arg_b = fns, arg_a = bs_function_new(0, &fn_int, 0);
    test_expect_error(call_vector_check, BS_ERR_TYPE, 58, BS_TYPE_NOT_CALLABLE, arg_a, "a signature that is a prefix");
    arg_b = fns, arg_a = bs_box_int(1);
    test_expect_error(call_vector_check, BS_ERR_TYPE, 58, BS_TYPE_NOT_CALLABLE, arg_a, "an integer in a function array");
    arg_b = ints, arg_a = bs_box_int(1);
    test_expect_error(call_vector_check, BS_ERR_TYPE, 58, BS_TYPE_CLASS_BASE + BS_CLASS_ANY_ARRAY, ints, "an integer[] cannot grow");
    /* bs_array_set checks the same way. */
    bs_vector_push(shapes, square);
    CHECK(bs_array_set(shapes, 0, circle, 0) == circle, "a Circle replaces a Square in Shape[]");
}
static void call_arith(void) { result = bs_any_arith(arg_op, arg_a, arg_b, 61); }
static void call_compare(void) { result_i = bs_any_compare(arg_op, arg_a, arg_b, 62); }
static void call_negate(void) { result = bs_any_negate(arg_a, 63); }

static void test_any_conversions(void) {
    bs_value str = bs_string_concat(AB, bs_box_int(1));
    bs_value square = bs_object_new(SQUARE), circle = bs_object_new(CIRCLE);
    CHECK(bs_any_to_int(bs_box_int(-536870912), 0) == -536870912, "to_int");
    arg_a = bs_box_float(1.0f);
    test_expect_error(call_to_int, BS_ERR_TYPE, 51, BS_TYPE_INTEGER, arg_a, "float to integer");
    arg_a = str;
    test_expect_error(call_to_int, BS_ERR_TYPE, 51, BS_TYPE_INTEGER, str, "string to integer");
    arg_a = BS_NULL;
    test_expect_error(call_to_int, BS_ERR_TYPE, 51, BS_TYPE_INTEGER, BS_NULL, "undefined to integer");

    CHECK(bs_any_to_float(bs_box_int(3), 0) == 3.0f && bs_any_to_float(bs_box_float(-2.5f), 0) == -2.5f, "to_float");
    arg_a = BS_TRUE;
    test_expect_error(call_to_float, BS_ERR_TYPE, 52, BS_TYPE_FLOAT, BS_TRUE, "boolean to float");
    arg_a = square;
    test_expect_error(call_to_float, BS_ERR_TYPE, 52, BS_TYPE_FLOAT, square, "object to float");

    CHECK(bs_any_to_string(str, 0) == str && bs_any_to_string(AB, 0) == AB, "to_string");
    arg_a = bs_box_int(7);
    test_expect_error(call_to_string, BS_ERR_TYPE, 53, BS_TYPE_STRING, bs_box_int(7), "integer to string");
    arg_a = BS_NULL;
    test_expect_error(call_to_string, BS_ERR_TYPE, 53, BS_TYPE_STRING, BS_NULL, "undefined to string");

    CHECK(bs_any_to_null(BS_NULL, 0) == BS_NULL, "to_null");
    arg_a = bs_box_int(0);
    test_expect_error(call_to_null, BS_ERR_TYPE, 54, BS_TYPE_NULL, 0, "0 to null");
    arg_a = BS_FALSE;
    test_expect_error(call_to_null, BS_ERR_TYPE, 54, BS_TYPE_NULL, BS_FALSE, "false to null");

    CHECK(bs_any_to_class(square, SHAPE, 0, 0) == square && bs_any_to_class(square, POLYGON, 0, 0) == square,
          "to_class through superclasses");
    CHECK(bs_any_to_class(BS_NULL, SQUARE, 1, 0) == BS_NULL, "nullable class accepts undefined");
    arg_a = circle;
    arg_class = POLYGON;
    test_expect_error(call_to_class, BS_ERR_TYPE, 55, BS_TYPE_CLASS_BASE + POLYGON, circle, "Circle to Polygon");
    test_expect_error(call_to_class_nullable, BS_ERR_TYPE, 56, BS_TYPE_CLASS_BASE + POLYGON, circle,
                      "Circle to Polygon|undefined");
    arg_a = BS_NULL;
    test_expect_error(call_to_class, BS_ERR_TYPE, 55, BS_TYPE_CLASS_BASE + POLYGON, BS_NULL, "undefined to Polygon");
    arg_a = str;
    arg_class = SHAPE;
    test_expect_error(call_to_class, BS_ERR_TYPE, 55, BS_TYPE_CLASS_BASE + SHAPE, str, "string to Shape");
    arg_a = bs_box_int(3);
    test_expect_error(call_to_class_nullable, BS_ERR_TYPE, 56, BS_TYPE_CLASS_BASE + SHAPE, bs_box_int(3),
                      "integer to Shape|undefined");
    bs_value squares = bs_vector_new(SQUARE_ARRAY, 0, BS_NULL, 0);
    CHECK(bs_any_to_class(squares, SQUARE_ARRAY, 0, 0) == squares, "to an array class");
    arg_a = squares;
    arg_class = SHAPE_ARRAY;
    test_expect_error(call_to_class, BS_ERR_TYPE, 55, BS_TYPE_CLASS_BASE + SHAPE_ARRAY, squares,
                      "Square[] to Shape[] (exact)");
    bs_value floats = bs_float_array_new(1, 0, 0);
    arg_a = floats;
    arg_class = BS_CLASS_INT_ARRAY;
    test_expect_error(call_to_class, BS_ERR_TYPE, 55, BS_TYPE_CLASS_BASE + BS_CLASS_INT_ARRAY, floats,
                      "float[] to integer[]");
    CHECK(bs_any_to_class(floats, BS_CLASS_FLOAT_ARRAY, 0, 0) == floats, "float[] to float[]");

    bs_value arrays[] = {bs_int_array_new(0, 0, 0), floats, bs_bool_array_new(1, 0, 0), bs_uint8_array_new(1, 0, 0),
                         bs_fixed_array_new(1, 0, 0), bs_vector_new(BS_CLASS_ANY_ARRAY, 0, 0, 0), squares};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        CHECK(bs_any_to_array(arrays[i], 0) == arrays[i], "to_array %zu", i);
    arg_a = square;
    test_expect_error(call_to_array, BS_ERR_TYPE, 57, BS_TYPE_ARRAY, square, "object to any[]");
    arg_a = str;
    test_expect_error(call_to_array, BS_ERR_TYPE, 57, BS_TYPE_ARRAY, str, "string to any[]");
    arg_a = BS_NULL;
    test_expect_error(call_to_array, BS_ERR_TYPE, 57, BS_TYPE_ARRAY, BS_NULL, "undefined to any[]");
}

static bs_value arith(uint32_t op, bs_value a, bs_value b) { return bs_any_arith(op, a, b, 0); }

static void expect_arith_error(uint32_t op, bs_value a, bs_value b, bs_value offending, const char *what) {
    arg_op = op;
    arg_a = a;
    arg_b = b;
    test_expect_error(call_arith, BS_ERR_TYPE, 61, BS_TYPE_ANY + (op << 8), offending, what);
}

static void expect_compare_error(uint32_t op, bs_value a, bs_value b, bs_value offending, const char *what) {
    arg_op = op;
    arg_a = a;
    arg_b = b;
    test_expect_error(call_compare, BS_ERR_TYPE, 62, BS_TYPE_ANY + (op << 8), offending, what);
}

static void expect_div_zero(uint32_t op, bs_value a, bs_value b, const char *what) {
    arg_op = op;
    arg_a = a;
    arg_b = b;
    test_expect_error(call_arith, BS_ERR_DIV_ZERO, 61, 0, 0, what);
}

#define I(n) bs_box_int(n)
#define F(x) bs_box_float(x)

static void test_any_arith(void) {
    bs_value square = bs_object_new(SQUARE);
    bs_value ints = bs_int_array_new(1, 0, 0);
    /* integer op integer: 30-bit results */
    CHECK(arith(BS_OP_ADD, I(536870911), I(1)) == I(-536870912), "536870911 + 1 wraps at 30 bits");
    CHECK(arith(BS_OP_ADD, I(2), I(3)) == I(5) && arith(BS_OP_SUB, I(3), I(5)) == I(-2), "+ -");
    CHECK(arith(BS_OP_MUL, I(65536), I(65536)) == I(0) && arith(BS_OP_MUL, I(-7), I(6)) == I(-42), "*");
    CHECK(arith(BS_OP_MUL, I(100000), I(100000)) == I((int32_t)(10000000000LL & 0xFFFFFFFF)), "* wraps at 32 then 30");
    CHECK(arith(BS_OP_DIV, I(7), I(2)) == I(3) && arith(BS_OP_DIV, I(-7), I(2)) == I(-3), "/ truncates");
    CHECK(arith(BS_OP_REM, I(-7), I(2)) == I(-1) && arith(BS_OP_REM, I(7), I(-3)) == I(1), "%% sign of the dividend");
    CHECK(arith(BS_OP_DIV, I(-536870912), I(-1)) == I(-536870912), "MIN / -1 wraps");
    CHECK(arith(BS_OP_POW, I(2), I(10)) == I(1024) && arith(BS_OP_POW, I(2), I(-1)) == I(0) &&
              arith(BS_OP_POW, I(-1), I(-3)) == I(-1) && arith(BS_OP_POW, I(2), I(30)) == I(0),
          "** of integers");
    expect_div_zero(BS_OP_DIV, I(1), I(0), "1 / 0");
    expect_div_zero(BS_OP_REM, I(1), I(0), "1 % 0");
    expect_div_zero(BS_OP_POW, I(0), I(-1), "0 ** -1");

    /* a float makes it float */
    CHECK(arith(BS_OP_ADD, I(1), F(0.5f)) == F(1.5f) && arith(BS_OP_ADD, F(0.5f), I(1)) == F(1.5f), "int + float");
    CHECK(arith(BS_OP_DIV, I(7), F(2.0f)) == F(3.5f) && arith(BS_OP_DIV, I(-7), F(2.0f)) == F(-3.5f), "/ in float");
    CHECK(arith(BS_OP_SUB, F(0.25f), F(1.0f)) == F(-0.75f) && arith(BS_OP_MUL, F(1.5f), I(4)) == F(6.0f), "- *");
    CHECK(arith(BS_OP_DIV, F(1.0f), I(0)) == F(INFINITY) && arith(BS_OP_DIV, I(-1), F(0.0f)) == F(-INFINITY),
          "float division by zero is infinite");
    bs_value nan = arith(BS_OP_DIV, F(0.0f), I(0));
    CHECK(bs_unbox_float(nan) != bs_unbox_float(nan), "0.0 / 0 is NaN");
    CHECK(arith(BS_OP_POW, I(2), F(0.5f)) == F(powf(2.0f, 0.5f)) && arith(BS_OP_POW, F(2.0f), I(3)) == F(8.0f),
          "** with a float");
    volatile float tenth = 0.1f, fifth = 0.2f;
    CHECK(arith(BS_OP_ADD, F(tenth), F(fifth)) == F(tenth + fifth), "binary32 addition");

    /* + with a string concatenates */
    CHECK(test_is_string(arith(BS_OP_ADD, bs_ref(&lit_n), I(42)), "n=42"), "'n=' + 42");
    CHECK(test_is_string(arith(BS_OP_ADD, I(3), bs_ref(&lit_x)), "3x"), "3 + 'x'");
    CHECK(test_is_string(arith(BS_OP_ADD, F(2.5f), bs_ref(&lit_x)), "2.5x"), "2.5 + 'x'");
    CHECK(test_is_string(arith(BS_OP_ADD, bs_ref(&lit_x), BS_NULL), "xundefined"), "'x' + undefined");
    CHECK(test_is_string(arith(BS_OP_ADD, BS_TRUE, bs_ref(&lit_x)), "truex"), "true + 'x'");
    CHECK(test_is_string(arith(BS_OP_ADD, bs_ref(&lit_x), square), "x<class Square>"), "'x' + object");
    CHECK(test_is_string(arith(BS_OP_ADD, AB, ABC), "ababc"), "string + string");

    /* everything else is a type error naming the offending operand */
    expect_arith_error(BS_OP_ADD, BS_TRUE, I(1), BS_TRUE, "true + 1");
    expect_arith_error(BS_OP_ADD, I(1), BS_NULL, BS_NULL, "1 + undefined");
    expect_arith_error(BS_OP_ADD, F(1.0f), square, square, "1.0 + object");
    expect_arith_error(BS_OP_ADD, ints, I(1), ints, "array + 1");
    expect_arith_error(BS_OP_SUB, AB, I(1), AB, "'ab' - 1");
    expect_arith_error(BS_OP_SUB, I(1), AB, AB, "1 - 'ab'");
    expect_arith_error(BS_OP_MUL, BS_NULL, BS_TRUE, BS_NULL, "undefined * true (first)");
    expect_arith_error(BS_OP_DIV, I(6), BS_FALSE, BS_FALSE, "6 / false");
    expect_arith_error(BS_OP_POW, square, I(2), square, "object ** 2");
    expect_arith_error(BS_OP_REM, F(7.5f), I(2), F(7.5f), "7.5 % 2");
    expect_arith_error(BS_OP_REM, I(7), F(2.0f), F(2.0f), "7 % 2.0");
    expect_arith_error(BS_OP_REM, AB, I(2), AB, "'ab' % 2");
    expect_arith_error(BS_OP_REM, I(1), BS_NULL, BS_NULL, "1 % undefined");
    expect_arith_error(BS_OP_LT, I(1), I(2), I(1), "not an arithmetic operator");

    /* comparisons */
    CHECK(bs_any_compare(BS_OP_LT, I(1), I(2), 0) == 1 && bs_any_compare(BS_OP_LT, I(2), I(2), 0) == 0, "<");
    CHECK(bs_any_compare(BS_OP_LE, I(2), I(2), 0) == 1 && bs_any_compare(BS_OP_LE, I(3), I(2), 0) == 0, "<=");
    CHECK(bs_any_compare(BS_OP_GT, I(-1), I(-2), 0) == 1 && bs_any_compare(BS_OP_GT, I(-2), I(-1), 0) == 0, ">");
    CHECK(bs_any_compare(BS_OP_GE, I(2), I(2), 0) == 1 && bs_any_compare(BS_OP_GE, I(1), I(2), 0) == 0, ">=");
    CHECK(bs_any_compare(BS_OP_LT, I(1), F(1.5f), 0) == 1 && bs_any_compare(BS_OP_GE, F(2.0f), I(2), 0) == 1 &&
              bs_any_compare(BS_OP_GT, F(-0.5f), I(0), 0) == 0,
          "mixed integer and float");
    bs_value qnan = F(NAN);
    CHECK(!bs_any_compare(BS_OP_LT, qnan, I(1), 0) && !bs_any_compare(BS_OP_LE, qnan, I(1), 0) &&
              !bs_any_compare(BS_OP_GT, qnan, I(1), 0) && !bs_any_compare(BS_OP_GE, qnan, qnan, 0),
          "NaN compares false");
    CHECK(bs_any_compare(BS_OP_LT, AB, ABC, 0) == 1 && bs_any_compare(BS_OP_GT, ABC, AB, 0) == 1 &&
              bs_any_compare(BS_OP_LE, AB, bs_string_concat(AB, bs_ref(&lit_empty)), 0) == 1 &&
              bs_any_compare(BS_OP_GE, bs_ref(&lit_empty), AB, 0) == 0,
          "strings byte-wise");
    CHECK(bs_any_compare(BS_OP_LT, bs_ref(&lit_x), ABC, 0) == 0, "'x' < 'abc' is false");
    expect_compare_error(BS_OP_LT, AB, I(1), I(1), "'ab' < 1");
    expect_compare_error(BS_OP_LE, I(1), AB, AB, "1 <= 'ab'");
    expect_compare_error(BS_OP_GT, BS_TRUE, I(1), BS_TRUE, "true > 1");
    expect_compare_error(BS_OP_GE, F(1.0f), BS_NULL, BS_NULL, "1.0 >= undefined");
    expect_compare_error(BS_OP_LT, square, square, square, "object < object");
    expect_compare_error(BS_OP_ADD, I(1), I(2), I(1), "not a comparison operator");

    /* equality compares words, and strings by content */
    CHECK(bs_any_equal(I(1), I(1)) && !bs_any_equal(I(1), F(1.0f)) && !bs_any_equal(F(1.0f), I(1)),
          "boxed 1 and 1.0 differ");
    CHECK(bs_any_equal(BS_NULL, BS_NULL) && !bs_any_equal(BS_NULL, BS_FALSE) && !bs_any_equal(I(0), BS_FALSE),
          "undefined, false, 0");
    CHECK(bs_any_equal(bs_string_concat(AB, bs_ref(&lit_empty)), AB) && !bs_any_equal(AB, ABC), "strings by content");
    CHECK(!bs_any_equal(AB, I(0)) && !bs_any_equal(square, bs_object_new(SQUARE)) && bs_any_equal(square, square),
          "objects by identity");

    /* unary minus */
    CHECK(bs_any_negate(I(5), 0) == I(-5) && bs_any_negate(I(-536870912), 0) == I(-536870912), "-integer");
    CHECK(bs_any_negate(F(2.5f), 0) == F(-2.5f) && bs_any_negate(F(0.0f), 0) == F(-0.0f), "-float");
    arg_a = AB;
    test_expect_error(call_negate, BS_ERR_TYPE, 63, BS_TYPE_ANY + (BS_OP_NEG << 8), AB, "-'ab'");
    arg_a = BS_NULL;
    test_expect_error(call_negate, BS_ERR_TYPE, 63, BS_TYPE_ANY + (BS_OP_NEG << 8), BS_NULL, "-undefined");
}

int main(void) {
    static uint64_t heap[1 << 14]; /* 128 KiB */
    bs_heap_init(heap, sizeof heap);
    bs_string_init();
    bs_class_reset(); /* the built-in classes, as the runtime does when it starts */
    /* Each group runs as a call, so that collections (stress mode) see its stack. */
    void (*const groups[])(void) = {test_classes, test_arrays, test_vectors, test_string_members,
                                    test_any_conversions, test_any_arith, test_element_checks};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        CHECK(test_call(groups[i]) == 0, "group %zu stopped by error %u (site %u)", i, test_error.code,
              test_error.site);
    const char *broken = bs_heap_check();
    CHECK(broken == NULL, "heap: %s", broken);
    bs_heap_stats stats;
    bs_heap_get_stats(&stats);
    CHECK(!BS_GC_STRESS || stats.collections > 50, "stress mode collected %u times", stats.collections);
    return test_finish("test_values");
}
