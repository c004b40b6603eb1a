// A virtual machine: its VMID, IPA space (RAM, trapped virtual devices, assigned devices), stage-2
// tables written as real descriptors into hypervisor-owned memory, its vCPU's saved context, its
// console and its exit statistics.
import { pmuResetState, type PmuState } from '../cpu/pmu/pmu.js'; // pmu
import { restorablePstate } from '../cpu/pstate-v8x.js'; // [pauth]
import type { Cpu } from '../cpu/cpu.js';
import type { Bus, Device } from '../devices/bus.js';
import { Pl011 } from '../devices/pl011.js';
import { NSLOTS } from '../cpu/state.js';
import { sysDefs } from '../cpu/sysregs.js';
import { TableBuilder, s2Leaf } from '../mmu/builder.js';
import { Semihosting } from './semihosting.js';
import type { VirtualDevice, AssignedDevice } from './vdev/vdev.js';
import { pl011RegName } from './vdev/pl011-names.js';
import { VirtioMmioId } from './vdev/virtio-id.js';
import { ExitStats } from './stats.js';
import { buildIdRegs, hcrTrapBits, SYSREG_TRAPS, type SysregTrap } from './sysreg.js';
import type { Word64 } from './abort.js';
import { Vgic } from './vgic.js';
import { VgicDistributor } from './vdev/vgic-dist.js';
import type { SmmuEvent } from './iommu.js';
import { ConsoleHistory } from '../console-history.js';
import { Vcpu } from './vcpu.js';
import { VGIC_MAX_CPUS } from './vdev/vgic-dist.js';

/** The guest-visible layout: QEMU virt's (facts from its memory map). */
export const IPA_UART = 0x0900_0000;
export const IPA_RTC = 0x0901_0000;
export const IPA_VIRTIO = 0x0a00_0000;
export const IPA_RAM = 0x4000_0000;
/** The guest's GIC: its distributor (trapped) and CPU interface (the physical GICV, assigned). */
export const IPA_GICD = 0x0800_0000;
export const IPA_GICC = 0x0801_0000;
/** Where the physical GIC's virtual CPU interface is (QEMU virt's GIC_VCPU). */
export const PA_GICV = 0x0804_0000;
/** The virtual UART's interrupt: SPI 1, as on QEMU's virt. */
export const INTID_UART = 33;
/** Stage-2 input address size: 40 bits (1 TiB of IPA space), 4 KiB granule, start level 1. */
export const IPA_BITS = 40;

/** What to do with a stage-2 data abort on a virtual device that has no instruction syndrome. */
export type Isv0Policy = 'emulate' | 'inject';
/** When guest RAM gets its stage-2 mappings. */
export type RamPolicy = 'eager' | 'lazy';

export interface VmConfig {
  /** Characters of console history kept in `output` (default CONSOLE_HISTORY). */
  consoleHistory?: number;
  name: string;
  /** Bytes of guest RAM at IPA 0x4000_0000. */
  ramSize: number;
  ram: RamPolicy;
  isv0: Isv0Policy;
  /** HLT #0xF000 semihosting offered to the guest (picolibc guests print through it). */
  semihosting: boolean;
  /** Bytes for the virtual UART's receiver from the start. */
  uartInput?: string;
  cmdline?: string;
  /** HCR_EL2 system-register traps this VM runs with (sysreg.ts SYSREG_TRAPS); default none. */
  sysregTraps?: SysregTrap[];
  /** Virtual ID register file: values TID3-trapped reads return (implies the tid3 trap). */
  idRegs?: Record<string, bigint | number>;
  /** Eager RAM mapped by 4K level-3 pages instead of the largest blocks (--s2 4k:pages). */
  s2Pages?: boolean;
  /** Virtual CPUs (default 1, at most 8: a GICv2 has 8 CPU interfaces); vCPU 0 starts, PSCI CPU_ON the others. */
  vcpus?: number;
}

/** Why a VM stopped. */
export interface VmStop {
  kind: 'exit' | 'halt' | 'error';
  code: number;
  message: string;
}

/** The EL1/EL0 system registers (everything but the EL2 ones): switched with the vCPU. */
const SWITCHED = sysDefs.filter((d) => !d.name.endsWith('_EL2')).map((d) => d.slot);

/** A vCPU's saved state while another VM runs. */
export class VcpuContext {
  readonly r = new Int32Array(NSLOTS * 2);
  readonly spBank = new Int32Array(6);
  readonly vr = new Int32Array(32 * 4);
  readonly sys = new Int32Array(SWITCHED.length * 2);
  el = 1;
  spsel = 1;
  pcLo = 0;
  pcHi = 0;
  spsr = 0x3c5;
  fpcr = 0;
  fpsr = 0;
  /** Set once the context holds a real state (after the first save or the boot state). */
  valid = false;
  /** pmu: this VM's view of the PMU (counters and controls), switched with the vCPU. */
  pmu: PmuState = pmuResetState();

  /** Save the live vCPU: registers raw (the banked SPs as they are), PC and PSTATE as given. */
  save(cpu: Cpu, pcLo: number, pcHi: number, spsr: number): void {
    this.r.set(cpu.r);
    this.spBank.set(cpu.spBank);
    this.vr.set(cpu.vr);
    this.el = cpu.el;
    this.spsel = cpu.spsel;
    this.pcLo = pcLo;
    this.pcHi = pcHi;
    this.spsr = spsr;
    this.fpcr = cpu.fpcr;
    this.fpsr = cpu.fpsr;
    SWITCHED.forEach((slot, k) => {
      this.sys[2 * k] = cpu.sysLo(slot);
      this.sys[2 * k + 1] = cpu.sysHi(slot);
    });
    this.pmu = cpu.pmu.save(); // pmu
    this.valid = true;
  }

  /**
   * Load this context into the CPU: registers, EL1 system registers, PSTATE and PC. The caller
   * calls cpu.contextChanged() (translation registers changed behind the sysreg hooks).
   */
  restore(cpu: Cpu): void {
    cpu.r.set(this.r);
    cpu.spBank.set(this.spBank);
    cpu.vr.set(this.vr);
    // EL and SPSel raw: the SP slots were restored as saved for exactly this (EL, SPSel).
    cpu.el = this.el;
    cpu.spsel = this.spsel;
    cpu.nzcv = (this.spsr >>> 28) & 0xf;
    cpu.daif = (this.spsr >>> 6) & 0xf;
    cpu.pstateOther = this.spsr & ((1 << 21) | (1 << 20) | restorablePstate(cpu)); // SS, IL; [pauth] PAN, UAO where implemented
    cpu.pcLo = this.pcLo;
    cpu.pcHi = this.pcHi;
    cpu.fpcr = this.fpcr;
    cpu.fpsr = this.fpsr;
    SWITCHED.forEach((slot, k) => cpu.setSys(slot, this.sys[2 * k], this.sys[2 * k + 1]));
    cpu.pmu.restore(this.pmu); // pmu: events between two VMs' turns count for neither
    cpu.exclValid = 0; // a world switch clears the local exclusive monitor
  }
}

export class Vm {
  readonly uart: Pl011;
  readonly virtio = new VirtioMmioId();
  readonly vdevs: VirtualDevice[];
  readonly assigned: AssignedDevice[] = [];
  readonly stats = new ExitStats();
  /** The VM's vCPUs; vcpus[i] has MPIDR Aff0 = i and GIC CPU interface i. */
  readonly vcpus: Vcpu[];
  /** vCPU 0's context (the boot CPU; the only one of a uniprocessor VM). */
  get vcpu(): VcpuContext {
    return this.vcpus[0].ctx;
  }
  readonly s2: TableBuilder;
  readonly semihost: Semihosting;
  /** The HCR_EL2 trap bits this VM runs with (its sysregTraps; TID3 too when it has ID overrides). */
  readonly hcrTraps: number;
  /** The virtual ID register file, by encoding (sysKey): overrides of the hardware's values. */
  readonly idRegs: Map<number, Word64>;
  /** Guest RAM pages mapped by stage 2 (lazy policy), by IPA page number. */
  private readonly mappedPages = new Set<number>();
  /** The guest's console (virtual UART and semihosting): the most recent CONSOLE_HISTORY characters. */
  readonly console: ConsoleHistory;
  /** What the guest printed, in order (the bounded history: see src/console-history.ts). */
  get output(): string {
    return this.console.toString();
  }
  stop: VmStop | null = null;
  /** Highest IPA written by the loader (SYS_HEAPINFO puts the heap above it). */
  imageEnd = IPA_RAM;
  /** The VM's virtual GIC, once the hypervisor gave it one (attachGic). */
  vgic: Vgic | null = null;
  /** What the loader put where, and the entry point: a PSCI SYSTEM_RESET loads them again. */
  private readonly loaded: { ipa: number; data: Uint8Array }[] = [];
  entry = IPA_RAM;
  /** Times the guest reset itself (PSCI SYSTEM_RESET). */
  resets = 0;
  /**
   * Told of every stage-2 change after creation (first-touch pages, assigned devices): the
   * hypervisor sends the SMMU CMD_TLBI_S2_IPA + CMD_SYNC for a VM that owns a DMA stream.
   */
  onS2Change: ((ipa: number, size: number) => void) | null = null;
  /** SMMU event records of the streams assigned to this VM (the last 64), and their number. */
  readonly dmaEvents: SmmuEvent[] = [];
  dmaEventCount = 0;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(
    readonly id: number,
    readonly vmid: number,
    readonly config: VmConfig,
    readonly bus: Bus,
    /** Where this VM's RAM really is. */
    readonly ramPa: number,
    /** Hypervisor-owned memory for this VM's stage-2 tables: [poolBase, poolEnd). */
    poolBase: number,
    poolEnd: number,
    private readonly onOutput: (vm: Vm, text: string) => void,
  ) {
    this.console = new ConsoleHistory(config.consoleHistory);
    const n = config.vcpus ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > VGIC_MAX_CPUS) throw new Error(`${config.name}: vcpus must be 1 to ${VGIC_MAX_CPUS} (a GICv2 has ${VGIC_MAX_CPUS} CPU interfaces), not ${n}`);
    this.vcpus = Array.from({ length: n }, (_, i) => new Vcpu(this, i, new VcpuContext()));
    this.idRegs = buildIdRegs(config.idRegs);
    this.hcrTraps = hcrTrapBits(config.sysregTraps ?? []) | (this.idRegs.size > 0 ? SYSREG_TRAPS.tid3 : 0);
    this.uart = new Pl011((b) => this.emit(new Uint8Array([b])));
    if (config.uartInput) this.uart.feed(config.uartInput);
    this.vdevs = [
      { name: 'pl011', ipa: IPA_UART, size: 0x1000, dev: this.uart, regName: pl011RegName },
      { name: 'virtio-mmio', ipa: IPA_VIRTIO, size: 0x200, dev: this.virtio, regName: VirtioMmioId.regName },
    ];
    this.s2 = new TableBuilder(bus, { inputSize: IPA_BITS, startLevel: 1, poolBase, poolEnd });
    if (config.ram === 'eager') this.s2.map(IPA_RAM, ramPa, config.ramSize, s2Leaf(), config.s2Pages ? 3 : undefined);
    const ramEnd = IPA_RAM + config.ramSize;
    this.semihost = new Semihosting({
      write: (bytes) => this.emit(bytes),
      read: (n) => this.uart.takeInput(n),
      heapInfo: () => {
        // As the bare-metal board does, in the VM's IPA space.
        const stackLimit = ramEnd - 0x10_0000;
        const heapBase = Math.min(Math.ceil(this.imageEnd / 16) * 16, stackLimit);
        return { heapBase, heapLimit: stackLimit, stackBase: ramEnd, stackLimit };
      },
      cmdline: config.cmdline ?? '',
    });
  }

  get name(): string {
    return this.config.name;
  }

  private emit(bytes: Uint8Array): void {
    const text = this.decoder.decode(bytes, { stream: true });
    if (text === '') return;
    this.console.append(text);
    this.onOutput(this, text);
  }

  /** VTTBR_EL2 for this VM (BADDR = its stage-2 root, VMID). */
  vttbr(vmid = this.vmid): [number, number] {
    return this.s2.vttbr(vmid);
  }

  /** The PA behind a RAM IPA, or -1 when the IPA is not this VM's RAM. */
  ramPaOf(ipa: number): number {
    const off = ipa - IPA_RAM;
    return off >= 0 && off < this.config.ramSize ? this.ramPa + off : -1;
  }

  /** Map one 4 KiB page of guest RAM (first touch). Returns false if the IPA is not RAM. */
  mapRamPage(ipa: number): boolean {
    const page = Math.floor(ipa / 4096);
    const pa = this.ramPaOf(page * 4096);
    if (pa < 0) return false;
    if (this.mappedPages.has(page)) return true;
    this.s2.map(page * 4096, pa, 4096, s2Leaf(), 3);
    this.mappedPages.add(page);
    this.onS2Change?.(page * 4096, 4096);
    return true;
  }
  /** Has first touch mapped this RAM page already? */
  isMapped(ipa: number): boolean {
    return this.config.ram === 'eager' ? this.ramPaOf(ipa) >= 0 : this.mappedPages.has(Math.floor(ipa / 4096));
  }
  get pagesMapped(): number {
    return this.config.ram === 'eager' ? this.config.ramSize / 4096 : this.mappedPages.size;
  }

  /** The virtual device at an IPA, if any. */
  vdevAt(ipa: number): VirtualDevice | undefined {
    return this.vdevs.find((d) => ipa >= d.ipa && ipa < d.ipa + d.size);
  }

  /** Give the VM a real device: stage 2 maps IPA -> PA as Device-nGnRnE, no execute. */
  assign(dev: AssignedDevice): void {
    this.s2.map(dev.ipa, dev.pa, dev.size, s2Leaf({ memAttr: 0, xn: true }), 3);
    this.assigned.push(dev);
    this.onS2Change?.(dev.ipa, dev.size);
  }

  /**
   * Give the VM a GICv2: the distributor at IPA_GICD emulated by trap (vdev/vgic-dist.ts), the
   * CPU interface at IPA_GICC being the physical GIC's virtual CPU interface (stage 2 maps it:
   * acknowledging and completing interrupts costs no exit), and the virtual UART's line on SPI 1.
   */
  attachGic(gich: Device, gicvAccesses?: () => number): void {
    const vgic = new Vgic(gich, this.vcpus.length);
    this.vgic = vgic;
    this.vdevs.push({ name: 'gicd', ipa: IPA_GICD, size: 0x10000, dev: vgic.dist, regName: VgicDistributor.regName });
    this.assign({ name: 'gicv', ipa: IPA_GICC, pa: PA_GICV, size: 0x10000, accesses: gicvAccesses });
    this.uart.onIrq = (level) => vgic.dist.setLevel(INTID_UART, level);
  }

  /**
   * PSCI SYSTEM_RESET: the images are loaded again (as QEMU reloads its ROM images on a reset;
   * the rest of RAM keeps its contents), the vCPU gets its boot state and the virtual devices
   * their reset state. The caller folds the VM's list registers first if it is running.
   */
  reset(cpu: Cpu): void {
    for (const c of this.loaded) this.bus.load(this.ramPaOf(c.ipa), c.data);
    this.boot(cpu, this.entry);
    // Only the boot vCPU restarts; the others are off until the guest's CPU_ON, as after power-on.
    this.vgic?.dist.reset();
    this.virtio.status = 0;
    this.resets++;
  }

  /** Copy bytes into guest RAM at an IPA (the loader; the pages count as touched). */
  load(ipa: number, data: Uint8Array): void {
    if (this.ramPaOf(ipa) < 0 || this.ramPaOf(ipa + data.length - 1) < 0) {
      throw new Error(`0x${ipa.toString(16)}+${data.length} is outside ${this.name}'s RAM`);
    }
    this.bus.load(this.ramPaOf(ipa), data);
    this.loaded.push({ ipa, data: data.slice() });
    if (this.config.ram === 'lazy') {
      for (let p = Math.floor(ipa / 4096); p <= Math.floor((ipa + data.length - 1) / 4096); p++) this.mapRamPage(p * 4096);
    }
    if (ipa + data.length > this.imageEnd) this.imageEnd = ipa + data.length;
  }

  /** The boot state QEMU -kernel gives a bare-metal guest: EL1h, DAIF masked, NZCV=0b0100. */
  boot(cpu: Cpu, entry: number): void {
    this.entry = entry;
    this.bootVcpu(0, entry, 0x4000_0000 | 0x3c5);
    for (const v of this.vcpus.slice(1)) {
      v.on = false;
      v.ctx.valid = false;
    }
    this.vcpus[0].on = true;
    void cpu;
  }

  /**
   * vCPU `i` at `entry` with every register 0 and the EL1 system registers at their reset values
   * (so SCTLR_EL1.M/C/I are 0: MMU and caches off), EL1h with `spsr` (PSCI CPU_ON: DAIF masked,
   * DEN0022 6.4.3; the caller sets x0 to the context id).
   */
  bootVcpu(i: number, entry: number, spsr: number): void {
    const c = this.vcpus[i].ctx;
    c.r.fill(0);
    c.spBank.fill(0);
    c.vr.fill(0);
    c.el = 1;
    c.spsel = 1;
    c.pcLo = entry | 0;
    c.pcHi = Math.floor(entry / 2 ** 32) | 0;
    c.spsr = spsr;
    c.fpcr = 0;
    c.fpsr = 0;
    // The EL1 system registers from their reset values.
    SWITCHED.forEach((slot, k) => {
      const d = sysDefs[slot];
      c.sys[2 * k] = d.reset ? d.reset[0] : 0;
      c.sys[2 * k + 1] = d.reset ? d.reset[1] : 0;
    });
    c.valid = true;
  }
}
