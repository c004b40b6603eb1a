// mmu-start: an entry point for C guests that need the MMU on.
//
// With the MMU off every data access is Device memory, where any unaligned access
// takes an Alignment fault (QEMU 7.2 does not model this; a64hv and hardware do).
// Parts of the prebuilt picolibc make unaligned accesses (__dtoa_engine stores a
// halfword at an odd address when printing doubles), so guests using them identity-
// map the low 2 GiB with 1 GiB blocks (Device below RAM, Normal write-back RAM),
// turn on the MMU and caches, then enter picolibc's _start. The table lives at a
// fixed page above picolibc's RAM region, out of reach of its .bss clearing.
    .text
    .global mmu_start
mmu_start:
    movz x0, #0x4180, lsl #16    // level 1 table at 0x4180_0000 (4 KiB aligned)
    movz x1, #0x0401             // [0] 0x0000_0000 1 GiB block: AF, AttrIndx 0 (Device-nGnRnE)
    str x1, [x0]
    movz x1, #0x0705             // [1] 0x4000_0000 1 GiB block: AF, inner shareable,
    movk x1, #0x4000, lsl #16    //     AttrIndx 1 (Normal write-back)
    str x1, [x0, #8]
    str xzr, [x0, #16]           // [2], [3] invalid
    str xzr, [x0, #24]
    movz x1, #0xff00             // MAIR_EL1: Attr0 Device-nGnRnE, Attr1 Normal WB RW-allocate
    msr mair_el1, x1
    movz x1, #0x3520             // TCR_EL1: T0SZ 32 (4 GiB), WB walks, inner shareable,
    movk x1, #0x0080, lsl #16    //          4 KiB granule, EPD1 (no TTBR1 walks), IPS 4 GiB
    msr tcr_el1, x1
    msr ttbr0_el1, x0
    dsb ish
    tlbi vmalle1
    dsb ish
    isb
    mrs x1, sctlr_el1
    movz x2, #0x1005             // M | C | I
    orr x1, x1, x2
    msr sctlr_el1, x1
    isb
    b _start
