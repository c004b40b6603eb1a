// TLB maintenance (TLBI) and address translation instructions (AT), ARM ARM D8.10 / D8.13 and
// C5.5 (TLBI), C5.4 (AT). Called by the SYS handler in src/cpu/isa/system.ts with the decoded
// operation and Xt, and by the TypeScript hypervisor for the EL2 operations (VMALLS12E1,
// IPAS2E1, ALLE1...), which the SYS handler must make UNDEFINED when a guest executes them at EL1.
//
// Every TLBI removes exactly the entries the ARM ARM names (removing more would also be allowed,
// but users read the statistics) and then flushes the host fast cache (cpu.contextChanged()),
// which is always a subset of the L1 TLB model. With one PE, the Inner Shareable forms behave as
// the local ones; with several (src/cpu/smp.ts) they reach every PE and are counted there.
import type { Cpu } from '../cpu/cpu.js';
import { SYS } from '../cpu/sysregs.js';
import { deliverFault, ACC_READ, ACC_WRITE } from './faults.js';
import { type Mmu, mmuOf, walkOnlyMmu, MODE_S1ONLY, MODE_WALK } from './translate.js';
import { RG_S1, alignLo, type TlbArray } from './tlb.js';
import { isDevice } from './attrs.js';

const EC_UNKNOWN = 0;

function currentVmid(cpu: Cpu): number {
  const vs = (cpu.sysLo(SYS.VTCR_EL2) & (1 << 19)) !== 0;
  return (cpu.sysHi(SYS.VTTBR_EL2) >>> 16) & (vs ? 0xffff : 0xff);
}

/** The ASID field Xt[63:48], 8 bits wide when TCR_EL1.AS=0. */
function xtAsid(cpu: Cpu, xtHi: number): number {
  const as16 = (cpu.sysHi(SYS.TCR_EL1) & (1 << 4)) !== 0;
  return (xtHi >>> 16) & (as16 ? 0xffff : 0xff);
}

/** The VA of Xt[43:0] = VA[55:12], sign-extended from bit 55 (entries hold canonical VAs). */
function xtVa(xtLo: number, xtHi: number): [number, number] {
  const lo = xtLo << 12;
  const hi = ((xtHi << 12) | (xtLo >>> 20)) << 8 >> 8;
  return [lo, hi];
}

/** Does entry e of `a` translate an address in the stage-1 block containing VA (lo, hi)? */
function matchesVa(a: TlbArray, e: number, lo: number, hi: number): boolean {
  const s = a.s1shift[e];
  return a.inHi[e] === hi && alignLo(a.inLo[e], s) === alignLo(lo, s);
}

/**
 * Remove the combined entries `pred` selects, telling the CPU's fast translation cache about each
 * L1 entry that goes (it holds a subset of L1: Mmu.onL1Evict), so a TLBI by VA need not flush the
 * whole fast cache. Modelled behaviour is unchanged; only host-side work is saved.
 */
function removeCombined(cpu: Cpu, m: Mmu, lo: number, hi: number, pred: (a: TlbArray, e: number) => boolean): void {
  const { l1i, l1d, l2 } = m.tlb;
  for (const a of [l1i, l1d]) {
    const fetch = a === l1i;
    a.removeVa(lo, hi, (e) => {
      if (!pred(a, e)) return false;
      cpu.dropFastPages(a.inLo[e], a.inHi[e], a.shift[e], fetch);
      return true;
    });
  }
  l2.removeVa(lo, hi, (e) => pred(l2, e));
}

/** Combined entries and the stage-1 walk cache. */
function stage1(m: Mmu): TlbArray[] {
  return [m.tlb.l1i, m.tlb.l1d, m.tlb.l2, m.tlb.walk];
}

/**
 * TLBI <op>, {Xt}. `op` is the ARM ARM name without prefix, e.g. 'VMALLE1IS', 'VAE1', 'ASIDE1'.
 * Unknown operations raise UNDEFINED.
 */
export function tlbi(cpu: Cpu, op: string, xtLo: number, xtHi: number): void {
  const is = op.endsWith('IS');
  const name = is ? op.slice(0, -2) : op;
  const smp = cpu.smp;
  if (!is || smp === null) {
    if (!tlbiOn(cpu, cpu, name, xtLo, xtHi)) cpu.raise(EC_UNKNOWN, 0, 0);
    return;
  }
  // The Inner Shareable forms apply to every PE in the Inner Shareable domain (ARM ARM D8.13.1
  // "Shareability of TLB maintenance"): here every PE of the board. The VMID, the ASID width and
  // Xt are the issuer's; each PE removes its own matching entries and counts the shootdown.
  if (!tlbiOn(cpu, cpu, name, xtLo, xtHi)) {
    cpu.raise(EC_UNKNOWN, 0, 0);
    return;
  }
  cpu.tlbiBroadcasts++;
  const perPe = cpu.timing.profile.tlbiBroadcast ?? 0;
  for (let i = 0; i < smp.pes.length; i++) {
    const p = smp.pes[i];
    if (p === cpu || smp.on[i] === 0) continue;
    cpu.cycles += perPe;
    const before = p.mmu.tlb.validEntries();
    tlbiOn(p, cpu, name, xtLo, xtHi);
    const removed = before - p.mmu.tlb.validEntries();
    p.shootdownsReceived++;
    p.shootdownEntries += removed;
    cpu.tlbiBroadcastEntries += removed;
    p.shootdownsByOp.set(op, (p.shootdownsByOp.get(op) ?? 0) + 1);
  }
}

/**
 * One PE's part of a TLBI: `target`'s TLB model and fast cache lose the entries the operation
 * names, with the VMID and ASID width of `issuer` (the PE that executed it). False if the
 * operation is unknown (UNDEFINED).
 */
function tlbiOn(cpu: Cpu, issuer: Cpu, name: string, xtLo: number, xtHi: number): boolean {
  const m = mmuOf(cpu);
  const vmid = currentVmid(issuer);
  switch (name) {
    case 'VMALLE1':
      // All stage-1 (combined and walk cache) entries of the current VMID, global or not.
      for (const a of stage1(m)) a.removeWhere((e) => a.vmid[e] === vmid);
      break;
    case 'VAE1':
    case 'VALE1': {
      // By VA and ASID; global entries for that VA too. The last-level-only form (VALE1) spares
      // the walk cache.
      const asid = xtAsid(issuer, xtHi);
      const [lo, hi] = xtVa(xtLo, xtHi);
      // Not last-level only: cached table entries on the path to VA go too (walk cache).
      if (name === 'VAE1') {
        const w = m.tlb.walk;
        w.removeWhere((e) => w.vmid[e] === vmid && w.asid[e] === asid && matchesVa(w, e, lo, hi));
      }
      removeCombined(
        cpu,
        m,
        lo,
        hi,
        (a, e) => a.vmid[e] === vmid && (a.regime[e] & RG_S1) !== 0 && (a.global[e] !== 0 || a.asid[e] === asid) && matchesVa(a, e, lo, hi),
      );
      return true; // the fast cache lost exactly the removed L1 pages
    }
    case 'VAAE1':
    case 'VAALE1': {
      // By VA, any ASID.
      const [lo, hi] = xtVa(xtLo, xtHi);
      if (name === 'VAAE1') {
        const w = m.tlb.walk;
        w.removeWhere((e) => w.vmid[e] === vmid && matchesVa(w, e, lo, hi));
      }
      removeCombined(cpu, m, lo, hi, (a, e) => a.vmid[e] === vmid && (a.regime[e] & RG_S1) !== 0 && matchesVa(a, e, lo, hi));
      return true; // as VAE1
    }
    case 'ASIDE1': {
      // Non-global entries of one ASID.
      const asid = xtAsid(issuer, xtHi);
      for (const a of stage1(m)) a.removeWhere((e) => a.vmid[e] === vmid && a.global[e] === 0 && a.asid[e] === asid);
      break;
    }
    // ---- EL2 operations (hypervisor) ----
    case 'VMALLS12E1':
      for (const a of stage1(m)) a.removeWhere((e) => a.vmid[e] === vmid);
      m.tlb.ipa.removeWhere((e) => m.tlb.ipa.vmid[e] === vmid);
      break;
    case 'IPAS2E1':
    case 'IPAS2LE1': {
      // Xt[35:0] = IPA[47:12]. Stage-2-only entries of the current VMID; combined entries stay
      // (the hypervisor follows with VMALLE1, as the ARM ARM requires).
      const ipa = ((xtHi & 0xf) * 4294967296 + (xtLo >>> 0)) * 4096;
      const c = m.tlb.ipa;
      c.removeWhere((e) => c.vmid[e] === vmid && ipa >= c.ipa[e] && ipa < c.ipa[e] + 2 ** c.shift[e]);
      break;
    }
    case 'ALLE1':
      m.tlb.flushAll();
      break;
    default:
      return false;
  }
  cpu.contextChanged();
  return true;
}

/** TLBI VMALLS12E1: all stage 1 and stage 2 entries of the current VMID (VTTBR_EL2.VMID). */
export function tlbiVmallS12E1(cpu: Cpu): void {
  tlbi(cpu, 'VMALLS12E1', 0, 0);
}
/** TLBI IPAS2E1 / IPAS2LE1 for an IPA (a number) in the current VMID: stage-2-only entries. */
export function tlbiIpaS2E1(cpu: Cpu, ipa: number, lastLevel = false): void {
  const page = Math.floor(ipa / 4096);
  tlbi(cpu, lastLevel ? 'IPAS2LE1' : 'IPAS2E1', page % 4294967296 | 0, Math.floor(page / 4294967296));
}
/** TLBI ALLE1: every EL1&0 entry of every VMID. */
export function tlbiAllE1(cpu: Cpu): void {
  tlbi(cpu, 'ALLE1', 0, 0);
}

/** PAR_EL1 for a successful translation (ARM ARM D19.2 PAR_EL1, F=0). */
function parSuccess(pa: number, attrs: number): [number, number] {
  const page = Math.floor(pa / 4096) * 4096;
  const sh = isDevice(attrs & 0xff) ? 2 : (attrs >>> 8) & 3;
  // PA[47:12] at [47:12], SH[8:7], NS[9]=0 (Non-secure regime: reported 0), bit 11 RES1, ATTR[63:56].
  const lo = (page % 4294967296 | 0) | (sh << 7) | (1 << 11);
  const hi = (Math.floor(page / 4294967296) & 0xffff) | ((attrs & 0xff) << 24);
  return [lo | 0, hi | 0];
}

/**
 * AT <op>, Xt: translate Xt and write PAR_EL1. `op` e.g. 'S1E1R', 'S1E0W' (stage 1 only: PAR holds
 * the IPA when stage 2 is on), or the EL2 forms 'S12E1R', 'S12E0W' (both stages). The walk does not
 * use or fill the TLB model and is not counted in its statistics. A stage-2 fault on the stage-1
 * walk of an S1E* operation is not reported in PAR: it is a Data Abort to EL2 (ISS.CM=1, S1PTW=1).
 */
export function at(cpu: Cpu, op: string, xtLo: number, xtHi: number): void {
  const s12 = op.startsWith('S12');
  const rest = s12 ? op.slice(3) : op.startsWith('S1') ? op.slice(2) : '';
  if (rest !== 'E1R' && rest !== 'E1W' && rest !== 'E0R' && rest !== 'E0W') {
    cpu.raise(EC_UNKNOWN, 0, 0);
    return;
  }
  const el = rest[1] === '0' ? 0 : 1;
  const acc = rest[2] === 'W' ? ACC_WRITE : ACC_READ;
  const m = walkOnlyMmu(cpu);
  if (m.resolve(xtLo, xtHi, acc, el, s12 ? MODE_WALK : MODE_S1ONLY)) {
    const [lo, hi] = parSuccess(s12 ? m.pa : m.ipa, s12 ? m.attrs : m.s1Attrs);
    cpu.setSys(SYS.PAR_EL1, lo, hi);
    return;
  }
  const f = m.fault;
  if (!s12 && f.stage === 2) {
    deliverFault(cpu, f, acc, xtLo, xtHi, true);
    return;
  }
  // F=1, FST[6:1], PTW[8], S[9] (stage 2), bit 11 RES1.
  const lo = 1 | (f.fsc << 1) | (f.s1ptw ? 1 << 8 : 0) | (f.stage === 2 ? 1 << 9 : 0) | (1 << 11);
  cpu.setSys(SYS.PAR_EL1, lo, 0);
}

