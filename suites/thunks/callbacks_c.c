// Callbacks and indirect calls in C, compiled by clang-cl /arm64EC (cl /arm64EC with MSVC):
// each call through a pointer is checked, with the exit thunk for its type in x10.
//@ sig: apply_c = fn(ptr, i32, f64) -> i32
//@ sig: pick_c = fn(bool) -> ptr
#include <stdint.h>

typedef int (*binop)(int, double);
typedef int (*unop)(int);

int apply_c(binop f, int x, double y) { return f(x, y) + 1; }

static int twice_c(int x) { return x * 2; }
static int thrice_c(int x) { return x * 3; }

unop pick_c(_Bool second) { return second ? thrice_c : twice_c; }

uint64_t call_all_c(uint64_t (*const *fs)(uint64_t), int n, uint64_t x) {
    for (int i = 0; i < n; i++) {
        x = fs[i](x);
    }
    return x;
}
