// The C side of the case: the same functions, compiled by clang-cl /arm64EC (cl /arm64EC with MSVC).
#include <stdint.h>

/* {u8, u8, u8} */
typedef struct {
    uint8_t f0;
    uint8_t f1;
    uint8_t f2;
} S1;

/* {[u8; 5]} */
typedef struct {
    uint8_t f0[5];
} S2;

/* {u16, u16, u16} */
typedef struct {
    uint16_t f0;
    uint16_t f1;
    uint16_t f2;
} S3;

/* {[u8; 7]} */
typedef struct {
    uint8_t f0[7];
} S4;

/* {u64, u8} */
typedef struct {
    uint64_t f0;
    uint8_t f1;
} S5;

/* {u16, u16, u16, u16, u16} */
typedef struct {
    uint16_t f0;
    uint16_t f1;
    uint16_t f2;
    uint16_t f3;
    uint16_t f4;
} S6;

/* {[u8; 11]} */
typedef struct {
    uint8_t f0[11];
} S7;

/* {u32, u32, u32} */
typedef struct {
    uint32_t f0;
    uint32_t f1;
    uint32_t f2;
} S8;

/* {[u8; 13]} */
typedef struct {
    uint8_t f0[13];
} S9;

/* {u32, u32, u16, u16, u16} */
typedef struct {
    uint32_t f0;
    uint32_t f1;
    uint16_t f2;
    uint16_t f3;
    uint16_t f4;
} S10;

/* {[u8; 15]} */
typedef struct {
    uint8_t f0[15];
} S11;

extern S1 ext_so_3(S1 a0);
extern int32_t ext_so_12(S8 a0, int32_t a1);

S1 so_3(S1 a0) {
    S1 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

uint8_t so_5(S2 a0) {
    uint8_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

uint8_t so_6(S3 a0) {
    uint8_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S4 so_7(S4 a0) {
    S4 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

uint8_t so_9(S5 a0) {
    uint8_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

uint8_t so_10(S6 a0) {
    uint8_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S7 so_11(S7 a0) {
    S7 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S8 so_12(S8 a0) {
    S8 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

uint8_t so_13(S9 a0) {
    uint8_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

uint8_t so_14(S10 a0) {
    uint8_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

uint8_t so_15(S11 a0) {
    uint8_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S1 call_ext_so_3(S1 a0) {
    return ext_so_3(a0);
}

int32_t call_ext_so_12(S8 a0, int32_t a1) {
    return ext_so_12(a0, a1);
}
