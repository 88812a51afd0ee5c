// The C side of the case: the same functions, compiled by clang-cl /arm64EC (cl /arm64EC with MSVC).
#include <stdint.h>

extern float ext_sc_mixed(double a0, int32_t a1, float a2, uint64_t a3, double a4, int16_t a5, float a6);
extern uint32_t ext_sc_many(int64_t a0, double a1, int64_t a2, double a3, int64_t a4, double a5, int64_t a6, double a7);

void sc_void(void) {
}

int32_t sc_ints(int8_t a0, uint16_t a1, int32_t a2, uint64_t a3, _Bool a4, const void * a5) {
    int32_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    (void)a2;
    (void)a3;
    (void)a4;
    (void)a5;
    return r;
}

double sc_floats(float a0, double a1, float a2, double a3) {
    double r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    (void)a2;
    (void)a3;
    return r;
}

float sc_mixed(double a0, int32_t a1, float a2, uint64_t a3, double a4, int16_t a5, float a6) {
    float r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    (void)a2;
    (void)a3;
    (void)a4;
    (void)a5;
    (void)a6;
    return r;
}

int64_t sc_many_ints(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t a5, int64_t a6, int64_t a7, int64_t a8, int64_t a9) {
    int64_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    (void)a2;
    (void)a3;
    (void)a4;
    (void)a5;
    (void)a6;
    (void)a7;
    (void)a8;
    (void)a9;
    return r;
}

double sc_many_floats(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9) {
    double r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    (void)a2;
    (void)a3;
    (void)a4;
    (void)a5;
    (void)a6;
    (void)a7;
    (void)a8;
    (void)a9;
    return r;
}

uint8_t sc_many_mixed(uint8_t a0, float a1, uint16_t a2, double a3, uint32_t a4, float a5, uint64_t a6, double a7, const void * a8, float a9, _Bool a10, double a11) {
    uint8_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    (void)a2;
    (void)a3;
    (void)a4;
    (void)a5;
    (void)a6;
    (void)a7;
    (void)a8;
    (void)a9;
    (void)a10;
    (void)a11;
    return r;
}

_Bool sc_bool(_Bool a0) {
    _Bool r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

const void * sc_ptr(const void * a0, const void * a1) {
    const void * r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    return r;
}

float call_ext_sc_mixed(double a0, int32_t a1, float a2, uint64_t a3, double a4, int16_t a5, float a6) {
    return ext_sc_mixed(a0, a1, a2, a3, a4, a5, a6);
}

uint32_t call_ext_sc_many(int64_t a0, double a1, int64_t a2, double a3, int64_t a4, double a5, int64_t a6, double a7) {
    return ext_sc_many(a0, a1, a2, a3, a4, a5, a6, a7);
}
