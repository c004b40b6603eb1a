// The hypervisor at EL2, in TypeScript: an alternative Firmware for the CPU. It owns the physical
// machine (hypervisor memory at the bottom of RAM for stage-2 tables, each VM's RAM above it), runs
// VMs by time slices with world switches, and handles every exception routed to EL2:
//   stage-2 data aborts  -> first-touch RAM, MMIO emulation of a virtual device (ISV=1 from the
//                           ISS, ISV=0 by decoding the instruction), or an external abort injected
//                           into the guest (an access outside everything the VM owns);
//   stage-2 instr aborts -> first-touch RAM or an injected abort;
//   HVC                  -> PSCI and the hypervisor's own calls (hypercalls.ts);
//   WFI (HCR_EL2.TWI)    -> the rest of the slice goes to another VM, or the VM sleeps until its
//                           timer fires (no other VM to run);
//   physical IRQ         -> (HCR_EL2.IMO) a VM's timer: forwarded as a hardware-mapped virtual
//                           interrupt through the GIC list registers (vgic.ts); the GIC's
//                           maintenance interrupt: list registers refilled;
//   MSR/MRS/SYS (EC 0x18) -> trapped by the VM's policy (TID3, TVM...): emulated (sysreg.ts), or
//                           UNDEFINED injected into the guest.
// After a handler returns, the CPU ERETs to ELR_EL2/SPSR_EL2 (cpu/exceptions.ts eretFromEl2).
import type { Cpu, Firmware } from '../cpu/cpu.js';
import { Machine, VIRT, STREAM_ID, INTID } from '../machine.js';
import { SYS } from '../cpu/sysregs.js';
import { ST_HALT } from '../cpu/state.js';
import { EC_DABT_LOWER, EC_IABT_LOWER, EC_HVC64, EC_SYSREG, EC_WFX, eretFromEl2 } from '../cpu/exceptions.js';
import { ACC_FETCH, translateQuiet } from '../mmu/translate.js';
import { tlbiVmallS12E1 } from '../mmu/maintenance.js';
import {
  currentFaultIpa,
  decodeDataAbortIss,
  esrEc,
  formatIss,
  injectExternalAbort,
  injectUndefined,
  isTranslationFault,
  isPermissionFault,
  skipInstruction,
  storeValue,
  writeLoadResult,
  type DataAbortIss,
  type Word64,
} from './abort.js';
import { decodeSysregIss, emulateSysreg, formatSysregIss, sysregName } from './sysreg.js';
import { decodeMemOp, emulateMemOp, type MmioPort } from './isv0.js';
import { psciCall } from './psci.js';
import { SEMIHOST_HLT_IMM } from './firmware.js';
import {
  A64HV_EXIT_COUNT,
  A64HV_DMA_CD,
  SMCCC_INVALID_PARAMETER,
  A64HV_PUTC,
  A64HV_VERSION,
  A64HV_VERSION_1_0,
  A64HV_VM_INFO,
  A64HV_YIELD,
  SMCCC_NOT_SUPPORTED,
  asSmc64,
  isA64hvCall,
  isPsciCall,
} from './hypercalls.js';
import { Vm, IPA_RTC, type VmConfig } from './vm.js';
import type { Vcpu } from './vcpu.js';
import { vcpuPsci } from './vcpu-psci.js';
import type { Gic } from '../devices/gic/gic.js';
import { PPI_MAINTENANCE, PPI_CNTP, PPI_CNTV } from './vgic.js';
import { attachVpmu } from './vpmu.js'; // vpmu (issue 13)
import type { VirtualDevice } from './vdev/vdev.js';
import type { Pl031 } from '../devices/pl031.js';
import { FlashRom, FLASH_BANK_SIZE } from '../devices/flash.js';
import { s2Leaf } from '../mmu/builder.js';
import { HypSmmu, HYP_SMMU_MEM, type SmmuEvent } from './iommu.js';
import { isGuestDebugEc, guestDebugEvent, describeGuestDebug, type GuestDebugEvent, type GuestDebugAction } from './guest-debug.js'; // [arch]
import type { EngineName } from '../cpu/jit/engine.js';

/** Hypervisor memory (stage-2 tables), at the bottom of physical RAM: no VM maps it. */
export const HYP_BASE = VIRT.RAM;
export const HYP_SIZE = 0x0100_0000;
export const MAX_VMS = 16;
/**
 * The hypervisor's SMMU structures (Stream table, command and event queues: iommu.ts) in the top
 * MiB of its memory; the VMs' stage-2 pools grow from the bottom and must stay below.
 */
export const HYP_SMMU_BASE = HYP_BASE + HYP_SIZE - 0x10_0000;
/** The SMMUv3 on QEMU's virt: register frame and its event queue interrupt (SPI 74). */
export const PA_SMMU = 0x0905_0000;
export const INTID_SMMU_EVENTQ = 106;
/** Where a VM sees the DMA engine assigned to it unless told otherwise. */
export const IPA_DMA_DEFAULT = 0x0a10_0000;
/** How the hypervisor programs the SMMU for an assigned DMA stream. */
export type SmmuMode = 'stage2' | 'bypass';
/**
 * Stage-2 table pool for a VM, carved from the hypervisor memory: room for a level-3 table behind
 * every 2 MiB of its RAM (first touch maps 4 KiB pages, so a VM that touches all its RAM needs
 * them all: RAM / 512 bytes), plus 256 KiB for the upper levels and the device pages.
 */
export function s2PoolSize(ramSize: number): number {
  return Math.ceil((ramSize / 512 + 0x4_0000) / 0x1_0000) * 0x1_0000;
}
/** VM RAM windows are 2 MiB aligned, so eager stage 2 uses 2 MiB blocks. */
const BLOCK = 0x20_0000;

/**
 * HCR_EL2 for running a VM: VM (stage 2 on), FMO/IMO/AMO (physical interrupts to EL2, virtual ones
 * to the guest), TWI (trap WFI: time slices), RW (EL1 is AArch64).
 */
export const HCR_VM = 1 << 0;
export const HCR_FMO = 1 << 3;
export const HCR_IMO = 1 << 4;
export const HCR_AMO = 1 << 5;
export const HCR_TWI = 1 << 13;
export const HCR_RW = 1 << 31;
const HCR_GUEST = (HCR_VM | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TWI | HCR_RW) | 0;
/**
 * HCR_EL2.TWE (bit 14), for VMs with several vCPUs: a WFE waits for another vCPU's store or SEV,
 * and that vCPU can only run once this one leaves the PE, so WFE traps and yields the slice.
 */
export const HCR_TWE = 1 << 14;
/** [pauth] HCR_EL2.APK (40) and API (41): bits 8 and 9 of the high word. */
const HCR_HI_APK_API = (1 << 8) | (1 << 9);

// The physical GIC's CPU interface, as the hypervisor uses it (IHI 0048B 4.4).
const GICC_CTLR = 0x00;
const GICC_PMR = 0x04;
const GICC_IAR = 0x0c;
const GICC_EOIR = 0x10;
const GICC_DIR = 0x1000;
const GICD_CTLR = 0x000;
const GICD_ISENABLER0 = 0x100;
const GICD_ICFGR = 0xc00;
const GICD_ICENABLER0 = 0x180;
const GICD_ISPENDR0 = 0x200;
/** Physical PPI names for the exit statistics. */
const PPI_NAMES: Record<number, string> = {
  [PPI_CNTV]: 'cntv',
  [PPI_CNTP]: 'cntp',
  [PPI_MAINTENANCE]: 'maintenance',
  23: 'pmu', // vpmu: PMU_PPI
  [INTID_SMMU_EVENTQ]: 'smmu-eventq',
};
/** VMID used by every VM when tagging is off. */
const SHARED_VMID = 1;

/** One handled exit, for the exit log (`--hyp-trace`, the demo). */
export interface ExitRecord {
  vm: Vm;
  /** ESR_EL2.EC of a synchronous exit; -1 for a physical interrupt (no syndrome). */
  ec: number;
  esr: number;
  /** ELR_EL2 at entry (the guest PC of the trapped instruction, or after an HVC). */
  elr: bigint;
  far: bigint;
  hpfar: bigint;
  /** Statistics key, e.g. "mmio-read pl011 UARTFR". */
  cause: string;
  /** Human-readable details: the decoded ISS, IPA, value transferred. */
  detail: string;
}

export interface HypervisorOptions {
  /** `flash`: the content of flash bank 0 at IPA 0 (firmware started like qemu -bios). */
  vms: (Partial<VmConfig> & { name?: string; flash?: Uint8Array })[];
  /** Instructions per time slice (default 100 000). */
  slice?: number;
  /** Timing profile of the machine (src/cpu/timing.ts; default a57). */
  timing?: string;
  /** Execution engine of the CPU (interp or jit). */
  engine?: EngineName;
  /** [pauth] CPU model (src/cpu/profile.ts): the ID registers the VMs see and what decodes (default a57). */
  cpu?: string;
  /** Tag TLB entries with each VM's VMID (default). Off: one shared VMID and TLBI VMALLS12E1 on every switch. */
  vmidTagging?: boolean;
  /**
   * TLBI VMALLS12E1 on every world switch (default: exactly when tagging is off). Turning it off
   * with tagging off is wrong on purpose: it shows VMs reading each other's memory through stale
   * translations (a test and a teaching aid).
   */
  flushOnSwitch?: boolean;
  /** The physical PL031 RTC (at PA 0x0901_0000) is assigned to this VM at this IPA; null: to no VM. */
  assignRtc?: { vm: number; ipa: number } | null;
  /**
   * The DMA engine (PA 0x090f_0000, StreamID 32) is assigned to this VM: its register page mapped
   * at this IPA by stage 2, its StreamID given an SMMU STE on the VM's stage 2. The VM's RAM must
   * be eager (a DMA cannot take a first-touch fault). Default: no DMA engine for any VM.
   */
  assignDma?: { vm: number; ipa: number } | null;
  /** `stage2` (default): the SMMU translates the stream by the VM's stage 2; `bypass`: STE.Config = bypass (DMA addresses are PAs). */
  smmu?: SmmuMode;
  /** virtio-blk drives on the board (virtio-mmio slots 0, 1, ... at PA 0x0a00_0000 + 0x200 n). */
  drives?: { path: string; readonly?: boolean }[];
  /**
   * The virtio-mmio device in `slot` is assigned to this VM: the transport's page mapped by stage 2
   * at the same address (replacing the VM's own virtio identification block), its StreamID (the
   * slot number) on the VM's stage 2, its SPI forwarded.
   */
  assignVirtio?: { vm: number; slot: number } | null;
  /** Each SMMU event record read from the event queue, with the VM owning its StreamID. */
  onSmmuEvent?: (vm: Vm | null, e: SmmuEvent) => void;
  /** Guest console output as it happens. */
  onOutput?: (vm: Vm, text: string) => void;
  /** Each exit, after it was handled. */
  onExit?: (e: ExitRecord) => void;
  /** [arch] A debug exception a VM took to EL2 (MDCR_EL2.TDE set by the user): resume or stop it (guest-debug.ts). */
  onGuestDebug?: (e: GuestDebugEvent) => GuestDebugAction;
}

export const DEFAULT_VM_RAM = 128 * 1024 * 1024;
export const DEFAULT_SLICE = 100_000;

export interface HypRunResult {
  /** done: every VM stopped; limit: the instruction budget ran out. */
  reason: 'done' | 'limit';
  instructions: number;
}

export class Hypervisor implements Firmware {
  readonly machine: Machine;
  readonly cpu: Cpu;
  readonly vms: Vm[] = [];
  readonly rtc: Pl031;
  /** The physical GIC: its distributor and CPU interface are the hypervisor's alone. */
  readonly gic: Gic;
  readonly slice: number;
  readonly vmidTagging: boolean;
  readonly flushOnSwitch: boolean;
  current: Vm | null = null;
  /** The vCPU on the PE (one of current's). */
  currentVcpu: Vcpu | null = null;
  /** Every VM's vCPUs in scheduling order (VM 0's vCPU 0, 1, ..., then VM 1's...). */
  readonly vcpus: Vcpu[] = [];
  /** World switches performed, and TLB flushes done because tagging is off. */
  switches = 0;
  tlbFlushes = 0;
  private sliceLeft = 0;
  /**
   * Set while the host's input stream (interactive stdin, the first VM's UART) is open: a WFI
   * of that VM with nothing else to wake it waits for the host instead of stopping the VM.
   */
  hostInputOpen = false;
  /** Set by such a WFI: run() returned early and the caller should wait for host input. */
  idleForInput = false;
  /**
   * With idleForInput: the cycle count of the VM's next timer event (Infinity: none). The caller
   * lets that idle time pass in real time, or until input arrives (host-input.ts paceIdle).
   */
  idleDeadline = Infinity;
  /** GICV accesses by VM (the physical frame is shared: counted per running VM). */
  private readonly gicvBy = new Map<Vm, number>();
  private gicvAtEnter = 0;
  private yieldPending = false;
  private started = false;
  private readonly onExit: ((e: ExitRecord) => void) | undefined;
  private readonly onGuestDebug: ((e: GuestDebugEvent) => GuestDebugAction) | undefined; // [arch]
  /** x0 at boot, by VM (a Linux Image: its DTB), set again by a PSCI SYSTEM_RESET. */
  private readonly bootX0 = new Map<Vm, number>();
  /** Exit causes of trapped device registers, by device and (offset, direction). */
  private readonly causes = new Map<VirtualDevice, Map<number, string>>();
  /** vCPUs idle in WFI while others could run, with their timer deadline (cycles; Infinity: none armed). */
  private readonly idleUntil = new Map<Vcpu, number>();
  /** Sleepers resumed in a row with nothing that could have woken them (next()). */
  private futileWakes = 0;
  /** A VM's flash (IPA 0, both banks): read-only in stage 2; writes fault and come here. */
  private readonly flash = new Map<Vm, VirtualDevice>();
  /** The hypervisor's SMMU driver, when a DMA master is assigned; the owner of each StreamID. */
  iommu: HypSmmu | null = null;
  readonly smmuMode: SmmuMode;
  readonly streamOwner = new Map<number, Vm>();
  /**
   * Assigned devices' interrupts forwarded to their VM (INTID -> owner, name in the exit log, and
   * whether the physical SPI is masked now: from the moment it is injected until the physical
   * line is found low again after the guest's EOI; see forwardDeviceIrq). `maskedIrqs` counts
   * the masked ones, so exits pay nothing when none is.
   */
  private readonly forwarded = new Map<number, { owner: Vm; name: string; masked: boolean }>();
  private maskedIrqs = 0;
  private readonly onSmmuEvent: ((vm: Vm | null, e: SmmuEvent) => void) | undefined;

  constructor(opts: HypervisorOptions) {
    if (opts.vms.length === 0) throw new Error('the hypervisor needs at least one VM');
    if (opts.vms.length > MAX_VMS) throw new Error(`at most ${MAX_VMS} VMs`);
    this.slice = opts.slice ?? DEFAULT_SLICE;
    this.vmidTagging = opts.vmidTagging ?? true;
    this.flushOnSwitch = opts.flushOnSwitch ?? !this.vmidTagging;
    this.onExit = opts.onExit;
    this.onGuestDebug = opts.onGuestDebug; // [arch]
    const configs: VmConfig[] = opts.vms.map((v, k) => ({
      name: v.name ?? `vm${k}`,
      ramSize: v.ramSize ?? DEFAULT_VM_RAM,
      ram: v.ram ?? 'eager',
      isv0: v.isv0 ?? 'emulate',
      semihosting: v.semihosting ?? true,
      uartInput: v.uartInput,
      cmdline: v.cmdline,
      sysregTraps: v.sysregTraps,
      idRegs: v.idRegs,
      s2Pages: v.s2Pages,
      consoleHistory: v.consoleHistory,
      vcpus: v.vcpus,
    }));
    const windows = configs.map((c) => Math.ceil(c.ramSize / BLOCK) * BLOCK);
    // A flash image needs RAM behind it (its pages, then one zero block for the rest of the banks).
    const flashWindows = opts.vms.map((v) => (v.flash ? Math.ceil(v.flash.length / BLOCK) * BLOCK + BLOCK : 0));
    const total = HYP_SIZE + windows.reduce((a, b) => a + b, 0) + flashWindows.reduce((a, b) => a + b, 0);
    // RAM offsets are int32 in the CPU's fast path: the physical RAM stays within 1 GiB.
    if (total > 0x4000_0000) throw new Error(`the VMs' RAM (${total - HYP_SIZE} bytes) does not fit in 1 GiB of physical RAM`);
    const dmaTo = opts.assignDma ?? null;
    const virtioTo = opts.assignVirtio ?? null;
    this.smmuMode = opts.smmu ?? 'stage2';
    this.onSmmuEvent = opts.onSmmuEvent;
    if (dmaTo !== null && (!Number.isInteger(dmaTo.vm) || dmaTo.vm < 0 || dmaTo.vm >= opts.vms.length)) {
      throw new Error(`assignDma: VM ${dmaTo.vm} is not one of the ${opts.vms.length} VMs`);
    }
    if (virtioTo !== null && (!Number.isInteger(virtioTo.vm) || virtioTo.vm < 0 || virtioTo.vm >= opts.vms.length)) {
      throw new Error(`assignVirtio: VM ${virtioTo.vm} is not one of the ${opts.vms.length} VMs`);
    }
    for (const [what, to] of [['assignDma', dmaTo], ['assignVirtio', virtioTo]] as const) {
      // A DMA to a page first touch has not mapped yet would abort: the SMMU cannot stall the
      // master while the hypervisor maps it (no stall model), so DMA VMs get all their RAM now.
      if (to !== null && configs[to.vm].ram !== 'eager') throw new Error(`${what}: ${configs[to.vm].name} must have eager RAM (ramPolicy "eager"): DMA cannot take first-touch faults`);
    }
    this.machine = new Machine({
      ramSize: total,
      semihosting: false,
      timing: opts.timing,
      gicVirtualization: true,
      ...(dmaTo !== null || virtioTo !== null ? { iommu: 'smmuv3' } : {}),
      drives: opts.drives,
      engine: opts.engine,
      cpu: opts.cpu, // [pauth]
    });
    this.cpu = this.machine.cpu;
    this.cpu.firmware = this;
    this.gic = this.machine.gic;
    this.initGic();
    const onOutput = opts.onOutput ?? (() => {});
    let pa = HYP_BASE + HYP_SIZE;
    let pool: number = HYP_BASE;
    configs.forEach((c, k) => {
      // VMID 0 is left unused (a reset VTTBR_EL2 has VMID 0).
      const poolEnd = pool + s2PoolSize(c.ramSize);
      const vm = new Vm(k, k + 1, c, this.machine.bus, pa, pool, poolEnd, onOutput);
      pool = poolEnd;
      if (pool > HYP_SMMU_BASE) throw new Error(`the VMs' stage-2 tables (${pool - HYP_BASE} bytes) do not fit in the hypervisor's memory`);
      vm.attachGic(this.gic.hypInterface, () => this.gicvAccesses(vm));
      vm.vgic!.gicd = this.gic.distributor; // the timers' physical lines (vgic.ts resampleHw)
      attachVpmu(vm, this.gic); // vpmu: the PMU's PPI 23 forwarded to the VM (vpmu.ts)
      this.vms.push(vm);
      this.vcpus.push(...vm.vcpus);
      pa += windows[k];
    });
    opts.vms.forEach((v, k) => {
      if (v.flash === undefined) return;
      this.mapFlash(this.vms[k], v.flash, pa);
      pa += flashWindows[k];
    });
    // The physical RTC: a real device on the bus, given to one VM by stage 2 (no exits).
    this.rtc = this.machine.rtc;
    const a = opts.assignRtc === undefined ? { vm: 0, ipa: IPA_RTC } : opts.assignRtc;
    if (a !== null) {
      this.vms[a.vm].assign({ name: 'pl031', ipa: a.ipa, pa: VIRT.RTC, size: 0x1000, accesses: () => this.rtc.accesses });
      // RTCINTR (SPI 2, level) forwarded at the same INTID, as the DMA engine's (forwardDeviceIrq).
      this.forwarded.set(INTID.RTC, { owner: this.vms[a.vm], name: 'rtc', masked: false });
      this.gic.distributor.write(GICD_ISENABLER0 + 4 * (INTID.RTC >> 5), 4, (1 << (INTID.RTC & 31)) >>> 0);
    }
    if (dmaTo !== null) this.assignDma(this.vms[dmaTo.vm], dmaTo.ipa);
    if (virtioTo !== null) this.assignVirtio(this.vms[virtioTo.vm], virtioTo.slot);
  }

  /**
   * The SMMU, brought up by the hypervisor's driver (iommu.ts) the first time a bus master is
   * assigned; its event queue's SPI enabled, edge-triggered (GICD_ICFGR Int_config[1]).
   */
  private smmuDriver(what: string): HypSmmu {
    if (this.iommu !== null) return this.iommu;
    if (this.machine.smmu === null) throw new Error(`${what}: this machine has no SMMU`);
    const smmu = new HypSmmu(this.machine.bus, { base: PA_SMMU, memBase: HYP_SMMU_BASE });
    smmu.init();
    const gicd = this.gic.distributor;
    const id = INTID_SMMU_EVENTQ;
    gicd.write(GICD_ISENABLER0 + 4 * (id >> 5), 4, (1 << (id & 31)) >>> 0);
    const cfg = GICD_ICFGR + 4 * (id >> 4);
    gicd.write(cfg, 4, (gicd.read(cfg, 4) | (2 << (2 * (id & 15)))) >>> 0);
    this.iommu = smmu;
    return smmu;
  }

  /**
   * StreamID `sid` belongs to `vm`: an STE on its stage 2 (or bypass); from then on every stage-2
   * change of the VM is followed by CMD_TLBI_S2_IPA + CMD_SYNC (one per VMID covers all its
   * streams). Its interrupt `intid` is forwarded to the VM.
   */
  private assignStream(smmu: HypSmmu, vm: Vm, sid: number, intid: number, name: string): void {
    if (this.smmuMode === 'bypass') smmu.attachBypass(sid, vm.name);
    else smmu.attachStage2(sid, { vmid: vm.vmid, root: vm.s2.root, vtcr: vm.s2.vtcr() }, vm.name);
    this.streamOwner.set(sid, vm);
    vm.onS2Change = (at, size) => smmu.invalidateIpa(vm.vmid, at, size);
    this.forwarded.set(intid, { owner: vm, name, masked: false });
    this.gic.distributor.write(GICD_ISENABLER0 + 4 * (intid >> 5), 4, (1 << (intid & 31)) >>> 0);
  }

  /**
   * Give the virtio-mmio device of `slot` to `vm`, at the address the board has it (the VM's
   * device tree layout is QEMU virt's too): stage 2 maps the transport's 4 KiB page, which holds
   * slots 8k..8k+7, so no other populated slot may share it; the VM's own virtio identification
   * block (a trapped stand-in at IPA 0x0a00_0000) gives way when it is in that page.
   */
  private assignVirtio(vm: Vm, slot: number): void {
    const dev = this.machine.virtio.find((v) => v.slot === slot);
    if (dev === undefined) throw new Error(`assignVirtio: no virtio device in slot ${slot} (the board has ${this.machine.virtio.length}; give drives)`);
    const page = Math.floor(dev.base / 4096) * 4096;
    const other = this.machine.virtio.find((v) => v !== dev && Math.floor(v.base / 4096) * 4096 === page);
    if (other !== undefined) throw new Error(`assignVirtio: slot ${other.slot} shares slot ${slot}'s 4 KiB page and would be exposed to ${vm.name} too`);
    const smmu = this.smmuDriver('assignVirtio');
    const own = vm.vdevs.findIndex((d) => d.ipa < page + 4096 && page < d.ipa + d.size);
    if (own >= 0) {
      if (vm.vdevs[own].name !== 'virtio-mmio') throw new Error(`assignVirtio: IPA 0x${page.toString(16)} of ${vm.name} is taken by ${vm.vdevs[own].name}`);
      vm.vdevs.splice(own, 1);
    }
    vm.assign({ name: `virtio-${slot}`, ipa: page, pa: page, size: 0x1000 });
    this.assignStream(smmu, vm, STREAM_ID.VIRTIO_BASE + slot, dev.intid, `virtio-${slot}`);
  }

  /**
   * Give the DMA engine to `vm`: bring the SMMU up (iommu.ts), map the engine's register page at
   * `ipa` by stage 2 (the guest programs it with no exit), and give its StreamID an STE on the
   * VM's own stage 2 (or bypass, to show the problem). From then on every stage-2 change of the
   * VM is followed by CMD_TLBI_S2_IPA + CMD_SYNC. The event queue's interrupt is taken at EL2.
   */
  private assignDma(vm: Vm, ipa: number): void {
    const dma = this.machine.dma;
    if (dma === null) throw new Error('assignDma: this machine has no DMA engine');
    if (!(ipa % 4096 === 0) || ipa < 0 || ipa >= 2 ** 40 || vm.vdevAt(ipa) !== undefined || vm.ramPaOf(ipa) >= 0) {
      throw new Error(`assignDma: IPA 0x${ipa.toString(16)} is not a free page-aligned IPA of ${vm.name}`);
    }
    const smmu = this.smmuDriver('assignDma');
    vm.assign({ name: 'dma-engine', ipa, pa: VIRT.DMA_ENGINE, size: 0x1000, accesses: () => dma.stats.transfers });
    // The engine's own interrupt goes to this VM (forwardDeviceIrq), at its INTID in the vGIC.
    this.assignStream(smmu, vm, STREAM_ID.DMA_ENGINE, INTID.DMA_ENGINE, 'dma-engine');
  }

  /**
   * A64HV_DMA_CD: the VM puts its own stage 1 in front of its DMA stream (a CD at `cdIpa` in its
   * IPA space, or 0 to go back to stage 2 only). The hypervisor checks nothing more than the
   * alignment: the SMMU fetches the CD through the VM's stage 2 and reports a bad one as the
   * architecture says (C_BAD_CD, F_TRANSLATION with CLASS CD), in this VM's event log.
   */
  private dmaContext(vm: Vm, cdIpa: number): number {
    const smmu = this.iommu;
    const sid = STREAM_ID.DMA_ENGINE;
    if (smmu === null || this.streamOwner.get(sid) !== vm || this.smmuMode !== 'stage2') return SMCCC_NOT_SUPPORTED;
    if (cdIpa % 64 !== 0 || cdIpa >= 2 ** 48) return SMCCC_INVALID_PARAMETER;
    const s2 = { vmid: vm.vmid, root: vm.s2.root, vtcr: vm.s2.vtcr() };
    if (cdIpa === 0) smmu.attachStage2(sid, s2, vm.name);
    else smmu.attachNested(sid, s2, cdIpa, vm.name);
    return 0;
  }

  /**
   * A VM that owns the DMA engine restarts: the engine returns to its reset state (its line low),
   * the stream to stage 2 only (the guest's CD belonged to the old run), the forwarded interrupt
   * to unmasked.
   */
  private resetDma(vm: Vm): void {
    const sid = STREAM_ID.DMA_ENGINE;
    if (this.streamOwner.get(sid) === vm) this.machine.dma?.reset();
    if (this.iommu !== null && this.streamOwner.get(sid) === vm && this.iommu.streams.get(sid)?.config === 'nested') {
      this.iommu.attachStage2(sid, { vmid: vm.vmid, root: vm.s2.root, vtcr: vm.s2.vtcr() }, vm.name);
    }
    if (this.maskedIrqs > 0) this.resampleDeviceIrqs();
  }

  /**
   * The DMA engine's physical interrupt, taken at EL2, for the VM that owns the engine: its line
   * is level-sensitive and stays high until the guest clears the engine's STATUS, so (as VFIO does
   * for INTx) the physical SPI is masked (GICD_ICENABLER) and completed, and the VM's virtual
   * distributor sees the line high. The virtual interrupt has GICH_LR.EOI set (level, software):
   * the guest's EOI raises a maintenance interrupt, and at that exit resampleDeviceIrq finds the
   * physical line low again (GICD_ISPENDR of a level interrupt follows its line), lowers the
   * virtual line and unmasks the physical one. A guest that configured the virtual interrupt as
   * edge-triggered gets no maintenance interrupt; any later exit resamples the line instead.
   */
  private forwardDeviceIrq(id: number, f: { owner: Vm; masked: boolean }): void {
    this.gic.distributor.write(GICD_ICENABLER0 + 4 * (id >> 5), 4, (1 << (id & 31)) >>> 0);
    if (!f.masked) this.maskedIrqs++;
    f.masked = true;
    f.owner.vgic?.dist.setLevel(id, true);
  }

  /** For each masked forwarded line: is the physical one low again? Then lower and unmask it. */
  private resampleDeviceIrqs(except = -1): void {
    const gicd = this.gic.distributor;
    for (const [id, f] of this.forwarded) {
      if (!f.masked || id === except) continue;
      const d = f.owner.vgic?.dist;
      if (((gicd.read(GICD_ISPENDR0 + 4 * (id >> 5), 4) >>> (id & 31)) & 1) !== 0) {
        // Still high. A guest that configured the interrupt edge-triggered (as the device tree
        // says for virtio-mmio) and has taken and completed the last one has acknowledged the
        // device since: the line went low and high again while masked, unseen. Give it the
        // rising edge it would have seen (a level-configured one stays pending by itself).
        if (d !== undefined && d.edge[id] && !d.isPending(id) && !d.active[id]) {
          d.setLevel(id, false);
          d.setLevel(id, true);
        }
        continue;
      }
      d?.setLevel(id, false);
      f.masked = false;
      this.maskedIrqs--;
      gicd.write(GICD_ISENABLER0 + 4 * (id >> 5), 4, (1 << (id & 31)) >>> 0);
    }
  }

  /**
   * Read the SMMU's event queue (on its interrupt, at every reschedule and when run() returns):
   * each record goes to the VM owning its StreamID (exit log, figures) and to onSmmuEvent.
   */
  drainSmmuEvents(): number {
    if (this.iommu === null) return 0;
    const evs = this.iommu.drainEvents();
    for (const e of evs) {
      const vm = this.streamOwner.get(e.streamId) ?? null;
      if (vm !== null) {
        vm.dmaEventCount++;
        vm.dmaEvents.push(e);
        if (vm.dmaEvents.length > 64) vm.dmaEvents.shift();
      }
      this.onSmmuEvent?.(vm, e);
    }
    return evs.length;
  }

  /**
   * The physical GIC as the hypervisor runs it: distributor on, the timers' PPIs and the
   * maintenance interrupt enabled; CPU interface on with EOImode=1, so that completing an
   * interrupt (GICC_EOIR) only drops its priority and a forwarded timer interrupt stays active
   * until the guest deactivates its virtual copy (GICH_LR.HW=1).
   */
  private initGic(): void {
    const gicd = this.gic.distributor;
    const gicc = this.gic.cpuInterface;
    gicd.write(GICD_CTLR, 4, 3);
    gicd.write(GICD_ISENABLER0, 4, ((1 << PPI_MAINTENANCE) | (1 << PPI_CNTV) | (1 << PPI_CNTP)) >>> 0);
    gicc.write(GICC_PMR, 4, 0xff);
    // EnableGrp0 | EnableGrp1 | EOImode (bit 9: this GIC has no Security Extensions).
    gicc.write(GICC_CTLR, 4, 0x3 | (1 << 9));
  }

  /**
   * Flash at IPA 0, as stage-2-mapped read-only memory rather than a trapped device: firmware reads
   * it freely (U-Boot reads its environment there) with no exits, as KVM maps a ROM-mode pflash
   * with a read-only memory slot. The image's pages are RAM at `pa` holding a copy; the rest of
   * the two banks maps one zero 2 MiB block again and again. A write is a stage-2 permission
   * fault, emulated as the board's flash does it (ignored, no CFI command set).
   */
  private mapFlash(vm: Vm, image: Uint8Array, pa: number): void {
    if (image.length > FLASH_BANK_SIZE) throw new Error(`flash image of ${image.length} bytes exceeds a 64 MiB bank`);
    this.machine.bus.load(pa, image);
    const ro = s2Leaf({ s2ap: 1 }); // S2AP 0b01: read-only
    const img = Math.ceil(image.length / BLOCK) * BLOCK;
    vm.s2.map(VIRT.FLASH, pa, img, ro);
    const zero = pa + img;
    for (let ipa = VIRT.FLASH + img; ipa < VIRT.FLASH + 2 * FLASH_BANK_SIZE; ipa += BLOCK) vm.s2.map(ipa, zero, BLOCK, ro, 2);
    const dev = new FlashRom(image);
    this.flash.set(vm, { name: 'flash', ipa: VIRT.FLASH, size: dev.size, dev, regName: (off) => `+0x${off.toString(16)}` });
  }

  /** Set a VM's boot state (entry point in its IPA space; x0 for a Linux Image's DTB). */
  boot(vm: Vm, entry: number, x0?: number): void {
    vm.boot(this.cpu, entry);
    if (x0 !== undefined) this.bootX0.set(vm, x0);
    else this.bootX0.delete(vm);
    this.setBootX0(vm);
  }

  private setBootX0(vm: Vm): void {
    const x0 = this.bootX0.get(vm);
    if (x0 === undefined) return;
    vm.vcpu.r[0] = x0 | 0;
    vm.vcpu.r[1] = Math.floor(x0 / 2 ** 32) | 0;
  }

  // ---------------------------------------------------------------- scheduling and world switch

  private runnable(): Vcpu[] {
    return this.vcpus.filter((v) => v.vm.stop === null && v.on && v.ctx.valid);
  }

  /**
   * Load a vCPU onto the CPU: its context, its VM's stage 2 (VTTBR_EL2), HCR_EL2, VMPIDR_EL2, its
   * GIC CPU interface. Between two vCPUs of one VM the stage 2 and VMID stay (no TLB flush).
   */
  private enter(vc: Vcpu): void {
    const cpu = this.cpu;
    const vm = vc.vm;
    const prev = this.currentVcpu;
    if (prev !== null && prev !== vc) {
      // The previous vCPU's GIC state leaves the list registers (vgic.ts save).
      prev.vm.vgic?.save(this.gic.distributor);
      if (prev.vm !== vm) this.gicvBy.set(prev.vm, this.gicvAccesses(prev.vm));
    }
    const vmChanged = this.current !== vm;
    vc.ctx.restore(cpu);
    const [lo, hi] = vm.vttbr(this.vmidTagging ? vm.vmid : SHARED_VMID);
    cpu.setSys(SYS.VTTBR_EL2, lo, hi);
    cpu.setSys(SYS.VTCR_EL2, vm.s2.vtcr(), 0);
    // [pauth] HCR_EL2.APK/API (bits 40/41) set: the VM's PAuth keys are EL1 registers switched with
    // its vCPU, so neither key accesses nor PAuth instructions need to trap (no effect on a57).
    cpu.setSys(SYS.HCR_EL2, HCR_GUEST | vm.hcrTraps | (vm.vcpus.length > 1 ? HCR_TWE : 0), HCR_HI_APK_API);
    // The guest's MPIDR_EL1 reads VMPIDR_EL2 (ARM ARM D23.2): Aff0 = the vCPU index.
    cpu.setSys(SYS.VMPIDR_EL2, vc.vmpidr, 0);
    // setSys skips the register hooks: the fast cache (not VMID-tagged) must be dropped, the
    // timers (their registers came with the vCPU context) and interrupt routing re-evaluated.
    cpu.elChanged();
    cpu.contextChanged();
    vm.vgic?.restore(this.gic.distributor, vc.index);
    if (vmChanged) this.gicvAtEnter = this.machine.gicv?.accesses ?? 0;
    // The timers first: the flush samples their physical lines, which must be this vCPU's.
    cpu.timer.changed();
    vm.vgic?.flush();
    cpu.interruptsChanged();
    if (this.flushOnSwitch && (vmChanged || !this.started)) {
      // Every VM shares one VMID: the previous VM's entries would alias this one's.
      tlbiVmallS12E1(cpu);
      this.tlbFlushes++;
    }
    if (prev !== null && prev !== vc) this.switches++;
    this.current = vm;
    this.currentVcpu = vc;
    if (vmChanged || !this.started) vm.stats.switchesIn++;
    vc.switchesIn++;
    cpu.cycles += cpu.timing.worldSwitch;
    this.sliceLeft = this.slice;
  }

  /**
   * Save the running vCPU (PC and PSTATE as the CPU holds them between instructions). A VM
   * that stopped is saved too: its final registers stay inspectable (tests, the debugger).
   */
  private leave(): void {
    const vc = this.currentVcpu;
    if (vc === null) return;
    const cpu = this.cpu;
    vc.ctx.save(cpu, cpu.pcLo, cpu.pcHi, cpu.getSpsr());
  }

  /** Accesses VM `vm` made to its GIC CPU interface (the physical GICV, no exits). */
  gicvAccesses(vm: Vm): number {
    const live = this.current === vm ? (this.machine.gicv?.accesses ?? 0) - this.gicvAtEnter : 0;
    return (this.gicvBy.get(vm) ?? 0) + live;
  }

  /** Has vCPU `v` a virtual interrupt to take (a WFI wake-up)? */
  private hasPending(v: Vcpu): boolean {
    return v.vm.vgic !== null && v.vm.vgic.hasPendingFor(v.index);
  }

  /**
   * The next runnable vCPU after the current one (round robin over every VM's vCPUs), or null. A
   * vCPU that gave up the CPU in WFI is passed over until its timer deadline or a pending virtual
   * interrupt wakes it; when every runnable vCPU is idle so, modelled time skips to the earliest
   * deadline, as it does for a vCPU alone (rather than the vCPUs handing the CPU to each other once
   * per WFI until then).
   */
  private next(): Vcpu | null {
    const all = this.vcpus;
    const n = all.length;
    const from = this.currentVcpu === null ? -1 : all.indexOf(this.currentVcpu);
    const cpu = this.cpu;
    let sleeper: Vcpu | null = null;
    let wake = Infinity;
    for (let k = 1; k <= n; k++) {
      const v = all[(from + k + n) % n];
      if (v.vm.stop !== null || !v.on || !v.ctx.valid) continue;
      const d = this.idleUntil.get(v);
      if (d === undefined || d <= cpu.cycles || this.hasPending(v)) {
        this.idleUntil.delete(v);
        this.futileWakes = 0;
        return v;
      }
      if (sleeper === null || d < wake) {
        sleeper = v;
        wake = d;
      }
    }
    if (sleeper === null) return null;
    this.idleUntil.delete(sleeper);
    if (this.hostInputOpen && sleeper.vm === this.vms[0] && this.runnable().every((v) => v.vm === sleeper!.vm)) {
      // Every vCPU of the interactive VM (the only one running) is idle: as for a uniprocessor VM
      // (wfx), the caller lets the time until the earliest deadline pass in real time, or until
      // host input arrives, instead of the vCPUs handing the PE to each other meanwhile.
      this.idleForInput = true;
      this.idleDeadline = wake;
      return sleeper;
    }
    if (wake !== Infinity) {
      cpu.idleCycles += wake - cpu.cycles;
      cpu.cycles = wake;
    } else if (!this.hostInputOpen && (cpu.irqLine | cpu.fiqLine) === 0) {
      // Every runnable vCPU waits in WFI with no timer armed, no virtual interrupt pending, no
      // physical interrupt to take and no host input to come. A sleeper is resumed (a WFI may
      // complete spuriously: a VM that waited for another to finish goes on), but once every
      // one of them has been resumed twice in a row only to wait again, nothing can ever wake
      // them: stop them as the board (and a lone VM, wfx) stops such a PE, rather than hand the
      // PE round and round until the instruction budget runs out (forever without --max-insns).
      const runnable = this.runnable();
      if (++this.futileWakes > 2 * runnable.length) {
        for (const v of runnable) if (v.vm.stop === null) v.vm.stop = { kind: 'error', code: 1, message: 'WFI with no interrupt source' };
        return null;
      }
      return sleeper;
    }
    this.futileWakes = 0;
    return sleeper;
  }

  private reschedule(): void {
    this.drainSmmuEvents();
    this.leave();
    const v = this.next();
    if (v === null) {
      if (this.current !== null) this.gicvBy.set(this.current, this.gicvAccesses(this.current));
      this.current = null;
      this.currentVcpu = null;
      return;
    }
    if (v !== this.currentVcpu || !this.started) this.enter(v);
    else this.sliceLeft = this.slice; // the only runnable vCPU keeps the CPU
    this.started = true;
  }

  /** Run VMs until all have stopped or `maxInsns` instructions retired. */
  run(maxInsns = Infinity): HypRunResult {
    const cpu = this.cpu;
    if (!this.started) {
      this.current = null;
      this.currentVcpu = null;
      const first = this.runnable()[0];
      if (first === undefined) return { reason: 'done', instructions: 0 };
      this.enter(first);
      this.started = true;
    }
    let done = 0;
    while (done < maxInsns && this.current !== null) {
      const vm = this.current;
      const n = cpu.run(Math.min(this.sliceLeft, maxInsns - done));
      this.currentVcpu!.instructions += n;
      done += n;
      this.sliceLeft -= n;
      if (cpu.status === ST_HALT) {
        const why = cpu.haltReason;
        cpu.status = 0;
        cpu.haltReason = '';
        if (this.yieldPending) {
          // A WFI or YIELD handler gave up the slice: finish its exception return first.
          this.yieldPending = false;
          eretFromEl2(cpu);
          this.reschedule();
          if (this.idleForInput) break;
        } else {
          // The VM stopped: its own request (PSCI, semihosting exit) or an emulation error.
          if (vm.stop === null) vm.stop = { kind: 'error', code: cpu.exitCode || 1, message: why || 'halted' };
          this.reschedule();
        }
        continue;
      }
      if (this.sliceLeft <= 0) this.reschedule();
    }
    this.drainSmmuEvents();
    return { reason: this.current === null ? 'done' : 'limit', instructions: done };
  }

  // ---------------------------------------------------------------- exits

  private stopVm(vm: Vm, kind: 'exit' | 'halt' | 'error', code: number, message: string): void {
    vm.stop = { kind, code, message };
    this.cpu.halt(message, code);
  }

  el2Exception(cpu: Cpu): void {
    const vm = this.current!;
    const esr = cpu.sysLo(SYS.ESR_EL2);
    const ec = esrEc(esr);
    const rec: ExitRecord | null = this.onExit
      ? { vm, ec, esr, elr: cpu.sys64(SYS.ELR_EL2), far: cpu.sys64(SYS.FAR_EL2), hpfar: cpu.sys64(SYS.HPFAR_EL2), cause: '', detail: '' }
      : null;
    cpu.cycles += cpu.timing.hypExit;
    vm.vgic?.fold();
    if (this.maskedIrqs > 0) this.resampleDeviceIrqs();
    let cause: string;
    let detail = '';
    switch (ec) {
      case EC_DABT_LOWER:
        [cause, detail] = this.dataAbort(vm, esr);
        break;
      case EC_IABT_LOWER:
        cause = this.instructionAbort(vm, esr);
        break;
      case EC_HVC64:
        [cause, detail] = this.hvc(vm);
        break;
      case EC_WFX:
        cause = this.wfx(vm, esr);
        break;
      case EC_SYSREG:
        [cause, detail] = this.sysregTrap(vm, esr);
        break;
      default:
        if (isGuestDebugEc(ec)) {
          // [arch] a debug exception routed here by MDCR_EL2.TDE / HCR_EL2.TGE: a guest-debug event (guest-debug.ts)
          const ev = guestDebugEvent(vm, cpu, esr);
          cause = `debug: ${ev.kind}`;
          detail = describeGuestDebug(ev);
          if ((this.onGuestDebug?.(ev) ?? 'stop') !== 'resume') this.stopVm(vm, 'halt', 1, `${vm.name}: guest-debug event (MDCR_EL2.TDE): ${detail}`);
          break;
        }
        cause = `unexpected EC 0x${ec.toString(16)}`;
        this.stopVm(vm, 'error', 1, `${vm.name}: unexpected exception to EL2: EC 0x${ec.toString(16)}, ESR_EL2 0x${(esr >>> 0).toString(16)}`);
    }
    vm.stats.count(cause, cpu.timing.hypExit);
    this.currentVcpu!.exits++;
    if (this.current === vm) vm.vgic?.flush();
    if (rec !== null) {
      rec.cause = cause;
      rec.detail = detail;
      this.onExit!(rec);
    }
  }

  /**
   * A physical IRQ while a VM runs (HCR_EL2.IMO): acknowledge everything the GIC has for us. A
   * VM timer's PPI is forwarded to the running VM as a hardware-mapped virtual interrupt (its
   * priority dropped with GICC_EOIR, left active for the guest to deactivate); the maintenance
   * interrupt and anything else are completed here (GICC_EOIR, GICC_DIR). Then the list
   * registers are refilled and the CPU returns to the guest.
   */
  el2Interrupt(cpu: Cpu, fiq: boolean): void {
    const vm = this.current!;
    const gicc = this.gic.cpuInterface;
    const rec: ExitRecord | null = this.onExit
      ? { vm, ec: -1, esr: 0, elr: cpu.sys64(SYS.ELR_EL2), far: 0n, hpfar: 0n, cause: '', detail: '' }
      : null;
    cpu.cycles += cpu.timing.hypExit;
    const taken: string[] = [];
    const complete: number[] = [];
    const forward: number[] = [];
    let device = -1;
    for (let n = 0; n < 64; n++) {
      const iar = gicc.read(GICC_IAR, 4);
      const id = iar & 0x3ff;
      if (id >= 1020) break; // 1023: spurious, nothing (more) pending for this CPU
      gicc.write(GICC_EOIR, 4, iar); // priority drop; still active (EOImode=1)
      if (vm.vgic !== null && vm.vgic.hw.has(id)) forward.push(id);
      else complete.push(iar);
      const f = this.forwarded.get(id);
      if (f !== undefined) {
        this.forwardDeviceIrq(id, f);
        device = id;
      }
      taken.push(f?.name ?? PPI_NAMES[id] ?? `intid ${id}`);
    }
    // The list registers are read back after acknowledging: that clears the maintenance
    // condition (GICH_MISR), so the maintenance interrupt is not pending again once deactivated.
    // The new hardware interrupts are made pending after that read-back, which would otherwise
    // overwrite them with a stale LR (the guest's previous one, already completed).
    vm.vgic?.fold();
    if (this.maskedIrqs > 0) this.resampleDeviceIrqs(device);
    for (const id of forward) vm.vgic!.injectHw(id);
    for (const iar of complete) gicc.write(GICC_DIR, 4, iar);
    if (taken.includes('smmu-eventq')) this.drainSmmuEvents();
    // One exit, named after the first interrupt it took (several can be taken in one exit).
    vm.stats.count(taken.length === 0 ? 'irq spurious' : `irq ${taken[0]}`, cpu.timing.hypExit);
    this.currentVcpu!.exits++;
    vm.vgic?.flush();
    if (rec !== null) {
      rec.cause = taken.length === 0 ? 'irq spurious' : `irq ${taken.join(', ')}`;
      rec.detail = `physical ${fiq ? 'FIQ' : 'IRQ'}: ${taken.length === 0 ? 'spurious (GICC_IAR 1023)' : taken.join(', ')}${
        taken.some((t) => t === 'cntv' || t === 'cntp') ? ' forwarded to the guest (GICH_LR.HW=1)' : ''
      }`;
      this.onExit!(rec);
    }
  }

  /** A virtual device register access of `size` bytes at `off` (8 bytes: two word accesses). */
  private devRead(dev: VirtualDevice, off: number, size: number): Word64 {
    if (size === 8) return { lo: dev.dev.read(off, 4) | 0, hi: dev.dev.read(off + 4, 4) | 0 };
    return { lo: dev.dev.read(off, size) | 0, hi: 0 };
  }
  private devWrite(dev: VirtualDevice, off: number, size: number, v: Word64): void {
    if (size === 8) {
      dev.dev.write(off, 4, v.lo >>> 0);
      dev.dev.write(off + 4, 4, v.hi >>> 0);
    } else dev.dev.write(off, size, v.lo >>> 0);
  }

  private dataAbort(vm: Vm, esr: number): [string, string] {
    const cpu = this.cpu;
    const iss = decodeDataAbortIss(esr);
    const ipa = currentFaultIpa(cpu);
    const at = this.onExit !== undefined ? `IPA 0x${ipa.toString(16)}` : '';
    // First touch: a translation fault on the VM's own RAM (also from a stage-1 table walk) maps
    // the page; the ERET retries the instruction (ELR_EL2 unchanged).
    if (isTranslationFault(iss.dfsc) && vm.config.ram === 'lazy' && vm.ramPaOf(ipa) >= 0 && !vm.isMapped(ipa)) {
      vm.mapRamPage(ipa);
      return ['s2-ram-fault', `${at}: mapped page 0x${(Math.floor(ipa / 4096) * 4096).toString(16)}`];
    }
    const dev = iss.s1ptw ? undefined : vm.vdevAt(ipa);
    if (dev !== undefined && isTranslationFault(iss.dfsc)) {
      if (iss.cm) {
        // Cache maintenance by VA on a device: nothing to do (ARM ARM allows it to complete).
        skipInstruction(cpu);
        return [`mmio-cm ${dev.name}`, at];
      }
      return iss.isv ? this.mmio(dev, iss, ipa) : this.mmioNoSyndrome(vm, dev, iss, ipa);
    }
    const flash = this.flash.get(vm);
    if (flash !== undefined && !iss.s1ptw && iss.wnr && ipa >= flash.ipa && ipa < flash.ipa + flash.size && isPermissionFault(iss.dfsc)) {
      // A write to the read-only flash: emulated like a trapped device (the model ignores it).
      return iss.isv ? this.mmio(flash, iss, ipa) : this.mmioNoSyndrome(vm, flash, iss, ipa);
    }
    // Outside everything the VM owns (another VM's memory, the hypervisor's, a hole): the guest
    // gets a synchronous external abort, as if nothing answered on the bus.
    injectExternalAbort(cpu, false, iss.wnr);
    return ['isolation-abort', `${at} ${formatIss(iss)}: synchronous external abort injected at EL1`];
  }

  /** ISV=1: everything needed is in the ISS. */
  private mmio(dev: VirtualDevice, iss: DataAbortIss, ipa: number): [string, string] {
    const cpu = this.cpu;
    const off = ipa - dev.ipa;
    const size = 1 << iss.sas;
    const cause = this.mmioCause(dev, off, iss.wnr);
    // The detail is for the exit log only: an exit-heavy guest (a console, a polling loop) would
    // spend much of its exits formatting it.
    const log = this.onExit !== undefined;
    let what = '';
    if (iss.wnr) {
      const v = storeValue(cpu, iss);
      this.devWrite(dev, off, size, v);
      if (log) what = `write ${hexWord(v, size)}`;
    } else {
      const v = this.devRead(dev, off, size);
      writeLoadResult(cpu, iss, v);
      if (log) {
        const reg = iss.srt === 31 ? 'discarded (XZR)' : `${iss.sf ? 'x' : 'w'}${iss.srt} = 0x${(iss.sf ? cpu.readX(iss.srt) : BigInt(cpu.r[2 * iss.srt] >>> 0)).toString(16)}`;
        what = `read ${hexWord(v, size)} -> ${reg}`;
      }
    }
    skipInstruction(cpu);
    if (!log) return [cause, ''];
    return [cause, `${formatIss(iss)} IPA 0x${ipa.toString(16)} ${dev.name}.${dev.regName(off)} ${what}, ELR_EL2 += 4`];
  }

  /** "mmio-read|write DEVICE REGISTER", made once per register and direction (a statistics key). */
  private mmioCause(dev: VirtualDevice, off: number, write: boolean): string {
    let m = this.causes.get(dev);
    if (m === undefined) this.causes.set(dev, (m = new Map()));
    const k = off * 2 + (write ? 1 : 0);
    let c = m.get(k);
    if (c === undefined) m.set(k, (c = `mmio-${write ? 'write' : 'read'} ${dev.name} ${dev.regName(off)}`));
    return c;
  }

  /** ISV=0: decode the instruction from guest memory, or inject an abort (the VM's policy). */
  private mmioNoSyndrome(vm: Vm, dev: VirtualDevice, iss: DataAbortIss, ipa: number): [string, string] {
    const cpu = this.cpu;
    const at = `IPA 0x${ipa.toString(16)} ${dev.name}`;
    if (vm.config.isv0 === 'emulate') {
      // The guest's PC through its stage 1 and stage 2, as an instruction fetch at its EL.
      const pa = translateQuiet(cpu, cpu.sysLo(SYS.ELR_EL2), cpu.sysHi(SYS.ELR_EL2), ACC_FETCH);
      const raw = pa < 0 ? 0 : this.machine.bus.read(pa, 4);
      const op = pa < 0 ? null : decodeMemOp(raw);
      if (op !== null) {
        const port: MmioPort = {
          covers: (a, size) => a >= dev.ipa && a + size <= dev.ipa + dev.size,
          read: (a, size) => this.devRead(dev, a - dev.ipa, size),
          write: (a, size, v) => (this.devWrite(dev, a - dev.ipa, size, v), true),
        };
        if (emulateMemOp(cpu, op, cpu.sysLo(SYS.FAR_EL2), ipa, port)) {
          skipInstruction(cpu);
          return [`isv0-emulated ${dev.name}`, `${at}: decoded 0x${(raw >>> 0).toString(16).padStart(8, '0')} (${op.count === 2 ? 'pair' : 'writeback'}, ${op.load ? 'load' : 'store'}) and emulated`];
        }
      }
      injectExternalAbort(cpu, false, iss.wnr);
      return [`isv0-unsupported ${dev.name}`, `${at}: instruction 0x${(raw >>> 0).toString(16)} not emulated: abort injected`];
    }
    injectExternalAbort(cpu, false, iss.wnr);
    return [`isv0-injected ${dev.name}`, `${at}: ISV=0, policy inject: abort injected`];
  }

  /**
   * PSCI SYSTEM_RESET from a VM: the VM restarts (its images reloaded, its vCPU at the entry
   * point with its boot state, its virtual devices reset), as QEMU's virt board does on a reset;
   * the other VMs are not affected. The exception return goes to the entry point.
   */
  private resetVm(vm: Vm): void {
    const cpu = this.cpu;
    vm.vgic?.resetCpuInterface(this.gic.distributor);
    vm.reset(cpu);
    this.resetDma(vm);
    this.setBootX0(vm);
    for (const v of vm.vcpus) this.idleUntil.delete(v);
    if (this.currentVcpu !== vm.vcpus[0]) {
      // Another vCPU asked (it is off now): the PE goes to vCPU 0 at the next reschedule.
      this.yieldPending = true;
      cpu.halt('yield');
      return;
    }
    vm.vcpu.restore(cpu);
    cpu.setSys(SYS.ELR_EL2, vm.vcpu.pcLo, vm.vcpu.pcHi);
    cpu.setSys(SYS.SPSR_EL2, vm.vcpu.spsr, 0);
    cpu.invalidateAllCode(); // the reloaded images were written behind the CPU's back
    cpu.contextChanged();
    cpu.timer.changed();
  }

  private instructionAbort(vm: Vm, esr: number): string {
    const cpu = this.cpu;
    const ipa = currentFaultIpa(cpu);
    if (isTranslationFault(esr & 0x3f) && vm.config.ram === 'lazy' && vm.ramPaOf(ipa) >= 0 && !vm.isMapped(ipa)) {
      vm.mapRamPage(ipa);
      return 's2-ram-fault';
    }
    injectExternalAbort(cpu, true, false);
    return 'isolation-abort';
  }

  private hvc(vm: Vm): [string, string] {
    const cpu = this.cpu;
    const fid = cpu.r[0] >>> 0;
    if (isPsciCall(fid)) {
      // A VM with several vCPUs: CPU_ON/CPU_OFF/AFFINITY_INFO act on its vCPUs (vcpu-psci.ts).
      const vc = this.currentVcpu!;
      const smp = vm.vcpus.length > 1;
      const s = psciCall(cpu, smp ? vcpuPsci(vc) : null);
      if (s !== null && s.kind === 'reset') {
        this.resetVm(vm);
        return ['hvc psci', `SYSTEM_RESET: ${vm.name} restarts at 0x${vm.entry.toString(16)} (reset ${vm.resets})`];
      }
      if (s !== null) {
        const msg = s.kind === 'off' ? 'PSCI SYSTEM_OFF' : smp ? 'PSCI CPU_OFF of the last vCPU on' : 'PSCI CPU_OFF of the only CPU';
        this.stopVm(vm, 'halt', 0, msg);
        return ['hvc psci', msg];
      }
      if (!vc.on) {
        // CPU_OFF (does not return): the PE goes to another vCPU.
        this.idleUntil.delete(vc);
        this.yieldPending = true;
        cpu.halt('yield');
        return ['hvc psci', `CPU_OFF: ${vc.name} off`];
      }
      return ['hvc psci', `0x${fid.toString(16)} -> 0x${(cpu.r[0] >>> 0).toString(16)}`];
    }
    let ret = 0;
    if (isA64hvCall(fid)) {
      switch (asSmc64(fid)) {
        case A64HV_VERSION:
          ret = A64HV_VERSION_1_0;
          break;
        case A64HV_VM_INFO:
          ret = vm.id + 1;
          cpu.r[2] = this.vms.length;
          cpu.r[3] = 0;
          cpu.r[4] = this.vmidTagging ? vm.vmid : SHARED_VMID;
          cpu.r[5] = 0;
          break;
        case A64HV_PUTC:
          vm.uart.onTx(cpu.r[2] & 0xff);
          break;
        case A64HV_YIELD:
          if (this.runnable().length > 1) {
            this.yieldPending = true;
            cpu.halt('yield');
          }
          break;
        case A64HV_EXIT_COUNT:
          ret = vm.stats.total;
          break;
        case A64HV_DMA_CD:
          ret = this.dmaContext(vm, (cpu.r[3] >>> 0) * 2 ** 32 + (cpu.r[2] >>> 0));
          break;
        default:
          ret = SMCCC_NOT_SUPPORTED;
      }
    } else ret = SMCCC_NOT_SUPPORTED;
    cpu.r[0] = ret | 0;
    cpu.r[1] = ret < 0 ? -1 : 0;
    return [isA64hvCall(fid) ? 'hvc a64hv' : 'hvc unknown', `0x${fid.toString(16)} -> ${ret}`];
  }

  private wfx(vm: Vm, esr: number): string {
    const cpu = this.cpu;
    const wfe = (esr & 1) === 1;
    const vc = this.currentVcpu!;
    skipInstruction(cpu);
    // A virtual interrupt already pending is a wake-up event: the WFI completes at once.
    if (!wfe && this.hasPending(vc)) return 'wfi';
    if (this.runnable().length > 1) {
      // Nothing to do in this vCPU now: give the rest of the slice to the others, and pass this
      // vCPU over until its timer fires (next()). A WFE is not an idle wait here: it yields once
      // (a WFE of a multi-vCPU VM, trapped by HCR_EL2.TWE, waits for a vCPU that is not running).
      if (!wfe) this.idleUntil.set(vc, cpu.timerDeadline);
      this.yieldPending = true;
      cpu.halt('yield');
    } else if (!wfe && this.hostInputOpen && vm === this.vms[0] && (cpu.irqLine | cpu.fiqLine) === 0) {
      // Interactive, and idle: leave run(); the caller waits in real time until the VM's timer
      // deadline (if any) or host input for its UART, whichever comes first.
      this.idleForInput = true;
      this.idleDeadline = cpu.timerDeadline;
      this.yieldPending = true;
      cpu.halt('yield');
    } else if (!wfe && !cpu.sleepUntilTimer() && (cpu.irqLine | cpu.fiqLine) === 0) {
      // The only VM, with no timer armed: as on the bare-metal board, nothing can ever wake it.
      this.stopVm(vm, 'error', 1, 'WFI with no interrupt source');
    }
    return wfe ? 'wfe' : 'wfi';
  }

  /**
   * EC 0x18: an MSR, MRS or System instruction trapped by the VM's HCR_EL2 trap bits. Emulated on
   * the guest's behalf (ID reads from the VM's virtual ID file, EL1 register writes with the
   * translation regime refreshed, TLBI, cache maintenance), then ELR_EL2 += 4. Anything not
   * emulated gets UNDEFINED at the guest's EL1, as the bare instruction would if it did not exist.
   */
  private sysregTrap(vm: Vm, esr: number): [string, string] {
    const cpu = this.cpu;
    const iss = decodeSysregIss(esr);
    const r = emulateSysreg(cpu, iss, vm.idRegs, { pageIn: (ipa) => this.pageInIpa(vm, ipa) });
    if (r === null) {
      injectUndefined(cpu);
      return [`sysreg-undef ${sysregName(iss)}`, `${formatSysregIss(iss)}: not emulated: UNDEFINED injected at EL1`];
    }
    // The emulated instruction faulted (DC ZVA): the exception is already injected into the guest.
    if (r.resume === 'fault') return [r.cause, `${formatSysregIss(iss, false)}: ${r.detail}`];
    skipInstruction(cpu);
    return [r.cause, `${formatSysregIss(iss, false)}: ${r.detail}, ELR_EL2 += 4`];
  }

  /** HLT #0xF000: semihosting for the VM (its console; its IPA space through its stage 1 and 2). */
  hlt(cpu: Cpu, imm: number): boolean {
    const vm = this.current;
    if (vm === null || imm !== SEMIHOST_HLT_IMM || !vm.config.semihosting || cpu.el === 0) return false;
    const s = vm.semihost.call(cpu, (c) => this.pageIn(vm, c));
    if (s !== null) {
      const how = s.reason === 0x20026 ? `exit(${s.code})` : `exit with reason 0x${s.reason.toString(16)}`;
      this.stopVm(vm, 'exit', s.code, `semihosting ${how}`);
    }
    return true;
  }

  /** First touch of the VM's lazily mapped RAM found by an emulated access (a trapped DC ZVA). */
  private pageInIpa(vm: Vm, ipa: number): boolean {
    if (vm.config.ram !== 'lazy' || vm.ramPaOf(ipa) < 0 || vm.isMapped(ipa)) return false;
    vm.mapRamPage(ipa);
    vm.stats.count('s2-ram-fault', this.cpu.timing.hypExit);
    return true;
  }

  /** A stage-2 translation fault while semihosting reads guest memory: first-touch RAM, retry. */
  private pageIn(vm: Vm, cpu: Cpu): boolean {
    if (!cpu.excS2 || cpu.excTargetEl !== 2 || !isTranslationFault(cpu.excISS & 0x3f)) return false;
    // Already mapped (pageInIpa says no): the fault is something else, and retrying would loop.
    return this.pageInIpa(vm, (cpu.excIpaHi >>> 0) * 2 ** 32 + (cpu.excIpaLo >>> 0));
  }

  smc(_cpu: Cpu, _imm: number): boolean {
    return false;
  }
}

function hexWord(v: Word64, size: number): string {
  if (size === 8) return '0x' + (v.hi >>> 0).toString(16) + (v.lo >>> 0).toString(16).padStart(8, '0');
  return '0x' + (v.lo >>> 0).toString(16);
}
