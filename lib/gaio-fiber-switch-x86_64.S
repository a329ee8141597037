/* gaio-fiber-switch-x86_64.S: the fiber switch for x86-64 (System V ABI)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The libgaio authors
 *
 * void _gaio_fiber_switch (void **save_sp, void *load_sp);
 *
 * Saves what the ABI says a callee must preserve (rbx, rbp, r12-r15, the
 * SSE control/status word MXCSR and the x87 control word) on the current
 * stack, stores the stack pointer in *save_sp, loads load_sp and restores
 * the same set from there, then returns on the other stack. Caller-saved
 * registers need no saving: the C compiler already assumes the call
 * clobbers them. A stack prepared by _gaio_fiber_new() looks exactly like
 * one this function left, with _gaio_fiber_trampoline as the return
 * address.
 */

        .text
        .globl  _gaio_fiber_switch
        .hidden _gaio_fiber_switch
        .type   _gaio_fiber_switch, @function
        .p2align 4
_gaio_fiber_switch:
        .cfi_startproc
        pushq   %rbp
        .cfi_adjust_cfa_offset 8
        pushq   %rbx
        .cfi_adjust_cfa_offset 8
        pushq   %r12
        .cfi_adjust_cfa_offset 8
        pushq   %r13
        .cfi_adjust_cfa_offset 8
        pushq   %r14
        .cfi_adjust_cfa_offset 8
        pushq   %r15
        .cfi_adjust_cfa_offset 8
        subq    $8, %rsp
        .cfi_adjust_cfa_offset 8
        stmxcsr (%rsp)
        fnstcw  4(%rsp)

        movq    %rsp, (%rdi)
        movq    %rsi, %rsp

        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        .cfi_adjust_cfa_offset -8
        popq    %r15
        .cfi_adjust_cfa_offset -8
        popq    %r14
        .cfi_adjust_cfa_offset -8
        popq    %r13
        .cfi_adjust_cfa_offset -8
        popq    %r12
        .cfi_adjust_cfa_offset -8
        popq    %rbx
        .cfi_adjust_cfa_offset -8
        popq    %rbp
        .cfi_adjust_cfa_offset -8
        ret
        .cfi_endproc
        .size   _gaio_fiber_switch, .-_gaio_fiber_switch

/* The first code a new fiber runs: r12 holds the fiber, r13 the C entry
 * point, which never returns (it switches away for the last time). The
 * undefined return address ends every unwind here, so backtrace(3) taken
 * on a fiber stops cleanly at the bottom of its stack. */
        .globl  _gaio_fiber_trampoline
        .hidden _gaio_fiber_trampoline
        .type   _gaio_fiber_trampoline, @function
        .p2align 4
_gaio_fiber_trampoline:
        .cfi_startproc
        .cfi_undefined rip
        movq    %r12, %rdi
        callq   *%r13
        ud2
        .cfi_endproc
        .size   _gaio_fiber_trampoline, .-_gaio_fiber_trampoline

        .section .note.GNU-stack,"",@progbits
