// `a64hv run GUEST [GUEST...] --hyp`: each guest runs as a VM under the hypervisor, its PL011
// emulated by trap. Called by src/cli.ts; the figures table gains the exits by cause and
// --stats-json an "hyp" object.
import { dirname, resolve } from 'node:path';
import Table from 'cli-table3';
import { runFigures } from '../cli-stats.js';
import { writeOutput } from '../cli-output.js';
import { fstatSync, readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { CliIo, Sink } from '../cli.js';
import { Hypervisor, DEFAULT_SLICE, DEFAULT_VM_RAM, IPA_DMA_DEFAULT, type ExitRecord, type SmmuMode } from './hypervisor.js';
import { formatEvent, type SmmuEvent } from './iommu.js';
import { bootIntoVm, bootBiosInVm } from './load.js';
import { biosImage } from '../loader/bios.js';
import { isArm64Image } from '../loader/linux.js';
import { readGuestFile } from '../loader/index.js';
import { readInputTextSync } from '../loader/input-file.js';
import { IPA_GICD, IPA_GICC, IPA_UART, IPA_VIRTIO, IPA_RAM, type Vm, type Isv0Policy, type RamPolicy } from './vm.js';
import { hypStatsJson } from './report.js';
import { InputWait, paceIdle } from '../host-input.js';
import { parseSysregTraps, idRegKey, type SysregTrap } from './sysreg.js';
import { parseHypS2 } from '../loader/mmu-setup.js';
import { type EngineName } from '../cpu/jit/engine.js';
import { engineOption } from '../cli-engine.js';
import type { LogSetup } from '../log/setup.js'; // [api17 log]
import type { UserDtb } from '../loader/dtb-file.js'; // [api17 dtb]
import { attachHypLogger } from '../log/hyp-log.js'; // [api17 log]
import { RunMeter, wallRows } from '../cli-progress.js'; // [api17 progress]
import { rawConsole, type TtyInput } from '../cli-console.js'; // [api17 console]

/** Per-VM settings from a --hyp-config file (entry k applies to the k-th guest). */
export interface VmFileConfig {
  name?: string;
  ramSize?: number;
  ramPolicy?: RamPolicy;
  isv0?: Isv0Policy;
  uartInput?: string;
  semihosting?: boolean;
  sysregTraps?: SysregTrap[];
  idRegs?: Record<string, bigint>;
  /** For a Linux Image guest: its initramfs (a path, relative to the file) and command line. */
  initrd?: string;
  append?: string;
  /** Virtual CPUs (1-8): vCPU 0 boots, the guest starts the others with PSCI CPU_ON. */
  vcpus?: number;
}
export interface HypFileConfig {
  slice?: number;
  vmidTagging?: boolean;
  assignRtc?: { vm: number; ipa: number } | null;
  /** The DMA engine for one VM (its register page at `ipa`, its StreamID on that VM's stage 2). */
  assignDma?: { vm: number; ipa: number } | null;
  /** How the SMMU treats the assigned stream: "stage2" (default) or "bypass". */
  smmu?: SmmuMode;
  /** virtio-blk drives of the hypervisor's board (paths relative to the file), slots 0, 1... */
  drives?: { path: string; readonly?: boolean }[];
  /** The virtio-mmio device of `slot` for one VM. */
  assignVirtio?: { vm: number; slot: number } | null;
  vms: VmFileConfig[];
}

export interface HypCliOptions {
  /** A machine description (--hyp-config); command-line options apply where it says nothing. */
  config?: HypFileConfig;
  configFile?: string;
  maxInsns: number;
  ramSize?: number;
  ramPolicy?: string;
  /** Eager stage 2 with 4K pages rather than 2M blocks. */
  s2Pages?: boolean;
  isv0?: string;
  slice?: number;
  vmidTagging: boolean;
  /** --hyp-traps: HCR_EL2 traps for every VM the machine description says nothing about. */
  sysregTraps?: string;
  trace: boolean;
  uartInput?: string;
  semihosting: boolean;
  cmdline?: string;
  statsJson?: string;
  quiet?: boolean;
  /** Timing profile of the machine (src/cpu/timing.ts). */
  timing?: string;
  /** --engine: the CPU's execution engine. */
  engine?: EngineName;
  /** [pauth] --cpu: the CPU model the VMs run on (src/cpu/profile.ts). */
  cpu?: string;
  /** --initrd (a file) and --append: for every guest that is a Linux Image. */
  initrd?: string;
  append?: string;
  /** --bios: the one guest is firmware, flash at IPA 0 (as run --bios on the board). */
  bios?: boolean;
  /** --hyp-smmu stage2|bypass: how the SMMU treats the DMA stream assigned by --hyp-config. */
  smmu?: string;
  /** [api17 log] --log/--log-range/--log-file (src/log/hyp-log.ts); exits go to its output too. */
  log?: LogSetup | null;
  /** [api17 dtb] --dtb FILE: the tree every Linux Image / raw kernel VM boots with instead of its generated one. */
  dtb?: UserDtb;
}

/** One SMMU event record as a line of the exit log. */
export function formatSmmuEvent(vm: Vm | null, e: SmmuEvent, n: number): string {
  return `smmu event ${n} [${vm?.name ?? 'no VM'}] ${formatEvent(e)}: transaction aborted\n`;
}

/** One exit as a line: VM, PC, EC, the decoded syndrome and what the hypervisor did. */
export function formatExit(e: ExitRecord, n: number): string {
  const ecName: Record<number, string> = { 0x24: 'DABT', 0x20: 'IABT', 0x16: 'HVC', 0x01: 'WFx', 0x18: 'SYS' };
  if (e.ec < 0) {
    // An asynchronous exception (a physical IRQ with HCR_EL2.IMO): no syndrome, only ELR_EL2.
    return `exit ${n} [${e.vm.name}] ELR_EL2=0x${e.elr.toString(16)} IRQ (physical, HCR_EL2.IMO): ${e.cause}${e.detail ? ' | ' + e.detail : ''}\n`;
  }
  const esr = (e.esr >>> 0).toString(16).padStart(8, '0');
  const sync = e.ec === 0x24 || e.ec === 0x20 ? ` FAR_EL2=0x${e.far.toString(16)} HPFAR_EL2=0x${e.hpfar.toString(16)}` : '';
  return `exit ${n} [${e.vm.name}] ELR_EL2=0x${e.elr.toString(16)} EC=0x${e.ec.toString(16)} (${ecName[e.ec] ?? '?'}) ESR_EL2=0x${esr}${sync}: ${e.cause}${e.detail ? ' | ' + e.detail : ''}\n`;
}

/** Prefix each line of each VM's output with its name; lines are kept whole (several VMs share one console). */
export function prefixer(out: Sink, prefix = (vm: Vm): string => `[${vm.name}] `): { write: (vm: Vm, text: string) => void; flush: () => void } {
  const partial = new Map<Vm, string>();
  return {
    write: (vm, text) => {
      const buf = (partial.get(vm) ?? '') + text;
      const cut = buf.lastIndexOf('\n') + 1;
      if (cut > 0) out.write(buf.slice(0, cut).replace(/^(?=.)/gm, prefix(vm)));
      partial.set(vm, buf.slice(cut));
    },
    flush: () => {
      for (const [vm, rest] of partial) if (rest !== '') out.write(`${prefix(vm)}${rest}\n`);
      partial.clear();
    },
  };
}

async function isLinux(path: string): Promise<boolean> {
  return isArm64Image(await readGuestFile(path));
}

function policy<T extends string>(v: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UserError(`${flag} ${v}: expected one of ${allowed.join(', ')}`);
  return v as T;
}

export async function runHyp(guests: string[], o: HypCliOptions, io: CliIo): Promise<number> {
  const ram = policy<RamPolicy>(o.ramPolicy, ['eager', 'lazy'], '--hyp-ram');
  const isv0 = policy<Isv0Policy>(o.isv0, ['emulate', 'inject'], '--hyp-isv0');
  let traps: SysregTrap[] | undefined;
  try {
    traps = o.sysregTraps === undefined ? undefined : parseSysregTraps(o.sysregTraps);
  } catch (e) {
    throw new UserError(`--hyp-traps: ${(e as Error).message}`);
  }
  if (o.slice !== undefined && o.slice < 1) throw new UserError('--hyp-slice: must be at least 1');
  const cfg = o.config;
  if (cfg && cfg.vms.length > guests.length) throw new UserError(`--hyp-config ${o.configFile ?? ''}: describes ${cfg.vms.length} VMs but ${guests.length} guest(s) were given`);
  if (cfg?.assignRtc && cfg.assignRtc.vm >= guests.length) throw new UserError(`--hyp-config ${o.configFile ?? ''}: assignRtc.vm ${cfg.assignRtc.vm} is not one of the ${guests.length} VMs`);
  if (cfg?.assignVirtio && cfg.assignVirtio.vm >= guests.length) throw new UserError(`--hyp-config ${o.configFile ?? ''}: assignVirtio.vm ${cfg.assignVirtio.vm} is not one of the ${guests.length} VMs`);
  if (cfg?.assignDma && cfg.assignDma.vm >= guests.length) throw new UserError(`--hyp-config ${o.configFile ?? ''}: assignDma.vm ${cfg.assignDma.vm} is not one of the ${guests.length} VMs`);
  const smmu = policy<SmmuMode>(o.smmu, ['stage2', 'bypass'], '--hyp-smmu') ?? cfg?.smmu;
  if (smmu !== undefined && !cfg?.assignDma && !cfg?.assignVirtio) throw new UserError('--hyp-smmu: no DMA stream to configure (give a VM the DMA engine with "assignDma" in --hyp-config)');
  const per = (k: number): VmFileConfig => cfg?.vms[k] ?? {};
  const names = guests.map((_g, k) => per(k).name ?? `vm${k}`);
  // A firmware image goes into the VM's flash, which the hypervisor maps when it creates the VM.
  if (o.bios && guests.length > 1) throw new UserError(`--bios with --hyp runs one firmware VM; got ${guests.length} guests`);
  const flash = o.bios ? biosImage(await readGuestFile(guests[0]), guests[0]) : undefined;
  const initrd = o.initrd !== undefined ? await readGuestFile(o.initrd) : undefined;
  // Per-VM initrd/append from --hyp-config replace the command line's for that VM.
  const cfgDir = o.configFile !== undefined ? dirname(o.configFile) : '.';
  const vmInitrd: (Uint8Array | undefined)[] = [];
  for (let k = 0; k < guests.length; k++) {
    const f = per(k).initrd;
    vmInitrd.push(f !== undefined ? await readGuestFile(resolve(cfgDir, f)) : initrd);
  }
  let exits = 0;
  let smmuEvents = 0;
  const single = guests.length === 1;
  // [api17 progress] the progress line on a terminal, idle time apart (src/cli-progress.ts); off while exits or --log write to stderr.
  const meter = new RunMeter(io.stderr, io.stdout, io.clock, !o.trace && !(o.log && o.log.logger.sink === io.stderr));
  const pre = prefixer(io.stdout);
  const exitOut = o.log?.logger.has('exits') ? o.log.logger.sink : io.stderr; // [api17 log]
  let hv: Hypervisor;
  try {
    hv = new Hypervisor({
      vms: guests.map((_g, k) => ({
        name: names[k],
        ramSize: per(k).ramSize ?? o.ramSize ?? DEFAULT_VM_RAM,
        ram: per(k).ramPolicy ?? ram,
        isv0: per(k).isv0 ?? isv0,
        semihosting: per(k).semihosting ?? o.semihosting,
        cmdline: o.cmdline,
        uartInput: per(k).uartInput ?? (k === 0 ? o.uartInput : undefined),
        sysregTraps: per(k).sysregTraps ?? traps,
        idRegs: per(k).idRegs,
        s2Pages: o.s2Pages,
        vcpus: per(k).vcpus,
        flash: k === 0 ? flash : undefined,
      })),
      slice: cfg?.slice ?? o.slice ?? DEFAULT_SLICE,
      timing: o.timing,
      engine: o.engine,
      cpu: o.cpu, // [pauth]
      vmidTagging: cfg?.vmidTagging ?? o.vmidTagging,
      assignRtc: cfg?.assignRtc,
      assignDma: cfg?.assignDma,
      assignVirtio: cfg?.assignVirtio,
      drives: cfg?.drives?.map((d) => ({ path: resolve(cfgDir, d.path), readonly: d.readonly })),
      smmu,
      onSmmuEvent: o.trace ? (vm, e) => exitOut.write(formatSmmuEvent(vm, e, ++smmuEvents)) : undefined,
      onOutput: single
        ? (_vm, t) => {
            meter.output(t); // [api17 progress]
            io.stdout.write(t);
          }
        : (vm, t) => {
            meter.output(t); // [api17 progress]
            pre.write(vm, t);
          },
      onExit: o.trace ? (e) => exitOut.write(formatExit(e, ++exits)) : undefined,
    });
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  if (flash !== undefined) bootBiosInVm(hv, hv.vms[0], flash, guests[0], o.append);
  else {
    const kinds: string[] = [];
    for (let k = 0; k < guests.length; k++) {
      // --initrd/--append go to every guest that is a Linux Image (or, alone, a raw kernel): with one guest that is neither,
      // bootIntoVm refuses them; among several, it is an error only if none is one. A VM's own
      // initrd/append (--hyp-config) are for that guest: refused too if it is not an Image.
      const own = per(k).initrd !== undefined || per(k).append !== undefined;
      const linuxOpts = { initrd: vmInitrd[k], append: per(k).append ?? o.append, dtb: o.dtb }; // [api17 dtb]
      kinds.push((await bootIntoVm(hv, hv.vms[k], guests[k], guests.length === 1 || own || (await isLinux(guests[k])) ? linuxOpts : {})).kind);
    }
    if ((initrd !== undefined || o.append !== undefined || o.dtb !== undefined) && !kinds.includes('linux') && !kinds.includes('raw')) {
      throw new UserError(`${o.dtb !== undefined ? '--initrd, --append and --dtb apply' : '--initrd and --append apply'} to a Linux Image or a raw kernel only, and no guest is one`); // [api17 dtb]
    }
  }

  const unlog = o.log ? await attachHypLogger(hv, o.log.logger) : null; // [api17 log]
  let stopInput = (): void => {};
  const input = new InputWait();
  if (o.uartInput === undefined && io.stdin) stopInput = feedStdin(hv, io.stdin, input, io.interrupt);
  meter.begin(); // [api17 progress]
  let done = 0;
  let interrupted = false;
  let reason: 'done' | 'limit' = 'limit';
  try {
    for (;;) {
      const r = hv.run(Math.min(4_000_000, o.maxInsns - done));
      done += r.instructions;
      reason = r.reason;
      if (r.reason === 'done' || done >= o.maxInsns) break;
      meter.tick(done, hv.cpu.cycles); // [api17 progress]
      if (io.signal?.aborted) {
        interrupted = true;
        break;
      }
      if (hv.idleForInput) {
        // The first VM sleeps in WFI until its timer or its UART receives something: that time
        // passes in real time (paceIdle), input ending it early.
        hv.idleForInput = false;
        await meter.idle(paceIdle(hv.cpu, hv.idleDeadline, input, io.signal, io.clock)); // [api17 progress]
        continue;
      }
      await new Promise((res) => setImmediate(res));
    }
  } finally {
    meter.erase(); // [api17 progress]
    stopInput();
    pre.flush();
    // [api17 log] hooks off, then the log file flushed and closed (a write error as one line).
    unlog?.();
    const failedLog = o.log?.close() ?? null;
    if (failedLog !== null) io.stderr.write(`a64hv: ${failedLog}\n`);
  }
  const wallMs = meter.wallMs(); // [api17 progress]
  const cpu = hv.cpu;
  // Exit status: a VM that failed makes it 1; otherwise the first non-zero guest status.
  const failed = hv.vms.find((v) => v.stop?.kind === 'error');
  let code = 0;
  if (interrupted) code = 130;
  else if (failed) code = 1;
  else for (const v of hv.vms) if (code === 0 && v.stop?.kind === 'exit') code = v.stop.code & 0xff;

  if (o.statsJson !== undefined) {
    // cli: the same keys as a plain run's --stats-json (src/cli-stats.ts), plus the hypervisor's; '-' is stdout.
    const stats = {
      ...runFigures(cpu, done, wallMs, interrupted ? 'interrupted' : reason === 'done' ? 'vms-stopped' : 'limit', code, meter.idleMs),
      hyp: hypStatsJson(hv),
    };
    await writeOutput(o.statsJson, JSON.stringify(stats, null, 2) + '\n', io.stdout);
  }
  if (!o.quiet) io.stderr.write(exitTable(hv, done, wallMs, meter));
  for (const v of hv.vms) if (v.stop?.kind === 'error') io.stderr.write(`a64hv: error: ${v.name}: ${v.stop.message}\n`);
  return code;
}

/** Exit causes listed one per row in the figures table. */
const TABLE_CAUSES = 16;

/** The figures table: per VM, how it stopped and its exits by cause; then the assigned devices. */
export function exitTable(hv: Hypervisor, instructions: number, wallMs: number, meter?: RunMeter): string {
  const t = new Table({ style: { head: [], border: [], compact: true } });
  t.push(
    ['instructions', instructions.toLocaleString('en-US')],
    ['cycles (modelled)', Math.round(hv.cpu.cycles).toLocaleString('en-US')],
    // [api17 progress] idle WFI wall time apart, MIPS over the rest (src/cli-progress.ts).
    ...(meter ? wallRows(meter, instructions, wallMs) : [['wall time', `${wallMs.toFixed(1)} ms`], ['MIPS', (wallMs > 0 ? instructions / 1000 / wallMs : 0).toFixed(2)]]),
    ['world switches', `${hv.switches}${hv.vmidTagging ? '' : ` (TLB flushed ${hv.tlbFlushes}x: no VMID tagging)`}`],
  );
  for (const v of hv.vms) {
    const s = v.stats;
    t.push([`${v.name} (VMID ${v.vmid})`, v.stop ? `${v.stop.kind}: ${v.stop.message} (code ${v.stop.code})` : 'running']);
    t.push([`  exits`, `${s.total} (${s.cycles.toLocaleString('en-US')} cycles modelled)`]);
    // The most frequent causes; a long tail (a kernel touches every GICD register once) is summed.
    const causes = [...s.byCause].sort((a, b) => b[1] - a[1]);
    for (const [cause, n] of causes.slice(0, TABLE_CAUSES)) t.push([`    ${cause}`, String(n)]);
    if (causes.length > TABLE_CAUSES) {
      const rest = causes.slice(TABLE_CAUSES);
      t.push([`    ${rest.length} other causes`, `${rest.reduce((a, [, n]) => a + n, 0)} (each listed in --stats-json)`]);
    }
    for (const c of v.vcpus.length > 1 ? v.vcpus : []) {
      t.push([`  vCPU ${c.index} (MPIDR 0x${c.vmpidr.toString(16)})`, `${c.instructions.toLocaleString('en-US')} instructions, ${c.exits} exits, ${c.switchesIn} switches in, ${c.on ? 'on' : 'off'}`]);
    }
    t.push([`  RAM pages mapped`, `${v.pagesMapped} (${v.config.ram})`]);
    if (v.vgic !== null && v.vgic.injected > 0) t.push([`  virtual interrupts`, `${v.vgic.injected} injected (GICH list registers)`]);
    for (const a of v.assigned) {
      const what = a.name === 'dma-engine' ? 'transfers' : 'accesses';
      t.push([`  assigned ${a.name}`, `IPA 0x${a.ipa.toString(16)} -> PA 0x${a.pa.toString(16)}: ${a.accesses ? `${a.accesses()} ${what}, ` : ''}0 exits`]);
    }
    if (v.dmaEventCount > 0) {
      t.push([`  SMMU events (DMA aborted)`, String(v.dmaEventCount)]);
      for (const e of v.dmaEvents.slice(0, 4)) t.push(['', formatEvent(e)]);
    }
  }
  if (hv.iommu !== null) {
    const sm = hv.iommu;
    const how = (s: { config: string; vmid?: number }): string => (s.config === 'bypass' ? 'bypass' : `${s.config === 'nested' ? "the guest's stage 1, then " : ''}stage 2, VMID ${s.vmid}`);
    const streams = [...sm.streams].map(([sid, s]) => `StreamID ${sid} -> ${s.owner ?? '?'} (${how(s)})`);
    t.push(['SMMU (hypervisor driver)', streams.join('; ') || 'no streams assigned']);
    t.push(['  commands', [...sm.commands].sort().map(([k, n]) => `${k} ${n}`).join(', ')]);
    t.push(['  events', sm.eventsTotal === 0 ? '0' : [...sm.eventsByName].map(([k, n]) => `${k} ${n}`).join(', ')]);
  }
  return t.toString() + '\n';
}

function feedStdin(hv: Hypervisor, stdin: NodeJS.ReadableStream & { fd?: number }, input: InputWait, interrupt?: () => void): () => void {
  const vm = hv.vms[0];
  if (stdin.fd === 0) {
    try {
      if (fstatSync(0).isFile()) {
        vm.uart.feed(new Uint8Array(readFileSync(0)));
        return () => {};
      }
    } catch {
      /* fall through to streaming */
    }
  }
  // While the stream is open, the first VM idle in WFI waits for it (Hypervisor.wfx).
  hv.hostInputOpen = true;
  // [api17 console] a terminal: raw mode, keys to the VM as typed, echoed by the guest only (src/cli-console.ts).
  const tty = rawConsole(stdin as TtyInput, interrupt ?? (() => {}));
  const onData = (d: Buffer | string): void => {
    if (tty === null) vm.uart.feed(typeof d === 'string' ? d : new Uint8Array(d));
    else vm.uart.feed(tty.keys.feed(typeof d === 'string' ? new TextEncoder().encode(d) : new Uint8Array(d)));
    input.wake();
  };
  const onEnd = (): void => {
    hv.hostInputOpen = false;
    input.wake();
  };
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  return () => {
    stdin.removeListener('data', onData);
    stdin.removeListener('end', onEnd);
    tty?.restore(); // [api17 console]
    stdin.pause();
  };
}

/** The `run` command's options as commander parses them (the ones --hyp uses). */
export interface RunCommandOptions {
  hyp?: boolean;
  /** --s2 4k:pages|blocks: the VMs' eager stage-2 mapping size (src/loader/mmu-setup.ts parseHypS2). */
  s2?: string;
  timing?: string;
  engine?: string;
  /** [pauth] --cpu */
  cpu?: string;
  hypRam?: string;
  hypIsv0?: string;
  hypSlice?: string;
  hypVmidTagging?: boolean;
  hypTrace?: boolean;
  hypConfig?: string;
  hypTraps?: string;
  maxInsns?: string;
  ram?: string;
  uartInput?: string;
  semihosting: boolean;
  cmdline?: string;
  statsJson?: string;
  quiet?: boolean;
  trace?: boolean;
  regsIn?: string;
  regsOut?: string;
  load?: string[];
  dump?: string[];
  addr?: string;
  initrd?: string;
  append?: string;
  bios?: boolean;
  hypSmmu?: string;
  /** [api17 log] the --log setup src/cli.ts made (createLogger). */
  logSetup?: LogSetup | null;
  /** [api17 dtb] --dtb, read and validated by src/cli.ts. */
  userDtb?: UserDtb;
}

function count(s: string, what: string): number {
  const t = s.replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new UserError(`${what}: expected a non-negative integer, got '${s}'`);
  return Number(BigInt(t));
}

/** `run --hyp`: check the options that have no meaning for VMs, then run. */
export async function runHypCommand(guests: string[], o: RunCommandOptions, io: CliIo, parseSize: (s: string, what: string) => number): Promise<number> {
  for (const [flag, v] of [
    ['--trace (use --hyp-trace for exits)', o.trace],
    ['--regs-in', o.regsIn],
    ['--regs-out', o.regsOut],
    ['--load', o.load?.length],
    ['--dump', o.dump?.length],
    ['--addr', o.addr],
  ] as const) {
    if (v) throw new UserError(`${flag} is not supported with --hyp`);
  }
  let ramSize: number | undefined;
  if (o.ram !== undefined) {
    ramSize = parseSize(o.ram, '--ram');
    if (ramSize < 64 * 1024 || ramSize % 4096 !== 0) throw new UserError(`--ram ${o.ram}: each VM's RAM must be a multiple of 4K, at least 64K`);
  }
  return runHyp(
    guests,
    {
      config: o.hypConfig !== undefined ? parseHypConfig(readText(o.hypConfig), o.hypConfig, parseSize) : undefined,
      configFile: o.hypConfig,
      maxInsns: o.maxInsns !== undefined ? count(o.maxInsns, '--max-insns') : Infinity,
      ramSize,
      ramPolicy: o.hypRam,
      s2Pages: parseHypS2(o.s2, o.hypRam),
      isv0: o.hypIsv0,
      slice: o.hypSlice !== undefined ? count(o.hypSlice, '--hyp-slice') : undefined,
      vmidTagging: o.hypVmidTagging ?? true,
      sysregTraps: o.hypTraps,
      trace: o.hypTrace ?? false,
      uartInput: o.uartInput,
      semihosting: o.semihosting,
      cmdline: o.cmdline,
      statsJson: o.statsJson,
      quiet: o.quiet,
      timing: o.timing,
      engine: o.engine !== undefined ? engineOption(o.engine) : undefined,
      cpu: o.cpu, // [pauth]
      initrd: o.initrd,
      append: o.append,
      bios: o.bios,
      smmu: o.hypSmmu,
      log: o.logSetup, // [api17 log]
      dtb: o.userDtb, // [api17 dtb]
    },
    io,
  );
}

/** --hyp-config: a regular file of bounded size (src/loader/input-file.ts). */
function readText(path: string): string {
  return readInputTextSync(path);
}

/**
 * A machine description for --hyp-config (JSON):
 *   { "slice": 100000, "vmidTagging": true, "assignRtc": { "vm": 0, "ipa": "0x09010000" } | null,
 *     "vms": [ { "name": "a", "ram": "64M", "ramPolicy": "eager"|"lazy", "isv0": "emulate"|"inject",
 *                "uartInput": "text", "semihosting": true, "sysregTraps": ["tid3", "tvm"],
 *                "idRegs": { "ID_AA64ISAR0_EL1": "0x10000" },
 *                "initrd": "rootfs.cpio.gz", "append": "console=ttyAMA0" }, ... ] }
 * Every key is optional; vms[k] applies to the k-th guest on the command line (initrd and append
 * to a Linux Image guest; initrd relative to the file). Unknown keys and wrong types are errors.
 */
export function parseHypConfig(text: string, file: string, parseSize: (s: string, what: string) => number): HypFileConfig {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  const obj = (v: unknown, what: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError(`${file}: ${what} must be a JSON object`);
    return v as Record<string, unknown>;
  };
  const keys = (o: Record<string, unknown>, allowed: string[], what: string): void => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new UserError(`${file}: unknown key '${k}' in ${what} (expected ${allowed.join(', ')})`);
  };
  const top = obj(j, 'the file');
  keys(top, ['slice', 'vmidTagging', 'assignRtc', 'assignDma', 'smmu', 'drives', 'assignVirtio', 'vms'], 'the file');
  const out: HypFileConfig = { vms: [] };
  if (top.slice !== undefined) {
    if (!Number.isSafeInteger(top.slice) || (top.slice as number) < 1) throw new UserError(`${file}: slice must be a positive integer`);
    out.slice = top.slice as number;
  }
  if (top.vmidTagging !== undefined) {
    if (typeof top.vmidTagging !== 'boolean') throw new UserError(`${file}: vmidTagging must be true or false`);
    out.vmidTagging = top.vmidTagging;
  }
  if (top.assignRtc !== undefined) {
    if (top.assignRtc === null) out.assignRtc = null;
    else {
      const a = obj(top.assignRtc, 'assignRtc');
      keys(a, ['vm', 'ipa'], 'assignRtc');
      if (!Number.isSafeInteger(a.vm) || (a.vm as number) < 0) throw new UserError(`${file}: assignRtc.vm must be a VM index`);
      const ipa = typeof a.ipa === 'string' && /^0x[0-9a-f]+$/i.test(a.ipa) ? Number(a.ipa) : NaN;
      if (!(ipa % 4096 === 0) || ipa >= 2 ** 40) throw new UserError(`${file}: assignRtc.ipa must be a page-aligned hex string below 2^40, like "0x09010000"`);
      out.assignRtc = { vm: a.vm as number, ipa };
    }
  }
  if (top.assignDma !== undefined) {
    if (top.assignDma === null) out.assignDma = null;
    else {
      const a = obj(top.assignDma, 'assignDma');
      keys(a, ['vm', 'ipa'], 'assignDma');
      if (!Number.isSafeInteger(a.vm) || (a.vm as number) < 0) throw new UserError(`${file}: assignDma.vm must be a VM index`);
      const ipa = a.ipa === undefined ? IPA_DMA_DEFAULT : typeof a.ipa === 'string' && /^0x[0-9a-f]+$/i.test(a.ipa) ? Number(a.ipa) : NaN;
      if (!(ipa % 4096 === 0) || ipa >= 2 ** 40) throw new UserError(`${file}: assignDma.ipa must be a page-aligned hex string below 2^40, like "0x0a100000"`);
      out.assignDma = { vm: a.vm as number, ipa };
    }
  }
  if (top.drives !== undefined) {
    if (!Array.isArray(top.drives)) throw new UserError(`${file}: drives must be an array of { "path": "disk.img", "readonly": true }`);
    out.drives = top.drives.map((d, k) => {
      const o = obj(d, `drives[${k}]`);
      keys(o, ['path', 'readonly'], `drives[${k}]`);
      if (typeof o.path !== 'string' || o.path === '') throw new UserError(`${file}: drives[${k}].path must be a file name`);
      if (o.readonly !== undefined && typeof o.readonly !== 'boolean') throw new UserError(`${file}: drives[${k}].readonly must be true or false`);
      return { path: o.path, readonly: o.readonly as boolean | undefined };
    });
  }
  if (top.assignVirtio !== undefined) {
    if (top.assignVirtio === null) out.assignVirtio = null;
    else {
      const a = obj(top.assignVirtio, 'assignVirtio');
      keys(a, ['vm', 'slot'], 'assignVirtio');
      if (!Number.isSafeInteger(a.vm) || (a.vm as number) < 0) throw new UserError(`${file}: assignVirtio.vm must be a VM index`);
      const slot = a.slot ?? 0;
      if (!Number.isSafeInteger(slot) || (slot as number) < 0 || (slot as number) > 31) throw new UserError(`${file}: assignVirtio.slot must be a virtio-mmio slot 0..31`);
      out.assignVirtio = { vm: a.vm as number, slot: slot as number };
    }
  }
  if (top.smmu !== undefined) {
    if (top.smmu !== 'stage2' && top.smmu !== 'bypass') throw new UserError(`${file}: smmu must be "stage2" or "bypass"`);
    out.smmu = top.smmu;
  }
  if (top.vms !== undefined) {
    if (!Array.isArray(top.vms)) throw new UserError(`${file}: vms must be an array`);
    top.vms.forEach((v, k) => {
      const o = obj(v, `vms[${k}]`);
      keys(o, ['name', 'ram', 'ramPolicy', 'isv0', 'uartInput', 'semihosting', 'sysregTraps', 'idRegs', 'initrd', 'append', 'vcpus'], `vms[${k}]`);
      const c: VmFileConfig = {};
      const str = (key: string): string | undefined => {
        if (o[key] === undefined) return undefined;
        if (typeof o[key] !== 'string') throw new UserError(`${file}: vms[${k}].${key} must be a string`);
        return o[key] as string;
      };
      c.name = str('name');
      const ram = str('ram');
      if (ram !== undefined) {
        c.ramSize = parseSize(ram, `${file}: vms[${k}].ram`);
        if (c.ramSize < 64 * 1024 || c.ramSize % 4096 !== 0) throw new UserError(`${file}: vms[${k}].ram must be a multiple of 4K, at least 64K`);
      }
      c.ramPolicy = policy<RamPolicy>(str('ramPolicy'), ['eager', 'lazy'], `${file}: vms[${k}].ramPolicy`);
      c.isv0 = policy<Isv0Policy>(str('isv0'), ['emulate', 'inject'], `${file}: vms[${k}].isv0`);
      c.uartInput = str('uartInput');
      if (o.vcpus !== undefined) {
        if (!Number.isSafeInteger(o.vcpus) || (o.vcpus as number) < 1 || (o.vcpus as number) > 8) throw new UserError(`${file}: vms[${k}].vcpus must be an integer 1..8 (a GICv2 has 8 CPU interfaces)`);
        c.vcpus = o.vcpus as number;
      }
      c.initrd = str('initrd');
      c.append = str('append');
      if (o.semihosting !== undefined) {
        if (typeof o.semihosting !== 'boolean') throw new UserError(`${file}: vms[${k}].semihosting must be true or false`);
        c.semihosting = o.semihosting;
      }
      if (o.sysregTraps !== undefined) {
        if (!Array.isArray(o.sysregTraps) || !o.sysregTraps.every((t) => typeof t === 'string')) throw new UserError(`${file}: vms[${k}].sysregTraps must be an array of trap names`);
        try {
          c.sysregTraps = parseSysregTraps(o.sysregTraps.join(','));
        } catch (e) {
          throw new UserError(`${file}: vms[${k}].sysregTraps: ${(e as Error).message}`);
        }
      }
      if (o.idRegs !== undefined) {
        const ids = obj(o.idRegs, `vms[${k}].idRegs`);
        c.idRegs = {};
        for (const [name, v] of Object.entries(ids)) {
          try {
            idRegKey(name);
          } catch (e) {
            throw new UserError(`${file}: vms[${k}].idRegs: ${(e as Error).message}`);
          }
          if (typeof v !== 'string' || !/^0x[0-9a-f]{1,16}$/i.test(v)) throw new UserError(`${file}: vms[${k}].idRegs.${name} must be a hex string like "0x10000"`);
          c.idRegs[name] = BigInt(v);
        }
      }
      out.vms.push(c);
    });
  }
  if (out.assignRtc) checkRtcPlace(out, file);
  return out;
}

/**
 * The assigned RTC's IPA page must be free in its VM: not RAM, not another device's window (the
 * vGIC's distributor and CPU interface, the virtual UART, the virtio stand-in, the DMA engine).
 * Mapping it over one of them silently replaced that device.
 */
function checkRtcPlace(cfg: HypFileConfig, file: string): void {
  const rtc = cfg.assignRtc!;
  const ram = cfg.vms[rtc.vm]?.ramSize ?? DEFAULT_VM_RAM;
  const taken: [string, number, number][] = [
    ['the vGIC distributor (GICD)', IPA_GICD, 0x10000],
    ['the GIC CPU interface (GICV)', IPA_GICC, 0x10000],
    ['the UART', IPA_UART, 0x1000],
    ['the virtio-mmio window', IPA_VIRTIO, 0x1000],
    ['RAM', IPA_RAM, ram],
  ];
  if (cfg.assignDma && cfg.assignDma.vm === rtc.vm) taken.push(['the DMA engine (assignDma)', cfg.assignDma.ipa, 0x1000]);
  for (const [what, base, size] of taken) {
    if (rtc.ipa < base + size && base < rtc.ipa + 0x1000) {
      throw new UserError(`${file}: assignRtc.ipa 0x${rtc.ipa.toString(16)} is inside ${what} of VM ${rtc.vm} (0x${base.toString(16)}-0x${(base + size - 1).toString(16)})`);
    }
  }
}
