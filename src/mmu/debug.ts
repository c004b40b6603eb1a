// The debugger's view of a translation: every stage and level of the walk as it would happen now,
// the final attributes and permissions, and whether the TLB model holds (possibly stale) an entry
// that the CPU would use instead. Touches neither the TLB model, its statistics, nor guest state.
import type { Cpu } from '../cpu/cpu.js';
import { ACC_READ, ACC_WRITE, ACC_FETCH, faultKind, FaultRecord } from './faults.js';
import { describeAttr } from './attrs.js';
import { walkOnlyMmu, mmuOf, MODE_WALK } from './translate.js';
import { RG_S1, RG_S2, P_R0, P_R1, P_W0, P_W1, P_X0, P_X1, P_S2R, P_S2W, P_S2X } from './tlb.js';
import { S2Out, type WalkStep } from './walk.js';

export interface TranslationReport {
  va: bigint;
  access: 'read' | 'write' | 'fetch';
  el: number;
  stage1: boolean;
  stage2: boolean;
  vmid: number;
  asid: number;
  /** Stage-1 walk parameters (when stage 1 is enabled and the VA is in a range). */
  ttbr?: 0 | 1;
  granule?: number;
  inputSize?: number;
  startLevel?: number;
  steps: WalkStep[];
  ok: boolean;
  fault?: { kind: string; fsc: number; stage: number; level: number; s1ptw: boolean; ipa?: bigint };
  /**
   * [api17 tr] After a stage-1 permission fault with stage 2 on: the stage-2 fault the output IPA
   * would then take (the stage-1 fault comes first for the access; this only shows the mapping).
   */
  s2AfterFault?: { kind: string; level: number; ipa: bigint };
  ipa?: bigint;
  pa?: bigint;
  attr?: number;
  memory?: string;
  shareability?: string;
  /** Permissions as 'rwx' strings: stage 1 at EL1 and EL0, stage 2. */
  perms?: { el1: string; el0: string; s2: string };
  /** An entry for this VA in the TLB model (the CPU would use it instead of this walk). */
  tlb?: { level: string; pa: bigint };
}

const ACC_NAMES = ['read', 'write', 'fetch'] as const;
const SH_NAMES = ['Non-shareable', 'reserved', 'Outer Shareable', 'Inner Shareable'];

function rwx(p: number, r: number, w: number, x: number): string {
  return (p & r ? 'r' : '-') + (p & w ? 'w' : '-') + (p & x ? 'x' : '-');
}

/** Walk `va` for access `acc` (ACC_READ/WRITE/FETCH) at `el` (default: the current EL). */
export function translateDebug(cpu: Cpu, va: bigint, acc = ACC_READ, el = cpu.el === 0 ? 0 : 1): TranslationReport {
  const lo = Number(va & 0xffffffffn) | 0;
  const hi = Number((va >> 32n) & 0xffffffffn) | 0;
  const m = walkOnlyMmu(cpu);
  const steps: WalkStep[] = [];
  m.walker.trace = steps;
  let ok: boolean;
  try {
    ok = m.resolve(lo, hi, acc, el, MODE_WALK);
  } finally {
    m.walker.trace = null;
  }
  const r: TranslationReport = {
    va,
    access: ACC_NAMES[acc] ?? 'read',
    el,
    stage1: m.s1on,
    stage2: m.s2on,
    vmid: m.s1on || m.s2on ? m.vmid : 0,
    asid: m.s1on ? m.asid : 0,
    steps,
    ok,
  };
  if (m.s1on) {
    r.ttbr = m.s1.ttbr1 ? 1 : 0;
    r.granule = 2 ** m.s1.g;
    r.inputSize = m.s1.inputSize;
    r.startLevel = m.s1.startLevel;
  }
  const f = m.fault;
  if (!ok) {
    r.fault = { kind: faultKind(f.fsc), fsc: f.fsc, stage: f.stage, level: f.fsc & 3, s1ptw: f.s1ptw };
    if (f.stage === 2) r.fault.ipa = BigInt(f.ipa);
  }
  // A permission fault still has a complete mapping to show.
  if (ok || (f.fsc & 0x3c) === 0x0c) {
    // [api17 tr] A stage-1 permission fault is found before stage 2 translates the output address
    // (AArch64.S1Translate checks stage-1 permissions before AArch64.S2Translate), so the walk left
    // PA = IPA: walk stage 2 for the IPA here, for the display only, to show the true mapping.
    let s2perms = -1;
    let pa = m.pa;
    if (!ok && f.stage === 1 && m.s2on) {
      const o2 = new S2Out();
      const f2 = new FaultRecord();
      m.walker.trace = steps;
      try {
        if (m.walker.s2Translate(m.ipa, m.s2, o2, f2, false)) {
          pa = o2.pa;
          s2perms = o2.perms;
        } else {
          s2perms = 0;
          pa = -1;
          r.s2AfterFault = { kind: faultKind(f2.fsc), level: f2.fsc & 3, ipa: BigInt(m.ipa) };
        }
      } finally {
        m.walker.trace = null;
      }
    }
    r.ipa = BigInt(m.ipa);
    if (pa >= 0) r.pa = BigInt(pa);
    r.attr = m.attrs & 0xff;
    r.memory = describeAttr(r.attr);
    r.shareability = SH_NAMES[(m.attrs >>> 8) & 3];
    r.perms = {
      el1: rwx(m.perms, P_R1, P_W1, P_X1),
      el0: rwx(m.perms, P_R0, P_W0, P_X0),
      s2: m.s2on ? rwx(s2perms >= 0 ? s2perms : m.perms, P_S2R, P_S2W, P_S2X) : 'rwx',
    };
  }
  if (m.s1on || m.s2on) {
    const t = mmuOf(cpu).tlb;
    const regime = (m.s1on ? RG_S1 : 0) | (m.s2on ? RG_S2 : 0);
    const vlo = m.vaLo;
    const vhi = m.vaHi;
    for (const a of [acc === ACC_FETCH ? t.l1i : t.l1d, t.l2]) {
      const e = a.find(vlo, vhi, m.asid, m.vmid, regime);
      if (e >= 0) {
        const va48 = (vhi & 0xffff) * 4294967296 + (vlo >>> 0);
        r.tlb = { level: a.name, pa: BigInt(a.pa[e] + (va48 % 2 ** a.shift[e])) };
        break;
      }
    }
  }
  return r;
}

const hex = (v: bigint | number): string => '0x' + v.toString(16);

/** Human-readable lines for the debugger. */
export function formatTranslation(r: TranslationReport): string {
  const out: string[] = [];
  const regime = `${r.stage1 ? 'stage 1' : 'stage 1 off'}${r.stage2 ? ' + stage 2' : ''}`;
  out.push(`${r.access} ${hex(r.va)} at EL${r.el}: ${regime}, VMID ${r.vmid}, ASID ${r.asid}`);
  if (r.granule !== undefined) {
    out.push(`  TTBR${r.ttbr}_EL1, ${r.granule / 1024}K granule, ${r.inputSize}-bit VA, start level ${r.startLevel}`);
  }
  for (const s of r.steps) {
    const d = s.desc ? hex((BigInt(s.desc[1]) << 32n) | BigInt(s.desc[0])).padStart(18) : '(unread)'.padStart(18);
    const where = s.descPa !== s.descAddr ? `${hex(s.descAddr)} (PA ${hex(s.descPa)})` : hex(s.descAddr);
    out.push(`  S${s.stage} L${s.level} table ${hex(s.table)} desc @ ${where} = ${d}  ${s.result}`);
  }
  if (r.pa !== undefined) {
    const ipa = r.stage1 && r.stage2 ? ` IPA ${hex(r.ipa!)} ->` : '';
    out.push(`  =>${ipa} PA ${hex(r.pa)}, ${r.memory}, ${r.shareability}`);
    out.push(`  permissions: EL1 ${r.perms!.el1}, EL0 ${r.perms!.el0}, stage 2 ${r.perms!.s2}`);
  } else if (r.s2AfterFault !== undefined) {
    const a = r.s2AfterFault;
    out.push(`  => IPA ${hex(a.ipa)} -> no PA: stage 2 ${a.kind} (after the stage-1 fault below)`);
  }
  if (r.fault) {
    const s = r.fault;
    out.push(`  FAULT: stage ${s.stage} ${s.kind}${s.s1ptw ? ' on the stage-1 walk (S1PTW)' : ''}${s.ipa !== undefined ? `, IPA ${hex(s.ipa)}` : ''}`);
  }
  if (r.tlb) out.push(`  TLB: ${r.tlb.level} holds this VA -> PA ${hex(r.tlb.pa)} (used instead of a walk)`);
  return out.join('\n');
}

export { ACC_READ, ACC_WRITE, ACC_FETCH };

export interface TlbEntryView {
  structure: string;
  /** Input address (VA; IPA for the IPA cache) and the size it covers. */
  input: bigint;
  size: number;
  output: bigint;
  vmid: number;
  /** null for global entries. */
  asid: number | null;
  stage1: boolean;
  stage2: boolean;
  perms?: { el1: string; el0: string; s2: string };
  memory?: string;
}

/** Every valid entry of the TLB model (L1 I/D, L2, IPA cache, walk cache), for the debugger. */
export function tlbEntries(cpu: Cpu): TlbEntryView[] {
  const t = mmuOf(cpu).tlb;
  const out: TlbEntryView[] = [];
  for (const a of [t.l1i, t.l1d, t.l2, t.ipa, t.walk]) {
    const combined = a === t.l1i || a === t.l1d || a === t.l2;
    for (let e = 0; e < a.n; e++) {
      if (!a.valid[e]) continue;
      const input = (BigInt(a.inHi[e] >>> 0) << 32n) | BigInt(a.inLo[e] >>> 0);
      const v: TlbEntryView = {
        structure: a.name,
        input,
        size: 2 ** a.shift[e],
        output: BigInt(a.pa[e]),
        vmid: a.vmid[e],
        asid: a.global[e] ? null : a.asid[e],
        stage1: combined ? (a.regime[e] & RG_S1) !== 0 : a === t.walk,
        stage2: combined ? (a.regime[e] & RG_S2) !== 0 : a === t.ipa,
      };
      if (combined || a === t.ipa) {
        const p = a.perms[e];
        v.perms = { el1: rwx(p, P_R1, P_W1, P_X1), el0: rwx(p, P_R0, P_W0, P_X0), s2: rwx(p, P_S2R, P_S2W, P_S2X) };
        const s1 = a.attrs[e] & 0xff;
        v.memory = a === t.ipa ? describeAttr(a.attrs[e] & 0xff) : v.stage1 ? describeAttr(s1) : 'stage 1 off (per access)';
      }
      out.push(v);
    }
  }
  return out;
}

/** One line per TLB entry. */
export function formatTlb(cpu: Cpu): string {
  return tlbEntries(cpu)
    .map((v) => {
      const tag = `VMID ${v.vmid} ${v.asid === null ? 'global' : `ASID ${v.asid}`}`;
      const perms = v.perms ? ` EL1 ${v.perms.el1} EL0 ${v.perms.el0} S2 ${v.perms.s2}` : '';
      return `${v.structure.padEnd(10)} ${hex(v.input)} +${hex(v.size)} -> ${hex(v.output)}  ${tag}${perms}${v.memory ? ' ' + v.memory : ''}`;
    })
    .join('\n');
}
