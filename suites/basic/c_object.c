// A C fixture compiled with `clang-cl /arm64EC` (or `cl /arm64EC` with MSVC): the object's
// COFF machine must be ARM64EC (0xA641).
//@ tier: static
//@ cflags: /W4
#include <stdint.h>

typedef struct {
    int64_t a;
    double b;
} pair;

double add_pair_c(pair p, int32_t c) { return (double)p.a + p.b + (double)c; }

int8_t call_back_c(int8_t (*f)(uint8_t, int64_t), uint8_t x) { return f(x, 7); }
