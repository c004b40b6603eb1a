// PMU constants with no imports: the sysreg table (sysregs.ts -> pmu/regs.ts) needs them while the
// modules that import sysregs.ts are still being evaluated.

/** PMCR_EL0.N: event counters (the Cortex-A57 has 6). */
export const PMU_COUNTERS = 6;
/** The overflow interrupt: PPI 23 (INTID 23), as QEMU's virt wires it. */
export const PMU_PPI = 23;
/** PMCR_EL0 IMP[31:24] = 0x41 (Arm), IDCODE[23:16] = 0x01 (Cortex-A57), N[15:11]. */
export const PMCR_ID = (0x41 << 24) | (0x01 << 16) | (PMU_COUNTERS << 11);
/** Index of the cycle counter in the PMCNTEN/PMINTEN/PMOVS masks (bit 31). */
export const CCNT_BIT = 31;

/** MDCR_EL2 fields of the PMU (D13.2.67). */
export const MDCR_HPMN_MASK = 0x1f;
export const MDCR_TPMCR = 1 << 5;
export const MDCR_TPM = 1 << 6;
export const MDCR_HPME = 1 << 7;
