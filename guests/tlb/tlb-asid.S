// tlb-asid: ASID tagging against ASID reuse, for the TLB lab (docs/tlb-lab.md). Run it with
// non-global RAM mappings: a64hv run guests/tlb/tlb-asid.S --mmu s1:4k:pages:ng --cmdline "...".
//
// Parameters (--cmdline "FOOTPRINT PASSES MODE", sizes with K/M/G; 0 or missing: the default):
// FOOTPRINT bytes (default 64K) read one word per 4 KiB page, PASSES (default 8) address-space
// switches. Each pass is one "process": it writes TTBR0_EL1 (same tables, the process's ASID in
// bits [63:48], ARM ARM D13.2.144) and reads every page once.
//   MODE 0, tagged: the two processes alternate between ASID 1 and ASID 2 and never invalidate;
//     after each ASID's first pass its translations are still in the TLBs (ARM ARM D8.10: entries
//     for other ASIDs are kept).
//   MODE 1, reuse: both processes share ASID 1, so each switch must remove the old process's
//     translations first: TLBI ASIDE1 with ASID 1, DSB, ISB (an OS recycling an ASID does this).
// The region of interest (A64HV_STATS_RESET/DUMP, region 2) holds the PASSES passes after one
// warm-up pass under ASID 1. Ends with semihosting SYS_EXIT_EXTENDED, status 0 (1: no room).
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    adr x1, cmd_block
    adr x2, cmd_buf
    str x2, [x1]
    mov x2, #255
    str x2, [x1, #8]
    mov w0, #0x15
    hlt #0xf000
    mov x19, xzr
    mov x21, xzr
    mov x22, xzr
    cbnz x0, defaults
    adr x9, cmd_buf
    bl parse_num
    mov x19, x0
    bl parse_num
    mov x21, x0
    bl parse_num
    mov x22, x0
defaults:
    cbnz x19, have_fp
    mov x19, #0x10000
have_fp:
    cbnz x21, have_passes
    mov x21, #8
have_passes:
    adr x1, heap_ptr
    adr x2, heap_info
    str x2, [x1]
    mov w0, #0x16
    hlt #0xf000
    adr x2, heap_info
    ldr x23, [x2]
    ldr x24, [x2, #8]
    movz x3, #0x20, lsl #16
    sub x4, x3, #1
    add x23, x23, x4
    bic x23, x23, x4             // buffer: heap base aligned up to 2 MiB
    add x5, x23, x19
    cmp x5, x24
    b.hi fail
    mrs x25, ttbr0_el1
    and x25, x25, #0xffffffffffff  // the table base without an ASID
    mov x26, #1                  // ASID of the warm-up pass
    bl switch_to
    bl touch
    mov w0, #0x100               // A64HV_STATS_RESET
    mov x1, #2
    hlt #0xf000
    mov x27, x21
pass_loop:
    cbnz x22, reuse
    eor x26, x26, #3             // tagged: ASID 1 <-> 2, no invalidation
    bl switch_to
    b do_touch
reuse:
    lsl x0, x26, #48             // TLBI ASIDE1: Xt[63:48] = the ASID to remove
    tlbi aside1, x0
    dsb ish
    bl switch_to
do_touch:
    bl touch
    subs x27, x27, #1
    b.ne pass_loop
    mov w0, #0x101               // A64HV_STATS_DUMP
    mov x1, #2
    hlt #0xf000
    mov x28, xzr
    b exit
fail:
    mov x28, #1
exit:
    adr x1, exit_block
    movz x2, #0x0026
    movk x2, #0x2, lsl #16
    str x2, [x1]
    str x28, [x1, #8]
    mov w0, #0x20
    hlt #0xf000
hang:
    b hang

// switch_to: TTBR0_EL1 = table base | ASID x26 << 48, then ISB (a context synchronization).
switch_to:
    orr x0, x25, x26, lsl #48
    msr ttbr0_el1, x0
    isb
    ret

// touch: read one word in each 4 KiB page of the footprint.
touch:
    mov x5, x23
    add x6, x23, x19
touch_loop:
    ldr x0, [x5]
    add x5, x5, #4096
    cmp x5, x6
    b.lo touch_loop
    ret

// parse_num: the next decimal number at x9 (spaces skipped, K/M/G suffix) in x0; x9 advances.
parse_num:
    mov x0, xzr
    mov x3, #10
skip_space:
    ldrb w1, [x9]
    cmp w1, #32
    b.ne digits
    add x9, x9, #1
    b skip_space
digits:
    ldrb w1, [x9]
    sub w2, w1, #48
    cmp w2, #9
    b.hi suffix
    madd x0, x0, x3, x2
    add x9, x9, #1
    b digits
suffix:
    orr w1, w1, #0x20            // lower case
    cmp w1, #0x6b                // k
    b.eq suf_k
    cmp w1, #0x6d                // m
    b.eq suf_m
    cmp w1, #0x67                // g
    b.eq suf_g
    ret
suf_k:
    lsl x0, x0, #10
    add x9, x9, #1
    ret
suf_m:
    lsl x0, x0, #20
    add x9, x9, #1
    ret
suf_g:
    lsl x0, x0, #30
    add x9, x9, #1
    ret

    .balign 8
cmd_block:
    .quad 0, 0
heap_ptr:
    .quad 0
heap_info:
    .quad 0, 0, 0, 0
exit_block:
    .quad 0, 0
cmd_buf:
    .space 256
