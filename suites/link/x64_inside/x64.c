/* x64 C inside the Arm64EC image (clang-cl --target=x86_64-pc-windows-msvc). */
unsigned long long ec_square(unsigned long long x); /* Arm64EC code of this image */

unsigned long long x64_c_mul(unsigned long long a, unsigned long long b) { return a * b; }

__declspec(dllexport) unsigned long long x64_c_calls_ec(unsigned long long x) { return ec_square(x) + 2; }
