/* A native ARM64 plugin, which an Arm64EC (x64-facing) process must refuse to load. */
__declspec(dllexport) int plugin_add(int a, int b) {
    return a + b + 2000;
}
