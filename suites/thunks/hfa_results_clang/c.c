// Float aggregates as results from C: clang-cl names the thunks `m<N>` where the ABI (and
// MSVC) says `F<N>` / `D<N>`, and a one-float struct `m` where the ABI says `F4`. The code
// moves the FP registers, so a thunk named `m8` by clang does something else than one named
// `m8` by MSVC: linked together, the linker keeps one of them for both.
//@ needs-clang-cl
//@ known-deviation: clang names float-aggregate results m<N> (MSVC and the ABI: F<N>/D<N>); no upstream issue found
//@ expect-finding: thunk.name.oracle[#call_ext_hc_f2,#hc_d1,#hc_d2,#hc_f1,#hc_f2,#hc_f3,ext_hc_f2]
//@ expect-finding: thunk.name.producers[call_ext_hc_f2,hc_d1,hc_d2,hc_f1,hc_f2,hc_f3]
//@ expect-finding: thunk.code[$ientry_thunk$cdecl$m$F4,$ientry_thunk$cdecl$m12$v,$ientry_thunk$cdecl$m16$d]
//@ expect-finding: thunk.code[$ientry_thunk$cdecl$m8$D8,$ientry_thunk$cdecl$m8$f,$iexit_thunk$cdecl$m8$f]
//@ sig: hc_f1 = fn({f32}) -> {f32}
//@ sig: hc_f2 = fn(f32) -> {f32, f32}
//@ sig: hc_f3 = fn() -> {f32, f32, f32}
//@ sig: hc_d1 = fn({f64}) -> {f64}
//@ sig: hc_d2 = fn(f64) -> {f64, f64}
//@ sig: ext_hc_f2 = fn(f32) -> {f32, f32}
//@ sig: call_ext_hc_f2 = fn(f32) -> {f32, f32}
#include <stdint.h>

/* {f32} */
typedef struct {
    float f0;
} S1;

/* {f32, f32} */
typedef struct {
    float f0;
    float f1;
} S2;

/* {f32, f32, f32} */
typedef struct {
    float f0;
    float f1;
    float f2;
} S3;

/* {f64} */
typedef struct {
    double f0;
} S4;

/* {f64, f64} */
typedef struct {
    double f0;
    double f1;
} S5;

extern S2 ext_hc_f2(float a0);

S1 hc_f1(S1 a0) {
    S1 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S2 hc_f2(float a0) {
    S2 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S3 hc_f3(void) {
    S3 r;
    __builtin_memset(&r, 0, sizeof r);
    return r;
}

S4 hc_d1(S4 a0) {
    S4 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S5 hc_d2(double a0) {
    S5 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S2 call_ext_hc_f2(float a0) {
    return ext_hc_f2(a0);
}
