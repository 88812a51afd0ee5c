// Variadic functions in C. A variadic definition gets an entry thunk named `varargs` that
// hands the callee x4 = the x64 stack arguments (past the home area) and x5 = 0. A call to
// a variadic x64 function goes through an exit thunk that must copy the stack arguments
// x4/x5 describe onto the x64 stack; LLVM up to 22 passes x4 and x5 themselves as x64
// arguments 5 and 6 instead (fixed for LLVM 23).
//@ known-bug: https://github.com/llvm/llvm-project/pull/208453
//@ expect-finding: thunk.code[$iexit_thunk$cdecl$i8$varargs]
//@ sig: sum_ints = fn(i32, ...) -> i32
//@ sig: ext_printf = fn(ptr, ...) -> i32
//@ sig: log_values = fn(ptr, i32, f64) -> i32
#include <stdarg.h>
#include <stdint.h>

int sum_ints(int n, ...) {
    va_list ap;
    va_start(ap, n);
    int total = 0;
    for (int i = 0; i < n; i++) {
        total += va_arg(ap, int);
    }
    va_end(ap);
    return total;
}

extern int ext_printf(const char *fmt, ...);

int log_values(const char *fmt, int a, double b) {
    return ext_printf(fmt, a, b, a, b, a, b);
}
