// The CLI's debugging entry points: `a64hv repl GUEST`, `a64hv run GUEST --break SYM` and
// `a64hv run GUEST --gdb PORT`. src/cli.ts only parses the flags and calls these.
import { UserError } from '../errors.js';
import { performance } from 'node:perf_hooks';
import { PROFILES } from '../cpu/timing.js';
import { runFigures } from '../cli-stats.js';
import { writeOutput } from '../cli-output.js';
import { parseAddress } from '../loader/index.js';
import { repl } from './repl.js';
import { Session, type TargetOptions, type Stop } from './session.js';
import { serveGdb, type GdbEnd } from './gdbstub.js';
import { parseSysregTraps, type SysregTrap } from '../hyp/sysreg.js';
import { parseHypConfig, type HypFileConfig } from '../hyp/cli-hyp.js';
import { dirname, resolve } from 'node:path';
import { cpuProfile } from '../cpu/profile.js';
import { MAX_PES } from '../cpu/smp.js';

/** The hypervisor builds its own machine: the CPU model does not reach it yet. */
import { readInputTextSync } from '../loader/input-file.js';

export interface DebugCliOptions {
  ram?: string;
  /** CPU model (src/cpu/profile.ts). */
  cpu?: string;
  uartInput?: string;
  addr?: string;
  load?: string[];
  semihosting?: boolean;
  cmdline?: string;
  /** With a Linux Image: the initramfs and the kernel command line, as `run` takes them. */
  initrd?: string;
  append?: string;
  script?: string;
  break?: string;
  gdb?: string;
  /** [api17 dtb] run --gdb/--break --dtb FILE, read and validated by src/cli.ts. */
  userDtb?: import('../loader/dtb-file.js').UserDtb;
  /** repl --timing and --stats-json (as run takes them). */
  timing?: string;
  statsJson?: string;
  /** --gdb-no-wait: the guest starts at once and GDB may attach later (QEMU's -s without -S). */
  gdbNoWait?: boolean;
  /** `repl --hyp`: run the guests as VMs under the hypervisor. */
  hyp?: boolean;
  hypSlice?: string;
  hypRam?: string;
  hypIsv0?: string;
  hypVmidTagging?: boolean;
  /** `--hyp-traps tvm,tid3`: the HCR_EL2 system-register traps every VM runs with (as `run --hyp`). */
  hypTraps?: string;
  /** `--hyp-config FILE`: run --hyp's machine description (per-VM names/RAM, assignDma...). */
  hypConfig?: string;
  /** `--hyp-smmu`: how the SMMU treats the DMA stream the description assigns. */
  hypSmmu?: string;
  more?: string[];
  /** `--smp N` (1..8) and `--smp-quantum`: several PEs; `cpu N` / GDB threads pick one. */
  smp?: string;
  smpQuantum?: string;
}

/** --smp N for the debugger: 1..8 PEs on the board (the hypervisor runs one PE). */
function parseSmpOption(o: DebugCliOptions): { smp?: number; smpQuantum?: number } {
  const smp = o.smp === undefined ? undefined : Number(o.smp);
  if (smp !== undefined && !(Number.isInteger(smp) && smp >= 1 && smp <= MAX_PES && /^\d+$/.test(o.smp!))) throw new UserError(`--smp ${o.smp}: the number of PEs must be 1..${MAX_PES}`);
  const q = o.smpQuantum === undefined ? undefined : Number(o.smpQuantum);
  if (q !== undefined && !(Number.isSafeInteger(q) && q >= 1 && /^\d+$/.test(o.smpQuantum!))) throw new UserError(`--smp-quantum ${o.smpQuantum}: must be a positive integer`);
  if (o.hyp && smp !== undefined && smp > 1) throw new UserError(`--smp ${o.smp}: not supported with --hyp; the hypervisor runs on one PE`);
  return { smp, smpQuantum: q };
}

export interface DebugCliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin?: NodeJS.ReadableStream;
  signal?: AbortSignal;
}

/** The description's drive paths are relative to its file. */
function withDrivesFrom(c: HypFileConfig, file: string): HypFileConfig {
  if (c.drives) c.drives = c.drives.map((d) => ({ ...d, path: resolve(dirname(file), d.path) }));
  return c;
}

/** --hyp-config: a regular file of bounded size (src/loader/input-file.ts). */
function readConfig(path: string): string {
  return readInputTextSync(path);
}

/** A size like 64M or 0x100000 (run --hyp's --hyp-config sizes). */
function parseSize(s: string, what: string): number {
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*([kmg])?i?b?\s*$/i.exec(s);
  if (m === null) throw new UserError(`${what}: expected a size like 64M, got '${s}'`);
  const unit = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  return Number(BigInt(m[1])) * unit;
}

function parseRamSize(s: string): number {
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*([kmg])?i?b?\s*$/i.exec(s);
  const unit = m ? ({ k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1) : 0;
  const n = m ? Number(BigInt(m[1])) * unit : NaN;
  if (!(n >= 64 * 1024 && n <= 1024 ** 3 && n % 4096 === 0)) throw new UserError(`--ram ${s}: RAM must be a multiple of 4K between 64K and 1G`);
  return n;
}

function targetOptions(guest: string, o: DebugCliOptions): TargetOptions {
  const more = o.more ?? [];
  if (more.length > 0 && !o.hyp) throw new UserError(`several guests (${[guest, ...more].join(', ')}) need --hyp (one VM each)`);
  let hyp: TargetOptions['hyp'];
  if (o.hyp) {
    if (o.addr !== undefined || (o.load ?? []).length > 0) throw new UserError('--addr and --load are not supported with --hyp');
    const slice = o.hypSlice === undefined ? undefined : Number(o.hypSlice);
    if (slice !== undefined && !(Number.isSafeInteger(slice) && slice >= 1)) throw new UserError(`--hyp-slice ${o.hypSlice}: expected a positive integer`);
    const pick = <T extends string>(v: string | undefined, allowed: T[], flag: string): T | undefined => {
      if (v !== undefined && !(allowed as string[]).includes(v)) throw new UserError(`${flag} ${v}: expected one of ${allowed.join(', ')}`);
      return v as T | undefined;
    };
    let traps: SysregTrap[] | undefined;
    try {
      traps = o.hypTraps === undefined ? undefined : parseSysregTraps(o.hypTraps);
    } catch (e) {
      throw new UserError(`--hyp-traps: ${(e as Error).message}`);
    }
    hyp = {
      more,
      slice,
      ram: pick(o.hypRam, ['eager', 'lazy'], '--hyp-ram'),
      isv0: pick(o.hypIsv0, ['emulate', 'inject'], '--hyp-isv0'),
      vmidTagging: o.hypVmidTagging,
      traps,
      config: o.hypConfig !== undefined ? withDrivesFrom(parseHypConfig(readConfig(o.hypConfig), o.hypConfig, parseSize), o.hypConfig) : undefined,
      smmu: pick(o.hypSmmu, ['stage2', 'bypass'], '--hyp-smmu'),
    };
    if (hyp.config && hyp.config.vms.length > 1 + more.length) throw new UserError(`--hyp-config ${o.hypConfig}: describes ${hyp.config.vms.length} VMs but ${1 + more.length} guest(s) were given`);
  } else if (o.hypSlice !== undefined) throw new UserError('--hyp-slice needs --hyp');
  else if (o.hypTraps !== undefined) throw new UserError('--hyp-traps needs --hyp');
  else if (o.hypConfig !== undefined) throw new UserError('--hyp-config needs --hyp');
  if (o.timing !== undefined && !Object.hasOwn(PROFILES, o.timing)) throw new UserError(`--timing ${o.timing}: unknown profile (known: ${Object.keys(PROFILES).join(', ')})`);
  return {
    ...parseSmpOption(o),
    hyp,
    guest,
    timing: o.timing,
    ramSize: o.ram !== undefined ? parseRamSize(o.ram) : undefined,
    cpu: o.cpu === undefined ? undefined : cpuProfile(o.cpu).name,
    uartInput: o.uartInput,
    addr: o.addr !== undefined ? parseAddress(o.addr, '--addr') : undefined,
    load: o.load ?? [],
    semihosting: o.semihosting ?? true,
    cmdline: o.cmdline,
    initrd: o.initrd,
    append: o.append,
    dtb: o.userDtb, // [api17 dtb]
  };
}

/** `a64hv repl GUEST` and `a64hv run GUEST --break SYM`. */
export async function replCommand(guest: string, o: DebugCliOptions, io: DebugCliIo): Promise<number> {
  const input = io.stdin as (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined;
  const out = io.stdout as { isTTY?: boolean };
  let session: Session | null = null;
  const t0 = performance.now();
  const code = await repl(
    { ...targetOptions(guest, o), script: o.script, breakAt: o.break, onSession: (s) => (session = s) },
    { stdout: io.stdout, stderr: io.stderr, stdin: input, terminal: input?.isTTY === true && out.isTTY === true },
  );
  // repl --stats-json: the figures run writes (src/cli-stats.ts), for what ran under the debugger.
  const s = session as Session | null;
  if (o.statsJson !== undefined && s !== null) {
    const stats = runFigures(s.cpu, s.cpu.instret, performance.now() - t0, 'quit', code);
    await writeOutput(o.statsJson, JSON.stringify(stats, null, 2) + '\n', io.stdout);
  }
  return code;
}

/**
 * `a64hv run GUEST --gdb PORT`: wait for GDB on 127.0.0.1:PORT (0: any free port, printed), serve
 * it, and when it detaches let the guest run to its end. Returns the guest's exit status.
 */
export async function gdbCommand(guest: string, o: DebugCliOptions, io: DebugCliIo): Promise<number> {
  const p = o.gdb ?? '';
  if (!/^\d+$/.test(p) || Number(p) > 65535) throw new UserError(`--gdb ${p}: expected a TCP port number (0 picks a free one)`);
  const s = await Session.create({ ...targetOptions(guest, o), onOutput: (t) => io.stdout.write(t) });
  const log = (m: string): void => void io.stderr.write(`a64hv: ${m}\n`);
  // --gdb-no-wait: run now; a connecting GDB stops the guest first and finds it interrupted
  // (stop reply SIGINT), as when it attaches to QEMU started with -s and without -S.
  let running: Promise<Stop> | null = o.gdbNoWait ? s.cont() : null;
  const onConnect = async (): Promise<void> => {
    if (running === null) return;
    s.interruptRequested = true;
    await running;
    running = null;
  };
  /** Resolves only if the guest ends (exit, power-off, error) before any GDB attached. */
  const endedAlone = new Promise<GdbEnd>((res) => void running?.then((st) => st.kind === 'exit' && res({ kind: 'exit', stop: st })));
  let server;
  try {
    server = await serveGdb(s, Number(p), log, o.gdbNoWait ? onConnect : undefined);
  } catch (e) {
    throw new UserError(`--gdb ${p}: cannot listen on 127.0.0.1:${p} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  log(`GDB stub listening on 127.0.0.1:${server.port} (target remote 127.0.0.1:${server.port})${o.gdbNoWait ? '; the guest runs until GDB attaches' : ''}`);
  const onAbort = (): void => {
    s.interruptRequested = true;
    server.close();
  };
  io.signal?.addEventListener('abort', onAbort);
  try {
    const end = await Promise.race([
      server.done,
      endedAlone,
      new Promise<null>((res) => io.signal?.addEventListener('abort', () => res(null))),
    ]);
    if (end === null) return 130;
    if (end.kind === 'kill') {
      log('killed by GDB');
      return 0;
    }
    let stop = end.kind === 'exit' ? end.stop : null;
    if (stop === null) {
      // Detached: the guest goes on without breakpoints.
      s.clearAll();
      stop = await s.cont();
      if (stop.kind === 'interrupt') return 130;
    }
    if (stop.kind !== 'exit') return 0;
    const r = stop.result;
    if (r.reason === 'error') {
      log(`error: ${r.message}`);
      return 1;
    }
    return r.exitCode & 0xff;
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    server.close();
  }
}
