/* An x64 plugin: one export. */
__declspec(dllexport) int plugin_add(int a, int b) {
    return a + b + 1000;
}
