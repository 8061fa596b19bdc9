/* Included by ../inline_c_include_relative.bs, relative to that file. */
static int32_t add(int32_t a, int32_t b) { return a + b; }
