// Branches (ARM ARM C4.1.87, "Branches, exception generating and system instructions"):
// B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits, sext } from '../decode.js';
import { conditionHolds } from './common.js';

/** Set the next PC to PC-of-this-instruction + offset. The loop set npc = fall-through of the
 * block, and a branch is always the last instruction of its block, so PC = npc - 4. */
export function branchRel(cpu: Cpu, off: number): void {
  const pcLo = (cpu.npcLo - 4) | 0;
  const pcHi = (pcLo >>> 0) > (cpu.npcLo >>> 0) ? (cpu.npcHi - 1) | 0 : cpu.npcHi;
  const t = (pcLo >>> 0) + off; // off is a sign-extended int32 (|off| < 2^28)
  cpu.npcLo = t | 0;
  cpu.npcHi = (pcHi + (t > 0xffffffff ? 1 : t < 0 ? -1 : 0)) | 0;
}

function execB(cpu: Cpu, i: Insn): void {
  branchRel(cpu, i.imm);
}
function execBcond(cpu: Cpu, i: Insn): void {
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) branchRel(cpu, i.imm);
}

export const branch: Encoding[] = [
  {
    name: 'B',
    pattern: '0 00101 iiiiiiiiiiiiiiiiiiiiiiiiii',
    endsBlock: true,
    decode(raw, i) {
      i.imm = sext(bits(raw, 25, 0), 26) * 4;
      i.exec = execB;
    },
  },
  {
    name: 'B.cond',
    pattern: '0101010 0 iiiiiiiiiiiiiiiiiii 0 cccc',
    endsBlock: true,
    decode(raw, i) {
      i.imm = sext(bits(raw, 23, 5), 19) * 4;
      i.op = bits(raw, 3, 0);
      i.exec = execBcond;
    },
  },
];
