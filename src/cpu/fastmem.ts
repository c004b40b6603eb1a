// The memory side of the PE: the host fast translation cache (DESIGN.md "The fast translation cache
// is not the TLB model") with the load/store fast paths in front of it, and the slow path behind it
// (translate, alignment by memory type, RAM or a device, page-crossing accesses). The fast cache
// remembers VA page -> RAM offset, per EL bank and per access kind (read, write, fetch); a tag
// compare folds alignment in (the low bits of the tag are zero), and pages that must not be
// reached fast (MMIO, watched, code pages for writes, non-cacheable) never get an entry. It is
// flushed whenever a translation input changes (contextChanged) and follows the L1 TLB model's
// evictions (dropFastPages).
import { CpuState, ST_OK, ST_DEBUG } from './state.js';
import { SYS } from './sysregs.js';
import { EC_DABT_LOWER, EC_DABT_SAME, EC_IABT_LOWER, EC_IABT_SAME } from './exceptions.js';
import { Timing, timingProfile, DEFAULT_PROFILE } from './timing.js';
import type { Bus } from '../devices/bus.js';
import type { Cpu } from './cpu.js';
import { translate, ACC_READ, ACC_WRITE, ACC_FETCH, FSC_ALIGNMENT, FSC_SYNC_EXTERNAL, MT_DEVICE, type Translation } from '../mmu/translate.js';

export const FC_BITS = 10;
export const FC_SIZE = 1 << FC_BITS;
export const FC_MASK = FC_SIZE - 1;
/** A tag that can never equal a page-aligned address (low bits set). */
export const FC_INVALID = 1;
export const PAGE_MASK = ~0xfff;
/** [api hooks] The watch hook as slowWrite calls it: a write also passes its value (src/api/hooks.ts uses it). */
type WatchWithValue = (lo: number, hi: number, size: number, write: boolean, vlo: number, vhi: number) => boolean;

export abstract class CpuMemory extends CpuState {
  readonly ram32: Int32Array;
  readonly ramU8: Uint8Array;
  readonly ramI16: Int16Array;
  readonly ramDv: DataView;
  readonly ramBase: number;
  readonly ramSize: number;

  // Fast translation cache: [el * FC_SIZE + index], tag = page-aligned VA lo, hi word, RAM offset.
  // Read by the compiled code of the JIT engine too (src/cpu/jit), hence not private.
  readonly rTag = new Int32Array(3 * FC_SIZE);
  readonly rHi = new Int32Array(3 * FC_SIZE);
  readonly rOff = new Int32Array(3 * FC_SIZE);
  readonly wTag = new Int32Array(3 * FC_SIZE);
  readonly wHi = new Int32Array(3 * FC_SIZE);
  readonly wOff = new Int32Array(3 * FC_SIZE);
  readonly xTag = new Int32Array(3 * FC_SIZE);
  readonly xHi = new Int32Array(3 * FC_SIZE);
  readonly xPa = new Float64Array(3 * FC_SIZE);
  /** [pauth] FEAT_BTI: the fetch entry's page is guarded (P_GP of its translation). */
  readonly xGp = new Uint8Array(3 * FC_SIZE);
  /** EL * FC_SIZE: the bank of the current EL (or EL0's during LDTR/STTR). */
  fcBase = FC_SIZE;
  /** 1 for RAM pages holding decoded code: stores there take the slow path. */
  codePage: Uint8Array;
  /**
   * SMP (src/cpu/smp.ts): RAM pages where another PE may hold an exclusive reservation, shared by
   * all PEs (null with one PE). Stores there take the slow path, which clears those reservations.
   */
  exclPage: Uint8Array | null = null;
  /** Bumped whenever chains, compiled code or fast-cache entries may be stale. */
  gen = 0;
  /** The timing profile: static costs applied at decode, charges for events (src/cpu/timing.ts). */
  timing = new Timing(timingProfile(DEFAULT_PROFILE));
  /**
   * Debugger watchpoints (src/debug): called on every slow-path data access after a successful
   * translation, before the access; returning true stops before the instruction (ST_DEBUG, the
   * access not made). While set, data pages get no fast-cache entries, so every access is seen.
   */
  watch: ((lo: number, hi: number, size: number, write: boolean) => boolean) | null = null;
  /**
   * a64hv debug: the guest's own watchpoints (src/cpu/debug/unit.ts checkWatchpoint), checked after
   * the debugger's `watch`; returning true means a Watchpoint exception is pending (the access is
   * not made). While set, data pages get no fast-cache entries, as for `watch`.
   */
  guestWatch: ((lo: number, hi: number, size: number, write: boolean) => boolean) | null = null;
  // ---- pmu: running totals for the exact L1 TLB counts (src/mmu/tlb-exact.ts), added by the
  // engines per block from Block.accs (data-accessing instructions) and per block fetch. ----
  exactData = 0;
  exactFetch = 0;
  /** pmu: exceptions taken to EL1 and ERETs (PMU events EXC_TAKEN, EXC_RETURN). */
  pmuExcTaken = 0;
  pmuExcReturn = 0;
  /** pmu: set while a PMU counter counts (events are filtered by EL): called on every EL change. */
  pmuElHook: (() => void) | null = null;
  /** The slow path's last translation (lastReadPa, ldQ/stQ). */
  protected readonly tr: Translation = { pa: 0, memType: 0, cacheable: true, s2Device: false, ipa: 0 };

  constructor(readonly bus: Bus) {
    super();
    this.ram32 = bus.i32;
    this.ramU8 = bus.u8;
    this.ramI16 = new Int16Array(bus.ram);
    this.ramDv = bus.dv;
    this.ramBase = bus.ramBase;
    this.ramSize = bus.ramSize;
    this.codePage = new Uint8Array(bus.ramSize >>> 12);
  }

  /** A store reached a page with decoded code (blocks.ts drops it). */
  abstract invalidateCodePage(page: number): void;
  /** A store to [pa, pa + size) on a page in exclPage (cpu.ts: the global exclusive monitor). */
  abstract exclStore(pa: number, size: number): void;

  /** This PE as the MMU sees it (the class chain ends in Cpu). */
  protected get self(): Cpu {
    return this as unknown as Cpu;
  }

  /** Any translation input changed (SCTLR/TCR/TTBR/MAIR/HCR/VTTBR, TLBI, EL change). */
  contextChanged(): void {
    this.rTag.fill(FC_INVALID);
    this.wTag.fill(FC_INVALID);
    this.xTag.fill(FC_INVALID);
    this.fcBase = this.el * FC_SIZE;
    this.gen++;
  }
  /**
   * The MMU's L1 TLB model evicted the translation of the VA range [lo,hi] + 2^shift: forget the
   * fast-cache pages in it (data: read and write entries; fetch: fetch entries and block chains),
   * so that the fast cache never holds a page the L1 model does not (src/mmu/README.md).
   */
  dropFastPages(lo: number, hi: number, shift: number, fetch: boolean): void {
    const pages = shift >= 12 + FC_BITS ? FC_SIZE : 1 << (shift - 12);
    const mask = ~((1 << shift) - 1) | 0;
    const first = (lo >>> 12) & FC_MASK;
    for (let k = 0; k < pages; k++) {
      const idx = (first + k) & FC_MASK;
      for (let i = idx; i < 3 * FC_SIZE; i += FC_SIZE) {
        if (fetch) {
          if ((this.xTag[i] & mask) === lo && this.xHi[i] === hi) this.xTag[i] = FC_INVALID;
        } else {
          if ((this.rTag[i] & mask) === lo && this.rHi[i] === hi) this.rTag[i] = FC_INVALID;
          if ((this.wTag[i] & mask) === lo && this.wHi[i] === hi) this.wTag[i] = FC_INVALID;
        }
      }
    }
    if (fetch) this.gen++;
  }
  /**
   * Use EL `el`'s fast-cache bank for the following data accesses without changing PSTATE.EL:
   * unprivileged loads/stores (LDTR/STTR at EL1) run on EL0's bank (see mmu/translate.ts
   * unprivilegedBegin/End). Restored with setFastBank(this.el).
   */
  setFastBank(el: number): void {
    this.fcBase = el * FC_SIZE;
  }
  /** [pauth] Forget the data (read and write) entries of EL `el`'s bank (FEAT_PAN: pstate-v8x.ts). */
  dropDataBank(el: number): void {
    this.rTag.fill(FC_INVALID, el * FC_SIZE, (el + 1) * FC_SIZE);
    this.wTag.fill(FC_INVALID, el * FC_SIZE, (el + 1) * FC_SIZE);
  }
  /** EL changed: select that EL's fast-cache bank; chains may cross a permission change. */
  elChanged(): void {
    this.fcBase = this.el * FC_SIZE;
    this.gen++;
    if (this.pmuElHook !== null) this.pmuElHook(); // pmu: count the events so far at the old EL
  }

  /** A stage-1 style abort to EL1 (ARM ARM D17.2.37: EC 0x20/0x21/0x24/0x25, ISV=0 at EL1). */
  abort(acc: number, fsc: number, lo: number, hi: number, s1ptw: boolean): void {
    const lower = this.el === 0;
    let ec: number;
    let iss = fsc;
    if (acc === ACC_FETCH) ec = lower ? EC_IABT_LOWER : EC_IABT_SAME;
    else {
      ec = lower ? EC_DABT_LOWER : EC_DABT_SAME;
      if (acc === ACC_WRITE) iss |= 1 << 6; // WnR
    }
    if (s1ptw) iss |= 1 << 7;
    this.raise(ec, iss, 0);
    this.excFarValid = 1;
    this.excFarLo = lo;
    this.excFarHi = hi;
  }

  // ---- loads and stores (hot path). Fast cache hit: aligned, RAM, page seen before. ----
  ld8(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & PAGE_MASK) && this.rHi[i] === hi) return this.ramU8[this.rOff[i] + (lo & 0xfff)];
    return this.slowRead(lo, hi, 1);
  }
  ld16(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & (PAGE_MASK | 1)) && this.rHi[i] === hi) {
      return this.ramI16[(this.rOff[i] + (lo & 0xfff)) >> 1] & 0xffff;
    }
    return this.slowRead(lo, hi, 2);
  }
  /** Returns the word as int32. */
  ld32(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & (PAGE_MASK | 3)) && this.rHi[i] === hi) {
      return this.ram32[(this.rOff[i] + (lo & 0xfff)) >> 2];
    }
    return this.slowRead(lo, hi, 4) | 0;
  }
  /** Returns the low word; the high word is in tmpHi. */
  ld64(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & (PAGE_MASK | 7)) && this.rHi[i] === hi) {
      const k = (this.rOff[i] + (lo & 0xfff)) >> 2;
      this.tmpHi = this.ram32[k + 1];
      return this.ram32[k];
    }
    return this.slowRead(lo, hi, 8);
  }
  st8(lo: number, hi: number, v: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] === (lo & PAGE_MASK) && this.wHi[i] === hi) {
      this.ramU8[this.wOff[i] + (lo & 0xfff)] = v;
      return;
    }
    this.slowWrite(lo, hi, 1, v, 0);
  }
  st16(lo: number, hi: number, v: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] === (lo & (PAGE_MASK | 1)) && this.wHi[i] === hi) {
      this.ramI16[(this.wOff[i] + (lo & 0xfff)) >> 1] = v;
      return;
    }
    this.slowWrite(lo, hi, 2, v, 0);
  }
  st32(lo: number, hi: number, v: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] === (lo & (PAGE_MASK | 3)) && this.wHi[i] === hi) {
      this.ram32[(this.wOff[i] + (lo & 0xfff)) >> 2] = v;
      return;
    }
    this.slowWrite(lo, hi, 4, v, 0);
  }
  /**
   * DC ZVA's 64-byte block at (lo, hi) (64-aligned) through the fast cache: a write entry for
   * the page means Normal cacheable RAM, writable, not code and not watched, as the slow path
   * would find. Returns false (nothing written) when the page has no entry.
   */
  zero64Fast(lo: number, hi: number): boolean {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] !== (lo & PAGE_MASK) || this.wHi[i] !== hi) return false;
    const k = this.wOff[i] + (lo & 0xfc0);
    this.ramU8.fill(0, k, k + 64);
    return true;
  }

  st64(lo: number, hi: number, vlo: number, vhi: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] === (lo & (PAGE_MASK | 7)) && this.wHi[i] === hi) {
      const k = (this.wOff[i] + (lo & 0xfff)) >> 2;
      this.ram32[k] = vlo;
      this.ram32[k + 1] = vhi;
      return;
    }
    this.slowWrite(lo, hi, 8, vlo, vhi);
  }

  /**
   * 16-byte (Q register) load into v[t..t+3]. Alignment is judged on the whole 16-byte access
   * (ARM ARM B2.5.2), with one translation; registers change only if every byte was read.
   */
  ldQ(lo: number, hi: number, v: Int32Array, t: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & (PAGE_MASK | 15)) && this.rHi[i] === hi) {
      const k = (this.rOff[i] + (lo & 0xfff)) >> 2;
      const r = this.ram32;
      v[t] = r[k];
      v[t + 1] = r[k + 1];
      v[t + 2] = r[k + 2];
      v[t + 3] = r[k + 3];
      return;
    }
    const w = this.qScratch;
    const crossing = (lo & 0xfff) > 0xff0;
    // pmu: the second page is a second L1 lookup; halves that cross themselves count in crossPage*.
    if ((lo & 0xfff) === 0xff8) this.exactData++;
    // A page-crossing Q access is unaligned: check it against the first page's memory type.
    if (crossing && this.xlate(lo, hi, ACC_READ, true) < 0) return;
    if (crossing || !this.qTranslate(lo, hi, ACC_READ)) {
      // Crossing a page (or not RAM): two 8-byte halves, each through the normal path.
      w[0] = this.ld64(lo, hi);
      w[1] = this.tmpHi;
      if (this.status !== ST_OK) return;
      const lo2 = (lo + 8) | 0;
      w[2] = this.ld64(lo2, (lo2 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi);
      w[3] = this.tmpHi;
      if (this.status !== ST_OK) return;
    } else {
      if (this.status !== ST_OK) return;
      const off = this.tr.pa - this.ramBase;
      const dv = this.ramDv;
      for (let k = 0; k < 4; k++) w[k] = dv.getInt32(off + 4 * k, true);
    }
    v[t] = w[0];
    v[t + 1] = w[1];
    v[t + 2] = w[2];
    v[t + 3] = w[3];
  }
  /** 16-byte (Q register) store of v[t..t+3]; alignment judged on the whole access. */
  stQ(lo: number, hi: number, v: Int32Array, t: number): void {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.wTag[i] === (lo & (PAGE_MASK | 15)) && this.wHi[i] === hi) {
      const k = (this.wOff[i] + (lo & 0xfff)) >> 2;
      const r = this.ram32;
      r[k] = v[t];
      r[k + 1] = v[t + 1];
      r[k + 2] = v[t + 2];
      r[k + 3] = v[t + 3];
      return;
    }
    const crossing = (lo & 0xfff) > 0xff0;
    // pmu: the second page is a second L1 lookup; halves that cross themselves count in crossPage*.
    if ((lo & 0xfff) === 0xff8) this.exactData++;
    if (crossing && this.xlate(lo, hi, ACC_WRITE, true) < 0) return;
    if (crossing || !this.qTranslate(lo, hi, ACC_WRITE)) {
      const lo2 = (lo + 8) | 0;
      const hi2 = (lo2 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
      // Check the second half translates before writing the first (no partial store on a fault).
      if (this.xlate(lo2, hi2, ACC_WRITE, (lo2 & 7) !== 0) < 0) return;
      this.st64(lo, hi, v[t], v[t + 1]);
      if (this.status !== ST_OK) return;
      this.st64(lo2, hi2, v[t + 2], v[t + 3]);
      return;
    }
    if (this.status !== ST_OK) return;
    const off = this.tr.pa - this.ramBase;
    const page = off >>> 12;
    if (this.codePage[page]) this.invalidateCodePage(page);
    if (this.exclPage !== null && this.exclPage[page] !== 0) this.exclStore(this.tr.pa, 16);
    const dv = this.ramDv;
    for (let k = 0; k < 4; k++) dv.setInt32(off + 4 * k, v[t + k], true);
  }
  private readonly qScratch = new Int32Array(4);
  /**
   * Translate a 16-byte access within one page. Returns true when it is RAM (this.tr.pa set) or
   * a fault is pending; false when it is a device (the caller splits it into 8-byte accesses).
   */
  private qTranslate(lo: number, hi: number, acc: number): boolean {
    const pa = this.xlate(lo, hi, acc, (lo & 15) !== 0);
    if (pa < 0) return true;
    if (this.watch !== null && this.watch(lo, hi, 16, acc === ACC_WRITE)) {
      this.status = ST_DEBUG;
      return true;
    }
    if (this.guestWatch !== null && this.guestWatch(lo, hi, 16, acc === ACC_WRITE)) return true; // a64hv debug
    const off = pa - this.ramBase;
    if (off < 0 || off >= this.ramSize) return false;
    if ((lo & 15) === 0 && this.tr.cacheable && this.watch === null && this.guestWatch === null) {
      const i = this.fcBase | ((lo >>> 12) & FC_MASK);
      if (acc === ACC_READ) {
        this.rTag[i] = lo & PAGE_MASK;
        this.rHi[i] = hi;
        this.rOff[i] = off & PAGE_MASK;
      } else if (!this.codePage[off >>> 12] && (this.exclPage === null || this.exclPage[off >>> 12] === 0)) {
        this.wTag[i] = lo & PAGE_MASK;
        this.wHi[i] = hi;
        this.wOff[i] = off & PAGE_MASK;
      }
    }
    return true;
  }

  /**
   * Slow path: translate, check alignment against the memory type (ARM ARM B2.5.2: unaligned
   * accesses to Device memory, or any with SCTLR_EL1.A=1, take an Alignment fault), then RAM or
   * a device. A page-crossing unaligned access is done byte by byte, each byte translated.
   * On a fault, sets the pending exception and returns 0.
   */
  slowRead(lo: number, hi: number, size: number): number {
    const unaligned = (lo & (size - 1)) !== 0;
    if (unaligned && (lo & 0xfff) + size > 0x1000) return this.crossPageRead(lo, hi, size);
    const pa = this.xlate(lo, hi, ACC_READ, unaligned);
    if (pa < 0) return 0;
    if (this.watch !== null && this.watch(lo, hi, size, false)) {
      this.status = ST_DEBUG;
      return 0;
    }
    if (this.guestWatch !== null && this.guestWatch(lo, hi, size, false)) return 0; // a64hv debug
    const off = pa - this.ramBase;
    if (off >= 0 && off < this.ramSize) {
      if (!unaligned && this.tr.cacheable && this.watch === null && this.guestWatch === null) {
        const i = this.fcBase | ((lo >>> 12) & FC_MASK);
        this.rTag[i] = lo & PAGE_MASK;
        this.rHi[i] = hi;
        this.rOff[i] = off & PAGE_MASK;
      }
      const dv = this.ramDv;
      switch (size) {
        case 1:
          return this.ramU8[off];
        case 2:
          return dv.getUint16(off, true);
        case 4:
          return dv.getInt32(off, true);
        default:
          this.tmpHi = dv.getInt32(off + 4, true);
          return dv.getInt32(off, true);
      }
    }
    return this.deviceRead(pa, size, lo, hi);
  }

  slowWrite(lo: number, hi: number, size: number, vlo: number, vhi: number): void {
    const unaligned = (lo & (size - 1)) !== 0;
    if (unaligned && (lo & 0xfff) + size > 0x1000) return this.crossPageWrite(lo, hi, size, vlo, vhi);
    const pa = this.xlate(lo, hi, ACC_WRITE, unaligned);
    if (pa < 0) return;
    if (this.watch !== null && (this.watch as WatchWithValue)(lo, hi, size, true, vlo, vhi)) {
      this.status = ST_DEBUG;
      return;
    }
    if (this.guestWatch !== null && this.guestWatch(lo, hi, size, true)) return; // a64hv debug
    const off = pa - this.ramBase;
    if (off >= 0 && off < this.ramSize) {
      const page = off >>> 12;
      if (this.codePage[page]) this.invalidateCodePage(page);
      // SMP: another PE's reservation may cover this page; its stores stay on the slow path.
      let fill = true;
      if (this.exclPage !== null && this.exclPage[page] !== 0) {
        this.exclStore(pa, size);
        fill = this.exclPage[page] === 0;
      }
      if (fill && !unaligned && this.tr.cacheable && this.watch === null && this.guestWatch === null) {
        const i = this.fcBase | ((lo >>> 12) & FC_MASK);
        this.wTag[i] = lo & PAGE_MASK;
        this.wHi[i] = hi;
        this.wOff[i] = off & PAGE_MASK;
      }
      const dv = this.ramDv;
      switch (size) {
        case 1:
          this.ramU8[off] = vlo;
          return;
        case 2:
          dv.setInt16(off, vlo, true);
          return;
        case 4:
          dv.setInt32(off, vlo, true);
          return;
        default:
          dv.setInt32(off, vlo, true);
          dv.setInt32(off + 4, vhi, true);
          return;
      }
    }
    this.deviceWrite(pa, size, vlo, vhi, lo, hi);
  }

  /** Translate for a data access; handles alignment by memory type. Returns PA or -1. */
  protected xlate(lo: number, hi: number, acc: number, unaligned: boolean): number {
    const tr = this.tr;
    translate(this.self, lo, hi, acc, tr);
    if (tr.pa < 0) return -1;
    if (unaligned && (tr.memType === MT_DEVICE || (this.sysLo(SYS.SCTLR_EL1) & 2) !== 0)) {
      if (tr.s2Device === true && (this.sysLo(SYS.SCTLR_EL1) & 2) === 0) {
        // AArch64.S2Translate: an unaligned access to memory that stage 2 (not stage 1) made Device
        // is a stage-2 Alignment fault, taken to EL2 (EC 0x24, DFSC 0x21, FAR_EL2 = VA).
        this.raise(EC_DABT_LOWER, FSC_ALIGNMENT | (acc === ACC_WRITE ? 1 << 6 : 0), 0, 2);
        this.excS2 = 1;
        this.excFarValid = 1;
        this.excFarLo = lo;
        this.excFarHi = hi;
        const ipa = tr.ipa ?? 0;
        this.excIpaLo = ipa % 4294967296 | 0;
        this.excIpaHi = Math.floor(ipa / 4294967296) | 0;
        return -1;
      }
      this.abort(acc, FSC_ALIGNMENT, lo, hi, false);
      return -1;
    }
    return tr.pa;
  }

  private deviceRead(pa: number, size: number, lo: number, hi: number): number {
    const bus = this.bus;
    bus.error = false;
    this.cycles += this.timing.deviceAccess; // uncached, through the interconnect
    let v: number;
    if (size === 8) {
      v = bus.read(pa, 4) | 0;
      this.tmpHi = bus.read(pa + 4, 4) | 0;
    } else {
      v = bus.read(pa, size);
    }
    if (bus.error) {
      this.abort(ACC_READ, FSC_SYNC_EXTERNAL, lo, hi, false);
      return 0;
    }
    return v;
  }
  private deviceWrite(pa: number, size: number, vlo: number, vhi: number, lo: number, hi: number): void {
    const bus = this.bus;
    bus.error = false;
    this.cycles += this.timing.deviceAccess;
    if (size === 8) {
      bus.write(pa, 4, vlo);
      bus.write(pa + 4, 4, vhi);
    } else {
      bus.write(pa, size, vlo);
    }
    if (bus.error) this.abort(ACC_WRITE, FSC_SYNC_EXTERNAL, lo, hi, false);
  }

  private crossPageRead(lo: number, hi: number, size: number): number {
    this.exactData++; // pmu: the second page is a second L1 lookup (src/mmu/tlb-exact.ts)
    let vlo = 0;
    let vhi = 0;
    for (let k = 0; k < size; k++) {
      const alo = (lo + k) | 0;
      const ahi = (hi + ((alo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      const b = this.slowRead(alo, ahi, 1);
      if (this.status !== ST_OK) return 0;
      if (k < 4) vlo |= b << (8 * k);
      else vhi |= b << (8 * (k - 4));
    }
    this.tmpHi = vhi;
    return size === 4 ? vlo | 0 : size === 8 ? vlo : vlo >>> 0;
  }
  private crossPageWrite(lo: number, hi: number, size: number, vlo: number, vhi: number): void {
    this.exactData++; // pmu: the second page is a second L1 lookup (src/mmu/tlb-exact.ts)
    // Check every byte translates before writing any, so a fault leaves memory unchanged.
    for (let k = 0; k < size; k += size - 1) {
      const alo = (lo + k) | 0;
      const ahi = (hi + ((alo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      if (this.xlate(alo, ahi, ACC_WRITE, true) < 0) return;
    }
    for (let k = 0; k < size; k++) {
      const alo = (lo + k) | 0;
      const ahi = (hi + ((alo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      const b = k < 4 ? vlo >>> (8 * k) : vhi >>> (8 * (k - 4));
      this.slowWrite(alo, ahi, 1, b & 0xff, 0);
      if (this.status !== ST_OK) return;
    }
  }

  /**
   * The PA that the load just completed at VA (lo, hi) read: from its fast-cache entry, or the
   * slow path's translation of that same access. Used to tag the exclusive monitor by PA.
   */
  lastReadPa(lo: number, hi: number): number {
    const i = this.fcBase | ((lo >>> 12) & FC_MASK);
    if (this.rTag[i] === (lo & PAGE_MASK) && this.rHi[i] === hi) return this.ramBase + this.rOff[i] + (lo & 0xfff);
    return this.tr.pa;
  }

}
