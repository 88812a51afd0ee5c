// The C side of the case: the same functions, compiled by clang-cl /arm64EC (cl /arm64EC with MSVC).
#include <stdint.h>

/* {f32, f32} */
typedef struct {
    float f0;
    float f1;
} S1;

/* {f32, f32, f32} */
typedef struct {
    float f0;
    float f1;
    float f2;
} S2;

/* {[f32; 4]} */
typedef struct {
    float f0[4];
} S3;

/* {f64, f64} */
typedef struct {
    double f0;
    double f1;
} S4;

/* {[f64; 3]} */
typedef struct {
    double f0[3];
} S5;

/* {f64, f64, f64, f64} */
typedef struct {
    double f0;
    double f1;
    double f2;
    double f3;
} S6;

extern double ext_hp(S1 a0, S5 a1, double a2);

float hp_f2(S1 a0, float a1) {
    float r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    return r;
}

double hp_f3(S2 a0) {
    double r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

int32_t hp_f4(S3 a0, int32_t a1) {
    int32_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    return r;
}

void hp_d2(S4 a0, double a1) {
    (void)a0;
    (void)a1;
}

double hp_d3(S5 a0) {
    double r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

float hp_d4(S6 a0, S1 a1) {
    float r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    return r;
}

double call_ext_hp(S1 a0, S5 a1, double a2) {
    return ext_hp(a0, a1, a2);
}
