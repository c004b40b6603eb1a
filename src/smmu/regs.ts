// SMMUv3 register map and ID register values (IHI 0070, chapter 6 "Memory map and registers").
// Page 0 at +0x0, page 1 at +0x10000 (the EVENTQ/PRIQ PROD/CONS aliases). Only the Non-secure
// programming interface exists (IDR1/SMMU_S_* absent: no Secure state).

/** Size of the register frame: two 64 KiB pages. */
export const SMMU_FRAME_SIZE = 0x20000;
export const PAGE1 = 0x10000;

export const IDR0 = 0x00;
export const IDR1 = 0x04;
export const IDR2 = 0x08;
export const IDR3 = 0x0c;
export const IDR4 = 0x10;
export const IDR5 = 0x14;
export const IIDR = 0x18;
export const AIDR = 0x1c;
export const CR0 = 0x20;
export const CR0ACK = 0x24;
export const CR1 = 0x28;
export const CR2 = 0x2c;
export const STATUSR = 0x40;
export const GBPA = 0x44;
export const AGBPA = 0x48;
export const IRQ_CTRL = 0x50;
export const IRQ_CTRLACK = 0x54;
export const GERROR = 0x60;
export const GERRORN = 0x64;
export const GERROR_IRQ_CFG0 = 0x68; // 64-bit
export const GERROR_IRQ_CFG1 = 0x70;
export const GERROR_IRQ_CFG2 = 0x74;
export const STRTAB_BASE = 0x80; // 64-bit
export const STRTAB_BASE_CFG = 0x88;
export const CMDQ_BASE = 0x90; // 64-bit
export const CMDQ_PROD = 0x98;
export const CMDQ_CONS = 0x9c;
export const EVENTQ_BASE = 0xa0; // 64-bit
export const EVENTQ_PROD_P0 = 0xa8; // page-0 aliases of the page-1 registers
export const EVENTQ_CONS_P0 = 0xac;
export const EVENTQ_IRQ_CFG0 = 0xb0; // 64-bit
export const EVENTQ_IRQ_CFG1 = 0xb8;
export const EVENTQ_IRQ_CFG2 = 0xbc;
export const EVENTQ_PROD = PAGE1 + 0xa8;
export const EVENTQ_CONS = PAGE1 + 0xac;

// ---- CR0 (6.3.9) ----
export const CR0_SMMUEN = 1 << 0;
export const CR0_PRIQEN = 1 << 1;
export const CR0_EVENTQEN = 1 << 2;
export const CR0_CMDQEN = 1 << 3;
/** CR0 bits this model keeps (ATSCHK and VMW are RES0: no ATS, IDR0.VMW=0; PRIQEN: no PRI). */
export const CR0_MASK = CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN;

// ---- IRQ_CTRL (6.3.14) ----
export const IRQ_GERROR = 1 << 0;
export const IRQ_PRIQ = 1 << 1;
export const IRQ_EVENTQ = 1 << 2;

// ---- GERROR (6.3.15) ----
export const GERROR_CMDQ_ERR = 1 << 0;
export const GERROR_EVENTQ_ABT_ERR = 1 << 2;
export const GERROR_MSI_CMDQ_ABT_ERR = 1 << 4;
export const GERROR_MSI_EVENTQ_ABT_ERR = 1 << 5;
export const GERROR_MSI_GERROR_ABT_ERR = 1 << 7;
/** The GERROR bits this implementation can activate (no PRI queue, no SFM). */
export const GERROR_MASK = 0xb5;

// ---- GBPA (6.3.11) ----
export const GBPA_UPDATE = 1 << 31;
export const GBPA_ABORT = 1 << 20;

// ---- Implementation choices, advertised in the ID registers (see README) ----
/** StreamID bits: 2^16 streams. */
export const SIDSIZE = 16;
/** log2 of the largest command queue (256 entries of 16 bytes: one 4 KiB page). */
export const CMDQS = 8;
/** log2 of the largest event queue (128 entries of 32 bytes). */
export const EVENTQS = 7;
/** IDR5.OAS = 0b100: 44-bit output addresses, the PE's PARange. */
export const OAS_ENC = 4;

/**
 * IDR0 (6.3.1): S2P[0]=1, S1P[1]=1 (so nesting, Config 0b111, is supported), TTF[3:2]=0b10
 * (AArch64 tables only), COHACC[4]=1, BTM[5]=0, HTTU[7:6]=0, HYP[9]=1 (STRW=EL2, TLBI_EL2_*),
 * ATS[10]=0, ASID16[12]=1, MSI[13]=1, SEV[14]=0, ATOS[15]=0, PRI[16]=0, VMW[17]=0, VMID16[18]=1,
 * CD2L[19]=0, TTENDIAN[22:21]=0b10 (little-endian only), STALL_MODEL[25:24]=0b01 (no stalls:
 * terminate), TERM_MODEL[26]=1 (terminated transactions abort), ST_LEVEL[28:27]=0b01 (linear and
 * two-level stream tables).
 */
export const IDR0_VALUE =
  (1 << 0) | (1 << 1) | (2 << 2) | (1 << 4) | (1 << 9) | (1 << 12) | (1 << 13) | (1 << 18) | (2 << 21) | (1 << 24) | (1 << 26) | (1 << 27);
/** IDR1 (6.3.2): SIDSIZE[5:0], SSIDSIZE[10:6]=0 (no SubstreamIDs), PRIQS=0, EVENTQS[20:16], CMDQS[25:21]. */
export const IDR1_VALUE = SIDSIZE | (EVENTQS << 16) | (CMDQS << 21);
/** IDR5 (6.3.6): OAS[2:0], GRAN4K[4], GRAN16K[5], GRAN64K[6], VAX=0 (48-bit VAs), STALL_MAX=0. */
export const IDR5_VALUE = OAS_ENC | (1 << 4) | (1 << 5) | (1 << 6);
/** IIDR (6.3.7): Implementer 0 (no JEP106 code claimed), Revision/Variant 0, ProductID[31:20] 0x64. */
export const IIDR_VALUE = 0x64 << 20;
/** AIDR (6.3.8): ArchMajorRev 0, ArchMinorRev 0 = SMMUv3.0. */
export const AIDR_VALUE = 0;

export const IDR0_HYP = 1 << 9;
export const IDR0_MSI = 1 << 13;
