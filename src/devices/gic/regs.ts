// GICv2 register offsets and bit fields, named as in the GIC Architecture Specification v2
// (ARM IHI 0048B), chapter 4 (Distributor, CPU interface) and chapter 5 (virtual interface).

// Distributor (GICD), IHI 0048B 4.1.2 Table 4-1.
export const GICD_CTLR = 0x000;
export const GICD_TYPER = 0x004;
export const GICD_IIDR = 0x008;
export const GICD_IGROUPR = 0x080;
export const GICD_ISENABLER = 0x100;
export const GICD_ICENABLER = 0x180;
export const GICD_ISPENDR = 0x200;
export const GICD_ICPENDR = 0x280;
export const GICD_ISACTIVER = 0x300;
export const GICD_ICACTIVER = 0x380;
export const GICD_IPRIORITYR = 0x400;
export const GICD_ITARGETSR = 0x800;
export const GICD_ICFGR = 0xc00;
export const GICD_SGIR = 0xf00;
export const GICD_CPENDSGIR = 0xf10;
export const GICD_SPENDSGIR = 0xf20;
export const GICD_PIDR4 = 0xfd0;
export const GICD_PIDR0 = 0xfe0;
export const GICD_PIDR2 = 0xfe8;
export const GICD_CIDR0 = 0xff0;

// GICD_CTLR without the Security Extensions (4.3.1): two group enables.
export const GICD_CTLR_ENABLEGRP0 = 1 << 0;
export const GICD_CTLR_ENABLEGRP1 = 1 << 1;

// CPU interface (GICC) and, with the same layout, the virtual CPU interface (GICV):
// 4.1.3 Table 4-2 and 5.3 Table 5-10.
export const GICC_CTLR = 0x00;
export const GICC_PMR = 0x04;
export const GICC_BPR = 0x08;
export const GICC_IAR = 0x0c;
export const GICC_EOIR = 0x10;
export const GICC_RPR = 0x14;
export const GICC_HPPIR = 0x18;
export const GICC_ABPR = 0x1c;
export const GICC_AIAR = 0x20;
export const GICC_AEOIR = 0x24;
export const GICC_AHPPIR = 0x28;
export const GICC_APR0 = 0xd0;
export const GICC_NSAPR0 = 0xe0;
export const GICC_IIDR = 0xfc;
export const GICC_DIR = 0x1000;

// GICC_CTLR, GICv2 without the Security Extensions (4.4.1). Bit 9 is the single EOImode
// (it is the bit Linux calls EOImodeNS: the same position as EOImodeNS in a Non-secure copy).
export const GICC_CTLR_ENABLEGRP0 = 1 << 0;
export const GICC_CTLR_ENABLEGRP1 = 1 << 1;
export const GICC_CTLR_ACKCTL = 1 << 2;
export const GICC_CTLR_FIQEN = 1 << 3;
export const GICC_CTLR_CBPR = 1 << 4;
export const GICC_CTLR_EOIMODE = 1 << 9;
/** Writable bits: the above plus the four bypass-disable bits [8:5] (stored, no effect here). */
export const GICC_CTLR_MASK = 0x3ff;

// Virtual interface control (GICH), 5.3 Table 5-9.
export const GICH_HCR = 0x00;
export const GICH_VTR = 0x04;
export const GICH_VMCR = 0x08;
export const GICH_MISR = 0x10;
export const GICH_EISR0 = 0x20;
export const GICH_EISR1 = 0x24;
export const GICH_ELRSR0 = 0x30;
export const GICH_ELRSR1 = 0x34;
export const GICH_APR = 0xf0;
export const GICH_LR0 = 0x100;

// GICH_HCR (5.3.2).
export const HCR_EN = 1 << 0;
export const HCR_UIE = 1 << 1;
export const HCR_LRENPIE = 1 << 2;
export const HCR_NPIE = 1 << 3;
export const HCR_VGRP0EIE = 1 << 4;
export const HCR_VGRP0DIE = 1 << 5;
export const HCR_VGRP1EIE = 1 << 6;
export const HCR_VGRP1DIE = 1 << 7;
export const HCR_EOICOUNT_SHIFT = 27;
export const HCR_MASK = 0xf80000ff;

// GICH_MISR (5.3.5).
export const MISR_EOI = 1 << 0;
export const MISR_U = 1 << 1;
export const MISR_LRENP = 1 << 2;
export const MISR_NP = 1 << 3;
export const MISR_VGRP0E = 1 << 4;
export const MISR_VGRP0D = 1 << 5;
export const MISR_VGRP1E = 1 << 6;
export const MISR_VGRP1D = 1 << 7;

// GICH_VMCR (5.3.4): the VM's GICV_CTLR bits sit at the same positions ([9], [4:0]).
export const VMCR_CTLR_MASK = 0x21f;
export const VMCR_VMABP_SHIFT = 18;
export const VMCR_VMBP_SHIFT = 21;
export const VMCR_VMPRIMASK_SHIFT = 27;
export const VMCR_MASK = 0xf8fc021f;

// GICH_LR<n> (5.3.10).
export const LR_VIRTUALID_MASK = 0x3ff;
export const LR_PHYSICALID_SHIFT = 10; // HW=1: PhysicalID [19:10]
export const LR_CPUID_SHIFT = 10; // HW=0: CPUID [12:10] for SGIs
export const LR_EOI = 1 << 19; // HW=0: maintenance interrupt on deactivation
export const LR_PRIORITY_SHIFT = 23; // [27:23], priority[7:3]
export const LR_STATE_SHIFT = 28;
export const LR_STATE_PENDING = 1;
export const LR_STATE_ACTIVE = 2;
export const LR_GRP1 = 1 << 30;
export const LR_HW = 1 << 31;
export const LR_MASK = 0xff8fffff; // [22:20] reserved

export const LINE_IRQ = 1;
export const LINE_FIQ = 2;
export const LINE_VIRQ = 4;
export const LINE_VFIQ = 8;

/** Special INTIDs (3.2.5). */
export const INTID_SPURIOUS = 1023;
export const INTID_SPURIOUS_GRP1 = 1022;
/** The virtual interface maintenance interrupt, PPI 9 on the QEMU virt board (INTID 25). */
export const INTID_MAINTENANCE = 25;

// GIC-400-like identification.
export const GICD_IIDR_VALUE = 0x0200143b;
export const GICC_IIDR_VALUE = 0x0202143b;
/** GICH_VTR: PRIbits-1 = 4, PREbits-1 = 4 (5 bits each), ListRegs-1 = 3. */
export const GICH_VTR_VALUE = (4 << 29) | (4 << 26) | 3;
export const NUM_LRS = 4;
/** 5 implemented priority bits: priority fields keep bits [7:3]. */
export const PRIORITY_MASK = 0xf8;
/** Minimum GICC_BPR with 5 priority bits (3.3.3): 7 - 5 = 2; GICC_ABPR minimum is one more. */
export const MIN_BPR = 2;
export const MIN_ABPR = 3;

/**
 * GICD_PIDR4..7 (0xFD0-0xFDC), PIDR0..3 (0xFE0-0xFEC), CIDR0..3 (0xFF0-0xFFC) as a GIC-400
 * reports them: part 0x490, designer ARM (JEP106 0x3B), architecture revision 2 in PIDR2[7:4].
 */
export const GICD_ID_REGS: readonly number[] = [
  0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
];
