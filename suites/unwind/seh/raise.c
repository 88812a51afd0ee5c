#include <windows.h>

/* Raise `code` and return what the handler saw (0 when nothing was caught). */
unsigned long raise_and_catch(unsigned long code) {
    __try {
        RaiseException(code, 0, 0, NULL);
        return 0;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
}
