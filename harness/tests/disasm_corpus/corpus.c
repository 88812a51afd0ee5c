/* Varied C for the decoder cross-check (clang-cl /arm64EC /O2). */
typedef struct { double x, y, z; } vec3;
typedef int (*cb_t)(int);
extern int ext_call(int, double, const char *);
extern void ext_sink(void *, unsigned long long);

double dot(const vec3 *a, const vec3 *b) { return a->x * b->x + a->y * b->y + a->z * b->z; }

int apply(cb_t f, int *v, int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += f(v[i]);
    return s;
}

int sw(int k, int a) {
    switch (k) {
    case 0: return a + 1;
    case 1: return a * 3;
    case 2: return a - 7;
    case 3: return a << 2;
    case 4: return a ^ 0x55;
    case 5: return ext_call(a, 1.5, "x");
    case 6: return a / 9;
    case 7: return a % 11;
    default: return 0;
    }
}

float saxpy(float a, const float *x, float *y, int n) {
    float m = 0;
    for (int i = 0; i < n; i++) {
        y[i] += a * x[i];
        if (y[i] > m) m = y[i];
    }
    return m;
}

unsigned long long mix(unsigned long long h, const unsigned char *p, unsigned long long n) {
    for (unsigned long long i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h / 7 + h % 13;
}

vec3 cross(vec3 a, vec3 b) {
    vec3 r = {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
    return r;
}

int sum_va(int n, ...) {
    __builtin_va_list ap;
    __builtin_va_start(ap, n);
    int s = 0;
    for (int i = 0; i < n; i++) s += __builtin_va_arg(ap, int);
    __builtin_va_end(ap);
    return s;
}

void fill(unsigned char *buf, unsigned long long n, double scale) {
    double acc[64];
    for (int i = 0; i < 64; i++) acc[i] = i * scale;
    for (unsigned long long i = 0; i < n; i++) buf[i] = (unsigned char)acc[i & 63];
    ext_sink(acc, sizeof acc);
}

long long convert(float f, double d, int i, unsigned u) {
    return (long long)f + (long long)(d * i) + (long long)(u / f) + (i < 0 ? -i : i);
}
