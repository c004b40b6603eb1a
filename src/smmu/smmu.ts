// An SMMUv3 (IHI 0070) for the board: the register frame (a bus Device), the stream table and
// context descriptors with a configuration cache, the command and event queues, and the
// translation of bus-master accesses through the PE's walker (src/mmu/walk.ts) and permission
// functions (src/mmu/params.ts) with an IOTLB (iotlb.ts). See README.md for the model's choices and
// limits. Nothing here throws on guest-controlled values: bad structures become events, bad
// commands CMDQ errors, bad register writes are ignored.
import type { Bus, Device } from '../devices/bus.js';
import { S1Out, S2Out, Walker, alignDown } from '../mmu/walk.js';
import { inS1Range, s1Perms, s1PermsEl2 } from '../mmu/params.js';
import { FaultRecord, FSC_ADDR_SIZE, FSC_TRANSLATION, FSC_ACCESS_FLAG, FSC_PERMISSION, FSC_SEA_WALK } from '../mmu/faults.js';
import { P_R0, P_W0, P_X0, P_R1, P_W1, P_X1, P_S2R, P_S2W, P_S2X, RG_S1, RG_S2, type TlbConfig } from '../mmu/tlb.js';
import * as R from './regs.js';
import { Queue } from './queue.js';
import * as E from './events.js';
import { encodeEvent, type EventFields } from './events.js';
import { StreamConfig, ContextDesc, decodeSte, decodeCd, incomingAttrs, CONFIG_ABORT, CONFIG_BYPASS, STRW_EL2 } from './config.js';
import { combineS1S2, effectiveSh, mairAttr } from '../mmu/attrs.js';
import { Iotlb, RG_EL2, DEFAULT_IOTLB_CONFIG } from './iotlb.js';
import { executeCommand, CERROR_NONE, CERROR_ABT, CS_SIG_IRQ, COMMAND_NAMES, type CommandTarget } from './commands.js';

export type SmmuIrqLine = 'eventq' | 'priq' | 'cmdq-sync' | 'gerror';

export interface SmmuOptions {
  /**
   * Wired interrupts, pulse style: each event is `onIrq(line, true)` immediately followed by
   * `onIrq(line, false)` (connect them to edge-triggered SPIs). 'eventq' when the event queue goes
   * from empty to non-empty (IRQ_CTRL.EVENTQ_IRQEN), 'gerror' when a GERROR bit becomes active
   * (IRQ_CTRL.GERROR_IRQEN), 'cmdq-sync' when a CMD_SYNC with CS=SIG_IRQ and no MSI address
   * completes. 'priq' never fires (no PRI). A configured MSI (IRQ_CFG0.ADDR != 0) replaces the wire.
   */
  onIrq?: (line: SmmuIrqLine, level: boolean) => void;
  /** Modelled cycles charged for translations, IOTLB misses, walk and configuration reads. */
  charge?: (cycles: number) => void;
  /** The SMMU wrote memory (event records, MSIs): drop decoded code/monitors there. */
  onMemWrite?: (pa: number, len: number) => void;
  /** Called once per register offset the model does not implement (reads 0, writes ignored). */
  onUnimplemented?: (message: string) => void;
  /** IOTLB / IPA cache / walk cache geometry and walk costs (default DEFAULT_IOTLB_CONFIG). */
  tlb?: TlbConfig;
}

/** Modelled cycle costs of the SMMU itself (assumptions; walk reads use the TLB config's cost). */
export const SMMU_COST = {
  /** Every translation request (IOTLB lookup). */
  translate: 1,
  /** An IOTLB miss, before the walk's reads. */
  iotlbMiss: 10,
  /** One STE, L1 stream table descriptor or CD fetch. */
  configRead: 20,
};

export interface SmmuStats {
  translations: number;
  /** Transactions passed through untranslated (SMMUEN=0 with GBPA bypass, or STE bypass). */
  bypassed: number;
  /** Transactions aborted (faults, Config=abort, GBPA.ABORT). */
  aborted: number;
  iotlb: { lookups: number; hits: number; misses: number; evictions: number; fills: number; entries: number; valid: number };
  ipaCache: { lookups: number; hits: number; misses: number; evictions: number; fills: number; entries: number; valid: number };
  walkCache: { lookups: number; hits: number; misses: number; evictions: number; fills: number; entries: number; valid: number };
  walks: { s1Walks: number; s2Walks: number; s1DescReads: number; s2DescReads: number; s1Faults: number; s2Faults: number };
  config: { steFetches: number; cdFetches: number; hits: number; misses: number };
  commands: number;
  /** Commands consumed, by kind (IHI 0070 4 names; an unknown opcode as its hex value). */
  commandsByKind: Record<string, number>;
  commandErrors: number;
  syncs: number;
  events: number;
  eventsLost: number;
  /** Per (VMID, ASID) tag: lookups, IOTLB misses, walks, descriptor reads by stage. */
  contexts: { vmid: number; asid: number; lookups: number; misses: number; walks: number; s1DescReads: number; s2DescReads: number }[];
  /** Per StreamID with a valid STE: translations, IOTLB misses, aborted transactions (by StreamID). */
  streams: StreamStats[];
}

export interface StreamStats {
  sid: number;
  translations: number;
  misses: number;
  aborted: number;
}

const TWO32 = 4294967296;
const TWO64 = 2 ** 64;
const SID_LIMIT = 2 ** R.SIDSIZE;
const SMMUEN = R.CR0_SMMUEN;
const COST_TRANSLATE = SMMU_COST.translate;
const COST_MISS = SMMU_COST.iotlbMiss;
/** Configuration cache capacity (STEs with their CDs). */
const CONFIG_CACHE_MAX = 4096;

export class Smmu implements Device, CommandTarget {
  readonly name = 'smmuv3';
  readonly iotlb: Iotlb;
  private readonly walker: Walker;
  private readonly onIrq: (line: SmmuIrqLine, level: boolean) => void;
  private readonly charge: (cycles: number) => void;
  private readonly onMemWrite: (pa: number, len: number) => void;
  private readonly onUnimplemented: (message: string) => void;
  private readonly reported = new Set<number>();

  // Registers.
  private cr0 = 0;
  private cr1 = 0;
  private cr2 = 0;
  private gbpa = 1 << 12; // SHCFG = use incoming; ABORT = 0: bypass while SMMUEN = 0
  private irqCtrl = 0;
  private gerror = 0;
  private gerrorn = 0;
  /** GERROR_IRQ_CFG0..2 and EVENTQ_IRQ_CFG0..2 as words (lo, hi, cfg1, cfg2). */
  private readonly gerrorIrqCfg = new Int32Array(4);
  private readonly eventqIrqCfg = new Int32Array(4);
  private strtabLo = 0;
  private strtabHi = 0;
  private strtabCfg = 0;
  /**
   * Memory attributes of the last translation (valid when it succeeded), MAIR-format attr | SH << 8:
   * stage 1 from the CD's MAIR, the incoming/STE-overridden ones when stage 1 is bypassed, combined
   * with stage 2 by combineS1S2 (the PE's combining function).
   */
  attrs = 0;
  readonly cmdq = new Queue(16, R.CMDQS);
  readonly eventq = new Queue(32, R.EVENTQS);

  // Configuration cache: decoded STEs (and their CDs) by StreamID, refreshed only by CFGI_*.
  private readonly configs = new Map<number, StreamConfig>();
  /** Per-StreamID counters (at most 2^SIDSIZE entries). */
  private readonly streamStats = new Map<number, StreamStats>();
  private lastStream: StreamStats | null = null;
  private suppressEvents = 0;
  private processing = false;

  // Scratch (nothing allocated per translation).
  private readonly words = new Int32Array(16);
  private readonly ev = new Int32Array(8);
  private readonly f = new FaultRecord();
  private readonly s1o = new S1Out();
  private readonly s2o = new S2Out();

  /** Commands consumed per opcode (CMD_* in commands.ts). */
  private readonly byOpcode = new Float64Array(256);
  private readonly counters = {
    translations: 0,
    bypassed: 0,
    aborted: 0,
    steFetches: 0,
    cdFetches: 0,
    cfgHits: 0,
    cfgMisses: 0,
    commands: 0,
    commandErrors: 0,
    syncs: 0,
    events: 0,
    eventsLost: 0,
  };

  constructor(
    private readonly bus: Bus,
    opts: SmmuOptions = {},
  ) {
    this.onIrq = opts.onIrq ?? (() => {});
    this.charge = opts.charge ?? (() => {});
    this.onMemWrite = opts.onMemWrite ?? (() => {});
    this.onUnimplemented = opts.onUnimplemented ?? (() => {});
    this.iotlb = new Iotlb(opts.tlb ?? DEFAULT_IOTLB_CONFIG);
    this.walker = new Walker(bus, this.iotlb.tlb, (c) => this.charge(c));
  }

  /**
   * Reset (a board reset): registers to their reset values (SMMUEN=0, queues disabled, GBPA
   * bypass), the configuration cache and the IOTLB emptied. Statistics are kept.
   */
  private commandsByKind(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let op = 0; op < 256; op++) {
      if (this.byOpcode[op] !== 0) out[COMMAND_NAMES.get(op) ?? `0x${op.toString(16).padStart(2, '0')}`] = this.byOpcode[op];
    }
    return out;
  }

  reset(): void {
    this.cr0 = this.cr1 = this.cr2 = 0;
    this.gbpa = 1 << 12;
    this.irqCtrl = this.gerror = this.gerrorn = 0;
    this.gerrorIrqCfg.fill(0);
    this.eventqIrqCfg.fill(0);
    this.strtabLo = this.strtabHi = this.strtabCfg = 0;
    for (const q of [this.cmdq, this.eventq]) q.baseLo = q.baseHi = q.prod = q.cons = 0;
    this.configs.clear();
    this.iotlb.flushAll();
  }

  // ------------------------------------------------------------------ registers

  read(offset: number, size: number): number {
    const word = this.readWord(offset & ~3);
    if (size >= 4) return word >>> 0;
    // Sub-word reads are not architected (32/64-bit only): give the addressed bytes.
    const sh = (offset & 3) * 8;
    return (word >>> sh) & (size === 1 ? 0xff : 0xffff);
  }

  private readWord(off: number): number {
    switch (off) {
      case R.IDR0:
        return R.IDR0_VALUE;
      case R.IDR1:
        return R.IDR1_VALUE;
      case R.IDR2:
      case R.IDR3:
      case R.IDR4:
        return 0;
      case R.IDR5:
        return R.IDR5_VALUE;
      case R.IIDR:
        return R.IIDR_VALUE;
      case R.AIDR:
        return R.AIDR_VALUE;
      case R.CR0:
      case R.CR0ACK: // updates complete at once
        return this.cr0;
      case R.CR1:
        return this.cr1;
      case R.CR2:
        return this.cr2;
      case R.STATUSR:
      case R.AGBPA:
        return 0;
      case R.GBPA:
        return this.gbpa;
      case R.IRQ_CTRL:
      case R.IRQ_CTRLACK:
        return this.irqCtrl;
      case R.GERROR:
        return this.gerror;
      case R.GERRORN:
        return this.gerrorn;
      case R.GERROR_IRQ_CFG0:
      case R.GERROR_IRQ_CFG0 + 4:
      case R.GERROR_IRQ_CFG1:
      case R.GERROR_IRQ_CFG2:
        return this.gerrorIrqCfg[(off - R.GERROR_IRQ_CFG0) >> 2];
      case R.STRTAB_BASE:
        return this.strtabLo;
      case R.STRTAB_BASE + 4:
        return this.strtabHi;
      case R.STRTAB_BASE_CFG:
        return this.strtabCfg;
      case R.CMDQ_BASE:
        return this.cmdq.baseLo;
      case R.CMDQ_BASE + 4:
        return this.cmdq.baseHi;
      case R.CMDQ_PROD:
        return this.cmdq.prod;
      case R.CMDQ_CONS:
        return this.cmdq.cons;
      case R.EVENTQ_BASE:
        return this.eventq.baseLo;
      case R.EVENTQ_BASE + 4:
        return this.eventq.baseHi;
      case R.EVENTQ_PROD:
      case R.EVENTQ_PROD_P0:
        return this.eventq.prod;
      case R.EVENTQ_CONS:
      case R.EVENTQ_CONS_P0:
        return this.eventq.cons;
      case R.EVENTQ_IRQ_CFG0:
      case R.EVENTQ_IRQ_CFG0 + 4:
      case R.EVENTQ_IRQ_CFG1:
      case R.EVENTQ_IRQ_CFG2:
        return this.eventqIrqCfg[(off - R.EVENTQ_IRQ_CFG0) >> 2];
    }
    this.unimplemented(off, false);
    return 0;
  }

  write(offset: number, size: number, value: number): void {
    const off = offset & ~3;
    if (size < 4) {
      // Only 32/64-bit accesses are architected: a narrower write is ignored.
      this.unimplemented(off, true);
      return;
    }
    const v = value | 0;
    switch (off) {
      case R.IDR0:
      case R.IDR1:
      case R.IDR2:
      case R.IDR3:
      case R.IDR4:
      case R.IDR5:
      case R.IIDR:
      case R.AIDR:
      case R.CR0ACK:
      case R.STATUSR:
      case R.AGBPA:
      case R.IRQ_CTRLACK:
      case R.GERROR:
        return; // read-only (AGBPA: not implemented, RAZ/WI as permitted)
      case R.CR0:
        this.writeCr0(v);
        return;
      case R.CR1:
        this.cr1 = v & 0xfff; // QUEUE_* [5:0], TABLE_* [11:6]: recorded, no effect on the model
        return;
      case R.CR2:
        this.cr2 = v & 6; // RECINVSID [1], PTM [2]; E2H [0] RES0 (not supported)
        return;
      case R.GBPA:
        // Fields take effect only with Update=1, which reads back 0 once done (at once here).
        if (v & R.GBPA_UPDATE) this.gbpa = v & 0x001fff3f & ~R.GBPA_UPDATE;
        return;
      case R.IRQ_CTRL:
        this.irqCtrl = v & (R.IRQ_GERROR | R.IRQ_EVENTQ);
        return;
      case R.GERRORN: {
        const before = this.gerror ^ this.gerrorn;
        this.gerrorn = v & R.GERROR_MASK;
        // Acknowledging CMDQ_ERR lets command processing resume from CMDQ_CONS.
        if (before & R.GERROR_CMDQ_ERR && ((this.gerror ^ this.gerrorn) & R.GERROR_CMDQ_ERR) === 0) this.processCommands();
        return;
      }
      case R.GERROR_IRQ_CFG0:
      case R.GERROR_IRQ_CFG0 + 4:
      case R.GERROR_IRQ_CFG1:
      case R.GERROR_IRQ_CFG2:
        this.gerrorIrqCfg[(off - R.GERROR_IRQ_CFG0) >> 2] = v;
        return;
      case R.EVENTQ_IRQ_CFG0:
      case R.EVENTQ_IRQ_CFG0 + 4:
      case R.EVENTQ_IRQ_CFG1:
      case R.EVENTQ_IRQ_CFG2:
        this.eventqIrqCfg[(off - R.EVENTQ_IRQ_CFG0) >> 2] = v;
        return;
      case R.STRTAB_BASE:
      case R.STRTAB_BASE + 4:
      case R.STRTAB_BASE_CFG:
        // Writable only while SMMUEN = 0 (6.3.23: otherwise the write is ignored).
        if (this.cr0 & R.CR0_SMMUEN) return;
        if (off === R.STRTAB_BASE) this.strtabLo = v & ~63;
        else if (off === R.STRTAB_BASE_CFG) this.strtabCfg = v & 0x307ff; // FMT[17:16] SPLIT[10:6] LOG2SIZE[5:0]
        else this.strtabHi = v & 0x400fffff; // RA[62], ADDR[51:32]
        return;
      case R.CMDQ_BASE:
      case R.CMDQ_BASE + 4:
        if (this.cr0 & R.CR0_CMDQEN) return; // writable only while the queue is disabled
        if (off === R.CMDQ_BASE) this.cmdq.baseLo = v;
        else this.cmdq.baseHi = v & 0x400fffff;
        return;
      case R.CMDQ_PROD:
        this.cmdq.prod = v & this.cmdq.ptrMask;
        this.processCommands();
        return;
      case R.CMDQ_CONS:
        if (this.cr0 & R.CR0_CMDQEN) return; // the SMMU owns CONS while enabled
        this.cmdq.cons = v & this.cmdq.ptrMask;
        return;
      case R.EVENTQ_BASE:
      case R.EVENTQ_BASE + 4:
        if (this.cr0 & R.CR0_EVENTQEN) return;
        if (off === R.EVENTQ_BASE) this.eventq.baseLo = v;
        else this.eventq.baseHi = v & 0x400fffff;
        return;
      case R.EVENTQ_PROD:
      case R.EVENTQ_PROD_P0:
        if (this.cr0 & R.CR0_EVENTQEN) return; // the SMMU owns PROD while enabled
        this.eventq.prod = v & (this.eventq.ptrMask | (1 << 31));
        return;
      case R.EVENTQ_CONS:
      case R.EVENTQ_CONS_P0:
        this.eventq.cons = v & (this.eventq.ptrMask | (1 << 31)); // RD + OVACKFLG
        return;
    }
    this.unimplemented(off, true);
  }

  private writeCr0(v: number): void {
    const old = this.cr0;
    this.cr0 = v & R.CR0_MASK;
    if ((old & R.CR0_CMDQEN) === 0 && this.cr0 & R.CR0_CMDQEN) this.processCommands();
  }

  private unimplemented(off: number, write: boolean): void {
    // Once per offset, and at most 64 offsets (then one last line): bounded logging.
    if (this.reported.has(off) || this.reported.size > 64) return;
    this.reported.add(off);
    if (this.reported.size > 64) this.onUnimplemented('smmuv3: more unimplemented registers accessed (not reported)');
    else this.onUnimplemented(`smmuv3: ${write ? 'write to' : 'read of'} unimplemented register 0x${off.toString(16)} (RAZ/WI)`);
  }

  // ------------------------------------------------------------------ interrupts and errors

  private signal(line: SmmuIrqLine, cfg: Int32Array | null): void {
    if (cfg !== null) {
      const addr = (cfg[1] & 0xfffff) * TWO32 + ((cfg[0] & ~3) >>> 0);
      if (addr !== 0) {
        this.msiWrite(addr, cfg[2], line === 'gerror' ? R.GERROR_MSI_GERROR_ABT_ERR : R.GERROR_MSI_EVENTQ_ABT_ERR);
        return;
      }
    }
    this.onIrq(line, true);
    this.onIrq(line, false);
  }

  /** A 32-bit MSI write; an abort activates the given GERROR.MSI_*_ABT_ERR bit. */
  private msiWrite(addr: number, data: number, abtBit: number): void {
    const bus = this.bus;
    bus.error = false;
    bus.write(addr, 4, data >>> 0);
    if (bus.error) {
      bus.error = false;
      this.activateGerror(abtBit);
      return;
    }
    this.onMemWrite(addr, 4);
  }

  /** Make a GERROR condition active (toggle GERROR.x so that it differs from GERRORN.x) if it is not. */
  private activateGerror(bit: number): void {
    if ((this.gerror ^ this.gerrorn) & bit) return; // already active: wait for the acknowledgement
    this.gerror ^= bit;
    // The GERROR MSI's own abort falls back to the wire.
    if (this.irqCtrl & R.IRQ_GERROR) this.signal('gerror', bit === R.GERROR_MSI_GERROR_ABT_ERR ? null : this.gerrorIrqCfg);
  }

  // ------------------------------------------------------------------ command queue

  private processCommands(): void {
    if (this.processing) return;
    const q = this.cmdq;
    if ((this.cr0 & R.CR0_CMDQEN) === 0) return;
    if ((this.gerror ^ this.gerrorn) & R.GERROR_CMDQ_ERR) return; // stopped until acknowledged
    this.processing = true;
    const w = this.words;
    const bus = this.bus;
    // At most one pass over the queue: PROD - CONS never exceeds its size.
    for (let n = q.used(); n > 0; n--) {
      const a = q.entryAddr(q.cons);
      bus.error = false;
      for (let k = 0; k < 4; k++) w[k] = bus.read(a + 4 * k, 4) | 0;
      this.charge(SMMU_COST.configRead);
      this.counters.commands++;
      this.byOpcode[w[0] & 0xff]++;
      const err = bus.error ? CERROR_ABT : executeCommand(this, w);
      bus.error = false;
      if (err !== CERROR_NONE) {
        // 7.1 "Command queue errors": CONS stays on the command, CMDQ_CONS.ERR says why, GERROR.CMDQ_ERR.
        this.counters.commandErrors++;
        q.cons = (q.cons & q.ptrMask) | (err << 24);
        this.activateGerror(R.GERROR_CMDQ_ERR);
        break;
      }
      q.cons = (q.cons & (0x7f << 24)) | q.next(q.cons);
    }
    this.processing = false;
  }

  invalidateSte(first: number, count: number): void {
    if (count >= this.configs.size) {
      for (const sid of [...this.configs.keys()]) if (sid >= first && sid < first + count) this.configs.delete(sid);
    } else {
      for (let s = first; s < first + count; s++) this.configs.delete(s);
    }
  }

  invalidateCd(sid: number): void {
    const c = this.configs.get(sid);
    if (c !== undefined) c.cd = null;
  }

  prefetchConfig(sid: number): void {
    if (sid >= 2 ** R.SIDSIZE) return;
    this.suppressEvents++;
    const c = this.streamConfig(sid);
    if (c !== null && c.s1 && c.cd === null) this.contextDesc(c, 0, false);
    this.suppressEvents--;
  }

  syncComplete(cs: number, msiAddr: number, msiData: number): void {
    this.counters.syncs++;
    if (cs !== CS_SIG_IRQ) return; // SIG_NONE: software polls CMDQ_CONS; SIG_SEV: no SEV (IDR0.SEV=0)
    if (msiAddr !== 0) this.msiWrite(msiAddr, msiData, R.GERROR_MSI_CMDQ_ABT_ERR);
    else this.signal('cmdq-sync', null);
  }

  // ------------------------------------------------------------------ event queue

  /** Write an event record (7.2 "Event queue recording"; overflow per 7.4). */
  private record(ev: EventFields): void {
    if (this.suppressEvents > 0) return;
    const c = this.counters;
    c.events++;
    const q = this.eventq;
    if ((this.cr0 & R.CR0_EVENTQEN) === 0) {
      c.eventsLost++; // events are discarded while the queue is disabled
      return;
    }
    if (q.full()) {
      // Overflow: the event is lost and PROD.OVFLG toggled, unless an overflow is already
      // signalled and not yet acknowledged (CONS.OVACKFLG != PROD.OVFLG).
      c.eventsLost++;
      if (((q.prod ^ q.cons) >>> 31) === 0) q.prod ^= 1 << 31;
      return;
    }
    const wasEmpty = q.empty();
    const a = q.entryAddr(q.prod);
    encodeEvent(ev, this.ev);
    const bus = this.bus;
    bus.error = false;
    for (let k = 0; k < 8; k++) bus.write(a + 4 * k, 4, this.ev[k] >>> 0);
    if (bus.error) {
      bus.error = false;
      c.eventsLost++;
      this.activateGerror(R.GERROR_EVENTQ_ABT_ERR);
      return;
    }
    this.onMemWrite(a, 32);
    q.prod = (q.prod & (1 << 31)) | q.next(q.prod);
    if (wasEmpty && this.irqCtrl & R.IRQ_EVENTQ) this.signal('eventq', this.eventqIrqCfg);
  }

  // ------------------------------------------------------------------ configuration

  /** Read 16 words at pa into this.words; false on an external abort. */
  private readStruct(pa: number): boolean {
    const bus = this.bus;
    const w = this.words;
    bus.error = false;
    for (let k = 0; k < 16; k++) w[k] = bus.read(pa + 4 * k, 4) | 0;
    this.charge(SMMU_COST.configRead);
    const ok = !bus.error;
    bus.error = false;
    return ok;
  }

  /**
   * The STE of `sid` (3.3 "Data structures and translation procedure"): from the configuration
   * cache, else through STRTAB_BASE (linear or two-level). null when the transaction must abort
   * (an event has been recorded where the architecture says so).
   */
  private streamConfig(sid: number): StreamConfig | null {
    const cached = this.configs.get(sid);
    if (cached !== undefined) {
      this.counters.cfgHits++;
      return cached;
    }
    this.counters.cfgMisses++;
    const base = (this.strtabHi & 0xfffff) * TWO32 + ((this.strtabLo & ~63) >>> 0);
    const cfg = this.strtabCfg;
    const log2size = Math.min(cfg & 63, R.SIDSIZE);
    const fmt = (cfg >>> 16) & 3;
    if (sid >= 2 ** log2size || fmt > 1) return this.badStreamId(sid);
    let steAddr: number;
    if (fmt === 0) {
      steAddr = base + sid * 64;
    } else {
      // Two-level: L1STD at base + (sid >> SPLIT) * 8: Span[4:0], L2Ptr[51:6]; the L2 table holds
      // 2^(Span-1) STEs. Span = 0 (invalid) or a StreamID beyond the span: C_BAD_STREAMID.
      const split = Math.min((cfg >>> 6) & 31, log2size);
      const l1Addr = base + Math.floor(sid / 2 ** split) * 8;
      const bus = this.bus;
      bus.error = false;
      const lo = bus.read(l1Addr, 4) | 0;
      const hi = bus.read(l1Addr + 4, 4) | 0;
      this.charge(SMMU_COST.configRead);
      if (bus.error) {
        bus.error = false;
        this.record({ type: E.F_STE_FETCH, sid, fetchAddr: l1Addr });
        return null;
      }
      const span = lo & 31;
      const idx = sid % 2 ** split;
      if (span === 0 || span > split + 1 || idx >= 2 ** (span - 1)) return this.badStreamId(sid);
      steAddr = (hi & 0xfffff) * TWO32 + ((lo & ~63) >>> 0) + idx * 64;
    }
    if (!this.readStruct(steAddr)) {
      this.record({ type: E.F_STE_FETCH, sid, fetchAddr: steAddr });
      return null;
    }
    this.counters.steFetches++;
    const c = new StreamConfig();
    const bad = decodeSte(this.words, sid, c);
    if (bad !== 0) {
      this.record({ type: bad, sid });
      return null;
    }
    // The cache is bounded: the oldest entry goes first (an SMMU may drop cached structures at any time).
    if (this.configs.size >= CONFIG_CACHE_MAX) this.configs.delete(this.configs.keys().next().value as number);
    this.configs.set(sid, c);
    return c;
  }

  private badStreamId(sid: number): null {
    // Recorded only with CR2.RECINVSID = 1 (6.3.12).
    if (this.cr2 & 2) this.record({ type: E.C_BAD_STREAMID, sid });
    return null;
  }

  /**
   * The CD of a stage-1 stream (5.4), cached with its STE. With stage 2 on, S1ContextPtr is an IPA
   * translated by stage 2 (faults are CLASS=CD). null when the transaction must abort.
   */
  private contextDesc(c: StreamConfig, iova: number, write: boolean): ContextDesc | null {
    if (c.cd !== null) return c.cd;
    let pa = c.cdPtr;
    if (c.s2) {
      const f = this.f;
      f.clear();
      const o = this.s2o;
      if (!this.walker.s2Translate(pa, c.s2p, o, f, false)) {
        if (c.s2record) this.recordFault(c, f, iova, write, E.CLASS_CD, pa);
        return null;
      }
      if ((o.perms & P_S2R) === 0) {
        if (c.s2record) this.record({ type: E.F_PERMISSION, sid: c.sid, write, s2: true, cls: E.CLASS_CD, inputAddr: iova, ipa: pa });
        return null;
      }
      pa = o.pa;
    }
    if (!this.readStruct(pa)) {
      this.record({ type: E.F_CD_FETCH, sid: c.sid, fetchAddr: pa });
      return null;
    }
    this.counters.cdFetches++;
    const cd = new ContextDesc();
    const bad = decodeCd(this.words, c.strw, cd);
    if (bad !== 0) {
      this.record({ type: bad, sid: c.sid });
      return null;
    }
    c.cd = cd;
    return cd;
  }

  // ------------------------------------------------------------------ translation

  /**
   * Translate one DMA access of StreamID `streamId` at `iova` (a read, or a write when `write`):
   * the PA, or -1 when the transaction is aborted. Stage-1 permissions are checked as an
   * unprivileged data access unless STE.PRIVCFG/INSTCFG force otherwise.
   */
  translate(streamId: number, iova: number, write: boolean): number {
    const c = this.counters;
    c.translations++;
    this.charge(COST_TRANSLATE);
    if (!(iova >= 0 && iova < TWO64) || iova % 1 !== 0) {
      c.aborted++;
      return -1;
    }
    if ((this.cr0 & SMMUEN) === 0) {
      // SMMU disabled: GBPA decides (6.3.11).
      if (this.gbpa & R.GBPA_ABORT) {
        c.aborted++;
        return -1;
      }
      c.bypassed++;
      const g = this.gbpa;
      this.attrs = incomingAttrs(g & 15, (g >>> 4) & 1, (g >>> 12) & 3);
      return iova;
    }
    if (!(streamId >= 0 && streamId < SID_LIMIT) || streamId % 1 !== 0) {
      this.badStreamId(streamId >>> 0);
      c.aborted++;
      return -1;
    }
    const cfg = this.streamConfig(streamId);
    if (cfg === null) {
      c.aborted++;
      return -1;
    }
    const ss = this.stream(streamId);
    ss.translations++;
    if (cfg.config === CONFIG_ABORT) {
      c.aborted++; // Config = abort: no event (5.2 STE.Config 0b000)
      ss.aborted++;
      return -1;
    }
    if (cfg.config === CONFIG_BYPASS) {
      c.bypassed++;
      this.attrs = cfg.inAttrs;
      return iova;
    }
    const m = this.iotlb.tlb.l2.stats.misses;
    const pa = this.translateStream(cfg, iova, write);
    ss.misses += this.iotlb.tlb.l2.stats.misses - m;
    if (pa < 0) {
      c.aborted++;
      ss.aborted++;
    }
    return pa;
  }

  private stream(sid: number): StreamStats {
    const l = this.lastStream;
    if (l !== null && l.sid === sid) return l;
    let st = this.streamStats.get(sid);
    if (st === undefined) {
      st = { sid, translations: 0, misses: 0, aborted: 0 };
      this.streamStats.set(sid, st);
    }
    this.lastStream = st;
    return st;
  }

  private translateStream(cfg: StreamConfig, iova: number, write: boolean): number {
    let cd: ContextDesc | null = null;
    if (cfg.s1) {
      cd = this.contextDesc(cfg, iova, write);
      if (cd === null) return -1;
    }
    const priv = cfg.privcfg === 3;
    const instr = cfg.instcfg === 3;
    let lo = iova % TWO32 | 0;
    let hi = Math.floor(iova / TWO32) | 0;
    let upper = 0;
    const f = this.f;
    f.clear();
    if (cd !== null) {
      // VA[55] selects TTB0/TTB1; CD.TBI makes bits [63:56] copies of bit 55 (AArch64.S1Translate).
      upper = cd.el2 ? 0 : (hi >>> 23) & 1;
      if ((cd.tbi >>> upper) & 1) hi = (hi << 8) >> 8;
      const p = upper ? cd.tt1 : cd.tt0;
      if (!inS1Range(p, upper, lo, hi)) {
        f.set(FSC_TRANSLATION, 1, false, 0);
        this.iotlb.tlb.walks.s1Faults++;
        return this.fault(cfg, cd, f, iova, write, priv, instr, 0);
      }
    }
    if (cd === null && hi >>> 16 !== 0) {
      // Stage 1 bypassed: the IPA is the input address, beyond any stage-2 input size here
      // (Translation fault at level 0, as AArch64.S2Translate for an IPA out of range).
      f.set(FSC_TRANSLATION, 2, false, iova);
      this.iotlb.tlb.walks.s2Faults++;
      return this.fault(cfg, cd, f, iova, write, priv, instr, iova);
    }
    const va48 = (hi & 0xffff) * TWO32 + (lo >>> 0);
    // Stage-1 permission bits this access needs (EL1 columns when privileged or in the EL2 regime).
    const need1 = write ? P_W1 : instr ? P_X1 : P_R1;
    const n1 = priv || cfg.strw === STRW_EL2 ? need1 : need1 << 3;
    const asid = cd !== null ? cd.asid : 0;
    const regime = (cfg.s1 ? RG_S1 : 0) | (cfg.s2 ? RG_S2 : 0) | (cfg.strw === STRW_EL2 ? RG_EL2 : 0);
    const tlb = this.iotlb.tlb;
    const main = tlb.l2;
    const ctx = tlb.context(cfg.vmid, asid);
    ctx.lookups++;
    const e = main.lookup(lo, hi, asid, cfg.vmid, regime);
    let pa: number;
    let ipa: number;
    let perms: number;
    let s1Level: number;
    let s2Level: number;
    if (e >= 0) {
      const off = va48 - alignDown(va48, main.shift[e]);
      pa = main.pa[e] + off;
      ipa = main.ipa[e] + off;
      perms = main.perms[e];
      this.attrs = main.attrs[e];
      s1Level = main.s1level[e];
      s2Level = main.s2level[e];
    } else {
      ctx.l1Misses++;
      ctx.walks++;
      this.charge(COST_MISS);
      const ws = tlb.walks;
      const r1 = ws.s1DescReads;
      const r2 = ws.s2DescReads;
      const ok = this.walk(cfg, cd, upper, va48, lo, hi, n1);
      ctx.s1DescReads += ws.s1DescReads - r1;
      ctx.s2DescReads += ws.s2DescReads - r2;
      if (!ok) return this.fault(cfg, cd, f, iova, write, priv, instr, this.walkIpa);
      pa = this.walkPa;
      ipa = this.walkIpa;
      perms = this.walkPerms;
      this.attrs = this.walkAttrs;
      s1Level = this.walkS1Level;
      s2Level = this.walkS2Level;
    }
    // Permission checks: stage 1 first (AArch64.S1CheckPermissions), then stage 2.
    if (cfg.s1) {
      if ((perms & n1) !== n1) {
        f.set(FSC_PERMISSION + s1Level, 1, false, 0);
        tlb.walks.s1Faults++;
        return this.fault(cfg, cd, f, iova, write, priv, instr, ipa);
      }
    }
    if (cfg.s2) {
      // Stage 2 (AArch64.S2CheckPermissions): S2AP[1] for writes, XN=0 for instruction fetches,
      // S2AP[0] for data reads.
      const need = write ? P_S2W : instr ? P_S2X : P_S2R;
      if ((perms & need) === 0) {
        f.set(FSC_PERMISSION + s2Level, 2, false, ipa);
        tlb.walks.s2Faults++;
        return this.fault(cfg, cd, f, iova, write, priv, instr, ipa);
      }
    }
    return pa;
  }

  private walkPa = 0;
  private walkIpa = 0;
  private walkPerms = 0;
  private walkAttrs = 0;
  private walkS1Level = 0;
  private walkS2Level = 0;

  /** IOTLB miss: stage-1 walk (descriptors through stage 2 when nested), stage 2 of the output, fill. */
  private walk(cfg: StreamConfig, cd: ContextDesc | null, upper: number, va48: number, lo: number, hi: number, n1: number): boolean {
    const f = this.f;
    const s2p = cfg.s2p;
    let ipa = va48;
    let s1perms = P_R1 | P_W1 | P_X1 | P_R0 | P_W0 | P_X0;
    let s1shift = 63;
    let global = 1;
    let attrs = cfg.inAttrs;
    this.walkS1Level = 0;
    this.walkS2Level = 0;
    this.walkIpa = va48;
    if (cd !== null) {
      const p = upper ? cd.tt1 : cd.tt0;
      if (p.epd) {
        // CD.EPDn = 1: a TLB miss in this range is a Translation fault, level 0.
        f.set(FSC_TRANSLATION, 1, false, 0);
        this.iotlb.tlb.walks.s1Faults++;
        return false;
      }
      const o = this.s1o;
      if (!this.walker.s1Walk(va48, lo, hi, p, s2p, o, f)) {
        if (f.stage === 1) this.iotlb.tlb.walks.s1Faults++;
        return false;
      }
      if (cd.el2) {
        s1perms = s1PermsEl2(o.ap, o.uxn, p.wxn);
      } else {
        s1perms = s1Perms(o.ap, o.uxn, o.pxn, p.wxn);
      }
      const a = mairAttr(cd.mairLo, cd.mairHi, o.attrIndx);
      attrs = a | (effectiveSh(a, o.sh) << 8);
      s1shift = o.shift;
      ipa = o.oa + (va48 - alignDown(va48, o.shift));
      global = cd.el2 ? 1 : o.ng ^ 1;
      this.walkS1Level = o.level;
      // A stage-1 Permission fault has priority over stage 2's translation of the output address
      // (as on the PE); nothing is cached for it.
      if ((s1perms & n1) !== n1) {
        f.set(FSC_PERMISSION + o.level, 1, false, 0);
        this.iotlb.tlb.walks.s1Faults++;
        this.walkIpa = ipa;
        return false;
      }
    }
    let shift = s1shift;
    let pa = ipa;
    let s2perms = 0;
    this.walkIpa = ipa;
    if (cfg.s2) {
      const o2 = this.s2o;
      if (!this.walker.s2Translate(ipa, s2p, o2, f, false)) return false;
      pa = o2.pa;
      s2perms = o2.perms;
      this.walkS2Level = o2.level;
      if (o2.shift < shift) shift = o2.shift;
      attrs = combineS1S2(attrs & 0xff, attrs >>> 8, o2.attrs & 0xff, o2.attrs >>> 8, false);
    }
    if (shift > 30) shift = 30;
    this.walkPa = pa;
    this.walkPerms = s1perms | s2perms;
    this.walkAttrs = attrs;
    const main = this.iotlb.tlb.l2;
    const e = main.allocate(lo, hi, shift);
    if (e >= 0) {
      main.s1shift[e] = s1shift > 30 ? shift : s1shift;
      main.asid[e] = global ? 0 : cd!.asid;
      main.global[e] = global;
      main.vmid[e] = cfg.vmid;
      main.regime[e] = (cfg.s1 ? RG_S1 : 0) | (cfg.s2 ? RG_S2 : 0) | (cfg.strw === STRW_EL2 ? RG_EL2 : 0);
      main.pa[e] = alignDown(pa, shift);
      main.ipa[e] = alignDown(ipa, shift);
      main.perms[e] = this.walkPerms;
      main.attrs[e] = attrs;
      main.s1level[e] = this.walkS1Level;
      main.s2level[e] = this.walkS2Level;
      main.commit(e, lo, hi, shift);
    }
    return true;
  }

  /** Record the event for a translation fault (if the stage's R bit says so); returns -1. */
  private fault(cfg: StreamConfig, cd: ContextDesc | null, f: FaultRecord, iova: number, write: boolean, priv: boolean, instr: boolean, ipa: number): number {
    const recordIt = f.stage === 2 ? cfg.s2record : cd === null || cd.record;
    // An external abort on a walk is always reported (F_WALK_EABT is not a translation fault).
    if (recordIt || (f.fsc & ~3) === FSC_SEA_WALK) {
      this.recordFault(cfg, f, iova, write, f.s1ptw ? E.CLASS_TT : E.CLASS_IN, f.stage === 2 ? f.ipa : ipa, priv, instr);
    }
    return -1;
  }

  private recordFault(cfg: StreamConfig, f: FaultRecord, iova: number, write: boolean, cls: number, ipa: number, priv = false, instr = false): void {
    const kind = f.fsc & ~3;
    const type =
      kind === FSC_TRANSLATION
        ? E.F_TRANSLATION
        : kind === FSC_ADDR_SIZE
          ? E.F_ADDR_SIZE
          : kind === FSC_ACCESS_FLAG
            ? E.F_ACCESS
            : kind === FSC_PERMISSION
              ? E.F_PERMISSION
              : E.F_WALK_EABT;
    const s2 = f.stage === 2;
    const ev: EventFields = { type, sid: cfg.sid, write, priv, instr, s2, cls, ttRead: f.s1ptw, inputAddr: iova };
    if (type === E.F_WALK_EABT) ev.fetchAddr = this.walker.lastDescPa;
    else if (s2) ev.ipa = ipa;
    this.record(ev);
  }

  // ------------------------------------------------------------------ statistics

  stats(): SmmuStats {
    const t = this.iotlb.tlb;
    const lvl = (a: typeof t.l2) => ({ ...a.stats, entries: a.n, valid: a.count() });
    const c = this.counters;
    const w = t.walks;
    return {
      translations: c.translations,
      bypassed: c.bypassed,
      aborted: c.aborted,
      iotlb: lvl(t.l2),
      ipaCache: lvl(t.ipa),
      walkCache: lvl(t.walk),
      walks: { s1Walks: w.s1Walks, s2Walks: w.s2Walks, s1DescReads: w.s1DescReads, s2DescReads: w.s2DescReads, s1Faults: w.s1Faults, s2Faults: w.s2Faults },
      config: { steFetches: c.steFetches, cdFetches: c.cdFetches, hits: c.cfgHits, misses: c.cfgMisses },
      commands: c.commands,
      commandsByKind: this.commandsByKind(),
      commandErrors: c.commandErrors,
      syncs: c.syncs,
      events: c.events,
      eventsLost: c.eventsLost,
      contexts: [...t.contexts.values()].map((x) => ({
        vmid: x.vmid,
        asid: x.asid,
        lookups: x.lookups,
        misses: x.l1Misses,
        walks: x.walks,
        s1DescReads: x.s1DescReads,
        s2DescReads: x.s2DescReads,
      })),
      streams: [...this.streamStats.values()].sort((a, b) => a.sid - b.sid).map((x) => ({ ...x })),
    };
  }
}

export { SMMU_FRAME_SIZE } from './regs.js';
