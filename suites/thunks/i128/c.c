// The C side of the case: the same functions, compiled by clang-cl /arm64EC (cl /arm64EC with MSVC).
#include <stdint.h>

extern uint64_t ext_wide(uint64_t a0, __int128 a1);

uint64_t wide_arg(uint64_t a0, __int128 a1) {
    uint64_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    return r;
}

unsigned __int128 wide_ret(uint64_t a0) {
    unsigned __int128 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

uint64_t call_ext_wide(uint64_t a0, __int128 a1) {
    return ext_wide(a0, a1);
}
