// align-check: an alternative entry point used by `make check-align`.
// Sets SCTLR_EL1.A so that QEMU faults on every unaligned data access (it does
// not model the Alignment fault that Device memory, i.e. any access with the
// MMU off, takes on hardware), then enters the guest at _start. A guest that
// faults ends up at VBAR_EL1 = 0 (flash, all zeros: UDF) and hangs, so the
// check fails by timeout.
    .global align_start
align_start:
    mrs x0, sctlr_el1
    orr x0, x0, #2               // SCTLR_EL1.A: alignment checking
    msr sctlr_el1, x0
    isb
    b _start
