// tlb-touch: touch a memory footprint with a fixed stride, for the TLB lab (docs/tlb-lab.md).
//
// Parameters on the semihosting command line (a64hv --cmdline "FOOTPRINT STRIDE PASSES MODE"),
// decimal numbers with an optional K, M or G suffix; missing or 0 means the default:
//   FOOTPRINT bytes touched (default 1M), STRIDE bytes between loads (default 4K),
//   PASSES measured passes (default 4), MODE 0 sequential, 1 random (a full-period LCG over the
//   FOOTPRINT/STRIDE slots, which must then be a power of two), 2 pointer chasing (a linked list
//   through the slots in that random order, each load's address from the previous load), 3
//   pointer chasing in address order (slot i links to slot i + 1: dependent loads at a fixed
//   stride, which a stride prefetcher follows and a random chase defeats). Other modes: status 1.
// The buffer is the semihosting heap (SYS_HEAPINFO), aligned up to 2 MiB. One pass runs before
// the region of interest (warm-up); then A64HV_STATS_RESET, PASSES passes, A64HV_STATS_DUMP: the
// region holds exactly PASSES * FOOTPRINT / STRIDE data loads and no other data access.
// Exit status: 0, or 1 when the footprint does not fit the heap (or is not a power of two slots
// in modes 1 and 2). Same syntax rules as hello.S (GNU as and keystone both accept it).
// The A64HV_STATS_* operations (0x100, 0x101) are a64hv's: QEMU stops on them.
    .global _start
_start:
    // SYS_GET_CMDLINE (0x15): block {buffer, size}.
    adr x1, cmd_block
    adr x2, cmd_buf
    str x2, [x1]
    mov x2, #255
    str x2, [x1, #8]
    mov w0, #0x15
    hlt #0xf000
    mov x19, xzr
    mov x20, xzr
    mov x21, xzr
    mov x22, xzr
    cbnz x0, defaults
    adr x9, cmd_buf
    bl parse_num
    mov x19, x0
    bl parse_num
    mov x20, x0
    bl parse_num
    mov x21, x0
    bl parse_num
    mov x22, x0
defaults:
    cbnz x19, have_fp
    mov x19, #0x100000
have_fp:
    cbnz x20, have_stride
    mov x20, #4096
have_stride:
    cbnz x21, have_passes
    mov x21, #4
have_passes:
    // SYS_HEAPINFO (0x16): X1 -> a word holding the address of {heap base, heap limit, ...}.
    adr x1, heap_ptr
    adr x2, heap_info
    str x2, [x1]
    mov w0, #0x16
    hlt #0xf000
    adr x2, heap_info
    ldr x23, [x2]                // heap base
    ldr x24, [x2, #8]            // heap limit
    movz x3, #0x20, lsl #16      // 2 MiB
    sub x4, x3, #1
    add x23, x23, x4
    bic x23, x23, x4             // base aligned up to 2 MiB
    add x5, x23, x19
    cmp x5, x24
    b.hi fail
    udiv x25, x19, x20           // x25: slots
    cbz x25, fail
    sub x26, x25, #1             // x26: slot mask (modes 1, 2)
    cbz x22, warm
    cmp x22, #3
    b.hi fail
    tst x25, x26
    b.ne fail
    cmp x22, #2
    b.lo warm
    b.hi link_seq
    // Mode 2: link the slots in LCG order; slot i holds the address of the next slot.
    movz x10, #0x4e6d            // a = 1103515245 = 0x41c64e6d (a = 1 mod 4)
    movk x10, #0x41c6, lsl #16
    mov x11, #12345              // c odd: full period modulo a power of two
    mov x12, xzr                 // current slot
    mov x13, x25
link_loop:
    madd x14, x12, x10, x11
    and x14, x14, x26            // next slot
    madd x15, x12, x20, x23      // &slot[cur]
    madd x16, x14, x20, x23      // &slot[next]
    str x16, [x15]
    mov x12, x14
    subs x13, x13, #1
    b.ne link_loop
    b warm
link_seq:
    // Mode 3: slot i holds the address of slot i + 1 (the last slot's: slot 0).
    mov x12, xzr
link_seq_loop:
    add x14, x12, #1
    and x14, x14, x26            // next slot
    madd x15, x12, x20, x23      // &slot[cur]
    madd x16, x14, x20, x23      // &slot[next]
    str x16, [x15]
    mov x12, x14
    cbnz x12, link_seq_loop
warm:
    mov x27, #1
    bl do_passes                 // warm-up, outside the region
    mov w0, #0x100               // A64HV_STATS_RESET
    mov x1, #1
    hlt #0xf000
    mov x27, x21
    bl do_passes
    mov w0, #0x101               // A64HV_STATS_DUMP
    mov x1, #1
    hlt #0xf000
    mov x28, xzr
    b exit

fail:
    mov x28, #1
exit:
    // SYS_EXIT_EXTENDED (0x20): {ADP_Stopped_ApplicationExit, status}.
    adr x1, exit_block
    movz x2, #0x0026
    movk x2, #0x2, lsl #16
    str x2, [x1]
    str x28, [x1, #8]
    mov w0, #0x20
    hlt #0xf000
hang:
    b hang

// do_passes: x27 passes of mode x22 over x25 slots of x20 bytes at x23.
do_passes:
    cmp x22, #1
    b.eq rand_pass
    b.hi chase_pass
seq_pass:
    mov x5, x23
    add x6, x23, x19
seq_loop:
    ldr x0, [x5]
    add x5, x5, x20
    cmp x5, x6
    b.lo seq_loop
    subs x27, x27, #1
    b.ne seq_pass
    ret
rand_pass:
    movz x10, #0x4e6d
    movk x10, #0x41c6, lsl #16
    mov x11, #12345
    mov x12, xzr
rand_outer:
    mov x13, x25
rand_loop:
    madd x12, x12, x10, x11
    and x12, x12, x26
    madd x5, x12, x20, x23
    ldr x0, [x5]
    subs x13, x13, #1
    b.ne rand_loop
    subs x27, x27, #1
    b.ne rand_outer
    ret
chase_pass:
    mov x5, x23
chase_outer:
    mov x13, x25
chase_loop:
    ldr x5, [x5]
    subs x13, x13, #1
    b.ne chase_loop
    subs x27, x27, #1
    b.ne chase_outer
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
