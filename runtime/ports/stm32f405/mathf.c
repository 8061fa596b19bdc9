/* mathf.c: sqrtf, expf, logf and powf (exports.ld forces them in for compiled units; bs_fpow calls
   powf).

   newlib's versions wrap its __ieee754_*f functions to set errno for domain and range errors, but
   only when its library version (__fdlib_version) is not _IEEE_; newlib-nano's is _IEEE_, so each
   wrapper returns the inner function's result and nothing else. Calling the inner functions
   directly gives the same results and leaves out the wrappers and what only they use (finitef,
   rintf): about 800 bytes of flash. (errno stays: exports.ld forces it in for units.) */
float __ieee754_sqrtf(float x);
float __ieee754_expf(float x);
float __ieee754_logf(float x);
float __ieee754_powf(float x, float y);

float sqrtf(float x);
float expf(float x);
float logf(float x);
float powf(float x, float y);

float sqrtf(float x) { return __ieee754_sqrtf(x); }
float expf(float x) { return __ieee754_expf(x); }
float logf(float x) { return __ieee754_logf(x); }
float powf(float x, float y) { return __ieee754_powf(x, y); }
