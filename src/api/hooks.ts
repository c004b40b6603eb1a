// Hooks for embedders, as Unicorn users expect them: per instruction (optionally in an address
// range), per data access (read/write, range), on faults, on exceptions and interrupts. Each is
// installed on the CPU only while registered, so an unused kind costs nothing:
// - instruction hooks set Cpu.tracer, which makes both engines interpret one instruction at a
//   time (the JIT never runs while a tracer is set), so the two engines call them identically;
// - memory hooks set Cpu.watch, which keeps every data page off the fast translation cache (as
//   the debugger's watchpoints do), and also the tracer, so that stop() takes effect at the next
//   instruction boundary in both engines;
// - exception, interrupt and fault hooks add an observer to Cpu.excObservers, called once per exception entry
//   (exceptions are already a slow path).
// stop() from any hook ends Machine.run: before the current instruction from an instruction
// hook, before the next instruction from a memory, exception or fault hook.
import { ST_DEBUG } from '../cpu/state.js';
import { VEC_FIQ, VEC_IRQ, VEC_SERROR, VEC_SYNC } from '../cpu/exceptions.js';
import type { Cpu } from '../cpu/cpu.js';
import type { Insn } from '../cpu/decode.js';
import { ApiError } from './errors.js';

const M32 = 0xffff_ffffn;
const big = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** An address range, both ends inclusive (Unicorn's begin/end); omitted: everything. */
export interface HookRange {
  begin?: bigint;
  end?: bigint;
}

export interface MemAccess {
  kind: 'read' | 'write';
  /** The virtual address of the access (what the instruction computed). */
  address: bigint;
  size: number;
  /** The value written (writes of 1-8 bytes; a 16-byte Q store gives none). */
  value?: bigint;
  /** The PE making it (MPIDR_EL1.Aff0). */
  pe: number;
}

export type ExceptionKind = 'sync' | 'irq' | 'fiq' | 'serror';

export interface ExceptionInfo {
  kind: ExceptionKind;
  /** The EL it is taken to, and the EL it comes from. */
  targetEl: number;
  fromEl: number;
  /** ESR fields of a synchronous exception or SError (EC, ISS); -1 for IRQ/FIQ. */
  ec: number;
  iss: number;
  /** FAR for aborts and alignment faults, else undefined. */
  far?: bigint;
  /** The preferred return address (ELR): the faulting instruction, or the one after SVC/HVC. */
  returnAddress: bigint;
  pe: number;
}

/** What a fault hook is told: a synchronous abort or alignment fault (ARM ARM D17.2.37 EC values). */
export interface FaultInfo extends ExceptionInfo {
  access: 'fetch' | 'read' | 'write';
  /**
   * unmapped: a translation fault (no valid descriptor); bus-error: a synchronous external abort
   * (no RAM or device at the physical address); permission, access-flag, alignment, other.
   */
  cause: 'unmapped' | 'bus-error' | 'permission' | 'access-flag' | 'alignment' | 'other';
  /** The fault status code (DFSC/IFSC), -1 for the PC/SP alignment faults. */
  fsc: number;
}

/** `insn`: the instruction word about to execute (as fetched; for a disassembler or a tracer). */
export type CodeHook = (address: bigint, pe: number, insn: number) => void;
export type MemHook = (access: MemAccess) => void;
export type ExceptionHook = (e: ExceptionInfo) => void;
export type FaultHook = (f: FaultInfo) => void;

export interface HookHandle {
  /** Unregister; the CPU loses the hook's cost when no hook of that kind is left. */
  remove(): void;
}

interface Ranged<T> {
  fn: T;
  lo: bigint;
  hi: bigint;
}

const EC_IABT_LOWER = 0x20;
const EC_IABT_SAME = 0x21;
const EC_PC_ALIGN = 0x22;
const EC_DABT_LOWER = 0x24;
const EC_DABT_SAME = 0x25;
const EC_SP_ALIGN = 0x26;

/** The hooks of one machine, on all its PEs. */
export class Hooks {
  private readonly code: Ranged<CodeHook>[] = [];
  private readonly mem: (Ranged<MemHook> & { read: boolean; write: boolean })[] = [];
  private readonly exc: { fn: ExceptionHook; kinds: ReadonlySet<ExceptionKind> }[] = [];
  private readonly fault: FaultHook[] = [];
  /** Machine.run's stop address (until), on one PE: the tracer stops before it. */
  private untilLo = 0;
  private untilHi = 0;
  private untilOn = false;
  /** A hook called stop(). */
  private stopRequested = false;
  /** Why the last run stopped early: 'until' or 'hook'; null if it did not. */
  stopped: 'until' | 'hook' | null = null;
  /**
   * Resuming at the instruction a stop was before: its until check (and, after a hook stop, its
   * hooks, already called) are not repeated. Identified by PE, PC and instret.
   */
  private skip: { cpu: Cpu; lo: number; hi: number; instret: number; hooks: boolean } | null = null;

  constructor(private readonly pes: readonly Cpu[]) {}

  /** Any hook or stop address: whether the CPU needs the tracer. */
  private needTracer(): boolean {
    return this.code.length > 0 || this.mem.length > 0 || this.untilOn || this.stopRequested;
  }

  /** Put the CPU hooks in line with what is registered (none installed: no cost). */
  refresh(): void {
    const tracer = this.needTracer() ? this.tracer : null;
    const watch = this.mem.length > 0 ? this.watch : null;
    const onExc = this.exc.length > 0 || this.fault.length > 0;
    for (const cpu of this.pes) {
      // Fast-cache entries made before a memory hook existed would bypass it.
      if (watch !== null && cpu.watch === null) cpu.contextChanged();
      cpu.tracer = tracer;
      cpu.watch = watch;
      if (onExc) cpu.addExcObserver(this.onException);
      else cpu.removeExcObserver(this.onException);
    }
  }

  private add<T>(list: T[], item: T): HookHandle {
    list.push(item);
    this.refresh();
    return {
      remove: () => {
        const i = list.indexOf(item);
        if (i >= 0) list.splice(i, 1);
        this.refresh();
      },
    };
  }

  addCode(fn: CodeHook, r: HookRange = {}): HookHandle {
    if (typeof fn !== 'function') throw new ApiError('hookCode: the callback must be a function');
    return this.add(this.code, { fn, ...range(r, 'hookCode') });
  }
  addMem(fn: MemHook, opts: HookRange & { read?: boolean; write?: boolean } = {}): HookHandle {
    if (typeof fn !== 'function') throw new ApiError('hookMemory: the callback must be a function');
    const read = opts.read ?? true;
    const write = opts.write ?? true;
    if (!read && !write) throw new ApiError('hookMemory: read and write both false: the hook would never be called');
    return this.add(this.mem, { fn, read, write, ...range(opts, 'hookMemory') });
  }
  addException(fn: ExceptionHook, kinds: readonly ExceptionKind[] = ['sync', 'irq', 'fiq', 'serror']): HookHandle {
    if (typeof fn !== 'function') throw new ApiError('hookException: the callback must be a function');
    for (const k of kinds) if (!['sync', 'irq', 'fiq', 'serror'].includes(k)) throw new ApiError(`hookException: unknown kind '${String(k)}' (sync, irq, fiq, serror)`);
    return this.add(this.exc, { fn, kinds: new Set(kinds) });
  }
  addFault(fn: FaultHook): HookHandle {
    if (typeof fn !== 'function') throw new ApiError('hookFault: the callback must be a function');
    return this.add(this.fault, fn);
  }

  /** Ask the current run to stop (from a hook; outside a run it does nothing). */
  requestStop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    // The tracer carries out the stop at the next instruction boundary.
    for (const cpu of this.pes) cpu.tracer = this.tracer;
  }

  /** Before a run: the stop address, and no stop left over from a previous run. */
  beginRun(until: bigint | undefined): void {
    this.stopRequested = false;
    this.stopped = null;
    this.untilOn = until !== undefined;
    if (until !== undefined) {
      this.untilLo = Number(until & M32) | 0;
      this.untilHi = Number((until >> 32n) & M32) | 0;
    }
    this.refresh();
  }
  endRun(): void {
    this.untilOn = false;
    this.stopRequested = false;
    this.refresh();
  }
  /** Forget a pending resume skip (the state was replaced: snapshot restore, reset). */
  clearSkip(): void {
    this.skip = null;
  }

  private stopHere(cpu: Cpu, lo: number, hi: number, why: 'until' | 'hook', hooksCalled: boolean): void {
    cpu.status = ST_DEBUG;
    this.stopped = why;
    this.stopRequested = false;
    // instret then counts the instructions of the block before this one (the run loop adds them).
    this.skip = { cpu, lo, hi, instret: cpu.instret + (((lo - cpu.pcLo) | 0) >>> 2), hooks: hooksCalled };
  }

  private readonly tracer = (cpu: Cpu, lo: number, hi: number, ins: Insn): void => {
    let resumed = false;
    let hooksDone = false;
    const s = this.skip;
    // Resumed: the first instruction of the run, at the stop's PC and instruction count.
    if (s !== null && s.cpu === cpu && s.lo === lo && s.hi === hi && s.instret === cpu.instret && lo === cpu.pcLo && hi === cpu.pcHi) {
      resumed = true;
      hooksDone = s.hooks;
      this.skip = null;
    }
    if (this.stopRequested && !resumed) {
      // A memory, exception or fault hook asked to stop: before this instruction.
      this.stopHere(cpu, lo, hi, 'hook', false);
      return;
    }
    if (this.untilOn && !resumed && lo === this.untilLo && hi === this.untilHi && cpu === this.pes[0]) {
      this.stopHere(cpu, lo, hi, 'until', false);
      return;
    }
    if (hooksDone || this.code.length === 0) return;
    const a = big(lo, hi);
    for (const h of this.code.slice()) if (a >= h.lo && a <= h.hi) h.fn(a, cpu.index, ins.raw);
    if (this.stopRequested) this.stopHere(cpu, lo, hi, 'hook', true);
  };

  /** The watch hook: each data access on the slow path (every access while it is set). */
  private readonly watch = (lo: number, hi: number, size: number, write: boolean, vlo?: number, vhi?: number): boolean => {
    const a = big(lo, hi);
    let info: MemAccess | null = null;
    for (const h of this.mem.slice()) {
      if (write ? !h.write : !h.read) continue;
      // Any overlap of [a, a+size) with [lo, hi].
      if (a > h.hi || a + BigInt(size) - 1n < h.lo) continue;
      if (info === null) {
        const pe = this.currentPe();
        info = { kind: write ? 'write' : 'read', address: a, size, pe };
        if (write && vlo !== undefined) {
          const v = big(vlo, vhi ?? 0);
          info.value = size >= 8 ? v : v & ((1n << BigInt(8 * size)) - 1n);
        }
      }
      h.fn(info);
    }
    return false; // the access is always made; stop() takes effect at the next instruction
  };

  /** The PE whose access the watch hook sees: with several PEs, the one the scheduler runs. */
  private currentPe(): number {
    if (this.pes.length === 1) return 0;
    const smp = this.pes[0].smp as { current?: number } | null;
    return typeof smp?.current === 'number' ? smp.current : 0;
  }

  private readonly onException = (cpu: Cpu, vec: number, target: number, retLo: number, retHi: number): void => {
    const kind: ExceptionKind = vec === VEC_SYNC ? 'sync' : vec === VEC_IRQ ? 'irq' : vec === VEC_FIQ ? 'fiq' : 'serror';
    const hasSyndrome = vec === VEC_SYNC || vec === VEC_SERROR;
    const e: ExceptionInfo = {
      kind,
      targetEl: target,
      fromEl: cpu.el,
      ec: hasSyndrome ? cpu.excEC : -1,
      iss: hasSyndrome ? cpu.excISS & 0x1ff_ffff : 0,
      returnAddress: big(retLo, retHi),
      pe: cpu.index,
    };
    if (vec === VEC_SYNC && cpu.excFarValid) e.far = big(cpu.excFarLo, cpu.excFarHi);
    for (const h of this.exc.slice()) if (h.kinds.has(kind)) h.fn(e);
    if (vec !== VEC_SYNC || this.fault.length === 0) return;
    const f = faultInfo(e);
    if (f !== null) for (const h of this.fault.slice()) h(f);
  };
}

/** A synchronous exception as a fault, if it is one (ARM ARM D17.2.37 ESR_ELx.EC, DFSC/IFSC). */
export function faultInfo(e: ExceptionInfo): FaultInfo | null {
  const ec = e.ec;
  if (ec === EC_PC_ALIGN) return { ...e, access: 'fetch', cause: 'alignment', fsc: -1 };
  if (ec === EC_SP_ALIGN) return { ...e, access: 'read', cause: 'alignment', fsc: -1 };
  const fetch = ec === EC_IABT_LOWER || ec === EC_IABT_SAME;
  if (!fetch && ec !== EC_DABT_LOWER && ec !== EC_DABT_SAME) return null;
  const fsc = e.iss & 0x3f;
  const write = !fetch && (e.iss & (1 << 6)) !== 0; // ISS.WnR
  let cause: FaultInfo['cause'] = 'other';
  if ((fsc & 0x3c) === 0x04) cause = 'unmapped'; // translation fault, level 0..3
  else if ((fsc & 0x3c) === 0x08) cause = 'access-flag';
  else if ((fsc & 0x3c) === 0x0c) cause = 'permission';
  else if (fsc === 0x10) cause = 'bus-error'; // synchronous external abort
  else if (fsc === 0x21) cause = 'alignment';
  return { ...e, access: fetch ? 'fetch' : write ? 'write' : 'read', cause, fsc };
}

function range(r: HookRange, what: string): { lo: bigint; hi: bigint } {
  const lo = r.begin ?? 0n;
  const hi = r.end ?? (1n << 64n) - 1n;
  if (typeof lo !== 'bigint' || typeof hi !== 'bigint') throw new ApiError(`${what}: begin and end must be bigints`);
  if (lo > hi) throw new ApiError(`${what}: begin 0x${lo.toString(16)} is above end 0x${hi.toString(16)}`);
  return { lo, hi };
}

export { VEC_SERROR };
