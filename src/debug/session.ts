// The debugger's target: one machine with its loaded image, breakpoints, watchpoints and the run
// control shared by the REPL and the GDB stub.
//
// Not disturbing the guest (issue 6): nothing is written into guest memory.
// * Breakpoints: while any is set, `cpu.tracer` compares each PC with the breakpoint set before the
//   instruction executes and stops the run loop there (ST_DEBUG: the instruction is not executed,
//   counts are those of the instructions before it). Blocks, budgets and the cycle model are the
//   ones of a run without the debugger; only the stop itself splits a block (resuming fetches from
//   the stopped PC). Slower (one call per instruction) but exact.
// * Watchpoints: while any is set, `cpu.watch` sees every data access on the slow path (data pages
//   get no fast-cache entries, so every access reaches it) and stops before the accessing
//   instruction. The TLB model sees more slow-path translations, but no count changes: L1 lookups
//   are derived from the executed instructions (src/mmu/tlb-exact.ts), misses counted in the model.
// * Resuming from a stop runs the first instruction alone without breakpoints (and without the
//   watchpoint that stopped it), then continues with everything armed.
// * Memory is read and written by the debugger through quiet walks (no TLB fill, no statistics)
//   and only in RAM: device registers are never read (a read may pop a FIFO).
import { Machine, type MachineOptions, type RunResult } from '../machine.js';
import { loadImage, loadData, bootLoaded, type LoadedImage } from '../loader/index.js';
import { virtBoardDtb } from '../loader/virt-dt.js';
import { ST_DEBUG, ST_HALT, SP } from '../cpu/state.js';
import type { Cpu, Firmware } from '../cpu/cpu.js';
import type { Insn } from '../cpu/decode.js';
import { translateQuiet, walkOnlyMmu, ACC_READ } from '../mmu/translate.js';
import { S2Out } from '../mmu/walk.js';
import { FaultRecord } from '../mmu/faults.js';
import type { S2Params } from '../mmu/walk.js';
import { SYS } from '../cpu/sysregs.js';
import { Hypervisor, type ExitRecord, type SmmuMode } from '../hyp/hypervisor.js';
import { bootIntoVm } from '../hyp/load.js';
import { isArm64Image } from '../loader/linux.js';
import { prefixer, type HypFileConfig, type VmFileConfig } from '../hyp/cli-hyp.js';
import type { SysregTrap } from '../hyp/sysreg.js';
import { readGuestFile, SymbolTable } from '../loader/index.js';
import { isElf, parseElf } from '../loader/elf.js';
import { assembleSource } from '../loader/asm.js';
import { UserError } from '../errors.js';
import { basename, dirname } from 'node:path';

export interface TargetOptions extends MachineOptions {
  guest: string;
  addr?: bigint;
  load?: string[];
  /** With a Linux Image: the initramfs file and the kernel command line (the board's DTB /chosen). */
  initrd?: string;
  append?: string;
  /** [api17 dtb] --dtb FILE (validated): the tree a Linux Image / raw kernel boots with, on the board or in the VMs. */
  dtb?: import('../loader/dtb-file.js').UserDtb;
  /**
   * Run GUEST (and these further guests) as VMs under the hypervisor (src/hyp), one VM each. The
   * debugger then looks at the VM on the CPU; `vm`, `mmio` and `stats` show the hypervisor's view.
   */
  hyp?: HypTarget;
}

export interface HypTarget {
  more: string[];
  slice?: number;
  ram?: 'eager' | 'lazy';
  isv0?: 'emulate' | 'inject';
  vmidTagging?: boolean;
  /** HCR_EL2 system-register traps of every VM (`--hyp-traps`): the exits show in `stats`. */
  traps?: SysregTrap[];
  /** `--hyp-config`: per-VM settings and the machine's assignments (assignRtc, assignDma, smmu). */
  config?: HypFileConfig;
  /** `--hyp-smmu`, over the description's `smmu`. */
  smmu?: SmmuMode;
}

/** Thrown by the hooks to leave Hypervisor.run (its loop would re-enter the CPU at the stop). */
const DEBUG_STOP = new Error('debug stop');

/** The last trapped device accesses kept for `mmio`. */
const MMIO_LOG = 32;

export type WatchKind = 'r' | 'w' | 'rw';

export interface Breakpoint {
  id: number;
  addr: bigint;
  /** 'sw' (GDB Z0, REPL `break`), 'hw' (GDB Z1): both are PC checks here. */
  type: 'sw' | 'hw';
  /** A one-shot breakpoint of `next`/`until` (not listed, removed when the run stops). */
  temp?: boolean;
}

export interface Watchpoint {
  id: number;
  addr: bigint;
  len: number;
  kind: WatchKind;
}

export type Stop =
  | { kind: 'step' } // the requested number of instructions retired
  | { kind: 'break'; bp: Breakpoint }
  | { kind: 'watch'; wp: Watchpoint; addr: bigint; size: number; write: boolean }
  | { kind: 'exit'; result: RunResult } // the machine halted (exit, power off, guest error)
  | { kind: 'interrupt' }; // Ctrl-C, GDB's ^C, or the instruction limit of `continue`

/** Instructions per slice of `cont`: between slices the event loop runs (Ctrl-C, sockets). */
export const SLICE = 1_000_000;

const MASK64 = (1n << 64n) - 1n;
const lo32 = (v: bigint): number => Number(v & 0xffffffffn) | 0;
const hi32 = (v: bigint): number => Number((v >> 32n) & 0xffffffffn) | 0;

export class Session {
  m!: Machine;
  img!: LoadedImage;
  readonly breakpoints = new Map<number, Breakpoint>();
  readonly watchpoints = new Map<number, Watchpoint>();
  private nextId = 1;
  /** The last stop (for GDB's `?` and the REPL's display). */
  lastStop: Stop = { kind: 'step' };
  /** instret at a watchpoint stop: the resumed instruction may make that access. */
  private watchSkipAt = -1;
  /** The PE that watchSkipAt is about. */
  private watchSkipPe = 0;
  /** Set by the hooks when they stop the loop. */
  private hit: Stop | null = null;
  /** Ask a running `cont` to stop at the next slice (Ctrl-C, GDB's ^C). */
  interruptRequested = false;
  /** Last result of the machine (exit or error), once halted. */
  result: RunResult | null = null;
  /** The hypervisor when the guests run as VMs (opts.hyp), else null. */
  hv: Hypervisor | null = null;
  /** Images of the VMs (index = VM number); img is the first. */
  images: LoadedImage[] = [];
  /** Recent exits of the hypervisor (data aborts first of all), oldest first. */
  readonly exits: ExitRecord[] = [];
  private readonly mmioLog: { n: number; e: ExitRecord }[] = [];
  /** Exits handled since boot (numbers the mmio log). */
  exitCount = 0;
  /** instret at the last watchpoint firing (hypervisor mode: detects a re-entry with no progress). */
  private watchFiredAt = -1;
  /**
   * The PE the debugger looks at (`cpu N`, GDB's Hg): registers, memory views, disassembly and
   * `step` are this PE's. A breakpoint or watchpoint stop selects the PE that hit it.
   */
  pe = 0;

  private constructor(readonly opts: TargetOptions) {}

  static async create(opts: TargetOptions): Promise<Session> {
    const s = new Session(opts);
    await s.boot();
    return s;
  }

  /** (Re)create the machine from the guest file: `reset` starts from a clean board. */
  async boot(): Promise<void> {
    this.result = null;
    this.lastStop = { kind: 'step' };
    this.watchSkipAt = -1;
    this.exits.length = 0;
    this.mmioLog.length = 0;
    this.exitCount = 0;
    this.watchFiredAt = -1;
    this.pe = 0;
    if (this.opts.hyp !== undefined) await this.bootHyp(this.opts.hyp);
    else {
      const m = new Machine(this.opts);
      const img = await loadImage(m, this.opts.guest, {
        addr: this.opts.addr,
        initrd: this.opts.initrd,
        append: this.opts.append,
        dtb: this.opts.dtb, // [api17 dtb]
        linuxDtb: (board, chosen) => virtBoardDtb(board, chosen),
      });
      for (const spec of this.opts.load ?? []) await loadData(m, spec);
      bootLoaded(m, img); // entry, and x0 = the DTB for a Linux Image
      this.m = m;
      this.img = img;
      this.images = [img];
      this.hv = null;
    }
    this.wrapFirmware();
    this.arm();
  }

  private async bootHyp(h: HypTarget): Promise<void> {
    const guests = [this.opts.guest, ...h.more];
    let hv: Hypervisor;
    try {
      const per = (k: number): VmFileConfig => h.config?.vms[k] ?? {};
      hv = new Hypervisor({
        vms: guests.map((_g, k) => ({
          name: per(k).name ?? `vm${k}`,
          ramSize: per(k).ramSize ?? this.opts.ramSize,
          semihosting: per(k).semihosting ?? this.opts.semihosting,
          cmdline: this.opts.cmdline,
          uartInput: per(k).uartInput ?? (k === 0 ? this.opts.uartInput : undefined),
          ram: per(k).ramPolicy ?? h.ram,
          isv0: per(k).isv0 ?? h.isv0,
          sysregTraps: per(k).sysregTraps ?? h.traps,
          idRegs: per(k).idRegs,
          vcpus: per(k).vcpus, // vcpus: "vcpus" of --hyp-config, as run --hyp
        })),
        slice: h.config?.slice ?? h.slice,
        timing: this.opts.timing, // repl --hyp --timing (as run --hyp)
        cpu: this.opts.cpu, // repl --hyp --cpu (as run --hyp)
        vmidTagging: h.config?.vmidTagging ?? h.vmidTagging,
        assignRtc: h.config?.assignRtc,
        assignDma: h.config?.assignDma,
        assignVirtio: h.config?.assignVirtio,
        drives: h.config?.drives,
        smmu: h.smmu ?? h.config?.smmu,
        // Several VMs share the console: whole lines, prefixed with the VM's name.
        onOutput: guests.length > 1 ? (vm, t) => this.prefix.write(vm, t) : (_vm, t) => this.opts.onOutput?.(t),
        onExit: (e) => {
          this.exitCount++;
          this.exits.push(e);
          if (this.exits.length > MMIO_LOG) this.exits.shift();
          if (e.cause.startsWith('mmio')) {
            this.mmioLog.push({ n: this.exitCount, e });
            if (this.mmioLog.length > MMIO_LOG) this.mmioLog.shift();
          }
        },
      });
    } catch (e) {
      throw new UserError((e as Error).message);
    }
    this.images = [];
    // --initrd/--append go to every guest that is a Linux Image, as `run --hyp` gives them.
    const initrd = this.opts.initrd !== undefined ? await readGuestFile(this.opts.initrd) : undefined;
    const linux = { initrd, append: this.opts.append, dtb: this.opts.dtb }; // [api17 dtb]
    const kinds: string[] = [];
    for (let k = 0; k < guests.length; k++) {
      const isLinux = guests.length === 1 || isArm64Image(await readGuestFile(guests[k]));
      const b = await bootIntoVm(hv, hv.vms[k], guests[k], isLinux ? linux : {});
      kinds.push(b.kind);
      this.images.push({ entry: BigInt(b.entry), symbols: await guestSymbols(guests[k]), kind: b.kind === 'linux' ? 'linux' : 'elf', x0: b.x0 !== undefined ? BigInt(b.x0) : undefined });
    }
    if ((initrd !== undefined || this.opts.append !== undefined) && !kinds.includes('linux') && !kinds.includes('raw')) {
      throw new UserError('--initrd and --append apply to a Linux Image or a raw kernel only, and no guest is one');
    }
    this.hv = hv;
    this.m = hv.machine;
    this.img = this.images[0];
    // Put VM 0 on the CPU (no instruction runs) so that the first prompt shows where it starts.
    hv.run(0);
  }

  private readonly prefix = prefixer({ write: (t: string) => this.opts.onOutput?.(t) });

  /** The UART a `uart` command feeds: the machine's, or VM n's virtual PL011 under the hypervisor. */
  uart(vm = 0): { feed(data: string | Uint8Array): void } {
    if (this.hv === null) return this.m.uart;
    const v = this.hv.vms[vm];
    if (v === undefined) throw new UserError(`there is no VM ${vm}`);
    return v.uart;
  }

  /** Trapped device accesses the hypervisor handled (most recent last). */
  get mmio(): readonly { n: number; e: ExitRecord }[] {
    return this.mmioLog;
  }

  /** The selected PE (PE 0 unless `cpu N` / Hg chose another; the one PE under --hyp). */
  get cpu(): Cpu {
    return this.m.pes[this.pe] ?? this.m.cpu;
  }

  /** Every PE of the machine (one without --smp, and under --hyp). */
  get pes(): readonly Cpu[] {
    return this.m.pes;
  }

  /** Select PE `i` for registers, memory views and `step`. */
  selectPe(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.m.pes.length)) {
      throw new UserError(`there is no PE ${i} (PEs 0..${this.m.pes.length - 1})`);
    }
    this.pe = i;
  }

  /** 'running', 'WFI', 'WFE' or 'off': PE `i`'s power and sleep state. */
  peState(i: number): string {
    return this.m.smp !== null ? this.m.smp.state(i) : 'running';
  }

  /** The PE executing now (inside a hook): the scheduler's current PE. */
  private get running(): Cpu {
    return this.m.smp !== null ? this.m.pes[this.m.smp.current] : this.m.cpu;
  }

  /** Instructions retired by all PEs (run budgets count them all, as Machine.run does). */
  private get retired(): number {
    let n = 0;
    for (const p of this.m.pes) n += p.instret;
    return n;
  }

  // ---- breakpoints and watchpoints ----
  addBreakpoint(addr: bigint, type: 'sw' | 'hw' = 'sw', temp = false): Breakpoint {
    for (const b of this.breakpoints.values()) if (b.addr === addr && b.type === type && !b.temp && !temp) return b;
    const bp: Breakpoint = { id: this.nextId++, addr: addr & MASK64, type, temp };
    this.breakpoints.set(bp.id, bp);
    this.arm();
    return bp;
  }
  /** Remove by id; returns false when there is none. */
  deleteBreakpoint(id: number): boolean {
    const ok = this.breakpoints.delete(id) || this.watchpoints.delete(id);
    this.arm();
    return ok;
  }
  /** Remove the breakpoint of `type` at `addr` (GDB z0/z1). */
  removeBreakpointAt(addr: bigint, type: 'sw' | 'hw'): boolean {
    for (const b of this.breakpoints.values()) {
      if (b.addr === addr && b.type === type && !b.temp) {
        this.breakpoints.delete(b.id);
        this.arm();
        return true;
      }
    }
    return false;
  }
  addWatchpoint(addr: bigint, len: number, kind: WatchKind): Watchpoint {
    const wp: Watchpoint = { id: this.nextId++, addr: addr & MASK64, len, kind };
    this.watchpoints.set(wp.id, wp);
    this.arm();
    return wp;
  }
  removeWatchpointAt(addr: bigint, len: number, kind: WatchKind): boolean {
    for (const w of this.watchpoints.values()) {
      if (w.addr === addr && w.len === len && w.kind === kind) {
        this.watchpoints.delete(w.id);
        this.arm();
        return true;
      }
    }
    return false;
  }
  clearAll(): void {
    this.breakpoints.clear();
    this.watchpoints.clear();
    this.arm();
  }

  // PC -> breakpoint lookup by the low word first (the common case has no match).
  private bpLo = new Map<number, Breakpoint[]>();
  private watchArmed = false;

  /** Install or remove the CPU hooks to match the breakpoint and watchpoint sets. */
  private arm(): void {
    if (this.m?.cpu === undefined) return;
    this.bpLo = new Map();
    for (const b of this.breakpoints.values()) {
      const k = lo32(b.addr);
      const l = this.bpLo.get(k);
      if (l) l.push(b);
      else this.bpLo.set(k, [b]);
    }
    const want = this.watchpoints.size > 0;
    // Every PE gets the hooks: a breakpoint or watchpoint stops whichever PE reaches it.
    for (const cpu of this.m.pes) {
      cpu.tracer = this.bpLo.size > 0 ? this.tracer : null;
      // Existing fast-cache entries would bypass the hook: drop them.
      if (want && !this.watchArmed) cpu.contextChanged();
      cpu.watch = want ? this.watchHook : null;
    }
    this.watchArmed = want;
  }

  private readonly tracer = (cpu: Cpu, lo: number, hi: number, _ins: Insn): void => {
    const l = this.bpLo.get(lo);
    if (l === undefined) return;
    for (const b of l) {
      if (hi32(b.addr) === hi) {
        this.hit = { kind: 'break', bp: b };
        // At a block start nothing of the block has run: leaving by a throw is clean, and
        // Hypervisor.run (which would re-enter the CPU) needs it. Inside a block: ST_DEBUG.
        if (this.hv !== null && lo === cpu.pcLo && hi === cpu.pcHi) throw DEBUG_STOP;
        cpu.status = ST_DEBUG;
        this.stoppedOn(cpu);
        return;
      }
    }
  };

  /** PE `cpu` stopped before an instruction: the machine stops after its turn; it is selected. */
  private stoppedOn(cpu: Cpu): void {
    if (this.m.smp === null) return;
    this.m.smp.debugStop = true;
    this.pe = cpu.index;
  }

  private readonly watchHook = (lo: number, hi: number, size: number, write: boolean): boolean => {
    const cpu = this.running;
    if (cpu.instret === this.watchSkipAt && cpu.index === this.watchSkipPe) return false;
    const a = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    for (const w of this.watchpoints.values()) {
      if (write ? w.kind === 'r' : w.kind === 'w') continue;
      if (a < w.addr + BigInt(w.len) && w.addr < a + BigInt(size)) {
        this.hit = { kind: 'watch', wp: w, addr: a > w.addr ? a : w.addr, size, write };
        if (this.hv !== null) {
          // Re-entered at the same instruction with no progress: leave Hypervisor.run (the
          // instruction is restarted on resume, its earlier accesses made again).
          if (this.cpu.instret === this.watchFiredAt) throw DEBUG_STOP;
          this.watchFiredAt = this.cpu.instret;
        }
        this.stoppedOn(cpu);
        return true;
      }
    }
    return false;
  };

  /** Semihosting and the firmware read guest memory with cpu.ld8: not the guest's own accesses. */
  private wrapFirmware(): void {
    const fw = this.m.cpu.firmware;
    if (fw === null) return;
    const wrapped: Firmware = Object.create(fw) as Firmware;
    const quiet = <T>(f: () => T): T => {
      const cpu = this.running;
      const w = cpu.watch;
      cpu.watch = null;
      try {
        return f();
      } finally {
        cpu.watch = w;
      }
    };
    wrapped.el2Exception = (c) => quiet(() => fw.el2Exception(c));
    wrapped.hlt = (c, imm) => quiet(() => fw.hlt(c, imm));
    if (fw.smc) wrapped.smc = (c, imm) => quiet(() => fw.smc!(c, imm));
    if (fw.wfi) wrapped.wfi = (c) => quiet(() => fw.wfi!(c));
    for (const cpu of this.m.pes) if (cpu.firmware === fw) cpu.firmware = wrapped;
  }

  // ---- run control ----
  get halted(): boolean {
    return this.hv !== null ? this.result !== null : this.m.pes.some((p) => p.status === ST_HALT);
  }

  /** Run up to n instructions on the machine or under the hypervisor. */
  private engineRun(n: number, onePe = false): RunResult {
    const hv = this.hv;
    if (hv === null && onePe && this.m.smp !== null) {
      // `step` with several PEs: the selected PE alone, the others stay stopped (all-stop).
      const done = this.halted ? 0 : this.m.smp.runOne(this.pe, n);
      const r = this.m.run(0); // reports a halt the step caused
      return r.reason === 'limit' ? { reason: 'limit', exitCode: 0, instructions: done } : { ...r, instructions: done };
    }
    if (hv === null) return this.m.run(n);
    const before = this.cpu.instret;
    let r: { reason: 'done' | 'limit' };
    try {
      r = hv.run(n);
    } catch (e) {
      if (e !== DEBUG_STOP) throw e;
      this.cpu.status = 0;
      r = { reason: 'limit' };
    }
    const instructions = this.cpu.instret - before;
    // The symbols are those of the VM now on the CPU.
    if (hv.current !== null) this.img = this.images[hv.current.id] ?? this.img;
    if (r.reason === 'limit') return { reason: 'limit', exitCode: 0, instructions };
    // Every VM stopped: an error in any is the result, else the first exit status.
    const failed = hv.vms.find((v) => v.stop?.kind === 'error');
    if (failed) return { reason: 'error', exitCode: failed.stop!.code || 1, instructions, message: `${failed.name}: ${failed.stop!.message}` };
    const first = hv.vms.find((v) => v.stop?.kind === 'exit') ?? hv.vms[0];
    const st = first.stop;
    return { reason: st?.kind === 'exit' ? 'exit' : 'halt', exitCode: st?.code ?? 0, instructions, message: st ? `${first.name}: ${st.message}` : undefined };
  }

  /**
   * Retire up to `n` instructions (`step n`), stopping early at a breakpoint or watchpoint (except
   * on the first instruction, which is where we stand) or when the machine halts.
   */
  step(n = 1): Stop {
    return this.finish(this.runSome(n, true, true) ?? { kind: 'step' });
  }

  /** Run until a stop; yields to the event loop every SLICE instructions (Ctrl-C, sockets). */
  async cont(maxInsns = Infinity): Promise<Stop> {
    this.interruptRequested = false;
    let left = maxInsns;
    let first = true;
    while (left > 0) {
      if (this.interruptRequested) return this.finish({ kind: 'interrupt' });
      const before = this.retired;
      const stop = this.runSome(Math.min(SLICE, left), first);
      first = false;
      if (stop !== null) return this.finish(stop);
      left -= this.retired - before;
      await new Promise((res) => setImmediate(res));
    }
    return this.finish({ kind: 'interrupt' });
  }

  /**
   * Run up to n instructions. Returns the stop, or null when all n retired. `fromStop`: the first
   * instruction is where we stand: no breakpoint there, and a watchpoint that stopped this very
   * instruction lets its access through.
   */
  private runSome(n: number, fromStop: boolean, onePe = false): Stop | null {
    if (this.halted) return { kind: 'exit', result: this.result ?? this.engineRun(0) };
    // Instructions counted: the stepped PE's (`step`), or every PE's (a run budget).
    const count = (): number => (onePe ? this.cpu.instret : this.retired);
    let done = 0;
    if (fromStop && n > 0) {
      // The instruction we stand on runs without breakpoints (on whichever PE resumes first).
      const tracers = this.m.pes.map((p) => p.tracer);
      for (const p of this.m.pes) p.tracer = null;
      this.hit = null;
      const before = count();
      let r: RunResult;
      try {
        r = this.engineRun(1, onePe);
      } finally {
        this.m.pes.forEach((p, i) => (p.tracer = tracers[i]));
        this.watchSkipAt = -1;
      }
      if (r.reason !== 'limit') return { kind: 'exit', result: (this.result = r) };
      if (this.hit !== null) return this.hit; // another watchpoint, before that instruction
      done = count() - before;
    }
    while (done < n) {
      this.hit = null;
      const before = count();
      const r = this.engineRun(n - done, onePe);
      done += count() - before;
      if (r.reason !== 'limit') return { kind: 'exit', result: (this.result = r) };
      if (this.hit !== null) return this.hit;
      if (count() === before) break; // nothing retired and no stop: do not spin
    }
    return null;
  }

  private finish(stop: Stop): Stop {
    // One-shot breakpoints (next, until) end with the run.
    let temp = false;
    for (const b of this.breakpoints.values()) {
      if (b.temp) {
        this.breakpoints.delete(b.id);
        temp = true;
      }
    }
    if (temp) this.arm();
    if (stop.kind === 'watch') {
      this.watchSkipAt = this.cpu.instret;
      this.watchSkipPe = this.pe;
    }
    this.watchFiredAt = -1;
    // Several VMs' output goes out in whole lines; what is left of a line is shown at the end.
    if (stop.kind === 'exit') this.prefix.flush();
    this.lastStop = stop;
    return stop;
  }

  // ---- registers ----
  /** X0..X30, SP, PC as bigints (index 31 = SP, 32 = PC). */
  readReg(k: number): bigint {
    const cpu = this.cpu;
    if (k <= 30) return cpu.readX(k);
    if (k === 31) return cpu.readX(SP);
    if (k === 32) return cpu.pc;
    throw new Error(`register ${k}`);
  }
  writeReg(k: number, v: bigint): void {
    const cpu = this.cpu;
    v &= MASK64;
    if (k <= 30) cpu.writeX(k, v);
    else if (k === 31) cpu.writeX(SP, v);
    else if (k === 32) {
      cpu.pc = v;
      cpu.contextChanged(); // chains were made for the old PC
    } else throw new Error(`register ${k}`);
  }
  /** PSTATE as GDB's cpsr (the SPSR layout). */
  readCpsr(): number {
    return this.cpu.getSpsr();
  }
  writeCpsr(v: number): void {
    const cpu = this.cpu;
    cpu.nzcv = (v >>> 28) & 0xf;
    cpu.daif = (v >>> 6) & 0xf;
    const el = (v >>> 2) & 3;
    if (el <= 1) {
      cpu.setElSpsel(el, el === 0 ? 0 : v & 1);
      cpu.elChanged();
    }
  }

  // ---- memory (quiet: no TLB fill, no statistics, no device reads) ----
  /** PA of VA for reading at the current EL, or -1 (translation fault). */
  vaToPa(va: bigint): number {
    return translateQuiet(this.cpu, lo32(va), hi32(va), ACC_READ);
  }

  /** PA of an IPA through stage 2 only (IPA = PA when stage 2 is off), or -1. */
  ipaToPa(ipa: bigint): number {
    const cpu = this.cpu;
    const m = walkOnlyMmu(cpu) as unknown as { readS2(): void; s2: S2Params; walker: { s2Translate(ipa: number, p: S2Params, out: S2Out, f: FaultRecord, s1ptw: boolean): boolean } };
    // Mmu.readS2 is private in src/mmu; the walker-only MMU has no TLB and counts nothing.
    const hcrLo = cpu.sysLo(SYS.HCR_EL2);
    if ((hcrLo & 1) === 0 && (hcrLo & (1 << 12)) === 0) return Number(ipa);
    m.readS2();
    const out = new S2Out();
    if (!m.walker.s2Translate(Number(ipa), m.s2, out, new FaultRecord(), false)) return -1;
    return out.pa;
  }

  /**
   * Read `len` bytes at `addr` in `space`. Stops at the first byte that does not translate or is not
   * RAM: returns the bytes read and why it stopped.
   */
  readMem(addr: bigint, len: number, space: 'va' | 'ipa' | 'pa' = 'va'): { data: Uint8Array; error?: string } {
    const out = new Uint8Array(len);
    const bus = this.m.bus;
    let k = 0;
    while (k < len) {
      const a = (addr + BigInt(k)) & MASK64;
      const pa = this.resolve(a, space);
      if (pa < 0) return { data: out.subarray(0, k), error: `${fmt(a)}: no ${space === 'ipa' ? 'stage-2 ' : ''}translation` };
      const off = bus.ramOffset(pa);
      if (off < 0) {
        return { data: out.subarray(0, k), error: `${fmt(a)}: PA ${fmt(BigInt(pa))} is not RAM${bus.region(pa) ? ` (device ${bus.region(pa)!.dev.name}: not read, reads have side effects)` : ''}` };
      }
      const n = Math.min(len - k, 0x1000 - (pa & 0xfff), bus.ramSize - off);
      out.set(bus.u8.subarray(off, off + n), k);
      k += n;
    }
    return { data: out };
  }

  /** Write bytes at VA (or PA); decoded code on the written pages is dropped. */
  writeMem(addr: bigint, data: Uint8Array, space: 'va' | 'ipa' | 'pa' = 'va'): string | undefined {
    const bus = this.m.bus;
    // Check everything first: a failed write changes nothing.
    const parts: [number, number, number][] = [];
    let k = 0;
    while (k < data.length) {
      const a = (addr + BigInt(k)) & MASK64;
      const pa = this.resolve(a, space);
      const off = pa < 0 ? -1 : bus.ramOffset(pa);
      if (off < 0) return `${fmt(a)}: not mapped to RAM`;
      const n = Math.min(data.length - k, 0x1000 - (pa & 0xfff), bus.ramSize - off);
      parts.push([off, k, n]);
      k += n;
    }
    for (const [off, from, n] of parts) {
      bus.u8.set(data.subarray(from, from + n), off);
      this.cpu.invalidateCodePage(off >>> 12);
    }
    return undefined;
  }

  private resolve(a: bigint, space: 'va' | 'ipa' | 'pa'): number {
    if (space === 'pa') return a < 1n << 53n ? Number(a) : -1;
    if (space === 'ipa') return this.ipaToPa(a);
    return this.vaToPa(a);
  }

  /** The instruction word at VA, or undefined when it cannot be read. */
  readInsn(va: bigint): number | undefined {
    const r = this.readMem(va, 4);
    if (r.data.length < 4) return undefined;
    return new DataView(r.data.buffer, r.data.byteOffset, 4).getInt32(0, true);
  }
}


export function fmt(v: bigint | number): string {
  return '0x' + v.toString(16);
}

/** The symbols of a guest file (ELF symbol table, assembly labels), for a VM's image. */
async function guestSymbols(path: string): Promise<SymbolTable> {
  const data = await readGuestFile(path);
  if (isElf(data)) return parseElf(data, basename(path)).symbols;
  if (/\.s$/i.test(path)) return (await assembleSource(new TextDecoder().decode(data), basename(path), undefined, { includeDir: dirname(path), path })).symbols;
  return new SymbolTable();
}
