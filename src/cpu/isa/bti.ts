// FEAT_BTI (Armv8.5 branch target identification) on the models that advertise it
// (ID_AA64PFR1_EL1.BT, profile.ts):
//  * PSTATE.BTYPE (SPSR bits 11:10, kept in cpu.pstateOther) is written by the indirect branches:
//    BR/BRAA... 01 or 11, BLR/BLRAA... 10 (the ARM ARM's BTypeNext); every other instruction
//    leaves 00. It is saved in SPSR on exception entry (and cleared), restored by ERET.
//  * The check (BranchTargetCheck): the first instruction executed with BTYPE != 00 in a guarded
//    page (stage-1 leaf GP bit, mmu/translate.ts P_GP) must be a compatible BTI, PACIASP/PACIBSP,
//    BRK or HLT, or the Branch Target exception (EC 0x0D, ISS = BTYPE) is taken there.
// How it is run: the BTYPE-setting branches end their block with ST_SYNC, so the next block is
// always looked up by the run loop (fetchPa, never a chain or a compiled region's jump), which
// calls btiCheck for that block's first instruction and clears BTYPE. Both engines go through
// that lookup, so the check holds under the JIT; the price on `--cpu max` is that BR/BLR leave
// compiled regions.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { srcZR, dstZR } from './common.js';
import { ST_SYNC } from '../state.js';
import { SYS } from '../sysregs.js';
import { FC_MASK, PAGE_MASK } from '../fastmem.js';
import { walkOnlyMmu, ACC_FETCH, MODE_WALK } from '../../mmu/translate.js';
import { P_GP } from '../../mmu/tlb.js';
import { branchAddrNpc } from './branch-addr.js';

export const PSTATE_BTYPE = 3 << 10;
export const EC_BTI = 0x0d;

export const haveBti = (cpu: Cpu): boolean => (cpu.sysLo(SYS.ID_AA64PFR1_EL1) & 0xf) !== 0;

/** Is the page of VA (lo, hi) guarded? From the fetch entry of the fast cache, else a quiet walk. */
function guardedAt(cpu: Cpu, lo: number, hi: number): boolean {
  const i = cpu.fcBase | ((lo >>> 12) & FC_MASK);
  if (cpu.xTag[i] === (lo & PAGE_MASK) && cpu.xHi[i] === hi) return cpu.xGp[i] !== 0;
  const m = walkOnlyMmu(cpu);
  return m.resolve(lo, hi, ACC_FETCH, cpu.el === 0 ? 0 : 1, MODE_WALK) && (m.perms & P_GP) !== 0;
}

/**
 * Set PSTATE.BTYPE for the branch that just executed (BTypeNext) and end the block so that the
 * run loop looks the target up (and checks it). `kind`: 0 a BR-like branch through register `n`
 * (01 from a non-guarded page or with X16/X17, 11 otherwise), 1 BLR-like (10).
 */
export function setBtype(cpu: Cpu, kind: number, n: number): void {
  let bt: number;
  if (kind === 1) bt = 2;
  else bt = n === 16 || n === 17 || !guardedAt(cpu, cpu.pcLo, cpu.pcHi) ? 1 : 3;
  cpu.pstateOther = (cpu.pstateOther & ~PSTATE_BTYPE) | (bt << 10);
  cpu.status = ST_SYNC;
}

/**
 * BranchTargetCheck for the instruction `raw` at (lo, hi), the first of a block looked up while
 * PSTATE.BTYPE != 00. Returns true with the Branch Target exception pending; otherwise clears
 * BTYPE (the instruction executes with BTypeNext = 00).
 */
export function btiCheck(cpu: Cpu, raw: number, lo: number, hi: number): boolean {
  const bt = (cpu.pstateOther >>> 10) & 3;
  if (guardedAt(cpu, lo, hi) && !compatible(cpu, raw >>> 0, bt)) {
    cpu.raise(EC_BTI, bt, 0);
    return true;
  }
  cpu.pstateOther &= ~PSTATE_BTYPE;
  return false;
}

/** The instructions a guarded page may start an indirect branch's target with, per BTYPE. */
function compatible(cpu: Cpu, raw: number, bt: number): boolean {
  // BTI {c|j|jc}: HINT #32/34/36/38 (CRm = 0100, op2 = targets:0). c: 01, 10; j: 01, 11; jc: any.
  if ((raw & 0xffffff3f) >>> 0 === 0xd503241f) {
    const t = (raw >>> 6) & 3;
    return t === 3 || (t === 1 && bt !== 3) || (t === 2 && bt !== 2);
  }
  // PACIASP/PACIBSP: as BTI c, and with BTYPE 11 too unless SCTLR_EL1.BT0 (EL0) / BT1 (EL1) is set.
  if (raw === 0xd503233f || raw === 0xd503237f) {
    if (bt !== 3) return true;
    return ((cpu.sysHi(SYS.SCTLR_EL1) >>> (cpu.el === 0 ? 3 : 4)) & 1) === 0;
  }
  // BRK and HLT are compatible with any BTYPE (their exceptions take priority).
  const op = (raw & 0xffe0001f) >>> 0;
  return op === 0xd4200000 || op === 0xd4400000;
}

// BR/BLR on the BTI models (the same semantics as branch.ts's, plus BTypeNext).
function execBrBti(cpu: Cpu, i: Insn): void {
  cpu.npcLo = cpu.r[i.rn];
  cpu.npcHi = cpu.r[i.rn + 1];
  branchAddrNpc(cpu);
  setBtype(cpu, 0, i.rn >>> 1);
}
function execBlrBti(cpu: Cpu, i: Insn): void {
  const lo = cpu.r[i.rn];
  const hi = cpu.r[i.rn + 1];
  cpu.r[60] = cpu.npcLo;
  cpu.r[61] = cpu.npcHi;
  cpu.npcLo = lo;
  cpu.npcHi = hi;
  branchAddrNpc(cpu);
  setBtype(cpu, 1, 0);
}

export const bti: Encoding[] = [
  {
    name: 'BR (BTI)',
    pattern: '1101011 0000 11111 000000 nnnnn 00000',
    endsBlock: true,
    decode(raw, i) {
      i.rn = srcZR(bits(raw, 9, 5));
      i.exec = execBrBti;
    },
  },
  {
    name: 'BLR (BTI)',
    pattern: '1101011 0001 11111 000000 nnnnn 00000',
    endsBlock: true,
    decode(raw, i) {
      i.rn = srcZR(bits(raw, 9, 5));
      i.rd = dstZR(30);
      i.exec = execBlrBti;
    },
  },
];
