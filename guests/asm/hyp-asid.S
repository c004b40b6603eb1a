// hyp-asid: for the hypervisor (a64hv run --hyp A B). Every VM runs this same image: it turns its
// stage-1 MMU on with the SAME ASID (5) and the same VA -> IPA map, writes its VM number into a
// private page at VA 0x4020_0000, then three times gives up the CPU (A64HV_YIELD) and checks that
// the page, TPIDR_EL1 and D0 still hold its own number, printing "vmN: round R ok" (or "BAD").
// With VMID-tagged TLBs both VMs' translations coexist; without tagging the hypervisor must flush
// on every world switch, or one VM would read the other's page through a stale translation.
// Uses the a64hv hypercalls (A64HV_VM_INFO, A64HV_YIELD), so it does not run on QEMU.
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    movz x28, #0x0900, lsl #16   // x28: PL011 (emulated by trap)
    movz x0, #0x0001             // A64HV_VM_INFO: x0 = VM number
    movk x0, #0xc600, lsl #16
    hvc #0
    mov x27, x0                  // x27: VM number
    msr tpidr_el1, x27
    mov x1, #0x300000            // CPACR_EL1.FPEN: FP/SIMD on
    msr cpacr_el1, x1
    isb
    fmov d0, x27
    // Stage 1: one level-1 table (39-bit VA) at 0x40100000: [0] 0-1G Device, [1] 1G-2G Normal, nG.
    movz x1, #0x4010, lsl #16
    movz x2, #0x0401
    str x2, [x1]
    movz x2, #0x0f05
    movk x2, #0x4000, lsl #16
    str x2, [x1, #8]
    movz x2, #0xff00             // MAIR: attr0 Device-nGnRnE, attr1 Normal WB
    msr mair_el1, x2
    movz x2, #0x3519             // T0SZ=25, WB walks, inner shareable, EPD1, IPS=40 bits
    movk x2, #0x0080, lsl #16
    movk x2, #0x0002, lsl #32
    msr tcr_el1, x2
    movz x2, #0x0005, lsl #48    // ASID 5 in every VM
    orr x2, x2, x1
    msr ttbr0_el1, x2
    isb
    mrs x2, sctlr_el1
    orr x2, x2, #1               // M
    orr x2, x2, #4               // C
    orr x2, x2, #0x1000          // I
    msr sctlr_el1, x2
    isb
    movz x20, #0x4020, lsl #16   // the private page (same VA and IPA in every VM)
    str x27, [x20]
    mov x19, #1                  // round
round:
    movz x0, #0x0003             // A64HV_YIELD
    movk x0, #0xc600, lsl #16
    hvc #0
    ldr x3, [x20]
    mrs x4, tpidr_el1
    fmov x5, d0
    mov w0, #0x76                // 'v'
    bl putc
    mov w0, #0x6d                // 'm'
    bl putc
    add w0, w27, #0x30
    bl putc
    mov w0, #0x3a                // ':'
    bl putc
    mov w0, #0x20
    bl putc
    adr x6, s_round
    bl puts
    add w0, w19, #0x30
    bl putc
    adr x6, s_ok
    cmp x3, x27
    b.ne bad
    cmp x4, x27
    b.ne bad
    cmp x5, x27
    b.eq good
bad:
    adr x6, s_bad
good:
    bl puts
    add x19, x19, #1
    cmp x19, #4
    b.ne round
    movz x0, #0x0008             // PSCI SYSTEM_OFF
    movk x0, #0x8400, lsl #16
    hvc #0
hang:
    b hang

putc:
    str w0, [x28]
    ret
puts:                            // x6: string; clobbers w0, x6
    ldrb w0, [x6], #1
    cbz w0, puts_done
    str w0, [x28]
    b puts
puts_done:
    ret

s_round:
    .asciz "round "
s_ok:
    .asciz " ok\n"
s_bad:
    .asciz " BAD\n"
