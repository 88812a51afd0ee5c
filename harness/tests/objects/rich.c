/* The C counterpart of rich.rs, for clang-cl /arm64EC. */
#include <stdint.h>

typedef struct { int64_t a; double b; } pair;
typedef struct { uint64_t v[3]; } big;

extern double ext_pair(pair p, int32_t k);
extern big ext_big(uint64_t x);
extern void fill(uint8_t *buf, uint64_t len);

double add_pair(pair p, int32_t c) { return (double)p.a + p.b + (double)c; }
int8_t call_back(int8_t (*f)(uint8_t, int64_t), uint8_t x) { return f(x, 7); }
big make_big(uint64_t x) { big r = {{x, x + 1, x + 2}}; return r; }
double use_externs(uint64_t x) { big b = ext_big(x); pair p = {(int64_t)b.v[1], 0.5}; return ext_pair(p, 3); }
uint8_t big_frame(uint64_t x) { uint8_t buf[70000]; fill(buf, sizeof buf); return buf[x % sizeof buf]; }
