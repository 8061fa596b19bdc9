/* Included by m.bs beside it. */
static int32_t mul(int32_t a, int32_t b) { return a * b; }
