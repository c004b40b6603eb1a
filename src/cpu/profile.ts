// CPU models (`--cpu`): a profile chooses what the ID registers advertise AND which encodings
// decode. An encoding of a feature the profile lacks is not in its decoder, so it stays UNDEFINED
// (ARM ARM: an unimplemented feature's encodings are unallocated), as on the core it models.
//   a57  Armv8.0 + CRC32 + LSE + LRCPC + DPB + FP16: today's set, the default (QEMU cortex-a57 lacks
//        LSE/FP16; the ID registers below say exactly what we decode)
//   max  every implemented feature (as QEMU's -cpu max): a57 plus the isa/v8x groups
// README-isa.md lists what each advertises.
import type { Encoding } from './decode.js';
import { a64, a64max } from './isa/index.js';
import { SYS } from './sysregs.js';
import { UserError } from '../errors.js';

export interface CpuProfile {
  name: string;
  /** Decode groups, in priority order. */
  groups: Encoding[][];
  /** ID register values by name ([lo, hi] words) replacing the sysregs.ts reset values. */
  idRegs: Record<string, [number, number]>;
  /** Feature names (FEAT_*) this profile implements beyond Armv8.0, for docs and tests. */
  features: string[];
}

// ID_AA64ISAR0_EL1 fields (D19.2.61): AES[7:4] SHA1[11:8] SHA2[15:12] CRC32[19:16] Atomic[23:20]
// RDM[31:28] | SHA3[35:32] SM3[39:36] SM4[43:40] DP[47:44] FHM[51:48] TS[55:52].
const ISAR0_A57: [number, number] = [0x00210000, 0]; // CRC32=1, Atomic=2 (LSE)
const ISAR0_MAX: [number, number] = [
  (2 << 4) | (1 << 8) | (2 << 12) | (1 << 16) | (2 << 20) | (1 << 28), // AES+PMULL, SHA1, SHA256+SHA512, CRC32, LSE, RDM
  (1 << 0) | (1 << 4) | (1 << 8) | (1 << 12) | (1 << 16) | (2 << 20), // SHA3, SM3, SM4, DotProd, FHM, FlagM+FlagM2 (TS=2)
];
// ID_AA64ISAR1_EL1 (D19.2.62): DPB[3:0] APA[7:4] API[11:8] JSCVT[15:12] FCMA[19:16] LRCPC[23:20]
// GPA[27:24] GPI[31:28] | FRINTTS[35:32].
const ISAR1_A57: [number, number] = [0x00100001, 0]; // DPB=1, LRCPC=1
// + APA=1 (FEAT_PAuth, QARMA5), JSCVT, FCMA, LRCPC=2 (FEAT_LRCPC2: LDAPUR/STLUR), GPA=1 (PACGA with
// QARMA5) | FRINTTS
const ISAR1_MAX: [number, number] = [0x00000001 | (2 << 20) | (1 << 4) | (1 << 12) | (1 << 16) | (1 << 24), 1];

// [pauth] ID_AA64MMFR1_EL1 (D19.2.65): VMIDBits[7:4]=2 (as a57) + PAN[23:20]=1 (FEAT_PAN, no AT S1E1RP).
// ID_AA64MMFR2_EL1 (D19.2.66): CnP[3:0]=1 (FEAT_TTCNP: accepted, a no-op with one TLB per PE),
// UAO[7:4]=1 (FEAT_UAO) | AT[35:32]=1 (FEAT_LSE2: isa/lse2.ts).
// [pauth] ID_AA64PFR1_EL1 (D19.2.64): BT[3:0]=1 (FEAT_BTI).
const PFR1_MAX: [number, number] = [1, 0];
const MMFR1_MAX: [number, number] = [0x20 | (1 << 20), 0];
const MMFR2_MAX: [number, number] = [1 | (1 << 4), 1];

export const CPU_PROFILES: Record<string, CpuProfile> = {
  a57: {
    name: 'a57',
    groups: a64,
    idRegs: { ID_AA64ISAR0_EL1: ISAR0_A57, ID_AA64ISAR1_EL1: ISAR1_A57 },
    features: ['FEAT_CRC32', 'FEAT_LSE', 'FEAT_LRCPC', 'FEAT_DPB', 'FEAT_FP16'],
  },
  max: {
    name: 'max',
    groups: a64max,
    idRegs: { ID_AA64ISAR0_EL1: ISAR0_MAX, ID_AA64ISAR1_EL1: ISAR1_MAX, ID_AA64MMFR1_EL1: MMFR1_MAX, ID_AA64MMFR2_EL1: MMFR2_MAX, ID_AA64PFR1_EL1: PFR1_MAX },
    features: [
      'FEAT_CRC32', 'FEAT_LSE', 'FEAT_LRCPC', 'FEAT_DPB', 'FEAT_FP16',
      'FEAT_AES', 'FEAT_PMULL', 'FEAT_SHA1', 'FEAT_SHA256', 'FEAT_SHA512', 'FEAT_SHA3',
      'FEAT_RDM', 'FEAT_DotProd', 'FEAT_FlagM', 'FEAT_FlagM2', 'FEAT_JSCVT', 'FEAT_FCMA', 'FEAT_FHM', 'FEAT_FRINTTS',
      'FEAT_PAuth', 'FEAT_PACQARMA5', 'FEAT_PAN', 'FEAT_UAO', 'FEAT_TTCNP', 'FEAT_BTI', 'FEAT_SM3', 'FEAT_SM4',
      'FEAT_LSE2', 'FEAT_LRCPC2',
    ],
  },
};
export const DEFAULT_CPU = 'a57';

/** The profile by name; a clear error for an unknown one. */
export function cpuProfile(name: string = DEFAULT_CPU): CpuProfile {
  const p = Object.prototype.hasOwnProperty.call(CPU_PROFILES, name) ? CPU_PROFILES[name] : undefined;
  if (p === undefined) throw new UserError(`--cpu ${name}: unknown CPU model (known: ${Object.keys(CPU_PROFILES).join(', ')})`);
  return p;
}

/** The profile's ID register values as [slot, lo, hi] for Cpu.reset(). */
export function idRegSlots(p: CpuProfile): [number, number, number][] {
  return Object.entries(p.idRegs).map(([n, [lo, hi]]) => [SYS[n], lo | 0, hi | 0]);
}
