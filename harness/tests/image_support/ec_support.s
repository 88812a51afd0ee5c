// What the MSVC CRT gives an Arm64EC image and lld-link does not synthesize: the load
// config with its CHPE metadata pointer, the version-2 CHPE metadata over the symbols lld
// defines, the pointer slots the OS loader fills, and the helpers lld's import and
// delay-load thunks call. Assemble with --target=arm64ec-pc-windows-msvc.

        .section .rdata,"dr"
        .globl _load_config_used
        .p2align 3
_load_config_used:
        .word 0x140                         // Size (IMAGE_LOAD_CONFIG_DIRECTORY64)
        .fill 0xC8 - 4, 1, 0
        .xword __chpe_metadata              // 0xC8 CHPEMetadataPointer (a VA)
        .fill 0x140 - 0xD0, 1, 0            // lld fills the DVRT fields at 0xE0/0xE4

// IMAGE_ARM64EC_METADATA, version 2 (0x5C bytes), then the v2 helper slots.
        .globl __chpe_metadata
        .p2align 2
__chpe_metadata:
        .word 2                                          // 0x00 Version
        .rva  __hybrid_code_map                          // 0x04 CodeMap
        .word __hybrid_code_map_count                    // 0x08 CodeMapCount
        .rva  __x64_code_ranges_to_entry_points          // 0x0C CodeRangesToEntryPoints
        .rva  __arm64x_redirection_metadata              // 0x10 RedirectionMetadata
        .rva  __os_arm64x_dispatch_call_no_redirect      // 0x14
        .rva  __os_arm64x_dispatch_ret                   // 0x18
        .rva  __os_arm64x_check_call                     // 0x1C dispatch_call
        .rva  __os_arm64x_check_icall                    // 0x20 dispatch_icall
        .rva  __os_arm64x_check_icall_cfg                // 0x24 dispatch_icall_cfg
        .rva  __arm64x_native_entrypoint                 // 0x28 AlternateEntryPoint
        .rva  __hybrid_auxiliary_iat                     // 0x2C AuxiliaryIAT
        .word __x64_code_ranges_to_entry_points_count    // 0x30
        .word __arm64x_redirection_metadata_count        // 0x34
        .rva  __os_arm64x_get_x64_information            // 0x38
        .rva  __os_arm64x_set_x64_information            // 0x3C
        .rva  __arm64x_extra_rfe_table                   // 0x40 ExtraRFETable
        .word __arm64x_extra_rfe_table_size              // 0x44 ExtraRFETableSize
        .rva  __os_arm64x_dispatch_fptr                  // 0x48
        .rva  __hybrid_auxiliary_iat_copy                // 0x4C AuxiliaryIATCopy
        .rva  __hybrid_auxiliary_delayload_iat           // 0x50 AuxDelayloadIAT
        .rva  __hybrid_auxiliary_delayload_iat_copy      // 0x54 AuxDelayloadIATCopy
        .word __hybrid_image_info_bitfield               // 0x58 HybridImageInfoBitfield
        .rva  __os_arm64x_helper3
        .rva  __os_arm64x_helper4
        .rva  __os_arm64x_helper5
        .rva  __os_arm64x_helper6
        .rva  __os_arm64x_helper7
        .rva  __os_arm64x_helper8

// Pointer slots, null on disk; the loader fills them. Both naming schemes in use.
        .section .00cfg,"dr"
        .p2align 3
        .globl __os_arm64x_dispatch_call_no_redirect
__os_arm64x_dispatch_call_no_redirect:
        .xword 0
        .globl __os_arm64x_dispatch_ret
__os_arm64x_dispatch_ret:
        .xword 0
        .globl __os_arm64x_check_call
        .globl __os_arm64x_dispatch_call
__os_arm64x_check_call:
__os_arm64x_dispatch_call:
        .xword 0
        .globl __os_arm64x_check_icall
        .globl __os_arm64x_dispatch_icall
__os_arm64x_check_icall:
__os_arm64x_dispatch_icall:
        .xword 0
        .globl __os_arm64x_check_icall_cfg
        .globl __os_arm64x_dispatch_icall_cfg
__os_arm64x_check_icall_cfg:
__os_arm64x_dispatch_icall_cfg:
        .xword 0
        .globl __os_arm64x_get_x64_information
__os_arm64x_get_x64_information:
        .xword 0
        .globl __os_arm64x_set_x64_information
__os_arm64x_set_x64_information:
        .xword 0
        .globl __os_arm64x_dispatch_fptr
        .globl __os_arm64x_x64_jump
__os_arm64x_dispatch_fptr:
__os_arm64x_x64_jump:
        .xword 0
        .globl __os_arm64x_helper3
__os_arm64x_helper3:
        .xword 0
        .globl __os_arm64x_helper4
__os_arm64x_helper4:
        .xword 0
        .globl __os_arm64x_helper5
__os_arm64x_helper5:
        .xword 0
        .globl __os_arm64x_helper6
__os_arm64x_helper6:
        .xword 0
        .globl __os_arm64x_helper7
__os_arm64x_helper7:
        .xword 0
        .globl __os_arm64x_helper8
__os_arm64x_helper8:
        .xword 0

        .text
// Called by lld's __impchk_* thunks with the call target in x11 and the exit thunk in
// x10: let the checker vet (and possibly redirect) x11, then go there.
        .globl __icall_helper_arm64ec
        .p2align 2
__icall_helper_arm64ec:
        .seh_proc __icall_helper_arm64ec
        stp x29, x30, [sp, #-16]!
        .seh_save_fplr_x 16
        mov x29, sp
        .seh_set_fp
        .seh_endprologue
        adrp x16, __os_arm64x_check_icall
        ldr x16, [x16, :lo12:__os_arm64x_check_icall]
        blr x16
        .seh_startepilogue
        ldp x29, x30, [sp], #16
        .seh_save_fplr_x 16
        .seh_endepilogue
        br x11
        .seh_endproc

// The delay-load resolver lld's delay-import thunks call: an EC function and its
// anti-dependency alias, as a compiler would emit it. It resolves nothing.
        .globl "#__delayLoadHelper2"
        .p2align 2
"#__delayLoadHelper2":
        mov x0, #0
        ret
        .weak_anti_dep __delayLoadHelper2
        .set __delayLoadHelper2, "#__delayLoadHelper2"
