// hyp-vcpus: every CPU of the machine says hello in turn, woken by an SGI. The same guest runs on
// the board with --smp N (and on QEMU virt -smp N) and as a VM with N vCPUs under --hyp
// ("vcpus": N in --hyp-config): it finds N in GICD_TYPER.CPUNumber, starts CPU i with PSCI
// CPU_ON (context id i), wakes it with SGI 1 sent through GICD_SGIR to target list 1 << i, and
// waits for its answer (SGI 2, target list 1 = CPU 0) and for AFFINITY_INFO(i) to say OFF after
// the CPU's CPU_OFF. Each CPU checks that MPIDR_EL1.Aff0 is its context id and that the SGI came
// from CPU 0 (GICC_IAR bits [12:10]). Output (N = 4) in guests/expected/hyp-vcpus.txt.
//
// Keystone-compatible syntax (see hello.S): no macros, no numeric local labels.
    .global _start
_start:
    movz x9, #0x0800, lsl #16    // x9: GICD
    movz x10, #0x0801, lsl #16   // x10: GICC (a VM's: the GICV frame)
    movz x11, #0x0900, lsl #16   // x11: PL011
    adr x1, vectors
    msr vbar_el1, x1
    isb
    mov w1, #1
    str w1, [x9]                 // GICD_CTLR.EnableGrp0
    str w1, [x10]                // GICC_CTLR.EnableGrp0
    mov w1, #0xff
    str w1, [x10, #4]            // GICC_PMR: every priority
    msr daifclr, #2
    ldr w20, [x9, #4]            // GICD_TYPER
    ubfx w20, w20, #5, #3
    add w20, w20, #1             // x20: number of CPUs
    adr x1, msg_cpus
    bl puts
    add w0, w20, #'0'
    bl putc
    mov w0, #'\n'
    bl putc
    mov x22, #1                  // x22: the CPU being started
next_cpu:
    cmp x22, x20
    b.ge all_done
    movz x0, #3
    movk x0, #0xc400, lsl #16    // CPU_ON (SMC64 id)
    mov x1, x22
    adr x2, secondary
    mov x3, x22                  // context id = CPU number
    hvc #0
    cbnz x0, fail
    mov x18, #0                  // SGIs taken so far
    mov w1, #1
    lsl w1, w1, w22
    lsl w1, w1, #16              // CPUTargetList = CPU x22, TargetListFilter 0
    add w1, w1, #1               // SGIINTID 1
    str w1, [x9, #0xf00]         // GICD_SGIR
wait_answer:
    msr daifset, #2              // check and sleep with IRQs masked: an SGI taken between the
    cbnz x18, answered           // check and the WFI would leave it asleep for good; WFI still
    wfi                          // wakes for a masked pending interrupt, taken at the unmask
    msr daifclr, #2
    b wait_answer
answered:
    msr daifclr, #2
    and w2, w21, #0x3ff
    cmp w2, #2
    b.ne fail
    ubfx w23, w21, #10, #3       // the source CPU of the answer
    cmp x23, x22
    b.ne fail
wait_off:
    movz x0, #4
    movk x0, #0xc400, lsl #16    // AFFINITY_INFO (SMC64 id)
    mov x1, x22
    mov x2, #0
    hvc #0
    cmp x0, #1                   // OFF
    b.ne wait_off
    adr x1, msg_answer
    bl puts
    add w0, w23, #'0'
    bl putc
    adr x1, msg_affinity
    bl puts
    add w0, w22, #'0'
    bl putc
    adr x1, msg_off
    bl puts
    add x22, x22, #1
    b next_cpu
all_done:
    adr x1, msg_all
    bl puts
    add w0, w20, #'0'
    bl putc
    adr x1, msg_done
    bl puts
    movz x0, #0x0008
    movk x0, #0x8400, lsl #16    // SYSTEM_OFF
    hvc #0

secondary:
    mov x19, x0                  // context id
    movz x9, #0x0800, lsl #16
    movz x10, #0x0801, lsl #16
    movz x11, #0x0900, lsl #16
    adr x1, vectors
    msr vbar_el1, x1
    isb
    mov w1, #1
    str w1, [x10]                // this CPU's own GICC_CTLR
    mov w1, #0xff
    str w1, [x10, #4]
    mov x18, #0
    msr daifclr, #2
wait_sgi:
    msr daifset, #2              // as wait_answer
    cbnz x18, woken
    wfi
    msr daifclr, #2
    b wait_sgi
woken:
    mrs x1, mpidr_el1
    and x1, x1, #0xff
    cmp x1, x19
    b.ne fail                    // MPIDR_EL1.Aff0 is the context id CPU 0 gave
    and w2, w21, #0x3ff
    cmp w2, #1
    b.ne fail
    ubfx w3, w21, #10, #3
    cbnz w3, fail                // from CPU 0
    adr x1, msg_up
    bl puts
    add w0, w19, #'0'
    bl putc
    adr x1, msg_up2
    bl puts
    movz w1, #0x0001, lsl #16    // CPUTargetList = CPU 0
    add w1, w1, #2               // SGIINTID 2
    str w1, [x9, #0xf00]
    movz x0, #2
    movk x0, #0x8400, lsl #16    // CPU_OFF
    hvc #0
fail:
    adr x1, msg_fail
    bl puts
    movz x0, #0x0008
    movk x0, #0x8400, lsl #16
    hvc #0

// putc(w0), puts(x1): on the PL011 at x11, waiting while its TX FIFO is full.
putc:
    ldr w3, [x11, #0x18]
    tbnz w3, #5, putc
    str w0, [x11]
    ret
puts:
    mov x4, x30
puts_loop:
    ldrb w0, [x1], #1
    cbz w0, puts_end
    bl putc
    b puts_loop
puts_end:
    mov x30, x4
    ret

msg_cpus:     .asciz "CPUs: "
msg_answer:   .asciz "CPU 0: SGI 2 from CPU "
msg_affinity: .asciz ", AFFINITY_INFO("
msg_off:      .asciz ") = OFF\n"
msg_up:       .asciz "CPU "
msg_up2:      .asciz " up: MPIDR_EL1.Aff0 = context id, SGI 1 from CPU 0\n"
msg_all:      .asciz "all "
msg_done:     .asciz " CPUs said hello\n"
msg_fail:     .asciz "FAILED\n"

// IRQ from the current EL with SP_ELx (VBAR + 0x280): acknowledge, complete, note it.
    .balign 0x800
vectors:
    .space 0x280
    ldr w2, [x10, #0xc]          // GICC_IAR
    str w2, [x10, #0x10]         // GICC_EOIR
    mov x21, x2
    add x18, x18, #1
    eret
