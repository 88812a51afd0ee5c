// The C side of the case: the same functions, compiled by clang-cl /arm64EC (cl /arm64EC with MSVC).
#include <stdint.h>

/* {u8} */
typedef struct {
    uint8_t f0;
} S1;

/* {u8, u8} */
typedef struct {
    uint8_t f0;
    uint8_t f1;
} S2;

/* {u16} */
typedef struct {
    uint16_t f0;
} S3;

/* {u16, u16} */
typedef struct {
    uint16_t f0;
    uint16_t f1;
} S4;

/* {u32} */
typedef struct {
    uint32_t f0;
} S5;

/* {u8, u8, u16} */
typedef struct {
    uint8_t f0;
    uint8_t f1;
    uint16_t f2;
} S6;

/* {u32, u32} */
typedef struct {
    uint32_t f0;
    uint32_t f1;
} S7;

/* {f32, u32} */
typedef struct {
    float f0;
    uint32_t f1;
} S8;

/* {u64} */
typedef struct {
    uint64_t f0;
} S9;

/* {u64, u64} */
typedef struct {
    uint64_t f0;
    uint64_t f1;
} S10;

/* {[u8; 17]} */
typedef struct {
    uint8_t f0[17];
} S11;

/* {u64, u64, u64} */
typedef struct {
    uint64_t f0;
    uint64_t f1;
    uint64_t f2;
} S12;

/* {[u64; 4]} */
typedef struct {
    uint64_t f0[4];
} S13;

extern S10 ext_st_16(S10 a0, S7 a1);
extern S12 ext_st_24(S12 a0, double a1);

S1 st_1(S1 a0) {
    S1 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S3 st_2(S2 a0) {
    S3 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S6 st_4(S4 a0, S5 a1) {
    S6 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    return r;
}

S9 st_8(S7 a0, S8 a1) {
    S9 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    return r;
}

S10 st_16(S10 a0, uint8_t a1) {
    S10 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    return r;
}

S11 st_17(S11 a0, uint8_t a1) {
    S11 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    return r;
}

S12 st_24(S12 a0) {
    S12 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S13 st_32(int32_t a0, S13 a1) {
    S13 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    (void)a1;
    return r;
}

S10 call_ext_st_16(S10 a0, S7 a1) {
    return ext_st_16(a0, a1);
}

S12 call_ext_st_24(S12 a0, double a1) {
    return ext_st_24(a0, a1);
}
