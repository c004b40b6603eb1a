// The debugger's `tr sid=N ADDR`: a StreamID's translation walked as the SMMU would walk it now,
// shown like the CPU's `tr`. It reuses the SMMU model's own STE/CD decoding (src/smmu/config.ts:
// the same ILLEGAL checks, the same walk parameters) and the one walker the PE and the SMMU share
// (src/mmu/walk.ts) with caches and statistics off, so nothing of the model changes. The STE and CD
// are read from memory: the SMMU may still hold an older copy until CMD_CFGI_STE / CMD_CFGI_CD.
import type { Bus } from '../devices/bus.js';
import { Walker, S1Out, S2Out, type WalkStep } from '../mmu/walk.js';
import { FaultRecord, faultKind } from '../mmu/faults.js';
import { Tlb, RG_S1, RG_S2, P_R0, P_W0, P_R1, P_W1, P_S2R, P_S2W } from '../mmu/tlb.js';
import { s1Perms, s1PermsEl2, inS1Range } from '../mmu/params.js';
import { describeAttr } from '../mmu/attrs.js';
import { StreamConfig, ContextDesc, decodeSte, decodeCd, CONFIG_ABORT, CONFIG_BYPASS, STRW_EL2 } from '../smmu/config.js';
import { DEFAULT_IOTLB_CONFIG, RG_EL2 } from '../smmu/iotlb.js';
import type { Smmu } from '../smmu/smmu.js';
import { SmmuView, SmmuViewError } from './smmu-view.js';

const hex = (v: number): string => '0x' + v.toString(16);

function words(bus: Bus, pa: number): Int32Array | null {
  if (bus.ramOffset(pa) < 0 || bus.ramOffset(pa + 63) < 0) return null;
  const w = new Int32Array(16);
  for (let k = 0; k < 16; k++) w[k] = bus.read(pa + 4 * k, 4) | 0;
  return w;
}

function stepLines(steps: WalkStep[]): string[] {
  return steps.map((s) => {
    const d = s.desc ? hex((s.desc[1] >>> 0) * 2 ** 32 + (s.desc[0] >>> 0)).padStart(18) : '(unread)'.padStart(18);
    const where = s.descPa !== s.descAddr ? `${hex(s.descAddr)} (PA ${hex(s.descPa)})` : hex(s.descAddr);
    return `  S${s.stage} L${s.level} table ${hex(s.table)} desc @ ${where} = ${d}  ${s.result}`;
  });
}

/** The walk of `iova` for StreamID `sid` (a read, or a write), as lines of text. */
export function streamWalk(bus: Bus, smmu: Smmu | null, sid: number, iova: number, write: boolean, base?: number): string {
  const view = new SmmuView(bus, base);
  const out: string[] = [`${write ? 'write' : 'read'} ${hex(iova)} by StreamID ${sid}:`];
  const cr0 = view.dev.read(0x20, 4);
  if ((cr0 & 1) === 0) {
    const gbpa = view.dev.read(0x44, 4);
    out.push(`  SMMUEN=0: GBPA ${hex(gbpa)} ${(gbpa >>> 20) & 1 ? 'aborts it' : `lets it through: PA ${hex(iova)}`}`);
    return out.join('\n');
  }
  const steAt = view.steAddr(sid);
  const ste = words(bus, steAt);
  if (ste === null) throw new SmmuViewError(`the STE of StreamID ${sid} (${hex(steAt)}) is not in RAM: F_STE_FETCH`);
  const cfg = new StreamConfig();
  if (decodeSte(ste, sid, cfg) !== 0) {
    out.push(`  STE @ ${hex(steAt)}: ILLEGAL (V=${ste[0] & 1}): C_BAD_STE, the transaction is aborted`);
    return out.join('\n');
  }
  if (cfg.config === CONFIG_ABORT) {
    out.push(`  STE @ ${hex(steAt)}: Config abort: terminated, no event`);
    return out.join('\n');
  }
  if (cfg.config === CONFIG_BYPASS) {
    out.push(`  STE @ ${hex(steAt)}: Config bypass: PA ${hex(iova)} (untranslated)`);
    return out.join('\n');
  }
  out.push(`  STE @ ${hex(steAt)}: ${cfg.s1 && cfg.s2 ? 'nested (stage 1 + stage 2)' : cfg.s1 ? 'stage 1 only' : 'stage 2 only'}, VMID ${cfg.vmid}`);
  const steps: WalkStep[] = [];
  const walker = new Walker(bus, new Tlb(DEFAULT_IOTLB_CONFIG));
  walker.useCaches = false;
  walker.trace = steps;
  const f = new FaultRecord();
  const fault = (what: string): string => {
    out.push(...stepLines(steps));
    out.push(`  FAULT: ${what}: stage ${f.stage} ${faultKind(f.fsc)}${f.s1ptw ? ' on the stage-1 walk (CLASS TT)' : ''}${f.stage === 2 ? `, IPA ${hex(f.ipa)}` : ''} -> ${faultEvent(f.fsc)}, the transaction is aborted`);
    return out.join('\n');
  };
  let cd: ContextDesc | null = null;
  if (cfg.s1) {
    let cdPa = cfg.cdPtr;
    if (cfg.s2) {
      // Nested: S1ContextPtr is an IPA (5.2), translated by the STE's stage 2 (CLASS CD).
      const o = new S2Out();
      if (!walker.s2Translate(cfg.cdPtr, cfg.s2p, o, f, false)) return fault(`the CD address IPA ${hex(cfg.cdPtr)}`);
      cdPa = o.pa;
    }
    const w = words(bus, cdPa);
    if (w === null) throw new SmmuViewError(`the CD at ${hex(cdPa)} is not in RAM: F_CD_FETCH`);
    cd = new ContextDesc();
    if (decodeCd(w, cfg.strw, cd) !== 0) {
      out.push(`  CD @ ${hex(cdPa)}: ILLEGAL: C_BAD_CD, the transaction is aborted`);
      return out.join('\n');
    }
    out.push(`  CD @ ${hex(cdPa)}${cfg.s2 ? ` (IPA ${hex(cfg.cdPtr)})` : ''}: ASID ${cd.el2 ? '- (EL2)' : cd.asid}`);
  }
  const lo = iova % 2 ** 32 | 0;
  const hi = Math.floor(iova / 2 ** 32) | 0;
  const va48 = (hi & 0xffff) * 2 ** 32 + (lo >>> 0);
  let ipa = va48;
  let perms = P_R0 | P_W0 | P_R1 | P_W1;
  if (cd !== null) {
    const upper = cd.el2 ? 0 : (hi >>> 23) & 1;
    const p = upper ? cd.tt1 : cd.tt0;
    if (!inS1Range(p, upper, lo, hi) || p.epd) {
      f.set(0x04, 1, false, 0);
      return fault(`VA outside TTB${upper}'s range${p.epd ? ' (EPD)' : ''}`);
    }
    const o = new S1Out();
    if (!walker.s1Walk(va48, lo, hi, p, cfg.s2p, o, f)) return fault('stage-1 walk');
    ipa = o.oa + (va48 - Math.floor(va48 / 2 ** o.shift) * 2 ** o.shift);
    perms = cd.el2 ? s1PermsEl2(o.ap, o.uxn, p.wxn) : s1Perms(o.ap, o.uxn, o.pxn, p.wxn);
  }
  let pa = ipa;
  let attrs = '';
  let s2perms = P_S2R | P_S2W;
  if (cfg.s2) {
    const o = new S2Out();
    if (!walker.s2Translate(ipa, cfg.s2p, o, f, false)) return fault(cfg.s1 ? `IPA ${hex(ipa)}` : 'the input address');
    pa = o.pa;
    s2perms = o.perms;
    attrs = `, stage 2 ${describeAttr(o.attrs & 0xff)}`;
  }
  out.push(...stepLines(steps));
  out.push(`  =>${cfg.s1 && cfg.s2 ? ` IPA ${hex(ipa)} ->` : ''} PA ${hex(pa)}${attrs}`);
  // As the model checks them: unprivileged unless STE.PRIVCFG forces privileged (or the EL2 regime).
  const priv = cfg.privcfg === 3 || cfg.strw === STRW_EL2;
  const need = write ? P_W1 : P_R1;
  const s1ok = cd === null || (perms & (priv ? need : need << 3)) !== 0;
  const s2ok = (s2perms & (write ? P_S2W : P_S2R)) !== 0;
  const rw = (r: number, w: number): string => `${perms & r ? 'r' : '-'}${perms & w ? 'w' : '-'}`;
  out.push(
    `  permissions: ${[
      cd !== null ? `stage 1 ${priv ? rw(P_R1, P_W1) + ' (privileged)' : rw(P_R0, P_W0) + ' (unprivileged)'}` : '',
      cfg.s2 ? `stage 2 ${s2perms & P_S2R ? 'r' : '-'}${s2perms & P_S2W ? 'w' : '-'}` : '',
    ]
      .filter((x) => x !== '')
      .join(', ')}` +
      (s1ok && s2ok ? '' : ` -> F_PERMISSION at stage ${s1ok ? 2 : 1}, the transaction is aborted`),
  );
  if (smmu !== null) {
    const regime = (cfg.s1 ? RG_S1 : 0) | (cfg.s2 ? RG_S2 : 0) | (cfg.strw === STRW_EL2 ? RG_EL2 : 0);
    const l2 = smmu.iotlb.tlb.l2;
    const e = l2.find(lo, hi, cd?.asid ?? 0, cfg.vmid, regime);
    if (e >= 0) out.push(`  IOTLB: holds this address -> PA ${hex(l2.pa[e] + (va48 % 2 ** l2.shift[e]))} (used instead of a walk)`);
  }
  return out.join('\n');
}

/** The PA of `ipa` through StreamID `sid`'s stage 2 (a nested STE's CD pointer), or -1. */
export function streamS2ToPa(bus: Bus, sid: number, ipa: number, base?: number): number {
  const view = new SmmuView(bus, base);
  const ste = words(bus, view.steAddr(sid));
  const cfg = new StreamConfig();
  if (ste === null || decodeSte(ste, sid, cfg) !== 0 || !cfg.s2) return -1;
  const walker = new Walker(bus, new Tlb(DEFAULT_IOTLB_CONFIG));
  walker.useCaches = false;
  const o = new S2Out();
  return walker.s2Translate(ipa, cfg.s2p, o, new FaultRecord(), false) ? o.pa : -1;
}

/** The event a fault of this FSC records (IHI 0070 7.3.13-16). */
function faultEvent(fsc: number): string {
  switch (fsc & 0x3c) {
    case 0x00:
      return 'F_ADDR_SIZE';
    case 0x04:
      return 'F_TRANSLATION';
    case 0x08:
      return 'F_ACCESS';
    case 0x0c:
      return 'F_PERMISSION';
    default:
      return 'F_WALK_EABT';
  }
}
