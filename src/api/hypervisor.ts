// The hypervisor from the API (docs/api.md "Hypervisor"): VMs on the EL2 hypervisor written in
// TypeScript (src/hyp), devices assigned to them, virtual devices whose register accesses (stage-2
// data-abort exits) are handled by user code, and a hook on every exit after it was handled.
import { Hypervisor as Core, type HypervisorOptions, type ExitRecord, type SmmuMode } from '../hyp/hypervisor.js';
import { hypStatsJson } from '../hyp/report.js';
import { bootIntoVm } from '../hyp/load.js';
import { isElf, parseElf, loadElfSegments } from '../loader/elf.js';
import { assembleSource } from '../loader/asm.js';
import { IPA_RAM, type Vm, type VmConfig } from '../hyp/vm.js';
import { ApiError } from './errors.js';
import { saveHypervisorState, restoreHypervisorState } from './hyp-snapshot.js';
import type { Snapshot } from './snapshot.js';
import type { HookHandle } from './hooks.js';
import { readReg } from './registers.js';
import { peStats, type PeStats } from '../cpu/smp-stats.js';

export interface VmSpec {
  name?: string;
  /** Bytes of RAM at IPA 0x4000_0000 (default 128 MiB). */
  ramSize?: number;
  /** 'eager' (all stage-2 mappings made up front) or 'lazy' (first touch: a stage-2 fault maps the page). */
  ram?: VmConfig['ram'];
  /** Loads/stores with ISV=0 to emulated devices: 'emulate' (decode the instruction) or 'reject'. */
  isv0?: VmConfig['isv0'];
  semihosting?: boolean;
  uartInput?: string;
  cmdline?: string;
}

export interface HypervisorConfig {
  vms: VmSpec[];
  /** Instructions per time slice (default 100 000). */
  slice?: number;
  timing?: string;
  engine?: 'interp' | 'jit';
  /** Tag TLB entries with each VM's VMID (default true). */
  vmidTagging?: boolean;
  /** The RTC (PL031) assigned to a VM at an IPA (default VM 0 at 0x0901_0000; null: none). */
  assignRtc?: { vm: number; ipa: number } | null;
  /** The DMA engine assigned to a VM at an IPA, behind the SMMU (the VM needs ram: 'eager'). */
  assignDma?: { vm: number; ipa: number } | null;
  smmu?: SmmuMode;
  /** Guest console output as it happens. */
  onOutput?: (vm: string, text: string) => void;
}

/** One exit, as plain data. */
export interface VmExit {
  vm: string;
  /** ESR_EL2.EC, or -1 for a physical interrupt. */
  ec: number;
  esr: number;
  /** ELR_EL2, FAR_EL2, HPFAR_EL2 at the exit. */
  elr: bigint;
  far: bigint;
  hpfar: bigint;
  /** The statistics key (e.g. "mmio-read pl011 UARTFR") and a readable account of the handling. */
  cause: string;
  detail: string;
}

/**
 * A virtual device implemented by the embedder: the IPA range is left unmapped by stage 2, so
 * every guest access is a data-abort exit that the hypervisor decodes (ISS, or the instruction
 * when ISV=0) and hands to read/write here; the value read goes back into the guest's register.
 */
export interface UserDevice {
  name: string;
  /** IPA of the register block and its size: whole 4 KiB pages, outside the VM's RAM. */
  ipa: number;
  size: number;
  /** Offset from ipa, access size 1, 2 or 4 bytes (an 8-byte access is two 4-byte ones). */
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

export interface HypRunResult {
  /** done: every VM stopped; limit: the instruction budget ran out. */
  reason: 'done' | 'limit';
  instructions: number;
}

export class Hypervisor {
  /** The hypervisor inside (src/hyp/hypervisor.ts), for what this front does not cover. */
  readonly core: Core;
  private readonly exitHooks: ((e: VmExit) => void)[] = [];

  constructor(config: HypervisorConfig) {
    if (config === null || typeof config !== 'object' || !Array.isArray(config.vms)) throw new ApiError('Hypervisor: expected { vms: [...] }');
    const opts: HypervisorOptions = {
      vms: config.vms.map((v) => ({ ...v })),
      slice: config.slice,
      timing: config.timing,
      engine: config.engine,
      vmidTagging: config.vmidTagging,
      assignRtc: config.assignRtc,
      assignDma: config.assignDma,
      smmu: config.smmu,
      onOutput: config.onOutput ? (vm, text): void => config.onOutput!(vm.name, text) : undefined,
      // One dispatcher: the cost of building the exit record is paid only while hooks exist.
      onExit: (e) => this.exit(e),
    };
    try {
      this.core = new Core(opts);
    } catch (e) {
      throw new ApiError(e instanceof Error ? e.message : String(e));
    }
  }

  private exit(e: ExitRecord): void {
    if (this.exitHooks.length === 0) return;
    const x: VmExit = { vm: e.vm.name, ec: e.ec, esr: e.esr, elr: e.elr, far: e.far, hpfar: e.hpfar, cause: e.cause, detail: e.detail };
    for (const h of this.exitHooks.slice()) h(x);
  }

  /** The VMs: name, VMID, and how each stopped (null while it runs). */
  get vms(): { name: string; vmid: number; stop: { kind: string; code: number; message: string } | null; output: string }[] {
    return this.core.vms.map((v) => ({ name: v.name, vmid: v.vmid, stop: v.stop, output: v.output }));
  }

  private vm(which: number | string): Vm {
    const vm = typeof which === 'number' ? this.core.vms[which] : this.core.vms.find((v) => v.name === which);
    if (vm === undefined) throw new ApiError(`VM ${String(which)}: not one of ${this.core.vms.map((v) => v.name).join(', ')}`);
    return vm;
  }

  /** Load a file into a VM (ELF, .S, Linux Image, raw at IPA 0x4000_0000) and set its boot state. */
  async loadFile(vm: number | string, path: string, opts: { initrd?: Uint8Array; append?: string } = {}): Promise<{ entry: number }> {
    try {
      const b = await bootIntoVm(this.core, this.vm(vm), path, opts);
      return { entry: b.entry };
    } catch (e) {
      throw new ApiError(e instanceof Error ? e.message : String(e));
    }
  }

  /** Load an ELF into a VM's IPA space and boot the VM at its entry. */
  loadElf(vm: number | string, data: Uint8Array, name = 'elf'): { entry: number } {
    const v = this.vm(vm);
    if (!isElf(data)) throw new ApiError(`${name}: not an ELF file`);
    try {
      const elf = parseElf(data, name);
      loadElfSegments(elf, data, { base: IPA_RAM, size: v.config.ramSize, load: (ipa, d) => v.load(ipa, d) }, name);
      this.core.boot(v, Number(elf.entry));
      return { entry: Number(elf.entry) };
    } catch (e) {
      throw new ApiError(e instanceof Error ? e.message : String(e));
    }
  }

  /** Assemble a snippet into a VM (default IPA 0x4000_0000) and boot the VM at `_start` or its base. */
  async assemble(vm: number | string, source: string, ipa?: number): Promise<{ entry: number; symbols: Record<string, bigint> }> {
    const v = this.vm(vm);
    try {
      const img = await assembleSource(source, `${v.name}.S`, ipa === undefined ? undefined : BigInt(ipa));
      v.load(Number(img.base), img.code);
      this.core.boot(v, Number(img.entry));
      const symbols: Record<string, bigint> = {};
      for (const n of img.symbols.names()) symbols[n] = img.symbols.lookup(n)!;
      return { entry: Number(img.entry), symbols };
    } catch (e) {
      throw new ApiError(e instanceof Error ? e.message : String(e));
    }
  }

  /** Give a VM a device implemented in JavaScript (every access is an exit handled by `dev`). */
  addDevice(vm: number | string, dev: UserDevice): void {
    const v = this.vm(vm);
    const { ipa, size } = dev;
    if (typeof dev.read !== 'function' || typeof dev.write !== 'function') throw new ApiError(`addDevice ${dev.name}: read and write must be functions`);
    if (!Number.isSafeInteger(ipa) || !Number.isSafeInteger(size) || ipa < 0 || size <= 0 || ipa % 4096 !== 0 || size % 4096 !== 0) {
      throw new ApiError(`addDevice ${dev.name}: ipa and size must be whole 4 KiB pages`);
    }
    if (ipa + size > IPA_RAM && ipa < IPA_RAM + v.config.ramSize) throw new ApiError(`addDevice ${dev.name}: 0x${ipa.toString(16)} overlaps ${v.name}'s RAM`);
    if (v.vdevs.some((d) => ipa < d.ipa + d.size && d.ipa < ipa + size) || v.assigned.some((d) => ipa < d.ipa + d.size && d.ipa < ipa + size)) {
      throw new ApiError(`addDevice ${dev.name}: 0x${ipa.toString(16)} overlaps another device of ${v.name}`);
    }
    // A throwing user handler must not unwind through the CPU: it becomes a read of 0 / a dropped
    // write and is reported once (the exit is still counted).
    const guard = <T>(what: string, fn: () => T, dflt: T): T => {
      try {
        return fn();
      } catch (e) {
        v.console.append(`\n[a64hv: device ${dev.name} ${what} threw: ${e instanceof Error ? e.message : String(e)}]\n`);
        return dflt;
      }
    };
    v.vdevs.push({
      name: dev.name,
      ipa,
      size,
      dev: {
        name: dev.name,
        read: (off, sz) => guard('read', () => dev.read(off, sz) >>> 0, 0),
        write: (off, sz, val) => guard('write', () => dev.write(off, sz, val >>> 0), undefined),
      },
      regName: (off) => `+0x${off.toString(16)}`,
    });
  }

  /** Each exit, after the hypervisor handled it (cost: one record per exit while any hook exists). */
  hookExit(fn: (e: VmExit) => void): HookHandle {
    if (typeof fn !== 'function') throw new ApiError('hookExit: the callback must be a function');
    this.exitHooks.push(fn);
    return {
      remove: (): void => {
        const i = this.exitHooks.indexOf(fn);
        if (i >= 0) this.exitHooks.splice(i, 1);
      },
    };
  }

  /** Run the VMs (round robin by time slice) until all stop or `maxInstructions` retire. */
  run(opts: { maxInstructions?: number } = {}): HypRunResult {
    const max = opts.maxInstructions ?? Infinity;
    if (max !== Infinity && (!Number.isInteger(max) || max < 0)) throw new ApiError(`run: maxInstructions ${max} is not a non-negative integer`);
    return this.core.run(max);
  }

  /** A register of the physical CPU (the running VM's state while it runs; EL2's). */
  reg(name: string): bigint {
    return readReg(this.core.cpu, name);
  }

  /** Statistics as plain data: the CPU's figures and the hypervisor's (exits per VM and cause, switches...). */
  stats(): { cpu: PeStats; hyp: unknown } {
    return { cpu: peStats(this.core.cpu), hyp: JSON.parse(JSON.stringify(hypStatsJson(this.core))) as unknown };
  }

  /** The whole hypervisor machine (board, VMs, vCPUs, vGICs, devices, exit statistics) as bytes (hyp-snapshot.ts). */
  saveSnapshot(): Snapshot {
    return saveHypervisorState(this.core);
  }
  /** Put a snapshot back into this hypervisor (built the same way: VMs, guests, options); the run continues with identical counts. */
  restoreSnapshot(s: Snapshot): void {
    restoreHypervisorState(this.core, s);
  }
}
