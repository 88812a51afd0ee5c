/* Two C frames between Rust and a Rust callback that may panic. */
typedef void (*callback_t)(int);

__declspec(noinline) int c_inner(callback_t cb, int v) {
    volatile int local = v * 2;
    cb(v);
    return local + 1;
}

__declspec(noinline) int c_outer(callback_t cb, int v) {
    int r = c_inner(cb, v);
    return r + 10;
}
