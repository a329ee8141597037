/* gaio-fiber-switch-aarch64.S: the fiber switch for AArch64 (AAPCS64)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * void _gaio_fiber_switch (void **save_sp, void *load_sp);
 *
 * Saves the callee-saved registers of AAPCS64 (x19-x28, the frame
 * pointer x29, the link register x30 and the low halves d8-d15 of v8-v15)
 * in a 160-byte frame on the current stack, stores sp in *save_sp, loads
 * load_sp, restores the same frame from there and returns through the
 * restored x30. A stack prepared by _gaio_fiber_new() holds such a frame
 * with x30 = _gaio_fiber_trampoline, x19 = the fiber, x20 = the entry.
 */

        .text
        .globl  _gaio_fiber_switch
        .hidden _gaio_fiber_switch
        .type   _gaio_fiber_switch, %function
        .p2align 4
_gaio_fiber_switch:
        .cfi_startproc
        sub     sp, sp, #160
        .cfi_adjust_cfa_offset 160
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8,  d9,  [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]

        mov     x2, sp
        str     x2, [x0]
        mov     sp, x1

        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        ldp     d8,  d9,  [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        add     sp, sp, #160
        .cfi_adjust_cfa_offset -160
        ret
        .cfi_endproc
        .size   _gaio_fiber_switch, .-_gaio_fiber_switch

/* The first code a new fiber runs; the entry never returns. x30 is
 * undefined so that unwinding stops at the bottom of the fiber's stack. */
        .globl  _gaio_fiber_trampoline
        .hidden _gaio_fiber_trampoline
        .type   _gaio_fiber_trampoline, %function
        .p2align 4
_gaio_fiber_trampoline:
        .cfi_startproc
        .cfi_undefined x30
        mov     x0, x19
        blr     x20
        brk     #0
        .cfi_endproc
        .size   _gaio_fiber_trampoline, .-_gaio_fiber_trampoline

        .section .note.GNU-stack,"",%progbits
