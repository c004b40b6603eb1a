// The hypervisor's SMMUv3 driver (IHI 0070), at EL2 in TypeScript: the hypervisor is the SMMU's
// second client after Linux. It owns the SMMU entirely and drives it only through its registers
// and the in-memory structures the architecture defines, all placed in the hypervisor's own memory
// (which no stage 2 maps, so no VM and no DMA through a stage-2 STE can reach them):
//   - a linear Stream table (STRTAB_BASE / STRTAB_BASE_CFG.FMT = linear), one 64-byte STE per
//     StreamID; every STE starts as V=1 Config=abort, so an unassigned bus master reaches nothing;
//   - the Command queue (CMDQ_BASE, CMDQ_PROD/CMDQ_CONS), 16-byte commands;
//   - the Event queue (EVENTQ_BASE, EVENTQ_PROD/EVENTQ_CONS in page 1), 32-byte records.
// A StreamID assigned to a VM gets a stage-2 STE (Config = 0b110) with S2VMID = the VM's VMID and
// S2TTB/S2T0SZ/S2SL0/S2IR0/S2OR0/S2SH0/S2TG/S2PS copied from the VM's own VTTBR_EL2 / VTCR_EL2: the
// SMMU walks the very tables the CPU walks, so a DMA address is an IPA exactly as the guest's
// physical addresses are. Every STE change is followed by CMD_CFGI_STE + CMD_SYNC, every stage-2
// change by CMD_TLBI_S2_IPA + CMD_SYNC (IHI 0070 4.4: the SMMU may cache both).
import type { Bus } from '../devices/bus.js';

/** Register offsets, page 0 (IHI 0070 6.2) and page 1 (+0x10000). */
export const SMMU_REG = {
  IDR0: 0x00,
  IDR1: 0x04,
  IDR5: 0x14,
  CR0: 0x20,
  CR0ACK: 0x24,
  CR1: 0x28,
  CR2: 0x2c,
  GBPA: 0x44,
  IRQ_CTRL: 0x50,
  IRQ_CTRLACK: 0x54,
  GERROR: 0x60,
  GERRORN: 0x64,
  STRTAB_BASE: 0x80,
  STRTAB_BASE_CFG: 0x88,
  CMDQ_BASE: 0x90,
  CMDQ_PROD: 0x98,
  CMDQ_CONS: 0x9c,
  EVENTQ_BASE: 0xa0,
  EVENTQ_PROD: 0x100a8,
  EVENTQ_CONS: 0x100ac,
} as const;

// CR0 (6.3.9): enables, each acknowledged in CR0ACK.
const CR0_SMMUEN = 1 << 0;
const CR0_EVENTQEN = 1 << 2;
const CR0_CMDQEN = 1 << 3;
// IRQ_CTRL (6.3.21).
const IRQ_GERROR = 1 << 0;
const IRQ_EVENTQ = 1 << 2;
// GERROR (6.3.23): CMDQ_ERR is bit 0; active while GERROR.b != GERRORN.b.
const GERROR_CMDQ_ERR = 1 << 0;
// IDR0 (6.3.1): S2P bit 0 (stage 2 implemented).
const IDR0_S2P = 1 << 0;
// CR1: queues and tables Write-Back cacheable inner and outer, Inner Shareable (6.3.10).
const CR1_WB_ISH = 1 | (1 << 2) | (3 << 4) | (1 << 6) | (1 << 8) | (3 << 10);
// CR2 (6.3.11): RECINVSID records C_BAD_STREAMID for out-of-range StreamIDs; PTM: no broadcast TLBI.
const CR2_RECINVSID = 1 << 1;
const CR2_PTM = 1 << 2;
/** Queue base registers: RA / WA hint, bit 62 (in the upper word, bit 30). */
const BASE_HINT_HI = 1 << 30;

/** STE.Config values (IHI 0070 5.2, bits [3:1]). */
export const STE_CONFIG = { ABORT: 0b000, BYPASS: 0b100, S1: 0b101, S2: 0b110, NESTED: 0b111 } as const;
const STE_BYTES = 64;

/** Command opcodes (IHI 0070 4.1.1), with the names the statistics use. */
export const CMD = {
  CFGI_STE: 0x03,
  CFGI_ALL: 0x04,
  TLBI_NH_ALL: 0x10,
  TLBI_EL2_ALL: 0x20,
  TLBI_S12_VMALL: 0x28,
  TLBI_S2_IPA: 0x2a,
  TLBI_NSNH_ALL: 0x30,
  SYNC: 0x46,
} as const;
const CMD_NAMES: Record<number, string> = Object.fromEntries(Object.entries(CMD).map(([k, v]) => [v, `CMD_${k}`]));

/** Event numbers (IHI 0070 7.3) by name. */
export const EVENT_NAMES: Record<number, string> = {
  0x01: 'F_UUT',
  0x02: 'C_BAD_STREAMID',
  0x03: 'F_STE_FETCH',
  0x04: 'C_BAD_STE',
  0x05: 'F_BAD_ATS_TREQ',
  0x06: 'F_STREAM_DISABLED',
  0x07: 'F_TRANSL_FORBIDDEN',
  0x08: 'C_BAD_SUBSTREAMID',
  0x09: 'F_CD_FETCH',
  0x0a: 'C_BAD_CD',
  0x0b: 'F_WALK_EABT',
  0x10: 'F_TRANSLATION',
  0x11: 'F_ADDR_SIZE',
  0x12: 'F_ACCESS',
  0x13: 'F_PERMISSION',
  0x20: 'F_TLB_CONFLICT',
  0x21: 'F_CFG_CONFLICT',
  0x24: 'E_PAGE_REQUEST',
};
const CLASS_NAMES = ['CD', 'TT', 'IN', 'reserved'];

/** One event record, decoded (IHI 0070 7.3: the fields common to the translation faults). */
export interface SmmuEvent {
  type: number;
  name: string;
  streamId: number;
  /** InputAddr (7.3): the address the master presented (an IPA for a stage-2-only stream). */
  inputAddr: number;
  /** RnW: true for a read. */
  read: boolean;
  /** S2: the fault is at stage 2. */
  stage2: boolean;
  /** CLASS: CD, TT (a stage-1 table fetch) or IN (the input address). */
  cls: string;
  /** IPA [251:204] of a stage-2 fault (the IPA stage 1 produced, a CD or table address). */
  ipa: number;
  /** The raw record, 8 words. */
  raw: number[];
}

export function formatEvent(e: SmmuEvent): string {
  const kind = e.type >= 0x10 && e.type <= 0x13;
  return (
    `${e.name} (0x${e.type.toString(16)}) StreamID 0x${e.streamId.toString(16)}` +
    (kind || e.type === 0x0b ? ` ${e.read ? 'read' : 'write'} of 0x${e.inputAddr.toString(16)}, stage ${e.stage2 ? 2 : 1}, CLASS ${e.cls}` : '') +
    (kind && e.stage2 && e.ipa !== Math.floor(e.inputAddr / 4096) * 4096 ? ` (IPA 0x${e.ipa.toString(16)})` : '')
  );
}

/** Decode a 32-byte event record given as eight little-endian words. */
export function decodeEvent(w: number[]): SmmuEvent {
  const type = w[0] & 0xff;
  return {
    type,
    name: EVENT_NAMES[type] ?? `event 0x${type.toString(16)}`,
    streamId: w[1] >>> 0,
    // dword 1: RnW bit 35, S2 bit 39, CLASS bits [41:40] (bits 99, 103, 105:104 of the record).
    read: ((w[3] >>> 3) & 1) === 1,
    stage2: ((w[3] >>> 7) & 1) === 1,
    cls: CLASS_NAMES[(w[3] >>> 8) & 3],
    inputAddr: (w[5] >>> 0) * 2 ** 32 + (w[4] >>> 0),
    ipa: (w[7] & 0xfffff) * 2 ** 32 + ((w[6] >>> 0) - ((w[6] >>> 0) % 4096)),
    raw: w.map((x) => x >>> 0),
  };
}

/** Stage-2 parameters of a VM as its VTTBR_EL2 / VTCR_EL2 hold them. */
export interface Stage2Context {
  vmid: number;
  /** VTTBR_EL2.BADDR: the stage-2 root table. */
  root: number;
  /** VTCR_EL2 (T0SZ [5:0], SL0 [7:6], IRGN0 [9:8], ORGN0 [11:10], SH0 [13:12], TG0 [15:14], PS [18:16]). */
  vtcr: number;
}

/**
 * The 8 words (little-endian dwords as lo/hi pairs) of a stage-2-only STE (IHI 0070 5.2):
 *   word 0   V [0], Config [3:1] = 0b110
 *   word 3   SHCFG [45:44] = 0b01 (use the incoming shareability)
 *   word 4   S2VMID [143:128]
 *   word 5   S2T0SZ [165:160], S2SL0 [167:166], S2IR0 [169:168], S2OR0 [171:170], S2SH0 [173:172],
 *            S2TG [175:174], S2PS [178:176] — VTCR_EL2[18:0] field for field — S2AA64 [179] = 1
 *            (VMSAv8-64), S2R [186] = 1 (record faults as events)
 *   word 6,7 S2TTB [247:196]
 */
export function stage2Ste(s2: Stage2Context): number[] {
  const w = new Array<number>(16).fill(0);
  w[0] = 1 | (STE_CONFIG.S2 << 1);
  w[3] = 1 << (44 - 32);
  w[4] = s2.vmid & 0xffff;
  w[5] = ((s2.vtcr & 0x7ffff) | (1 << (179 - 160)) | (1 << (186 - 160))) >>> 0;
  w[6] = (s2.root % 2 ** 32) & ~0xf;
  w[7] = Math.floor(s2.root / 2 ** 32) & 0xfffff;
  return w.map((x) => x | 0);
}

/**
 * A nested STE (Config = 0b111): the guest's stage 1 from its own context descriptor, then the
 * VM's stage 2 (the stage-2 words as stage2Ste). Word 0-1: S1Fmt [5:4] = 0 (one CD),
 * S1ContextPtr [51:6] = the CD's IPA (translated by stage 2, 5.2), S1CDMax [63:59] = 0; word 2:
 * S1DSS 0, S1CIR [3:2] = S1COR [5:4] = 0b01 (WB), S1CSH [7:6] = 0b11 (ISH) for the CD fetch.
 */
export function nestedSte(s2: Stage2Context, cdIpa: number): number[] {
  const w = stage2Ste(s2);
  w[0] = (1 | (STE_CONFIG.NESTED << 1) | ((cdIpa % 2 ** 32) & ~63)) | 0;
  w[1] = Math.floor(cdIpa / 2 ** 32) & 0xfffff;
  w[2] = (1 << 2) | (1 << 4) | (3 << 6);
  return w;
}

/** An STE that lets the stream through untranslated (Config = 0b100): the seed's problem. */
export function bypassSte(): number[] {
  const w = new Array<number>(16).fill(0);
  w[0] = 1 | (STE_CONFIG.BYPASS << 1);
  w[3] = 1 << (44 - 32);
  return w;
}

/** V=1, Config = abort: every transaction of the stream is terminated (no event, 5.2 Config). */
export function abortSte(): number[] {
  const w = new Array<number>(16).fill(0);
  w[0] = 1;
  return w;
}

export interface HypSmmuOptions {
  /** Physical base of the SMMU's register frame (QEMU virt: 0x0905_0000). */
  base: number;
  /** Hypervisor memory for the Stream table and the queues: [memBase, memBase + HYP_SMMU_MEM). */
  memBase: number;
  /** log2 of the number of STEs in the linear Stream table (default 10: StreamIDs 0..1023). */
  streamBits?: number;
}

/** Bytes of hypervisor memory the driver needs (64 KiB Stream table, 4 KiB per queue). */
export const HYP_SMMU_MEM = 0x1_2000;
const CMDQ_LOG2 = 8;
const EVTQ_LOG2 = 7;
/** Bounded polling: the model answers at once; a broken one must not hang the hypervisor. */
const POLL_LIMIT = 10_000;
/** Events kept for the debugger and the report. */
const EVENT_LOG = 256;

/** Thrown by the driver for an SMMU that misbehaves (one line). */
export class SmmuDriverError extends Error {}

export class HypSmmu {
  readonly base: number;
  readonly strtab: number;
  readonly streamBits: number;
  readonly cmdq: number;
  readonly evtq: number;
  private cmdqLog2 = CMDQ_LOG2;
  private evtqLog2 = EVTQ_LOG2;
  /** Software copies of the queue indices (with the wrap bit above the index). */
  private cmdProd = 0;
  private evtCons = 0;
  /** EVENTQ_CONS.OVACKFLG as last written (bit 31). */
  private evtConsFlag = 0;
  /** Commands issued, by name; events read, by name; the last events. */
  readonly commands = new Map<string, number>();
  readonly eventsByName = new Map<string, number>();
  readonly events: SmmuEvent[] = [];
  eventsTotal = 0;
  /** Event queue overflows seen (EVENTQ_PROD.OVFLG toggled), command errors (GERROR.CMDQ_ERR). */
  overflows = 0;
  cmdErrors = 0;
  /** The StreamIDs given an STE by the hypervisor, and how. */
  readonly streams = new Map<number, { config: 'stage2' | 'nested' | 'bypass'; vmid?: number; owner?: string; cd?: number }>();

  constructor(
    private readonly bus: Bus,
    o: HypSmmuOptions,
  ) {
    this.base = o.base;
    this.streamBits = o.streamBits ?? 10;
    this.strtab = o.memBase;
    this.cmdq = o.memBase + STE_BYTES * 2 ** this.streamBits;
    this.evtq = this.cmdq + 0x1000;
    if (this.strtab % (STE_BYTES * 2 ** this.streamBits) !== 0) throw new SmmuDriverError('SMMU stream table must be aligned to its size');
  }

  // ------------------------------------------------------------------ registers

  private r32(off: number): number {
    return this.bus.read(this.base + off, 4) >>> 0;
  }
  private w32(off: number, v: number): void {
    this.bus.write(this.base + off, 4, v >>> 0);
  }
  /** A 64-bit register as two 32-bit accesses, low half first. */
  private w64(off: number, lo: number, hi: number): void {
    this.w32(off, lo);
    this.w32(off + 4, hi);
  }
  private poll(off: number, want: number, mask: number, what: string): void {
    for (let k = 0; k < POLL_LIMIT; k++) if ((this.r32(off) & mask) === (want & mask)) return;
    throw new SmmuDriverError(`SMMU at 0x${this.base.toString(16)}: ${what} not acknowledged`);
  }

  /**
   * Bring the SMMU up as a driver must (IHI 0070 6.3.9: each enable acknowledged in CR0ACK before
   * the next step): everything off, tables and queues programmed, command queue on, caches
   * invalidated, event queue and its interrupt on, then translation (SMMUEN).
   */
  init(): void {
    const idr0 = this.r32(SMMU_REG.IDR0);
    if ((idr0 & IDR0_S2P) === 0) throw new SmmuDriverError(`SMMU at 0x${this.base.toString(16)}: no stage 2 (IDR0.S2P = 0)`);
    const idr1 = this.r32(SMMU_REG.IDR1);
    // IDR1: CMDQS [25:21], EVENTQS [20:16], SIDSIZE [5:0] (6.3.2).
    this.cmdqLog2 = Math.min(CMDQ_LOG2, (idr1 >>> 21) & 0x1f);
    this.evtqLog2 = Math.min(EVTQ_LOG2, (idr1 >>> 16) & 0x1f);
    const sidSize = idr1 & 0x3f;
    if (sidSize < this.streamBits) throw new SmmuDriverError(`SMMU: IDR1.SIDSIZE ${sidSize} < ${this.streamBits} StreamID bits`);
    this.w32(SMMU_REG.CR0, 0);
    this.poll(SMMU_REG.CR0ACK, 0, 0xf, 'CR0 = 0');
    this.w32(SMMU_REG.CR1, CR1_WB_ISH);
    this.w32(SMMU_REG.CR2, CR2_RECINVSID | CR2_PTM);
    for (let sid = 0; sid < 2 ** this.streamBits; sid++) this.writeSte(sid, abortSte());
    // STRTAB_BASE: ADDR [51:6] | RA; STRTAB_BASE_CFG: FMT [17:16] = 0 (linear), LOG2SIZE [5:0].
    this.w64(SMMU_REG.STRTAB_BASE, this.strtab % 2 ** 32, Math.floor(this.strtab / 2 ** 32) | BASE_HINT_HI);
    this.w32(SMMU_REG.STRTAB_BASE_CFG, this.streamBits);
    // CMDQ_BASE / EVENTQ_BASE: ADDR [51:5] | LOG2SIZE [4:0] | RA/WA.
    this.zero(this.cmdq, 16 << this.cmdqLog2);
    this.zero(this.evtq, 32 << this.evtqLog2);
    this.w64(SMMU_REG.CMDQ_BASE, this.cmdq % 2 ** 32 | this.cmdqLog2, Math.floor(this.cmdq / 2 ** 32) | BASE_HINT_HI);
    this.w32(SMMU_REG.CMDQ_PROD, 0);
    this.w32(SMMU_REG.CMDQ_CONS, 0);
    this.cmdProd = 0;
    this.w64(SMMU_REG.EVENTQ_BASE, this.evtq % 2 ** 32 | this.evtqLog2, Math.floor(this.evtq / 2 ** 32) | BASE_HINT_HI);
    this.w32(SMMU_REG.EVENTQ_PROD, 0);
    this.w32(SMMU_REG.EVENTQ_CONS, 0);
    this.evtCons = 0;
    this.w32(SMMU_REG.CR0, CR0_CMDQEN);
    this.poll(SMMU_REG.CR0ACK, CR0_CMDQEN, 0xf, 'CR0.CMDQEN');
    // Nothing cached from before: configuration and every TLB entry (4.3.1, 4.4.2).
    this.command([CMD.CFGI_ALL, 0, 31, 0]); // Range 31: all StreamIDs
    this.command([CMD.TLBI_NSNH_ALL, 0, 0, 0]);
    this.command([CMD.TLBI_EL2_ALL, 0, 0, 0]);
    this.sync();
    this.w32(SMMU_REG.CR0, CR0_CMDQEN | CR0_EVENTQEN);
    this.poll(SMMU_REG.CR0ACK, CR0_CMDQEN | CR0_EVENTQEN, 0xf, 'CR0.EVENTQEN');
    this.w32(SMMU_REG.IRQ_CTRL, IRQ_EVENTQ | IRQ_GERROR);
    this.poll(SMMU_REG.IRQ_CTRLACK, IRQ_EVENTQ | IRQ_GERROR, 0x7, 'IRQ_CTRL');
    this.w32(SMMU_REG.CR0, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
    this.poll(SMMU_REG.CR0ACK, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN, 0xf, 'CR0.SMMUEN');
  }

  private zero(pa: number, len: number): void {
    for (let k = 0; k < len; k += 4) this.bus.write(pa + k, 4, 0);
  }

  // ------------------------------------------------------------------ stream table

  /** The STE's physical address (linear table: STRTAB_BASE + StreamID * 64). */
  steAddr(sid: number): number {
    return this.strtab + sid * STE_BYTES;
  }

  /** Write an STE's words, word 0 (V, Config) last so the SMMU never sees half an entry valid. */
  private writeSte(sid: number, w: number[]): void {
    const a = this.steAddr(sid);
    for (let k = w.length - 1; k >= 0; k--) this.bus.write(a + 4 * k, 4, w[k] >>> 0);
  }

  private checkSid(sid: number): void {
    if (!Number.isInteger(sid) || sid < 0 || sid >= 2 ** this.streamBits) {
      throw new SmmuDriverError(`StreamID ${sid} is outside the hypervisor's stream table (0..${2 ** this.streamBits - 1})`);
    }
  }

  /**
   * Give StreamID `sid` to a VM: stage-2-only STE on the VM's own stage-2 tables, then
   * CMD_CFGI_STE (Leaf) and CMD_TLBI_S12_VMALL for its VMID (nothing stale from a previous owner),
   * CMD_SYNC.
   */
  attachStage2(sid: number, s2: Stage2Context, owner?: string): void {
    this.checkSid(sid);
    this.writeSte(sid, stage2Ste(s2));
    this.streams.set(sid, { config: 'stage2', vmid: s2.vmid, owner });
    this.command([CMD.CFGI_STE, sid, 1, 0]);
    this.command([CMD.TLBI_S12_VMALL, (s2.vmid & 0xffff), 0, 0]);
    this.sync();
  }

  /**
   * Translate StreamID `sid` by a guest's stage 1 (the CD at IPA `cdIpa`, which the guest owns)
   * nested in the VM's stage 2. CMD_CFGI_STE also drops the cached CD (4.3.2); CMD_TLBI_NH_ALL
   * drops the VMID's stage-1 entries (the guest may have changed its tables before asking again).
   */
  attachNested(sid: number, s2: Stage2Context, cdIpa: number, owner?: string): void {
    this.checkSid(sid);
    this.writeSte(sid, nestedSte(s2, cdIpa));
    this.streams.set(sid, { config: 'nested', vmid: s2.vmid, owner, cd: cdIpa });
    this.command([CMD.CFGI_STE, sid, 1, 0]);
    this.command([CMD.TLBI_NH_ALL, s2.vmid & 0xffff, 0, 0]);
    this.sync();
  }

  /** The stream bypasses translation (STE.Config = 0b100): DMA addresses are PAs. */
  attachBypass(sid: number, owner?: string): void {
    this.checkSid(sid);
    this.writeSte(sid, bypassSte());
    this.streams.set(sid, { config: 'bypass', owner });
    this.command([CMD.CFGI_STE, sid, 1, 0]);
    this.sync();
  }

  /** Back to abort. */
  detach(sid: number): void {
    this.checkSid(sid);
    this.writeSte(sid, abortSte());
    this.streams.delete(sid);
    this.command([CMD.CFGI_STE, sid, 1, 0]);
    this.sync();
  }

  /**
   * A VM's stage 2 changed at [ipa, ipa + size): CMD_TLBI_S2_IPA for each 4 KiB page (VMID
   * [47:32] of dword 0; Address [51:12] of dword 1), then CMD_SYNC, so that DMA sees the change as
   * soon as this returns (4.4.6). Large ranges use CMD_TLBI_S12_VMALL instead.
   */
  invalidateIpa(vmid: number, ipa: number, size: number): void {
    const pages = Math.ceil(size / 4096);
    if (pages > 64) this.command([CMD.TLBI_S12_VMALL, vmid & 0xffff, 0, 0]);
    else {
      for (let p = 0; p < pages; p++) {
        const a = Math.floor(ipa / 4096) * 4096 + p * 4096;
        this.command([CMD.TLBI_S2_IPA, vmid & 0xffff, a % 2 ** 32, Math.floor(a / 2 ** 32) & 0xfffff]);
      }
    }
    this.sync();
  }

  // ------------------------------------------------------------------ command queue

  /**
   * Put one command (words: [opcode + dword0 bits 31:8, dword0 bits 63:32, dword1 lo, dword1 hi])
   * at CMDQ_PROD and publish it by writing CMDQ_PROD (4.2: the SMMU consumes up to PROD).
   */
  private command(w: number[]): void {
    const n = 2 ** this.cmdqLog2;
    const idx = this.cmdProd & (n - 1);
    // Full: same index, different wrap bit; wait for the SMMU to consume.
    for (let k = 0; ; k++) {
      const cons = this.r32(SMMU_REG.CMDQ_CONS) & ((n << 1) - 1);
      if (!((cons & (n - 1)) === idx && (cons & n) !== (this.cmdProd & n))) break;
      if (k >= POLL_LIMIT) throw new SmmuDriverError('SMMU command queue stays full');
    }
    const a = this.cmdq + idx * 16;
    for (let k = 0; k < 4; k++) this.bus.write(a + 4 * k, 4, (w[k] ?? 0) >>> 0);
    const name = CMD_NAMES[w[0] & 0xff] ?? `cmd 0x${(w[0] & 0xff).toString(16)}`;
    this.commands.set(name, (this.commands.get(name) ?? 0) + 1);
    this.cmdProd = (this.cmdProd + 1) & ((n << 1) - 1);
    this.w32(SMMU_REG.CMDQ_PROD, this.cmdProd);
  }

  /**
   * CMD_SYNC with CS = SIG_NONE, then poll CMDQ_CONS until it passes the SYNC (4.7.3: every
   * earlier command has completed). A command the SMMU refuses (GERROR.CMDQ_ERR, CMDQ_CONS.ERR) is
   * counted, overwritten with a CMD_SYNC and acknowledged through GERRORN, so the queue moves on.
   */
  sync(): void {
    this.command([CMD.SYNC, 0, 0, 0]);
    const n = 2 ** this.cmdqLog2;
    const mask = (n << 1) - 1;
    for (let k = 0; k < POLL_LIMIT; k++) {
      const gerror = this.r32(SMMU_REG.GERROR);
      const gerrorn = this.r32(SMMU_REG.GERRORN);
      if (((gerror ^ gerrorn) & GERROR_CMDQ_ERR) !== 0) {
        this.cmdErrors++;
        const cons = this.r32(SMMU_REG.CMDQ_CONS) & (n - 1);
        const a = this.cmdq + cons * 16;
        this.bus.write(a, 4, CMD.SYNC);
        for (let j = 4; j < 16; j += 4) this.bus.write(a + j, 4, 0);
        this.w32(SMMU_REG.GERRORN, gerrorn ^ GERROR_CMDQ_ERR);
        continue;
      }
      if ((this.r32(SMMU_REG.CMDQ_CONS) & mask) === this.cmdProd) return;
    }
    throw new SmmuDriverError('SMMU did not complete CMD_SYNC');
  }

  // ------------------------------------------------------------------ event queue

  /**
   * Read every record between EVENTQ_CONS and EVENTQ_PROD, advance EVENTQ_CONS (3.5.2), and
   * acknowledge an overflow (EVENTQ_PROD.OVFLG != EVENTQ_CONS.OVACKFLG, bit 31). Returns the new
   * events, oldest first.
   */
  drainEvents(): SmmuEvent[] {
    const n = 2 ** this.evtqLog2;
    const mask = (n << 1) - 1;
    const prodReg = this.r32(SMMU_REG.EVENTQ_PROD);
    const prod = prodReg & mask;
    const out: SmmuEvent[] = [];
    let overflow = false;
    if (((prodReg >>> 31) & 1) !== ((this.evtConsFlag >>> 31) & 1)) {
      this.overflows++;
      overflow = true;
    }
    for (let k = 0; k < n && this.evtCons !== prod; k++) {
      const a = this.evtq + (this.evtCons & (n - 1)) * 32;
      const w: number[] = [];
      for (let j = 0; j < 8; j++) w.push(this.bus.read(a + 4 * j, 4));
      const e = decodeEvent(w);
      out.push(e);
      this.evtCons = (this.evtCons + 1) & mask;
    }
    if (out.length > 0 || overflow) {
      if (overflow) this.evtConsFlag = prodReg & 0x8000_0000;
      this.w32(SMMU_REG.EVENTQ_CONS, (this.evtCons | this.evtConsFlag) >>> 0);
    }
    for (const e of out) {
      this.eventsTotal++;
      this.eventsByName.set(e.name, (this.eventsByName.get(e.name) ?? 0) + 1);
      this.events.push(e);
      if (this.events.length > EVENT_LOG) this.events.shift();
    }
    return out;
  }

  /** Plain data for --stats-json. */
  toJSON(): object {
    return {
      base: '0x' + this.base.toString(16),
      streamTable: '0x' + this.strtab.toString(16),
      streams: Object.fromEntries([...this.streams].map(([sid, s]) => ['0x' + sid.toString(16), s])),
      commands: Object.fromEntries([...this.commands].sort()),
      events: Object.fromEntries([...this.eventsByName].sort()),
      eventQueueOverflows: this.overflows,
      commandErrors: this.cmdErrors,
    };
  }
}
