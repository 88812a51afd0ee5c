/* The C half: calls Rust directly, exports a function that calls through a pointer. */
#include <stdint.h>

uint64_t rust_square(uint64_t x);

uint64_t c_twice_square(uint64_t x) { return 2 * rust_square(x); }

__declspec(dllexport) int32_t c_apply(int32_t (*f)(int32_t), int32_t x) { return f(x) + 1; }
