// The native (ARM64) load config of an Arm64X image or a plain ARM64 DLL. lld-link fills
// its CHPE pointer and DVRT fields for Arm64X. Assemble with --target=aarch64-pc-windows-msvc.
        .section .rdata,"dr"
        .globl _load_config_used
        .p2align 3
_load_config_used:
        .word 0x140
        .fill 0x140 - 4, 1, 0

// The native delay-load resolver (an Arm64X image with delay imports needs one per view).
        .text
        .globl __delayLoadHelper2
        .p2align 2
__delayLoadHelper2:
        mov x0, #0
        ret
