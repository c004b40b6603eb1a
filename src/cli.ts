// The a64hv command line. `main(argv, io)` is the whole program (tests call it directly); the
// bottom of the file runs it when this module is the entry point.
//
// Exit status: the guest's own (semihosting SYS_EXIT status, 0 for PSCI SYSTEM_OFF/RESET, 0
// when --max-insns ran out), 1 when the emulation stopped on a guest error (lost in the void,
// unimplemented feature), 2 for user errors (bad file, flag, JSON), with a one-line message.
import { Command, CommanderError, Option } from 'commander';
import Table from 'cli-table3';
import { writeOutput } from './cli-output.js';
import { runFigures } from './cli-stats.js';
import { ignoredOptionWarnings } from './cli-warnings.js';
import { RunMeter, wallRows, cpiText } from './cli-progress.js';
import { rawConsole, type TtyInput } from './cli-console.js';
import { readInputText, parseJsonObject } from './loader/input-file.js';
import { existsSync, fstatSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { DEFAULT_RAM_SIZE, type Machine, type RunResult, type MachineOptions } from './machine.js';
import { Machine as ApiMachine } from './api/machine.js';
import { loadImage, loadData, parseAddress, bootLoaded, type LoadedImage } from './loader/index.js';
import { virtBoardDtb } from './loader/virt-dt.js';
import { DEFAULT_QUANTUM, MAX_PES } from './cpu/smp.js';
import { peStats, peTotals, peRow } from './cpu/smp-stats.js';
import { loadBiosFile } from './loader/bios.js';
import { readUserDtb } from './loader/dtb-file.js';
import { SymbolTable } from './loader/symbols.js';
import { UserError, isUserError, hex } from './errors.js';
import { SP } from './cpu/state.js';
import { sysDefs } from './cpu/sysregs.js';
import { runHypDemo } from './hyp/demo.js';
import { PROFILES } from './cpu/timing.js';
import { cycleModelRows } from './cpu/timing/report.js';
import { cpuProfile, CPU_PROFILES } from './cpu/profile.js';
import type { Cpu } from './cpu/cpu.js';
import type { Insn } from './cpu/decode.js';
import { runHypCommand, type RunCommandOptions } from './hyp/cli-hyp.js';
import { parseDrive } from './devices/virtio/blk.js';
import { InputWait, paceIdle, onAbort, type HostClock } from './host-input.js';
import { GuardedOutput, OutputError } from './host-output.js';
import { TlbLab, type LabOptions } from './stats/lab.js';
import { engineOption } from './cli-engine.js';
import { parseLogCategories, logHelp } from './log/categories.js';
import { createLogger, attachLogger, detachLogger } from './log/setup.js';
import { bothHooks } from './log/cpu-log.js';
import { openLineSink } from './log/sink.js';

export const EXIT_GUEST_ERROR = 1;
export const EXIT_USER_ERROR = 2;
/** Stopped by Ctrl-C (128 + SIGINT, the shell convention). */
export const EXIT_INTERRUPTED = 130;

/** Minimal output sink (process.stdout/stderr, or a string collector in tests). */
export interface Sink {
  write(s: string): unknown;
}
export interface CliIo {
  stdout: Sink;
  stderr: Sink;
  /**
   * Host input for the guest's UART when --uart-input is absent. The CLI entry point passes
   * process.stdin; tests pass nothing (no input).
   */
  stdin?: NodeJS.ReadableStream & { fd?: number };
  /** Aborted on Ctrl-C: the run stops at the next slice and still reports its figures. */
  signal?: AbortSignal;
  /** The clock an idle interactive guest's time follows (default: real time; tests drive one). */
  clock?: HostClock;
  /**
   * What Ctrl-C does (the entry point's SIGINT handler): a terminal in raw mode sends Ctrl-C as a
   * byte, which src/cli-console.ts turns into this call.
   */
  interrupt?: () => void;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_GUEST = join(ROOT, 'guests', 'asm', 'hello.S');
/** The demo's second act: a C program (picolibc, semihosting) with enough work to measure. */
export const DEMO_C_GUEST = join(ROOT, 'guests', 'build', 'sort.elf');
/** Instructions per slice of the run loop; between slices the event loop delivers stdin. */
const SLICE = 4_000_000;

interface RunOptions extends LabOptions {
  smp?: string;
  smpQuantum?: string;
  maxInsns?: string;
  trace?: boolean;
  regsIn?: string;
  regsOut?: string;
  load: string[];
  dump: string[];
  statsJson?: string;
  ram?: string;
  timing?: string;
  cpu?: string;
  engine?: string;
  uartInput?: string;
  addr?: string;
  semihosting: boolean;
  cmdline?: string;
  quiet?: boolean;
  initrd?: string;
  append?: string;
  bios?: boolean;
  /** --dtb FILE: the user's device tree instead of the generated one (src/loader/dtb-file.ts). */
  dtb?: string;
  /** --dump-dtb FILE: write the guest's device tree and exit (QEMU's -machine dumpdtb). */
  dumpDtb?: string;
  drive?: string[];
  /** --log, --log-range, --log-file (src/log). */
  log?: string;
  logRange?: string;
  logFile?: string;
  /** --trace-file FILE: --trace to FILE instead of stderr. */
  traceFile?: string;
  iommu?: string;
  virtio?: string;
}

/** --drive, --virtio and --iommu as Machine options (one-line errors for bad values). */
function busMasterOptions(o: RunOptions): Pick<MachineOptions, 'drives' | 'virtioRng' | 'virtioConsole' | 'iommu'> {
  const kinds = o.virtio === undefined ? [] : o.virtio.split(',').map((k) => k.trim());
  for (const k of kinds) if (k !== 'rng' && k !== 'console') throw new UserError(`--virtio ${o.virtio}: unknown device '${k}' (known: rng, console)`);
  if (o.iommu !== undefined && o.iommu !== 'smmuv3') throw new UserError(`--iommu ${o.iommu}: unknown IOMMU (known: smmuv3)`);
  return {
    drives: (o.drive ?? []).map(parseDrive),
    virtioRng: kinds.includes('rng'),
    virtioConsole: kinds.includes('console'),
    iommu: o.iommu as 'smmuv3' | undefined,
  };
}

/** Parse a size like 128M, 1G, 64K, 0x100000 or 1048576. */
export function parseSize(s: string, what: string): number {
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*([kmg])?i?b?\s*$/i.exec(s);
  if (m === null) throw new UserError(`${what}: bad size '${s}' (use e.g. 128M, 1G, 4096)`);
  const unit = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  return Number(BigInt(m[1])) * unit;
}

/** --timing: a profile name; own keys only (`__proto__`, `toString` are not profiles). */
function checkTiming(t: string | undefined): void {
  if (t !== undefined && !Object.hasOwn(PROFILES, t)) {
    throw new UserError(`--timing ${t}: unknown profile (known: ${Object.keys(PROFILES).join(', ')})`);
  }
}

function parseRam(s: string): number {
  const n = parseSize(s, '--ram');
  // RAM offsets are int32 in the CPU's fast path: keep it to 1 GiB (0x40000000-0x7fffffff).
  if (n < 64 * 1024 || n > 1024 ** 3 || n % 4096 !== 0) {
    throw new UserError(`--ram ${s}: RAM must be a multiple of 4K between 64K and 1G`);
  }
  return n;
}

function parseCount(s: string, what: string): number {
  const t = s.replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new UserError(`${what}: expected a non-negative integer, got '${s}'`);
  const n = Number(BigInt(t));
  if (!Number.isSafeInteger(n)) throw new UserError(`${what}: ${s} is too large`);
  return n;
}

// ---- register files (--regs-in / --regs-out) ----
export interface RegsJson {
  x: string[];
  sp_el0: string;
  sp_el1: string;
  pc: string;
  nzcv: string;
  el: number;
}

const u64hex = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

export function regsToJson(cpu: Cpu): RegsJson {
  const x: string[] = [];
  for (let k = 0; k < 31; k++) x.push(u64hex(cpu.readX(k)));
  return {
    x,
    sp_el0: u64hex(cpu.getSpEl(0)),
    sp_el1: u64hex(cpu.getSpEl(1)),
    pc: u64hex(cpu.pc),
    // The NZCV register layout: N, Z, C, V in bits 31:28 (as MRS NZCV reads it).
    nzcv: '0x' + ((cpu.nzcv << 28) >>> 0).toString(16).padStart(8, '0'),
    el: cpu.el,
  };
}

/**
 * Apply a register file. Keys may be omitted (the boot state stays); unknown keys and malformed
 * values are errors. EL 0 runs on SP_EL0 and EL 1 on SP_EL1 (EL1h).
 */
export function applyRegs(cpu: Cpu, text: string, file: string): void {
  const o = parseJsonObject(text, file);
  const known = ['x', 'sp_el0', 'sp_el1', 'pc', 'nzcv', 'el'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new UserError(`${file}: unknown key '${k}' (expected ${known.join(', ')})`);
  const u64 = (v: unknown, what: string): bigint => {
    if (typeof v !== 'string' || !/^0x[0-9a-f]{1,16}$/i.test(v)) {
      throw new UserError(`${file}: ${what} must be a hex string like "0x40000000", got ${JSON.stringify(v)}`);
    }
    return BigInt(v);
  };
  if (o.el !== undefined) {
    if (o.el !== 0 && o.el !== 1) throw new UserError(`${file}: el must be 0 or 1 (EL2 and EL3 belong to the firmware), got ${JSON.stringify(o.el)}`);
    cpu.setElSpsel(o.el, o.el === 0 ? 0 : 1);
  }
  if (o.x !== undefined) {
    if (!Array.isArray(o.x) || o.x.length !== 31) throw new UserError(`${file}: x must be an array of 31 hex strings (X0..X30)`);
    o.x.forEach((v, k) => cpu.writeX(k, u64(v, `x[${k}]`)));
  }
  if (o.sp_el0 !== undefined) cpu.setSpEl(0, u64(o.sp_el0, 'sp_el0'));
  if (o.sp_el1 !== undefined) cpu.setSpEl(1, u64(o.sp_el1, 'sp_el1'));
  if (o.pc !== undefined) cpu.pc = u64(o.pc, 'pc');
  if (o.nzcv !== undefined) {
    const v = u64(o.nzcv, 'nzcv');
    if ((v & ~0xf0000000n) !== 0n) throw new UserError(`${file}: nzcv has bits outside 31:28 (${o.nzcv})`);
    cpu.nzcv = Number(v >> 28n);
  }
}

// ---- --trace ----
async function makeTracer(
  m: Machine,
  img: LoadedImage,
  out: Sink,
  guestOut: Sink,
): Promise<{ hook: (cpu: Cpu, lo: number, hi: number, ins: Insn) => void; flush: () => void; output: (t: string) => void }> {
  // The debugger's disassembler (capstone-wasm, cached per word and address).
  const { loadDisassembler } = await import('./debug/disasm.js');
  const dis = await loadDisassembler();
  const disasm = (pc: bigint, raw: number): string => dis.insn(pc, raw);
  const cpu = m.cpu;
  const prev = new Int32Array(cpu.r.length);
  const prevSys = new Int32Array(cpu.sys.length);
  const sysName = new Map<number, string>();
  for (const d of sysDefs) sysName.set(d.slot, d.name);
  let prevNzcv = 0;
  let prevEl = 0;
  let prevDaif = 0;
  let pending: string | null = null;
  /** Guest output printed by the pending instruction: shown after its trace line, in order. */
  let held = '';
  const changes = (): string => {
    const parts: string[] = [];
    for (let k = 0; k <= SP; k++) {
      if (k === 31) continue; // XZR
      if (cpu.r[2 * k] !== prev[2 * k] || cpu.r[2 * k + 1] !== prev[2 * k + 1]) {
        parts.push(`${k === SP ? 'sp' : 'x' + k}=${hex(cpu.readX(k))}`);
      }
    }
    if (cpu.nzcv !== prevNzcv) {
      const f = cpu.nzcv;
      parts.push(`nzcv=${f & 8 ? 'N' : '-'}${f & 4 ? 'Z' : '-'}${f & 2 ? 'C' : '-'}${f & 1 ? 'V' : '-'}`);
    }
    if (cpu.el !== prevEl) parts.push(`el=${cpu.el}`);
    if (cpu.daif !== prevDaif) parts.push(`daif=0x${cpu.daif.toString(16)}`);
    // System registers: MSR writes, and the ESR/ELR/SPSR/FAR of an exception the instruction took.
    for (let k = 0; k < cpu.sys.length; k += 2) {
      if (cpu.sys[k] !== prevSys[k] || cpu.sys[k + 1] !== prevSys[k + 1]) {
        const v = (BigInt(cpu.sys[k + 1] >>> 0) << 32n) | BigInt(cpu.sys[k] >>> 0);
        parts.push(`${(sysName.get(k >> 1) ?? `sys${k >> 1}`).toLowerCase()}=${hex(v)}`);
      }
    }
    return parts.join(' ');
  };
  // Trace lines are written in batches (one write per line floods a pipe's queue); a batch is
  // written early whenever guest output must follow it.
  let batch: string[] = [];
  const writeBatch = (): void => {
    if (batch.length === 0) return;
    out.write(batch.join(''));
    batch = [];
  };
  const flushLine = (): void => {
    if (pending === null) return;
    const c = changes();
    batch.push(c ? `${pending.padEnd(72)} ${c}\n` : `${pending}\n`);
    pending = null;
    if (held !== '') {
      writeBatch();
      guestOut.write(held);
      held = '';
    } else if (batch.length >= 512) writeBatch();
  };
  const flush = (): void => {
    flushLine();
    writeBatch();
  };
  const output = (t: string): void => {
    if (pending === null) guestOut.write(t);
    else held += t;
  };
  const hook = (c: Cpu, lo: number, hi: number, ins: Insn): void => {
    flushLine();
    const pc = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    const sym = img.symbols.format(pc);
    const where = sym ? ` <${sym}>` : '';
    pending = `${pc.toString(16).padStart(16, '0')}${where}: ${disasm(pc, ins.raw)}`;
    prev.set(c.r);
    prevSys.set(c.sys);
    prevNzcv = c.nzcv;
    prevEl = c.el;
    prevDaif = c.daif;
  };
  return { hook, flush, output };
}

/** --smp N: 1..8 PEs. */
function parseSmp(s: string): number {
  const n = /^[0-9]+$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1 && n <= MAX_PES)) throw new UserError(`--smp ${s}: the number of PEs must be 1..${MAX_PES}`);
  return n;
}

/** Several PEs are for the bare board's run only so far: say so rather than ignore --smp. */
function refuseSmp(smp: string | undefined, what: string): void {
  if (smp !== undefined && parseSmp(smp) > 1) throw new UserError(`--smp ${smp}: not supported with ${what}; only one PE there`);
}

// ---- the run command ----
async function runGuest(guest: string, o: RunOptions, io: CliIo): Promise<number> {
  const ramSize = o.ram !== undefined ? parseRam(o.ram) : DEFAULT_RAM_SIZE;
  const maxInsns = o.maxInsns !== undefined ? parseCount(o.maxInsns, '--max-insns') : Infinity;
  const dumps = o.dump.map(parseDump);
  const loadAddr = o.addr !== undefined ? parseAddress(o.addr, '--addr') : undefined;
  const regsText = o.regsIn !== undefined ? await readText(o.regsIn) : undefined;
  if (o.dtb !== undefined && o.bios) throw new UserError('--dtb does not go with --bios (the firmware gets the board\'s tree at the start of RAM)');
  const userDtb = o.dtb !== undefined ? await readUserDtb(o.dtb) : undefined;

  checkTiming(o.timing);
  cpuProfile(o.cpu); // an unknown --cpu fails before anything is loaded
  const smp = o.smp !== undefined ? parseSmp(o.smp) : 1;
  const smpQuantum = o.smpQuantum !== undefined ? parseCount(o.smpQuantum, '--smp-quantum') : undefined;
  if (smpQuantum !== undefined && smpQuantum < 1) throw new UserError(`--smp-quantum ${o.smpQuantum}: must be at least 1`);
  // --trace and the debugger interpret (the tracer sees every instruction); run uses the engine asked for.
  const engine = o.engine !== undefined ? engineOption(o.engine) : undefined;
  let tracer: Awaited<ReturnType<typeof makeTracer>> | null = null;
  const masters = busMasterOptions(o);
  // --log: parsed and its file opened before anything runs (src/log).
  if (o.log !== undefined && parseLogCategories(o.log).has('exits')) io.stderr.write('a64hv: warning: --log exits does nothing without --hyp\n');
  const logging = createLogger(o, io.stdout, io.stderr);
  const traceSink = o.traceFile !== undefined ? openLineSink(o.traceFile, io.stdout) : null;
  // The progress line (a terminal only) stays off while --trace or --log write to stderr.
  const meter = new RunMeter(io.stderr, io.stdout, io.clock, !(o.trace && traceSink === null) && !(logging !== null && o.logFile === undefined));
  // The CLI is a client of the library (src/api): the machine is the API's, and so are the
  // per-instruction hooks (--trace, --log exec/in-asm) and run(); `m` is the board inside it.
  const api = new ApiMachine({
    board: { ...masters, uartInput: o.uartInput, semihosting: o.semihosting, cmdline: o.cmdline, smpQuantum },
    timing: o.timing,
    cpu: o.cpu,
    engine,
    ramSize,
    smp,
    onOutput: (t) => {
      meter.output(t);
      if (tracer) tracer.output(t);
      else io.stdout.write(t);
    },
    onLog: (msg) => io.stderr.write(`a64hv: ${msg}\n`),
  });
  const m = api.board;
  const lab = await TlbLab.create(m, o);
  for (const d of dumps) {
    // Check dump ranges before running, so a typo does not cost a long run.
    if (d.addr < BigInt(m.bus.ramBase) || d.addr + BigInt(d.len) > BigInt(m.bus.ramBase + m.bus.ramSize)) {
      throw new UserError(`--dump ${d.spec}: ${hex(d.addr)}+${d.len} is outside RAM ${hex(m.bus.ramBase)}-${hex(m.bus.ramBase + m.bus.ramSize - 1)}`);
    }
  }
  const img: LoadedImage = o.bios
    ? await loadBiosFile(m, guest, o.append).then((b) => ({ entry: BigInt(b.entry), symbols: new SymbolTable(), kind: 'raw' as const, dtb: { addr: b.dtb, blob: b.dtbBlob } }))
    : await loadImage(m, guest, { addr: loadAddr, initrd: o.initrd, append: o.append, dtb: userDtb, linuxDtb: (_bus, chosen) => virtBoardDtb(m.dtBoard(), chosen) });
  if (o.dumpDtb !== undefined) {
    // QEMU's -machine dumpdtb: the tree the guest would get (an ELF gets none: the board's, with --append's bootargs).
    const blob = img.dtb?.blob ?? virtBoardDtb(m.dtBoard(), { bootargs: o.append ?? '' });
    m.close();
    await writeOut(o.dumpDtb, blob, io);
    if (o.dumpDtb !== '-') io.stderr.write(`a64hv: device tree (${blob.length} bytes) written to ${o.dumpDtb}\n`);
    return 0;
  }
  for (const spec of o.load) await loadData(m, spec);
  bootLoaded(m, img);
  lab.boot();
  if (regsText !== undefined) applyRegs(m.cpu, regsText, o.regsIn!);

  let stopInput = (): void => {};
  const input = new InputWait();
  if (o.uartInput === undefined && io.stdin) stopInput = feedStdin(m, io.stdin, input, io.interrupt);

  if (o.trace || traceSink !== null) tracer = await makeTracer(m, img, traceSink ?? io.stderr, io.stdout);
  const insnHook = bothHooks(tracer?.hook ?? null, logging !== null ? await attachLogger(m, logging.logger, (pc) => img.symbols.format(pc) ?? '') : null);
  // --trace and --log exec/in-asm follow PE 0 (an API code hook; the CPU interprets while it is set).
  const codeHook =
    insnHook === null
      ? null
      : api.hookCode((addr, pe, raw) => {
          if (pe === 0) insnHook(m.cpu, Number(addr & 0xffff_ffffn) | 0, Number(addr >> 32n) | 0, { raw } as Insn);
        });

  meter.begin();
  let result: RunResult;
  let done = 0;
  let interrupted = false;
  try {
    for (;;) {
      const slice = Math.min(SLICE, maxInsns - done);
      const r = api.run({ maxInstructions: slice }) as RunResult;
      lab.roi.settle();
      done += r.instructions;
      result = { ...r, instructions: done };
      if (r.reason !== 'limit' || done >= maxInsns) break;
      meter.tick(done, m.cpu.cycles);
      if (io.signal?.aborted) {
        interrupted = true;
        break;
      }
      if (m.firmware.idleDeadline >= 0) {
        // Interactive and idle with a timer armed: that time passes in real time (or until input).
        const d = m.firmware.idleDeadline;
        m.firmware.idleDeadline = -1;
        await meter.idle(paceIdle(m.cpu, d, input, io.signal, io.clock));
        continue;
      }
      if (m.firmware.idleForInput) {
        // The guest sleeps in WFI until the UART receives something: wait for stdin.
        m.firmware.idleForInput = false;
        let unlisten = (): void => {};
        await meter.idle(
          new Promise<void>((res) => {
            void input.next().then(res);
            unlisten = onAbort(io.signal, res); // taken back below: no listener leak per wait
          }),
        );
        unlisten();
        continue;
      }
      // Let stdin data and output writes through between slices.
      await new Promise((res) => setImmediate(res));
    }
  } finally {
    meter.erase();
    tracer?.flush();
    codeHook?.remove();
    stopInput();
    api.close();
    if (logging !== null) detachLogger(m);
    for (const failed of [logging?.close() ?? null, (traceSink as { close?: () => string | null } | null)?.close?.() ?? null]) {
      if (failed !== null) io.stderr.write(`a64hv: ${failed}\n`);
    }
  }
  const wallMs = meter.wallMs();

  for (const d of dumps) {
    await writeOut(d.file, m.bus.readBytes(Number(d.addr), d.len), io);
  }
  if (o.regsOut !== undefined) await writeOut(o.regsOut, JSON.stringify(regsToJson(m.cpu), null, 2) + '\n', io);
  const exitCode = interrupted
    ? io.signal?.reason instanceof OutputError
      ? io.signal.reason.exitStatus
      : EXIT_INTERRUPTED
    : result!.reason === 'error'
      ? EXIT_GUEST_ERROR
      : result!.reason === 'limit'
        ? 0
        : result!.exitCode & 0xff;
  const config = lab.config({ guest: relativeName(guest), cmdline: o.cmdline ?? '', maxInsns: o.maxInsns ?? null });
  if (lab.wantsFiles) await lab.write(config, io.stdout);
  if (o.statsJson !== undefined) {
    const stats = {
      // The keys every --stats-json has, with or without --hyp (src/cli-stats.ts).
      ...runFigures(m.cpu, done, wallMs, interrupted ? (io.signal?.reason instanceof OutputError ? 'output-error' : 'interrupted') : result!.reason, exitCode, meter.idleMs),
      // Bus masters: bytes each moved by DMA and the transactions refused (src/devices/README-dma.md).
      dma: busMasterStats(m),
      ...(m.smmu ? { smmu: m.smmu.stats() } : {}),
      // The whole configuration (TLB geometry, --mmu/--s2) and the guest's regions of interest.
      config,
      regions: lab.samples(),
      // With --smp N: every PE's figures (the fields above are PE 0's, plus instructions in total).
      ...(m.pes.length > 1 ? { pes: m.pes.map(peStats), totals: peTotals(m.pes) } : {}),
    };
    await writeOut(o.statsJson, JSON.stringify(stats, null, 2) + '\n', io);
  }
  if (!o.quiet) {
    const t = new Table({ style: { head: [], border: [], compact: true } });
    const why = interrupted
      ? io.signal?.reason instanceof OutputError
        ? `stopped: ${io.signal.reason.message}`
        : 'interrupted (Ctrl-C)'
      : result!.reason === 'limit'
        ? `instruction limit (${done})`
        : result!.reason === 'error'
          ? 'error'
          : `${result!.reason}: ${result!.message ?? ''}`.trim();
    t.push(
      ['guest', relativeName(guest)],
      ['instructions', done.toLocaleString('en-US')],
      // With several PEs each has its own cycles: PE 0's here, every PE's in its own row below.
      [m.pes.length > 1 ? 'cycles (modelled, PE 0)' : 'cycles (modelled)', Math.round(m.cpu.cycles).toLocaleString('en-US')],
      m.pes.length > 1
        ? ['CPI (PE 0)', m.cpu.instret > 0 ? `${(m.cpu.cycles / m.cpu.instret).toFixed(3)} (${m.cpu.timing.profile.name} timing)` : '-']
        : ['CPI', cpiText(m.cpu.cycles, m.cpu.idleCycles, done, m.cpu.timing.profile.name)],
      ...(m.cpu.interruptsTaken > 0 || m.cpu.idleCycles > 0
        ? [['interrupts', `${m.cpu.interruptsTaken} taken; ${Math.round(m.cpu.idleCycles).toLocaleString('en-US')} cycles asleep in WFI`]]
        : []),
      ...dmaRows(m),
      ...cycleModelRows(m.cpu), // cycles: detailed profiles
      ...(m.pes.length > 1 ? m.pes.map(peRow) : []),
      ...wallRows(meter, done, wallMs),
      ['exit', why],
      ['exit code', String(exitCode)],
    );
    if (!m.output.endsWith('\n') && m.output !== '') io.stderr.write('\n');
    io.stderr.write(t.toString() + '\n');
  }
  if (result!.reason === 'error') io.stderr.write(`a64hv: error: ${result!.message}\n`);
  return exitCode;
}

/** Per bus master: its DMA port's counters and its device's own (DMA engine transfers, virtio requests). */
function busMasterStats(m: Machine): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // port: bytes moved by DMA; engine/transport: the device's own counters; device: requests (virtio-blk: file bytes).
  if (m.dma) out['dma-engine'] = { streamId: m.dma.port.streamId, port: { ...m.dma.port.stats }, engine: { ...m.dma.stats } };
  for (const v of m.virtio) {
    const dev = v.backend as { stats?: object };
    out[v.mmio.port.name] = {
      slot: v.slot,
      streamId: v.mmio.port.streamId,
      port: { ...v.mmio.port.stats },
      transport: { ...v.mmio.stats },
      ...(dev.stats ? { device: { ...dev.stats } } : {}),
    };
  }
  return out;
}

/** Figures-table rows for bus masters that did something, and the SMMU's counters. */
function dmaRows(m: Machine): string[][] {
  const n = (x: number): string => x.toLocaleString('en-US');
  const rows: string[][] = [];
  for (const p of m.dmaPorts) {
    const s = p.stats;
    if (s.reads + s.writes + s.aborts === 0) continue;
    rows.push([`DMA ${p.name}`, `${n(s.bytesRead)} B read, ${n(s.bytesWritten)} B written, ${n(s.aborts)} aborted`]);
  }
  if (m.smmu) {
    const st = m.smmu.stats();
    rows.push([
      'SMMU',
      `${n(st.translations)} translations (${n(st.bypassed)} bypassed, ${n(st.aborted)} aborted); ` +
        `IOTLB ${n(st.iotlb.hits)}/${n(st.iotlb.lookups)} hits, ${n(st.walks.s1Walks + st.walks.s2Walks)} walks; ` +
        `${n(st.commands)} commands, ${n(st.events)} events`,
    ]);
  }
  return rows;
}

function relativeName(p: string): string {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}

function parseDump(spec: string): { addr: bigint; len: number; file: string; spec: string } {
  const a = spec.indexOf(':');
  const b = a < 0 ? -1 : spec.indexOf(':', a + 1);
  if (a <= 0 || b < 0 || b === spec.length - 1) throw new UserError(`--dump ${spec}: expected ADDR:LEN:FILE, e.g. 0x40100000:4K:out.bin`);
  const addr = parseAddress(spec.slice(0, a), `--dump ${spec}`);
  const len = parseSize(spec.slice(a + 1, b), `--dump ${spec}`);
  if (len === 0) throw new UserError(`--dump ${spec}: length is zero`);
  return { addr, len, file: spec.slice(b + 1), spec };
}

/** A text input (--regs-in): a regular file of bounded size (src/loader/input-file.ts). */
async function readText(path: string): Promise<string> {
  return readInputText(path);
}
/** An output file; '-' is stdout (cli-output.ts). */
async function writeOut(path: string, data: string | Uint8Array, io: CliIo): Promise<void> {
  return writeOutput(path, data, io.stdout);
}

/**
 * Feed host input to the UART: a regular file is read at once (deterministic), a pipe as data
 * arrives (the guest sees it at the next slice boundary). Returns a function that stops feeding.
 */
function feedStdin(m: Machine, stdin: NodeJS.ReadableStream & { fd?: number }, input: InputWait, interrupt?: () => void): () => void {
  if (stdin.fd === 0) {
    try {
      if (fstatSync(0).isFile()) {
        m.uart.feed(new Uint8Array(readFileSync(0)));
        return () => {};
      }
    } catch {
      /* fall through to streaming */
    }
  }
  // While the stream is open, a guest idle in WFI waits for it (BoardFirmware.wfi).
  m.firmware.hostInputOpen = true;
  // A terminal: raw mode, keys to the guest as typed, echoed by the guest only (src/cli-console.ts).
  const tty = rawConsole(stdin as TtyInput, interrupt ?? (() => {}));
  const onData = (d: Buffer | string): void => {
    if (tty === null) m.uart.feed(typeof d === 'string' ? d : new Uint8Array(d));
    else m.uart.feed(tty.keys.feed(typeof d === 'string' ? new TextEncoder().encode(d) : new Uint8Array(d)));
    input.wake();
  };
  const onEnd = (): void => {
    m.firmware.hostInputOpen = false;
    input.wake();
  };
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  return () => {
    stdin.removeListener('data', onData);
    stdin.removeListener('end', onEnd);
    tty?.restore();
    stdin.pause();
  };
}


// ---- the program ----
const EXIT_HELP = `
Exit status:
  the guest's  semihosting SYS_EXIT status (low 8 bits); 0 after PSCI SYSTEM_OFF,
               SYSTEM_RESET or CPU_OFF, and when --max-insns runs out
  1            the emulation stopped on a guest error (a64hv: error: ... on stderr)
  2            usage error: bad flag, file, image or JSON (one-line message)
  74           stdout could not be written (e.g. a full disk; the run stops, figures still printed)
  130          interrupted by Ctrl-C (the figures are still printed)
  141          stdout was closed by its reader (e.g. | head; the run stops, figures still printed)`;

function buildProgram(io: CliIo, setCode: (n: number) => void): Command {
  const program = new Command();
  program
    .name('a64hv')
    .description(
      'Cycle-approximate AArch64 system emulator of the QEMU virt board (RAM at 0x40000000, PL011 UART at ' +
        '0x09000000) with PSCI over HVC and Arm semihosting.',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error:') ? `a64hv: ${s}` : s),
    })
    .showHelpAfterError('(run a64hv --help for usage)')
    .addHelpText('after', EXIT_HELP);

  const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];
  program
    .command('run')
    .summary('load a guest and run it at EL1, as qemu-system-aarch64 -M virt -kernel GUEST does')
    .description(
      'Load GUEST and run it at EL1h from its entry point with the MMU off, as qemu-system-aarch64 -M virt ' +
        '-cpu cortex-a57 -semihosting -kernel GUEST does.\n\n' +
        'GUEST is chosen by content, then name: an ELF64 AArch64 executable (PT_LOAD segments copied to ' +
        'their physical addresses, entry e_entry); an assembly file .S/.s (assembled with keystone at ' +
        '0x40000000, or at the address of a "// a64hv: base=0x..." comment; entry at the label _start if ' +
        'defined); an arm64 Linux Image, raw or gzip-compressed (booted as its booting.rst says, with a ' +
        'device tree of this board carrying --append and --initrd); or any other file as a raw kernel ' +
        'booted as QEMU boots one (at --addr, default 0x40080000, with x0 = the device tree\'s address).\n\n' +
        'The guest\'s console (PL011 and semihosting) goes to stdout as it is printed; the figures table, ' +
        '--trace and errors go to stderr. Without --uart-input, stdin feeds the UART receiver (and ' +
        'semihosting reads): a file at once, a pipe as data arrives, a terminal key by key in raw mode, as ' +
        'QEMU\'s -serial stdio (the guest alone echoes; Ctrl-C stops the run, Ctrl-A c sends the guest a Ctrl-C, Ctrl-A x stops the run).',
    )
    .argument('<guest>', 'ELF, .S/.s assembly or raw binary')
    .argument('[more...]', 'with --hyp: further guests, one VM each')
    .option('--max-insns <n>', 'stop after exactly N instructions')
    .option('--trace', 'print every executed instruction (address, symbol, disassembly, changed registers) to stderr')
    .option('--trace-file <file>', "--trace to FILE ('-': stdout) instead of stderr, so it never interleaves with the guest's console on a terminal")
    .option('--log <categories>', 'log events, like qemu -d: int, mmu, exits (--hyp), guest-errors, exec, in-asm, unimp, all (QEMU spellings guest_errors, in_asm accepted); --log help describes each')
    .option('--log-range <ranges>', 'with --log: only events at these addresses (PC; FAR too for mmu), like qemu -dfilter: ADDR, ADDR-END (inclusive) or ADDR+LEN, comma-separated')
    .option('--log-file <file>', "with --log: write the log to FILE ('-': stdout) instead of stderr, like qemu -D")
    .option('--regs-in <file>', 'initial registers as JSON {"x":[31 hex strings],"sp_el0","sp_el1","pc","nzcv","el"}; keys may be omitted')
    .option('--regs-out <file>', "write the final registers as JSON in the --regs-in format ('-': stdout, as for every output file)")
    .option('--load <file@addr>', 'place a raw file in RAM before starting (repeatable)', collect)
    .option('--dump <addr:len:file>', 'write LEN bytes of RAM at ADDR to FILE at the end (repeatable; LEN like 4096 or 4K)', collect)
    .option('--stats-json <file>', 'write {instructions, cycles, cpi, timing, wallMs, mips, exitReason, exitCode, tlb, config, regions} as JSON')
    .option('--stats-txt <file>', 'write gem5-style statistics (one per line with its description; a block per region of interest, then "end" (since the last reset))')
    .option('--stats-csv <file>', 'write the statistics as CSV: one row per region of interest, then "end" (since the last reset)')
    .option('--stats-dir <dir>', 'write config.json (the whole configuration), stats.txt, stats.csv and stats.json into DIR')
    .option('--tlb <spec>', 'TLB geometry, e.g. l1i=48,l1d=32:full,l2=1024:4:lru,walk=64:4,ipa=64:4,l2hit=3,descread=20 (docs/tlb-lab.md)')
    .option('--tlb-config <file>', 'TLB geometry as JSON ({"l1d": {"entries": 64, "ways": "full"}, "l2": "2048:4"}, or a recorded config.json); --tlb applies on top')
    .option('--mmu <spec>', 's1:4k|16k|64k[:pages|blocks][:ng]: build identity stage-1 tables (RAM Normal WB, devices Device-nGnRnE) and enter the guest with its MMU on')
    .option('--mmu-offset <off>', 'with --mmu: map RAM at VA = PA + OFF (a multiple of 1G; the guest must be position-independent)')
    .option('--s2 <spec>', '4k|16k|64k[:pages|blocks]: an identity stage 2 under the guest (VMID 1): nested walks without a hypervisor; with --hyp: 4k:pages|blocks, the VMs\' eager stage-2 mapping size (default blocks)')
    .option('--ram <size>', 'RAM size at 0x40000000, e.g. 128M (default), 64K..1G')
    .option('--smp <n>', 'number of PEs, 1..8 (default 1); PE 0 boots, the others wait for PSCI CPU_ON')
    .option('--smp-quantum <n>', `instructions a PE runs before the next PE's turn (default ${DEFAULT_QUANTUM}; deterministic round-robin)`)
    .option('--timing <profile>', 'cycle model: a57 (default: published Cortex-A57 latencies), functional (cycles = instructions), or a detailed pipeline/cache/branch model cortex-a53|cortex-a57|cortex-a72 (interpreter only; docs/cycle-model.md)')
    .option('--cpu <model>', `CPU model: which ISA features the ID registers advertise and decode (${Object.keys(CPU_PROFILES).join(', ')}; default a57, Armv8.0 + CRC32/LSE/FP16; max: every implemented feature, see src/cpu/README-isa.md)`)
    .option('--engine <name>', 'execution engine: interp (the reference interpreter; default, or A64HV_ENGINE) or jit (hot code compiled to JavaScript; identical results and counts)')
    .option('--uart-input <text>', 'bytes for the PL011 receiver (and semihosting stdin) instead of stdin')
    .option('--addr <addr>', 'load address of a raw binary (default 0x40080000, as qemu -kernel) or assembly (overrides the base comment)')
    .option('--cmdline <text>', 'string returned by semihosting SYS_GET_CMDLINE (default empty)')
    .option('--bios', 'GUEST is firmware started like qemu -bios (e.g. U-Boot\'s qemu_arm64 u-boot.bin or uboot.elf): in the flash at 0, run from RAM at 0x40200000, device tree at 0x40000000 (see src/loader/bios.ts)')
    .option('--initrd <file>', 'with a Linux Image or a raw kernel: an initramfs/initrd to place in RAM at RAM + min(RAM/2, 128M), as QEMU does (its range goes in the device tree)')
    .option('--append <text>', 'with a Linux Image or a raw kernel: the kernel command line (device tree /chosen bootargs), e.g. "console=ttyAMA0"')
    .option('--dtb <file>', 'with a Linux Image or a raw kernel: boot with this device tree blob instead of the generated one (validated; /chosen gets --append and --initrd, as qemu -dtb); with --hyp, every such VM boots with it; with --gdb/--break, the debugged boot does')
    .option('--dump-dtb <file>', "write the device tree the guest would get to FILE ('-': stdout) and exit without running, as qemu -machine dumpdtb=FILE; check it with dtc -I dtb FILE")
    .addOption(new Option('--no-semihosting', 'make HLT #0xF000 UNDEFINED (semihosting is on by default, as with qemu -semihosting, but sandboxed: the guest gets the console (:tt) only, never host files or commands; SYS_OPEN of any other name, SYS_REMOVE, SYS_RENAME and SYS_SYSTEM fail)'))
    .option('-q, --quiet', 'do not print the figures table')
    .option('--drive <file[,readonly]>', 'a virtio-blk disk backed by FILE (repeatable; virtio-mmio slots 0, 1, ... at 0x0a000000); the file changes only when the guest writes; readonly refuses writes', collect)
    .option('--virtio <list>', 'more virtio-mmio devices after the drives: rng (deterministic bytes), console (output to stdout)')
    .option('--iommu <kind>', 'smmuv3: an SMMUv3 at 0x09050000 in front of every bus master (as qemu -M virt,iommu=smmuv3); default: masters reach PAs directly')
    .option('--hyp', 'run each guest as a VM under the hypervisor at EL2 (PL011 emulated by trap; see src/hyp/README.md)')
    .option('--hyp-ram <policy>', 'with --hyp: map guest RAM in stage 2 "eager" (default) or "lazy" (on first touch)')
    .option('--hyp-isv0 <policy>', 'with --hyp: MMIO aborts without syndrome (LDP/STP, writeback): "emulate" (default) or "inject"')
    .option('--hyp-slice <n>', 'with --hyp: instructions per time slice (default 100000)')
    .addOption(new Option('--no-hyp-vmid-tagging', 'with --hyp: one VMID for all VMs, TLBI VMALLS12E1 on each world switch'))
    .option('--hyp-trace', 'with --hyp: print each exit (decoded ESR_EL2 syndrome, IPA, device register) to stderr')
    .option('--hyp-config <file>', 'with --hyp: JSON machine description: slice, vmidTagging, assignRtc, assignDma, smmu, and per-VM name/ram/ramPolicy/isv0/uartInput/sysregTraps/idRegs/initrd/append (src/hyp/README.md)')
    .option('--hyp-traps <list>', 'with --hyp: HCR_EL2 system-register traps for every VM, e.g. "tvm,tid3" (tid1 tid2 tid3 tacr tsw tpcp tpu ttlb tvm trvm tdz); emulated, shown by --hyp-trace')
    .option('--hyp-smmu <mode>', 'with --hyp and "assignDma" in --hyp-config: the SMMU translates the DMA stream by the VM\'s stage 2 ("stage2", default) or lets it through ("bypass")')
    .option('--break <addr|symbol>', 'run to this breakpoint, then enter the debugger (see a64hv repl)')
    .option('--gdb <port>', 'wait for GDB on 127.0.0.1:PORT (0: a free port, printed) and let it drive the guest from the first instruction (as qemu -s -S)')
    .option('--gdb-no-wait', 'with --gdb: start the guest at once; GDB may attach later and stops it when it connects (as qemu -s without -S)')
    .addHelpText('after', EXIT_HELP)
    .action(async (guest: string, more: string[], opts: RunOptions & RunCommandOptions & { break?: string; gdb?: string }) => {
      if (opts.log === 'help') {
        io.stdout.write(logHelp());
        return setCode(0);
      }
      checkTiming(opts.timing);
      for (const w of ignoredOptionWarnings(opts)) io.stderr.write(`a64hv: warning: ${w}\n`);
      if ((opts as { gdbNoWait?: boolean }).gdbNoWait && opts.gdb === undefined) throw new UserError('--gdb-no-wait does nothing without --gdb PORT');
      // Before the debugger, which would load GUEST as an ordinary image.
      if (opts.bios && (opts.break !== undefined || opts.gdb !== undefined || opts.initrd !== undefined || opts.addr !== undefined)) {
        throw new UserError('--bios does not go with --break, --gdb, --initrd or --addr');
      }
      const masters = (opts.drive?.length ?? 0) > 0 || opts.virtio !== undefined || opts.iommu !== undefined;
      if (masters && (opts.hyp || opts.break !== undefined || opts.gdb !== undefined)) {
        // The VMs and the debugger build their own machines, without these devices (yet).
        throw new UserError('--drive, --virtio and --iommu apply to a plain run (not with --hyp, --break or --gdb)');
      }
      // --s2 under --hyp chooses the VMs' stage-2 mapping (src/hyp/cli-hyp.ts); the others are plain-run only.
      // --dtb works everywhere (the VMs' tree under --hyp, the debugger's boot with --gdb/--break).
      const lab = (['tlb', 'tlbConfig', 'mmu', 'mmuOffset', 's2', 'statsTxt', 'statsCsv', 'statsDir', 'dumpDtb'] as const).filter(
        (k) => opts[k] !== undefined && !(k === 's2' && opts.hyp && opts.break === undefined && opts.gdb === undefined),
      );
      if (lab.length > 0 && (opts.hyp || opts.break !== undefined || opts.gdb !== undefined)) {
        const flag = lab[0].replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
        const ref = lab[0] === 'dumpDtb' ? '' : '; docs/tlb-lab.md';
        throw new UserError(`--${flag} applies to a plain run (not yet with --hyp, --break or --gdb${ref})`);
      }
      if (opts.dtb !== undefined && opts.bios) throw new UserError('--dtb does not go with --bios (the firmware gets the board\'s tree at the start of RAM)');
      // Read and validated once, before any machine is built (one-line errors).
      const userDtb = opts.dtb !== undefined && (opts.hyp || opts.break !== undefined || opts.gdb !== undefined) ? await readUserDtb(opts.dtb) : undefined;
      if (opts.break !== undefined || opts.gdb !== undefined) {
        // The debugger drives the run: options of a plain run it does not honour are refused
        // rather than silently ignored.
        const ignored = (
          [
            ['--max-insns', opts.maxInsns],
            ['--stats-json', opts.statsJson],
            ['--regs-out', opts.regsOut],
            ['--regs-in', opts.regsIn],
            ['--dump', (opts.dump ?? []).length > 0 ? opts.dump : undefined],
            ['--timing', opts.timing],
            ['--trace', opts.trace],
            ['--trace-file', opts.traceFile],
            ['--log', opts.log],
            ['--hyp-trace', opts.hypTrace],
          ] as [string, unknown][]
        ).filter(([, v]) => v !== undefined && v !== false);
        if (ignored.length > 0) {
          throw new UserError(`${ignored.map(([f]) => f).join(', ')} ${ignored.length > 1 ? 'do' : 'does'} not apply with ${opts.gdb !== undefined ? '--gdb' : '--break'} (the debugger drives the run: use its commands, e.g. stats, regs, x)`);
        }
        // The debugger (src/debug): the REPL stopped at --break, or the GDB stub (with --hyp too).
        const dbg = await import('./debug/cli-debug.js');
        if (opts.break !== undefined && opts.gdb !== undefined) throw new UserError('--break and --gdb do not go together (set the breakpoint in GDB)');
        const o = { ...opts, more, hypSlice: opts.hypSlice, userDtb };
        setCode(await (opts.gdb !== undefined ? dbg.gdbCommand(guest, o, io) : dbg.replCommand(guest, o, io)));
        return;
      }
      if (opts.hyp) refuseSmp(opts.smp, '--hyp (the hypervisor runs on one PE; a VM gets several vCPUs with "vcpus" in --hyp-config)');
      if (opts.hyp) {
        // --log under --hyp (src/log/hyp-log.ts): the VMs' CPU events, their semihosting mistakes, and
        // the exits (--log exits is --hyp-trace, written where the log goes).
        if (opts.traceFile !== undefined) throw new UserError('--trace-file is not supported with --hyp (use --hyp-trace or --log exits for exits)');
        const logSetup = createLogger(opts, io.stdout, io.stderr);
        if (logSetup?.logger.has('exits')) opts.hypTrace = true;
        return setCode(await runHypCommand([guest, ...more], { ...opts, logSetup, userDtb }, io, parseSize));
      }
      if (more.length > 0) throw new UserError(`several guests (${[guest, ...more].join(', ')}) need --hyp (one VM each)`);
      setCode(await runGuest(guest, { ...opts, load: opts.load ?? [], dump: opts.dump ?? [] }, io));
    });

  program
    .command('repl')
    .description(
      'load GUEST and debug it interactively: step, next, continue, until, break, watch, regs, sysregs, ' +
        'x (by VA, IPA or PA), dis, tr (the two-stage walk), tlb, stats, vm, mmio, uart, reset, help, quit',
    )
    .argument('<guest>', 'ELF, .S/.s assembly or raw binary')
    .argument('[more...]', 'with --hyp: further guests, one VM each')
    .option('--script <file>', "read commands from FILE ('-' for stdin), echoing each one, then quit")
    .option('--hyp', 'run the guest(s) as VMs under the hypervisor; the debugger looks at the VM on the CPU')
    .option('--hyp-slice <n>', 'with --hyp: instructions per time slice (default 100000)')
    .option('--hyp-traps <list>', 'with --hyp: HCR_EL2 system-register traps for every VM, e.g. "tvm,tid3"; emulated, counted in stats')
    .option('--hyp-config <file>', 'with --hyp: the JSON machine description of run --hyp (per-VM names/RAM, assignRtc, assignDma, smmu)')
    .option('--break <addr|symbol>', 'run to this breakpoint before the first prompt')
    .option('--load <file@addr>', 'place a raw file in RAM before starting (repeatable)', collect)
    .option('--ram <size>', 'RAM size at 0x40000000, e.g. 128M (default), 64K..1G')
    .option('--cpu <model>', `CPU model (${Object.keys(CPU_PROFILES).join(', ')}; default a57)`)
    .option('--timing <profile>', 'cycle model: a57 (default) or functional, as run takes it')
    .option('--stats-json <file>', "at the end, write the figures run's --stats-json has (instructions, cycles, cpi, idleCycles, interrupts, timing, tlb...) to FILE ('-': stdout)")
    .option('--hyp-ram <policy>', 'with --hyp: map guest RAM in stage 2 "eager" (default) or "lazy" (on first touch)')
    .option('--hyp-isv0 <policy>', 'with --hyp: MMIO aborts without syndrome: "emulate" (default) or "inject"')
    .option('--hyp-smmu <mode>', 'with --hyp and "assignDma" in --hyp-config: "stage2" (default) or "bypass"')
    .addOption(new Option('--no-hyp-vmid-tagging', 'with --hyp: one VMID for all VMs, TLBI VMALLS12E1 on each world switch'))
    .option('--uart-input <text>', 'bytes for the PL011 receiver (and semihosting stdin)')
    .option('--addr <addr>', 'load address of a raw binary or assembly')
    .option('--cmdline <text>', 'string returned by semihosting SYS_GET_CMDLINE')
    .option('--initrd <file>', 'with a Linux Image: an initramfs/initrd to place in RAM (its range goes in the device tree)')
    .option('--append <text>', 'with a Linux Image: the kernel command line (device tree /chosen bootargs)')
    .addOption(new Option('--no-semihosting', 'make HLT #0xF000 UNDEFINED'))
    // smphyp: several PEs in the debugger (`cpu N`, `info cpus`).
    .option('--smp <n>', 'number of PEs, 1..8 (default 1); `cpu N` selects the PE the commands look at')
    .option('--smp-quantum <n>', `instructions a PE runs before the next PE's turn (default ${DEFAULT_QUANTUM})`)
    .action(async (guest: string, more: string[], opts: Record<string, unknown>) => {
      for (const w of ignoredOptionWarnings(opts)) io.stderr.write(`a64hv: warning: ${w}\n`);
      const dbg = await import('./debug/cli-debug.js');
      setCode(await dbg.replCommand(guest, { ...opts, more }, io));
    });

  program
    .command('sweep')
    .description(
      'run guests/tlb/tlb-touch.S over a grid (footprints x stage-1 page sizes x stage 2 on/off x TLB geometries, ' +
        'and two VMs with and without VMID tagging) in parallel, and write results.csv, results.json and chart.svg ' +
        '(L1 DTLB hit rate and cycles per load against footprint); see docs/tlb-lab.md',
    )
    .option('--grid <file>', 'JSON grid: footprints, mmu, s2, tlb, mode, stride, passes, vm (absent keys: the shipped grid)')
    .option('--out <dir>', 'output folder (default sweep-out)')
    .option('--jobs <n>', 'runs at a time (default: one per host core)')
    .option('--quick', 'a small grid (a first look, about 20 s)')
    .action(async (opts: { grid?: string; out?: string; jobs?: string; quick?: boolean }) => {
      const { sweepCommand } = await import('./sweep/command.js');
      setCode(await sweepCommand(opts, io));
    });

  program
    .command('demo')
    .description(
      'run the hello-world guest (guests/asm/hello.S, assembled at load time), a C guest ' +
        '(guests/build/sort.elf), then a guest as a VM under the hypervisor with its UART ' +
        'emulated by trap, showing output, decoded exits and figures (what npm start runs)',
    )
    .action(async () => {
      let code = 0;
      for (const g of [DEMO_GUEST, DEMO_C_GUEST]) {
        if (!existsSync(g)) throw new UserError(`the demo guest ${relativeName(g)} is missing from the repository`);
        io.stderr.write(`\n== ${relativeName(g)} ==\n`);
        const c = await runGuest(g, { load: [], dump: [], semihosting: true }, io);
        if (code === 0) code = c;
      }
      const h = await runHypDemo(io);
      if (code === 0) code = h;
      setCode(code);
    });
  return program;
}

/** Run the CLI with user arguments (no node/script prefix). Returns the process exit status. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (n) => (code = n));
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_USER_ERROR;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version "errors" are successful exits; commander already printed the message.
      return e.exitCode === 0 ? 0 : EXIT_USER_ERROR;
    }
    if (isUserError(e)) {
      io.stderr.write(`a64hv: error: ${e.message}\n`);
      return EXIT_USER_ERROR;
    }
    throw e;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const stdin = process.stdin;
  const ac = new AbortController();
  const interrupt = (): void => {
    // First Ctrl-C: stop at the next slice and report; a second one quits at once.
    if (ac.signal.aborted) {
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.exit(EXIT_INTERRUPTED);
    }
    ac.abort();
  };
  process.on('SIGINT', interrupt);
  // A closed or full stdout stops the run like Ctrl-C (figures and --stats-json still written).
  const stdout = new GuardedOutput(process.stdout, (e) => ac.abort(e));
  const exit = (code: number): void => {
    const failed = stdout.outcome();
    if (failed !== null) process.stderr.write(failed.message);
    process.exit(failed?.code ?? code);
  };
  // The last write's callback reports an error still pending (ENOSPC on a file arrives there).
  const finish = (code: number): void => {
    if (stdout.error !== null) return exit(code);
    process.stdout.write('', (err) => {
      if (err) stdout.fail(err);
      exit(code);
    });
  };
  // A terminal is given as itself (the REPL's readline needs the TTY stream: columns, cursor
  // moves); its errors still reach the guard's listener.
  const sink = process.stdout.isTTY ? process.stdout : stdout;
  main(process.argv.slice(2), { stdout: sink, stderr: process.stderr, stdin, signal: ac.signal, interrupt }).then(finish, (e: unknown) => {
    process.stderr.write(`a64hv: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(70);
  });
}
