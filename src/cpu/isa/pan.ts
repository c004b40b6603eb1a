// FEAT_PAN and FEAT_UAO instructions (the PSTATE fields and their effects: ../pstate-v8x.ts,
// mmu/translate.ts): MSR PAN, #imm and MSR UAO, #imm (MSR immediate, op1=000, op2=100 / 011), and
// MRS/MSR of the PAN and UAO registers. Decoded only by the models with the features (profile.ts;
// the base decoder declines these encodings, which are UNDEFINED in Armv8.0).
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { srcZR, dstZR } from './common.js';
import { sysByKey, sysKey } from '../sysregs.js';
import { execMrs, execMsr } from './system.js';
import { PSTATE_PAN, PSTATE_UAO, setPstateBits } from '../pstate-v8x.js';
import { EC_UNKNOWN } from '../exceptions.js';

// MSR PAN, #imm / MSR UAO, #imm: PSTATE.<field> = CRm<0>; UNDEFINED at EL0 (op1 = 000). i.imm =
// the PSTATE bit. Ends the block: the next data access must see the new PAN.
function execMsrImm(cpu: Cpu, i: Insn): void {
  if (cpu.el === 0) return cpu.raise(EC_UNKNOWN, 0, 0);
  setPstateBits(cpu, i.imm, i.imm2 ? i.imm : 0);
}

export const pan: Encoding[] = [
  {
    name: 'MSR PAN/UAO, #imm',
    pattern: '1101010100 0 00 000 0100 mmmm ooo 11111',
    endsBlock: true,
    decode(raw, i) {
      const op2 = bits(raw, 7, 5);
      if (op2 !== 3 && op2 !== 4) return false;
      i.imm = op2 === 4 ? PSTATE_PAN : PSTATE_UAO;
      i.imm2 = bits(raw, 8, 8);
      i.exec = execMsrImm;
    },
  },
  {
    // MRS/MSR PAN (S3_0_C4_C2_3), UAO (S3_0_C4_C2_4): system.ts's handlers, reached only here.
    name: 'MSR/MRS (PAN, UAO)',
    pattern: '1101010100 l 1 1 000 0100 0010 ooo ttttt',
    endsBlock: true,
    decode(raw, i) {
      const d = sysByKey.get(sysKey(3, 0, 4, 2, bits(raw, 7, 5)));
      if (d === undefined || (d.feature !== 'pan' && d.feature !== 'uao')) return false;
      i.imm = d.slot;
      i.imm2 = 0;
      if (bits(raw, 21, 21)) {
        i.rd = dstZR(bits(raw, 4, 0));
        i.exec = execMrs;
      } else {
        i.rn = srcZR(bits(raw, 4, 0));
        i.exec = execMsr;
      }
      return true;
    },
  },
];
