// The embeddable machine (docs/api.md): a thin, typed front over the board (src/machine.ts) for
// people who use a64hv the way they use Unicorn, in their own programs and tests. Addresses and
// register values are bigint here (not the hot path); the emulator inside keeps int32 pairs.
import { Machine as Board, VIRT, type MachineOptions, type RunResult as BoardRunResult } from '../machine.js';
import type { Cpu } from '../cpu/cpu.js';
import { ST_HALT } from '../cpu/state.js';
import { configureTlb } from '../mmu/translate.js';
import { translateDebug, ACC_READ, ACC_WRITE } from '../mmu/debug.js';
import type { TlbConfig, TlbGeometry } from '../mmu/tlb.js';
import { peStats, type PeStats } from '../cpu/smp-stats.js';
import { isElf, parseElf, loadElfSegments } from '../loader/elf.js';
import { loadRaw } from '../loader/raw.js';
import { assembleSource } from '../loader/asm.js';
import { loadImage, bootLoaded, type LoadOptions } from '../loader/index.js';
import { setupGuestMmu, type MmuSpec } from '../loader/mmu-setup.js';
import type { SymbolTable } from '../loader/symbols.js';
import { virtBoardDtb } from '../loader/virt-dt.js';
import { readReg, writeReg } from './registers.js';
import { Hooks, type CodeHook, type MemHook, type ExceptionHook, type FaultHook, type HookHandle, type HookRange, type ExceptionKind } from './hooks.js';
import { ApiError } from './errors.js';
import { saveMachineState, restoreMachineState, readSnapshot, type Snapshot } from './snapshot.js';

/** Default RAM for an embedded machine: small, so that creating one is cheap (DESIGN.md). */
export const API_DEFAULT_RAM = 16 * 1024 * 1024;
/** The largest RAM (the fast path keeps RAM offsets in int32). */
const MAX_RAM = 0x4000_0000;
/** The smallest RAM, as the CLI's --ram (a bare-metal snippet needs a few pages). */
const MIN_RAM = 0x1_0000;

export interface MachineConfig {
  /** RAM in bytes at 0x4000_0000 (default 16 MiB; a multiple of 4 KiB, 64 KiB to 1 GiB, as the CLI's --ram). */
  ramSize?: number;
  /** Timing profile: 'a57' (default) or 'functional' (src/cpu/timing.ts). */
  timing?: string;
  /** CPU model: 'a57' (default) or 'max' (src/cpu/profile.ts). */
  cpu?: string;
  /** PEs (1..8). */
  smp?: number;
  /** 'interp' (the reference) or 'jit'; both give identical counts. Default: A64HV_ENGINE or interp. */
  engine?: 'interp' | 'jit';
  /** TLB model geometry per structure (src/mmu/README.md); costs stay the timing profile's. */
  tlb?: Partial<Record<'l1i' | 'l1d' | 'l2' | 'ipa' | 'walk', TlbGeometry>>;
  /** Board devices and firmware (src/machine.ts MachineOptions). */
  board?: Pick<
    MachineOptions,
    'semihosting' | 'cmdline' | 'uartInput' | 'gicVirtualization' | 'drives' | 'virtioRng' | 'virtioConsole' | 'dmaEngine' | 'iommu' | 'smpQuantum' | 'consoleHistory'
  >;
  /** Guest console output (PL011, semihosting) as it happens; it is also kept in `output`. */
  onOutput?: (text: string) => void;
  /** One line per guest mistake the devices notice (unknown register offsets...). */
  onLog?: (msg: string) => void;
}

export interface RunOptions {
  /** Stop after this many instructions (default: no limit). */
  maxInstructions?: number;
  /** Stop before executing the instruction at this address (on PE 0). */
  until?: bigint;
}

export interface RunResult {
  /**
   * exit: semihosting SYS_EXIT; halt: PSCI power off/reset; limit: the instruction budget ran
   * out; until: PE 0 reached `until`; stopped: a hook called stop(); error: the emulation cannot
   * continue (message).
   */
  reason: 'exit' | 'halt' | 'limit' | 'until' | 'stopped' | 'error';
  exitCode: number;
  instructions: number;
  message?: string;
}

export interface LoadedProgram {
  entry: bigint;
  /** Symbols (ELF symbol table, assembly labels) by name. */
  symbols: Record<string, bigint>;
  /** Lowest and end (exclusive) physical address written. */
  base?: bigint;
  end?: bigint;
}

/** Plain-data statistics (JSON-serialisable: numbers, strings, arrays, objects). */
export interface MachineStats {
  instructions: number;
  cycles: number;
  cpi: number;
  idleCycles: number;
  interrupts: number;
  timing: string;
  tlb: Record<string, unknown>;
  /** Every PE's figures (one entry without smp). */
  pes: PeStats[];
  dma: Record<string, unknown>;
  smmu?: unknown;
}

const M32 = 0xffff_ffffn;

function toBig(v: bigint | number, what: string): bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new ApiError(`${what}: ${v} is not an address (a non-negative integer)`);
    return BigInt(v);
  }
  if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) throw new ApiError(`${what}: not a 64-bit address`);
  return v;
}

function symbolsOf(t: SymbolTable): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const n of t.names()) out[n] = t.lookup(n)!;
  return out;
}

export class Machine {
  /** The board inside (src/machine.ts), for what this front does not cover. */
  readonly board: Board;
  readonly config: Readonly<MachineConfig>;
  private readonly hooks: Hooks;

  constructor(config: MachineConfig = {}) {
    const ramSize = config.ramSize ?? API_DEFAULT_RAM;
    if (!Number.isInteger(ramSize) || ramSize < MIN_RAM || ramSize > MAX_RAM || ramSize % 4096 !== 0) {
      throw new ApiError(`ramSize ${ramSize}: must be a multiple of 4 KiB between 64 KiB and 1 GiB`);
    }
    if (config.engine !== undefined && config.engine !== 'interp' && config.engine !== 'jit') throw new ApiError(`engine '${String(config.engine)}': interp or jit`);
    this.config = { ...config, ramSize };
    try {
      this.board = new Board({
        ...config.board,
        ramSize,
        timing: config.timing,
        cpu: config.cpu,
        smp: config.smp,
        engine: config.engine,
        onOutput: config.onOutput,
        onLog: config.onLog,
      });
      if (config.tlb !== undefined) {
        for (const pe of this.board.pes) configureTlb(pe, { ...(config.tlb as Partial<TlbConfig>), cost: { ...pe.timing.profile.tlb } });
      }
    } catch (e) {
      throw new ApiError(e instanceof Error ? e.message : String(e));
    }
    this.hooks = new Hooks(this.board.pes);
  }

  /** PE 0 (the boot CPU). */
  get cpu(): Cpu {
    return this.board.cpu;
  }
  get ramBase(): bigint {
    return BigInt(this.board.bus.ramBase);
  }
  get ramSize(): number {
    return this.board.bus.ramSize;
  }
  /** What the guest printed (PL011 and semihosting), bounded history. */
  get output(): string {
    return this.board.output;
  }

  // ---------------------------------------------------------------- memory

  private ramOffset(addr: bigint | number, len: number, what: string): number {
    const a = toBig(addr, what);
    if (!Number.isInteger(len) || len < 0) throw new ApiError(`${what}: bad length ${len}`);
    const off = a - this.ramBase;
    if (off < 0n || off + BigInt(len) > BigInt(this.ramSize)) {
      throw new ApiError(`${what}: 0x${a.toString(16)}+${len} is outside RAM (0x${this.ramBase.toString(16)}..0x${(this.ramBase + BigInt(this.ramSize)).toString(16)})`);
    }
    return Number(off);
  }

  /** Read physical RAM (a copy). Device registers are not read this way (reads have side effects). */
  readPhys(addr: bigint | number, len: number): Uint8Array {
    const off = this.ramOffset(addr, len, 'readPhys');
    return this.board.bus.u8.slice(off, off + len);
  }

  /** Write physical RAM; decoded code there is dropped, reservations on it cleared. */
  writePhys(addr: bigint | number, data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new ApiError('writePhys: data must be a Uint8Array');
    const off = this.ramOffset(addr, data.length, 'writePhys');
    this.board.bus.u8.set(data, off);
    for (const pe of this.board.pes) pe.dmaWritten(this.board.bus.ramBase + off, data.length);
  }

  /**
   * The physical address of virtual address `va` for `access`, as PE 0 would translate it now at
   * its current EL (a debugger walk: the TLB model and its statistics are untouched). Throws an
   * ApiError naming the fault if it does not translate.
   */
  translate(va: bigint, access: 'read' | 'write' = 'read'): bigint {
    const r = translateDebug(this.cpu, toBig(va, 'translate'), access === 'write' ? ACC_WRITE : ACC_READ);
    if (!r.ok || r.pa === undefined) {
      const f = r.fault;
      throw new ApiError(`translate 0x${va.toString(16)}: ${f ? `stage ${f.stage} ${f.kind}` : 'no translation'}`);
    }
    return r.pa;
  }

  /** Read through the current translation (page by page); faults are ApiErrors. */
  readVirt(va: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.eachPage(va, len, 'read', (pa, k, n) => out.set(this.readPhys(pa, n), k));
    return out;
  }
  /** Write through the current translation (permissions of a write at the current EL). */
  writeVirt(va: bigint, data: Uint8Array): void {
    this.eachPage(va, data.length, 'write', (pa, k, n) => this.writePhys(pa, data.subarray(k, k + n)));
  }
  private eachPage(va: bigint, len: number, access: 'read' | 'write', fn: (pa: bigint, k: number, n: number) => void): void {
    if (!Number.isInteger(len) || len < 0) throw new ApiError(`${access}Virt: bad length ${len}`);
    let k = 0;
    while (k < len) {
      const a = toBig(va, `${access}Virt`) + BigInt(k);
      const n = Math.min(len - k, 4096 - Number(a & 0xfffn));
      fn(this.translate(a, access), k, n);
      k += n;
    }
  }

  readU64(addr: bigint): bigint {
    const b = this.readPhys(addr, 8);
    return new DataView(b.buffer).getBigUint64(0, true);
  }
  writeU64(addr: bigint, v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.writePhys(addr, b);
  }

  // ---------------------------------------------------------------- loading

  /** Load an ELF64 AArch64 image (its PT_LOAD segments at their physical addresses). */
  loadElf(data: Uint8Array, name = 'elf'): LoadedProgram {
    if (!isElf(data)) throw new ApiError(`${name}: not an ELF file`);
    const bus = this.board.bus;
    try {
      const elf = parseElf(data, name);
      const end = loadElfSegments(elf, data, { base: bus.ramBase, size: bus.ramSize, load: (pa, d) => bus.load(pa, d) }, name);
      this.board.noteLoaded(end);
      return { entry: elf.entry, symbols: symbolsOf(elf.symbols), end: BigInt(end) };
    } catch (e) {
      throw new ApiError(e instanceof Error ? e.message : String(e));
    }
  }

  /** Load raw bytes at a physical address (entry = that address). */
  loadRaw(addr: bigint, data: Uint8Array, name = 'raw'): LoadedProgram {
    const a = toBig(addr, 'loadRaw');
    try {
      const end = loadRaw(this.board.bus, data, a, name);
      this.board.noteLoaded(end);
      return { entry: a, symbols: {}, base: a, end: BigInt(end) };
    } catch (e) {
      throw new ApiError(e instanceof Error ? e.message : String(e));
    }
  }

  /**
   * Assemble AArch64 source with keystone and load it at `addr` (default 0x4000_0000, or the
   * source's `// a64hv: base=` comment). Entry: the label `_start`, else the base.
   */
  async assemble(source: string, addr?: bigint, name = 'snippet.S'): Promise<LoadedProgram> {
    if (typeof source !== 'string') throw new ApiError('assemble: the source must be a string');
    try {
      const img = await assembleSource(source, name, addr);
      const end = loadRaw(this.board.bus, img.code, img.base, name);
      this.board.noteLoaded(end);
      return { entry: img.entry, symbols: symbolsOf(img.symbols), base: img.base, end: BigInt(end) };
    } catch (e) {
      throw new ApiError(e instanceof Error ? e.message : String(e));
    }
  }

  /** Load a file as the CLI does (ELF, .S assembly, arm64 Linux Image, else raw) and start at its entry. */
  async loadFile(path: string, opts: Omit<LoadOptions, 'linuxDtb'> = {}): Promise<LoadedProgram> {
    try {
      const img = await loadImage(this.board, path, { ...opts, linuxDtb: (_bus, chosen) => virtBoardDtb(this.board.dtBoard(), chosen) });
      bootLoaded(this.board, img);
      this.hooks.clearSkip();
      return { entry: img.entry, symbols: symbolsOf(img.symbols) };
    } catch (e) {
      throw new ApiError(e instanceof Error ? e.message : String(e));
    }
  }

  /**
   * Reset the machine and start PE 0 at `entry` as QEMU's -kernel starts a bare-metal ELF: EL1h,
   * DAIF masked, registers zero, MMU off.
   */
  start(entry: bigint): void {
    this.board.boot(toBig(entry, 'start'));
    this.hooks.clearSkip();
  }

  /**
   * Stage-1 translation for a bare-metal guest, as the CLI's --mmu: tables after the loaded
   * image, RAM Normal WB at VA = PA + offset, devices identity-mapped Device; SCTLR_EL1.M on.
   * Call after start() (the PC moves by the offset).
   */
  enableMmu(spec: { granule?: 4096 | 16384 | 65536; mapping?: 'pages' | 'blocks'; offset?: number; nonGlobal?: boolean } = {}): { tableBase: bigint; tableEnd: bigint } {
    const s: MmuSpec = { granule: spec.granule ?? 4096, mapping: spec.mapping ?? 'pages', offset: spec.offset ?? 0, ng: spec.nonGlobal };
    if (![4096, 16384, 65536].includes(s.granule)) throw new ApiError(`enableMmu: granule ${s.granule}: 4096, 16384 or 65536`);
    try {
      const r = setupGuestMmu(this.board, s);
      return { tableBase: BigInt(r.tableBase), tableEnd: BigInt(r.tableEnd) };
    } catch (e) {
      throw new ApiError(e instanceof Error ? e.message : String(e));
    }
  }

  // ---------------------------------------------------------------- registers

  /** A register by name (x0..x30, w0..w30, sp, pc, nzcv, v0..v31, fpcr, fpsr, SCTLR_EL1, ...) of PE `pe`. */
  reg(name: string, pe = 0): bigint {
    return readReg(this.pe(pe), name);
  }
  setReg(name: string, value: bigint, pe = 0): void {
    writeReg(this.pe(pe), name, value);
    this.hooks.clearSkip();
  }
  get pc(): bigint {
    return this.cpu.pc;
  }
  set pc(v: bigint) {
    this.setReg('pc', v);
  }
  /** The current exception level of PE 0. */
  get el(): number {
    return this.cpu.el;
  }
  private pe(i: number): Cpu {
    const c = this.board.pes[i];
    if (c === undefined) throw new ApiError(`PE ${i}: the machine has ${this.board.pes.length}`);
    return c;
  }

  // ---------------------------------------------------------------- running

  /** Run until the guest exits, `maxInstructions` retire, PE 0 reaches `until`, or a hook stops it. */
  run(opts: RunOptions = {}): RunResult {
    const max = opts.maxInstructions ?? Infinity;
    if (max !== Infinity && (!Number.isInteger(max) || max < 0)) throw new ApiError(`run: maxInstructions ${max} is not a non-negative integer`);
    const until = opts.until === undefined ? undefined : toBig(opts.until, 'run until');
    this.hooks.beginRun(until);
    let r: BoardRunResult;
    try {
      r = this.board.run(max);
    } finally {
      this.hooks.endRun();
    }
    const stopped = this.hooks.stopped;
    if (r.reason === 'limit' && stopped !== null) return { reason: stopped === 'until' ? 'until' : 'stopped', exitCode: 0, instructions: r.instructions };
    return { ...r };
  }

  /** Execute `n` instructions (default 1) and stop. */
  step(n = 1): RunResult {
    return this.run({ maxInstructions: n });
  }

  /** From a hook: end the current run (see hooks.ts for exactly where). */
  stop(): void {
    this.hooks.requestStop();
  }

  /** Whether the guest has stopped (exit, power-off or error); run() then returns at once. */
  get halted(): boolean {
    return this.board.pes.some((p) => p.status === ST_HALT);
  }

  // ---------------------------------------------------------------- hooks

  /** Before each instruction in [begin, end] (cost: the CPU interprets while any exists). */
  hookCode(fn: CodeHook, range?: HookRange): HookHandle {
    return this.hooks.addCode(fn, range);
  }
  /** Each data access overlapping [begin, end] (cost: every data access takes the slow path). */
  hookMemory(fn: MemHook, opts?: HookRange & { read?: boolean; write?: boolean }): HookHandle {
    return this.hooks.addMem(fn, opts);
  }
  /** Each exception entry (sync, irq, fiq, serror) before it is taken (cost: none on the hot path). */
  hookException(fn: ExceptionHook, kinds?: readonly ExceptionKind[]): HookHandle {
    return this.hooks.addException(fn, kinds);
  }
  /** Interrupts only: hookException for irq and fiq. */
  hookInterrupt(fn: ExceptionHook): HookHandle {
    return this.hooks.addException(fn, ['irq', 'fiq']);
  }
  /** Aborts and alignment faults (unmapped VA, bus error, permission...), before the guest's handler runs. */
  hookFault(fn: FaultHook): HookHandle {
    return this.hooks.addFault(fn);
  }

  // ---------------------------------------------------------------- statistics

  /** Statistics as plain data (PE 0's figures at the top, every PE's in `pes`). */
  stats(): MachineStats {
    const c = this.cpu;
    const m = this.board;
    const dma: Record<string, unknown> = {};
    for (const p of m.dmaPorts) dma[p.name] = { streamId: p.streamId, ...p.stats };
    return {
      instructions: c.instret,
      cycles: c.cycles,
      cpi: c.instret > 0 ? c.cycles / c.instret : 0,
      idleCycles: c.idleCycles,
      interrupts: c.interruptsTaken,
      timing: c.timing.profile.name,
      tlb: c.mmu.tlb.snapshot(),
      pes: m.pes.map(peStats),
      dma,
      ...(m.smmu ? { smmu: m.smmu.stats() } : {}),
    };
  }

  /** Zero the TLB model's counters (a region of interest starts). */
  resetTlbStats(): void {
    for (const pe of this.board.pes) pe.mmu.tlb.resetStats();
  }

  // ---------------------------------------------------------------- snapshots

  /** The whole machine state (CPU, RAM pages in use, devices, TLB model, statistics). */
  saveSnapshot(): Snapshot {
    // The JSON-able part of the configuration, for Machine.fromSnapshot (no callbacks, no engine).
    const { ramSize, timing, cpu, smp, tlb, board } = this.config;
    const b = { ...board };
    delete b.uartInput; // the UART's state is in the snapshot
    return saveMachineState(this.board, JSON.parse(JSON.stringify({ ramSize, timing, cpu, smp, tlb, board: b })) as Record<string, unknown>);
  }
  /** Put a snapshot back: the run continues with identical counts. */
  restoreSnapshot(s: Snapshot): void {
    restoreMachineState(this.board, s);
    this.hooks.clearSkip();
    this.hooks.refresh();
  }

  /**
   * A new machine of the configuration a snapshot was taken on, restored from it. `extra` gives
   * what is the host's rather than the machine's: the engine, console and log callbacks.
   */
  static fromSnapshot(s: Snapshot, extra: Pick<MachineConfig, 'engine' | 'onOutput' | 'onLog'> = {}): Machine {
    const { payload } = readSnapshot(s, MAX_RAM);
    const c = payload.config;
    if (c === null) throw new ApiError('snapshot: saved without the machine configuration (by the REPL): build a machine of the same shape and use restoreSnapshot');
    const opt = <T>(v: unknown): T | undefined => (v === null ? undefined : (v as T));
    const m = new Machine({
      ramSize: c.ramSize as number,
      timing: opt<string>(c.timing),
      cpu: opt<string>(c.cpu),
      smp: opt<number>(c.smp),
      tlb: opt<MachineConfig['tlb']>(c.tlb),
      board: opt<MachineConfig['board']>(c.board),
      ...extra,
    });
    m.restoreSnapshot(s);
    return m;
  }

  /** Close host files behind virtio-blk drives. */
  close(): void {
    this.board.close();
  }
}

export { VIRT, M32 };
