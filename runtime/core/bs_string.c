/* bs_string.c: string values: conversion to string, concatenation, equality, comparison and the members startsWith, endsWith, substring. */
#include <string.h>

#include "bs.h"
#include "bs_class.h"
#include "bs_config.h"
#include "bs_heap.h"
#include "bs_string.h"

int bs_string_is(bs_value v) {
    return bs_is_ref(v) && BS_HDR_CLASS(((const bs_string *)bs_ptr(v))->header) == BS_CLASS_STRING;
}

static void text_set(bs_string_text *text, const char *piece, uint32_t length) {
    text->piece[0] = piece;
    text->length[0] = length;
    text->length[1] = 0;
    text->length[2] = 0;
}

void bs_string_text_of(bs_value v, int format, bs_string_text *text) {
    if (bs_is_int(v)) {
        text_set(text, text->buf, bs_number_format_int(text->buf, bs_unbox_int(v)));
    } else if (bs_is_float(v)) {
        float f = bs_unbox_float(v);
        uint32_t n = format == BS_STRING_FORMAT_PRINT ? bs_number_format_fixed(text->buf, f)
                                                      : bs_number_format_short(text->buf, f);
        text_set(text, text->buf, n);
    } else if (v == BS_TRUE) {
        text_set(text, "true", 4);
    } else if (v == BS_FALSE) {
        text_set(text, "false", 5);
    } else if (!bs_is_ref(v)) {
        text_set(text, "undefined", 9); /* null, and any unknown symbol */
    } else if (bs_string_is(v)) {
        const bs_string *s = bs_ptr(v);
        text_set(text, s->bytes, s->length);
    } else {
        const char *name = bs_class_name(BS_HDR_CLASS(*(const uint32_t *)bs_ptr(v)));
        if (name == NULL)
            name = "?";
        text_set(text, "<class ", 7);
        text->piece[1] = name;
        text->length[1] = (uint32_t)strlen(name);
        text->piece[2] = ">";
        text->length[2] = 1;
    }
}

/* A new string made of the pieces of up to two texts. */
static bs_value string_from_texts(const bs_string_text *texts, int count) {
    uint64_t total = 0;
    for (int t = 0; t < count; t++)
        for (int i = 0; i < 3; i++)
            total += texts[t].length[i];
    if (total > 0xFFFFFFFFu - sizeof(bs_string) - 1u)
        bs_error(BS_ERR_OUT_OF_MEMORY, 0, 0xFFFFFFFFu, 0);
    bs_string *s = bs_heap_alloc((uint32_t)(sizeof(bs_string) + total + 1u));
    s->header = BS_HDR(BS_CLASS_STRING, 0);
    s->length = (uint32_t)total;
    char *p = s->bytes;
    for (int t = 0; t < count; t++) {
        for (int i = 0; i < 3; i++) {
            if (texts[t].length[i] > 0)
                memcpy(p, texts[t].piece[i], texts[t].length[i]);
            p += texts[t].length[i];
        }
    }
    *p = '\0';
    return bs_ref(s);
}

bs_value bs_string_new(const char *bytes, uint32_t len) {
    bs_string_text text;
    text_set(&text, bytes, len);
    return string_from_texts(&text, 1);
}

bs_value bs_string_concat(bs_value a, bs_value b) {
    bs_string_text texts[2];
    bs_string_text_of(a, BS_STRING_FORMAT_CONCAT, &texts[0]);
    bs_string_text_of(b, BS_STRING_FORMAT_CONCAT, &texts[1]);
    return string_from_texts(texts, 2);
}

bs_value bs_to_string(bs_value v) {
    if (bs_string_is(v))
        return v;
    bs_string_text text;
    bs_string_text_of(v, BS_STRING_FORMAT_CONCAT, &text);
    return string_from_texts(&text, 1);
}

int32_t bs_string_equal(bs_value a, bs_value b) {
    if (a == b)
        return 1;
    if (!bs_string_is(a) || !bs_string_is(b))
        return 0;
    const bs_string *sa = bs_ptr(a);
    const bs_string *sb = bs_ptr(b);
    return sa->length == sb->length && memcmp(sa->bytes, sb->bytes, sa->length) == 0;
}

int32_t bs_string_compare(bs_value a, bs_value b) {
    const bs_string *sa = bs_ptr(bs_to_string(a));
    const bs_string *sb = bs_ptr(bs_to_string(b));
    uint32_t la = sa->length, lb = sb->length;
    int r = memcmp(sa->bytes, sb->bytes, la < lb ? la : lb);
    if (r != 0)
        return r < 0 ? -1 : 1;
    return la < lb ? -1 : (la > lb ? 1 : 0);
}

/* --- members --------------------------------------------------------------------------------- */

int32_t bs_string_starts_with(bs_value s, bs_value prefix) {
    const bs_string *a = bs_ptr(s);
    const bs_string *p = bs_ptr(prefix);
    return p->length <= a->length && memcmp(a->bytes, p->bytes, p->length) == 0;
}

int32_t bs_string_ends_with(bs_value s, bs_value suffix) {
    const bs_string *a = bs_ptr(s);
    const bs_string *p = bs_ptr(suffix);
    return p->length <= a->length && memcmp(a->bytes + (a->length - p->length), p->bytes, p->length) == 0;
}

/* The one-byte strings of the first BS_CHAR_STRINGS byte values, outside the heap (filled in by
   bs_string_init): reading a program's text character by character (substring(i, i + 1)) then
   allocates nothing. */
#if BS_CHAR_STRINGS > 0
bs_char_string bs_char_strings[BS_CHAR_STRINGS];
#else
bs_char_string bs_char_strings[1];
#endif
const uint32_t bs_char_string_count = BS_CHAR_STRINGS;

void bs_string_init(void) {
    for (uint32_t c = 0; c < bs_char_string_count; c++) {
        bs_char_strings[c].header = BS_HDR(BS_CLASS_STRING, BS_HDR_STATIC);
        bs_char_strings[c].length = 1;
        bs_char_strings[c].bytes[0] = (char)c;
    }
}

bs_value bs_string_slice(bs_value s, int32_t start, int32_t end) {
    const bs_string *a = bs_ptr(s);
    uint32_t length = a->length;
    uint32_t from = start < 0 ? 0u : ((uint32_t)start > length ? length : (uint32_t)start);
    uint32_t to = end < 0 ? 0u : ((uint32_t)end > length ? length : (uint32_t)end);
    if (from > to) {
        uint32_t t = from;
        from = to;
        to = t;
    }
    if (from == 0 && to == length)
        return s; /* strings are immutable */
    if (to - from == 1 && (uint32_t)(uint8_t)a->bytes[from] < bs_char_string_count)
        return bs_ref(&bs_char_strings[(uint8_t)a->bytes[from]]);
    return bs_string_new(a->bytes + from, to - from);
}
