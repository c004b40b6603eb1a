// hyp-isolation: for the hypervisor (a64hv run --hyp, default 128 MiB per VM). The guest tries to
// read memory that is not its own and reports what happened. Each access that leaves the VM's IPA
// space must come back as a synchronous external abort at EL1 (ESR_EL1 = 0x96000010: EC 0x25 data
// abort from EL1, IL, FSC 0x10; FAR_EL1 = the address), never as another VM's or the hypervisor's
// data. The hypervisor's own memory (stage-2 tables, physical 0x4000_0000-0x40ff_ffff) cannot even
// be named: IPA 0x4000_0000 is this VM's RAM. Hypervisor-specific: on QEMU bare metal these
// addresses are plain RAM or the GIC, so there is no QEMU recording (the test states the result).
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    movz x28, #0x0900, lsl #16   // x28: PL011
    adr x1, vectors
    msr vbar_el1, x1
    isb
    adr x19, targets             // x19: next address to try (0 ends the list)
try_next:
    ldr x20, [x19], #8
    cbz x20, done
    adr x6, s_read
    bl puts
    mov x0, x20
    bl print_hex
    mov x23, #0                  // set to ESR_EL1 by the exception handler
    ldr x1, [x20]
    cbnz x23, aborted
    adr x6, s_ok
    bl puts
    b try_next
aborted:
    adr x6, s_abort
    bl puts
    mov x0, x23
    bl print_hex
    adr x6, s_far
    bl puts
    mov x0, x24
    bl print_hex
    mov w0, #10
    str w0, [x28]
    b try_next
done:
    movz x0, #0x0008             // PSCI SYSTEM_OFF
    movk x0, #0x8400, lsl #16
    hvc #0
hang:
    b hang

    .include "lib/puts-x6.inc"

    .include "lib/print-hex.inc"

    .balign 8
targets:
    .quad 0x47fffff8             // the last doubleword of this VM's RAM: allowed
    .quad 0x48000000             // just past this VM's RAM
    .quad 0x49000000             // the physical address of the next VM's RAM
    .quad 0x08030000             // the GIC's hypervisor interface (GICH): the hypervisor's own
    .quad 0x09010000             // the PL031 RTC: assigned to VM 0 by stage 2 (no exit)
    .quad 0

s_read:
    .asciz "read "
s_ok:
    .asciz ": ok\n"
s_abort:
    .asciz ": synchronous external abort, ESR_EL1 "
s_far:
    .asciz " FAR_EL1 "

    .balign 0x800
vectors:
    .space 0x200
    mrs x23, esr_el1             // current EL with SP_ELx, synchronous: record and skip
    mrs x24, far_el1
    mrs x1, elr_el1
    add x1, x1, #4
    msr elr_el1, x1
    eret
