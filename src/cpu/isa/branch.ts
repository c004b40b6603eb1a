// Branches (ARM ARM C4.1.87, "Branches, exception generating and system instructions"):
// B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET. ERET lives with the system instructions.
//
// Every branch ends its block, so the run loop's npc (the block's fall-through) is PC + 4 when a
// branch executes: the instruction's own PC is npc - 4 and the link address (PC + 4) is npc.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits, sext } from '../decode.js';
import { conditionHolds, srcZR, dstZR } from './common.js';
import { defineEmit, condExpr, branchRelSrc } from '../emit.js';
import { branchAddrNpc } from './branch-addr.js';

/** Set the next PC to PC-of-this-instruction + offset. The loop set npc = fall-through of the
 * block, and a branch is always the last instruction of its block, so PC = npc - 4. */
export function branchRel(cpu: Cpu, off: number): void {
  const pcLo = (cpu.npcLo - 4) | 0;
  const pcHi = (pcLo >>> 0) > (cpu.npcLo >>> 0) ? (cpu.npcHi - 1) | 0 : cpu.npcHi;
  const t = (pcLo >>> 0) + off; // off is a sign-extended int32 (|off| < 2^28)
  cpu.npcLo = t | 0;
  cpu.npcHi = (pcHi + (t > 0xffffffff ? 1 : t < 0 ? -1 : 0)) | 0;
}

/** X30 = PC + 4 (the npc the loop set, since a branch is last in its block). */
function link(cpu: Cpu): void {
  cpu.r[60] = cpu.npcLo;
  cpu.r[61] = cpu.npcHi;
}

// B: BranchTo(PC + imm26:'00').
function execB(cpu: Cpu, i: Insn): void {
  branchRel(cpu, i.imm);
}
// BL: X[30] = PC + 4, then branch.
function execBl(cpu: Cpu, i: Insn): void {
  link(cpu);
  branchRel(cpu, i.imm);
}
// B.cond: ConditionHolds(cond) (NV behaves as AL in A64).
function execBcond(cpu: Cpu, i: Insn): void {
  if (conditionHolds(i.op, cpu.n, cpu.z, cpu.c, cpu.v)) branchRel(cpu, i.imm);
}
// CBZ/CBNZ: the W forms test only the low word.
function execCbzW(cpu: Cpu, i: Insn): void {
  if (cpu.r[i.rn] === 0) branchRel(cpu, i.imm);
}
function execCbnzW(cpu: Cpu, i: Insn): void {
  if (cpu.r[i.rn] !== 0) branchRel(cpu, i.imm);
}
function execCbzX(cpu: Cpu, i: Insn): void {
  if ((cpu.r[i.rn] | cpu.r[i.rn + 1]) === 0) branchRel(cpu, i.imm);
}
function execCbnzX(cpu: Cpu, i: Insn): void {
  if ((cpu.r[i.rn] | cpu.r[i.rn + 1]) !== 0) branchRel(cpu, i.imm);
}
// TBZ/TBNZ: i.rn is already the word holding bit b5:b40, i.imm2 the bit within that word.
function execTbz(cpu: Cpu, i: Insn): void {
  if (((cpu.r[i.rn] >>> i.imm2) & 1) === 0) branchRel(cpu, i.imm);
}
function execTbnz(cpu: Cpu, i: Insn): void {
  if (((cpu.r[i.rn] >>> i.imm2) & 1) !== 0) branchRel(cpu, i.imm);
}
// BR/RET: BranchTo(X[n]). A misaligned target takes a PC alignment fault at the target (fetch).
// BR, BLR, RET: BranchTo(AArch64.BranchAddr(X[n])) — the tag bits of the target cleared when TBI
// applies to it (branch-addr.ts; one compare when the target is untagged).
function execBr(cpu: Cpu, i: Insn): void {
  cpu.npcLo = cpu.r[i.rn];
  cpu.npcHi = cpu.r[i.rn + 1];
  branchAddrNpc(cpu);
}
// BLR: the target is read before X30 is written, so BLR X30 branches to the old X30.
function execBlr(cpu: Cpu, i: Insn): void {
  const lo = cpu.r[i.rn];
  const hi = cpu.r[i.rn + 1];
  link(cpu);
  cpu.npcLo = lo;
  cpu.npcHi = hi;
  branchAddrNpc(cpu);
}

// Translation templates (src/cpu/emit.ts): the handlers above with the fields as constants.
defineEmit(execB, (i, at) => branchRelSrc(i.imm, at));
defineEmit(execBl, (i, at) => `r[60] = cpu.npcLo; r[61] = cpu.npcHi; ${branchRelSrc(i.imm, at)}`);
defineEmit(execBcond, (i, at) => `if (${condExpr(i.op)}) ${branchRelSrc(i.imm, at)}`);
defineEmit(execCbzW, (i, at) => `if (r[${i.rn}] === 0) ${branchRelSrc(i.imm, at)}`);
defineEmit(execCbnzW, (i, at) => `if (r[${i.rn}] !== 0) ${branchRelSrc(i.imm, at)}`);
defineEmit(execCbzX, (i, at) => `if ((r[${i.rn}] | r[${i.rn + 1}]) === 0) ${branchRelSrc(i.imm, at)}`);
defineEmit(execCbnzX, (i, at) => `if ((r[${i.rn}] | r[${i.rn + 1}]) !== 0) ${branchRelSrc(i.imm, at)}`);
defineEmit(execTbz, (i, at) => `if (((r[${i.rn}] >>> ${i.imm2}) & 1) === 0) ${branchRelSrc(i.imm, at)}`);
defineEmit(execTbnz, (i, at) => `if (((r[${i.rn}] >>> ${i.imm2}) & 1) !== 0) ${branchRelSrc(i.imm, at)}`);
defineEmit(execBr, (i) => `cpu.npcLo = r[${i.rn}]; cpu.npcHi = r[${i.rn + 1}]; branchAddrNpc(cpu);`);
defineEmit(execBlr, (i) => `const lo = r[${i.rn}]; const hi = r[${i.rn + 1}]; r[60] = cpu.npcLo; r[61] = cpu.npcHi; cpu.npcLo = lo; cpu.npcHi = hi; branchAddrNpc(cpu);`);

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
    name: 'BL',
    pattern: '1 00101 iiiiiiiiiiiiiiiiiiiiiiiiii',
    endsBlock: true,
    decode(raw, i) {
      i.imm = sext(bits(raw, 25, 0), 26) * 4;
      i.exec = execBl;
    },
  },
  {
    // o1=0, o0=0. o0=1 is BC.cond (FEAT_HBC, not implemented): unmatched, so UNDEFINED.
    name: 'B.cond',
    pattern: '0101010 0 iiiiiiiiiiiiiiiiiii 0 cccc',
    endsBlock: true,
    decode(raw, i) {
      i.imm = sext(bits(raw, 23, 5), 19) * 4;
      i.op = bits(raw, 3, 0);
      i.exec = execBcond;
    },
  },
  {
    name: 'CBZ/CBNZ',
    pattern: 's 011010 o iiiiiiiiiiiiiiiiiii ttttt',
    endsBlock: true,
    decode(raw, i) {
      i.imm = sext(bits(raw, 23, 5), 19) * 4;
      i.rn = srcZR(bits(raw, 4, 0));
      const sf = bits(raw, 31, 31);
      const nz = bits(raw, 24, 24);
      i.sf = sf;
      i.exec = sf ? (nz ? execCbnzX : execCbzX) : nz ? execCbnzW : execCbzW;
    },
  },
  {
    name: 'TBZ/TBNZ',
    pattern: 'b 011011 o ddddd iiiiiiiiiiiiii ttttt',
    endsBlock: true,
    decode(raw, i) {
      // bit_pos = b5:b40; the W/X register form is just which register name b5 implies.
      const pos = (bits(raw, 31, 31) << 5) | bits(raw, 23, 19);
      i.imm = sext(bits(raw, 18, 5), 14) * 4;
      i.rn = srcZR(bits(raw, 4, 0)) + (pos >>> 5);
      i.imm2 = pos & 31;
      i.exec = bits(raw, 24, 24) ? execTbnz : execTbz;
    },
  },
  {
    // Xn=31 is XZR here (BranchTo(X[n])).
    name: 'BR',
    pattern: '1101011 0000 11111 000000 nnnnn 00000',
    endsBlock: true,
    decode(raw, i) {
      i.rn = srcZR(bits(raw, 9, 5));
      i.exec = execBr;
    },
  },
  {
    name: 'BLR',
    pattern: '1101011 0001 11111 000000 nnnnn 00000',
    endsBlock: true,
    decode(raw, i) {
      i.rn = srcZR(bits(raw, 9, 5));
      i.rd = dstZR(30);
      i.exec = execBlr;
    },
  },
  {
    name: 'RET',
    pattern: '1101011 0010 11111 000000 nnnnn 00000',
    endsBlock: true,
    decode(raw, i) {
      i.rn = srcZR(bits(raw, 9, 5));
      i.exec = execBr;
    },
  },
  // The pointer-authentication forms (BRAA, BLRAA, RETAA...: op3 = 00001x) are not matched:
  // FEAT_PAuth is not advertised (ID_AA64ISAR1_EL1.APA/API = 0), so they are UNDEFINED.
];
