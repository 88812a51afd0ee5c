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

/* {u32, u32, u32} */
typedef struct {
    uint32_t f0;
    uint32_t f1;
    uint32_t f2;
} S6;

/* {[u8; 15]} */
typedef struct {
    uint8_t f0[15];
} S7;

extern S1 ext_so_3(S1 a0);
extern int32_t ext_so_12(S6 a0, int32_t a1);

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

S6 so_12(S6 a0) {
    S6 r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

uint8_t so_15(S7 a0) {
    uint8_t r;
    __builtin_memset(&r, 0, sizeof r);
    (void)a0;
    return r;
}

S1 call_ext_so_3(S1 a0) {
    return ext_so_3(a0);
}

int32_t call_ext_so_12(S6 a0, int32_t a1) {
    return ext_so_12(a0, a1);
}
