// A machine: the QEMU-virt-compatible board (RAM, devices) with 1..8 PEs (src/cpu/smp.ts) and its
// firmware.
import { PMU_PPI } from './cpu/pmu/pmu.js'; // pmu
import { Bus, CountedDevice } from './devices/bus.js';
import { Cpu } from './cpu/cpu.js';
import { cpuProfile, idRegSlots } from './cpu/profile.js';
import { Pl011 } from './devices/pl011.js';
import { Gic } from './devices/gic/gic.js';
import { Pl031 } from './devices/pl031.js';
import { TIMER_HYP, TIMER_PHYS, TIMER_VIRT } from './cpu/timer.js';
import { BoardFirmware } from './hyp/firmware.js';
import { ST_HALT } from './cpu/state.js';
import { UserError } from './errors.js';
import { DmaPort, type DmaTranslator } from './devices/dma-port.js';
import { DmaEngine, DMA_ENGINE_SIZE } from './devices/dma-engine.js';
import { VirtioMmio, VIRTIO_MMIO_SIZE, type VirtioBackend } from './devices/virtio/mmio.js';
import { VirtioBlk } from './devices/virtio/blk.js';
import { VirtioRng } from './devices/virtio/rng.js';
import { VirtioConsole } from './devices/virtio/console.js';
import { VirtioBank } from './devices/virtio/bank.js';
import type { VirtDtBoard } from './loader/virt-dt.js';
import { Smmu, type SmmuIrqLine } from './smmu/smmu.js';
import { ConsoleHistory } from './console-history.js';
import { Smp, DEFAULT_QUANTUM, MAX_PES } from './cpu/smp.js';
import type { EngineName } from './cpu/jit/engine.js';

/** The QEMU `virt` memory map (hw/arm/virt.c's base memmap; addresses are facts, not code). */
export const VIRT = {
  FLASH: 0x0000_0000,
  GIC_DIST: 0x0800_0000,
  GIC_CPU: 0x0801_0000,
  GIC_HYP: 0x0803_0000,
  GIC_VCPU: 0x0804_0000,
  UART0: 0x0900_0000,
  RTC: 0x0901_0000,
  FW_CFG: 0x0902_0000,
  GPIO: 0x0903_0000,
  /** a64hv's DMA engine (src/devices/README-dma.md): a hole in QEMU's map (0x0903_0000 GPIO, 0x0904_0000 UART1, 0x0905_0000 SMMU, ... 0x090c_0000 are QEMU's). */
  DMA_ENGINE: 0x090f_0000,
  /** SMMUv3 (with iommu: 'smmuv3'), 128 KiB, as on QEMU's virt,iommu=smmuv3. */
  SMMU: 0x0905_0000,
  VIRTIO_MMIO: 0x0a00_0000,
  RAM: 0x4000_0000,
} as const;

/**
 * Interrupt IDs on the virt board (facts from QEMU's virt memory map and its device tree): the
 * timers' PPIs, the GIC's maintenance PPI, and the SPIs of the UART and RTC.
 */
export const INTID = {
  MAINTENANCE: 25,
  CNTHP: 26,
  CNTV: 27,
  CNTPS: 29,
  CNTP: 30,
  UART0: 33,
  RTC: 34,
  /** The DMA engine: SPI 12, which QEMU's virt leaves unused (it takes SPIs 1-9, virtio 16-47, GICv2m 48-111, SMMU 74-77, platform bus 112+). */
  DMA_ENGINE: 44,
  /** virtio-mmio slot n: SPI 16 + n (INTID 48 + n), as on QEMU's virt. */
  VIRTIO_MMIO_BASE: 48,
  /** The SMMUv3's wired interrupts: SPIs 74..77 in the order eventq, priq, cmdq-sync, gerror (QEMU's virt). */
  SMMU_EVENTQ: 106,
  SMMU_PRIQ: 107,
  SMMU_CMDQ_SYNC: 108,
  SMMU_GERROR: 109,
} as const;
const SMMU_SPI: Record<SmmuIrqLine, number> = {
  eventq: INTID.SMMU_EVENTQ,
  priq: INTID.SMMU_PRIQ,
  'cmdq-sync': INTID.SMMU_CMDQ_SYNC,
  gerror: INTID.SMMU_GERROR,
};
export const SMMU_SIZE = 0x2_0000;

/** virtio-mmio transports: 32 slots of 0x200 bytes (QEMU's virt). */
export const VIRTIO_SLOTS = 32;

/**
 * StreamIDs of the board's bus masters behind the SMMU (our scheme, within a small SIDSIZE):
 * virtio-mmio slot n is StreamID n (0..31); the DMA engine is StreamID 32.
 */
export const STREAM_ID = { VIRTIO_BASE: 0, DMA_ENGINE: 32 } as const;
/** Timer outputs (TIMER_PHYS, TIMER_VIRT, TIMER_HYP) to their PPIs. */
const TIMER_PPI: Record<number, number> = { [TIMER_PHYS]: INTID.CNTP, [TIMER_VIRT]: INTID.CNTV, [TIMER_HYP]: INTID.CNTHP };

export const DEFAULT_RAM_SIZE = 128 * 1024 * 1024;

export interface MachineOptions {
  ramSize?: number;
  /** Characters of console history kept in `output` (default CONSOLE_HISTORY). */
  consoleHistory?: number;
  /** Bytes available on the PL011's receive line from the start (also semihosting stdin). */
  uartInput?: string;
  /** Called with console output (PL011 TX and semihosting writes) as it happens. */
  onOutput?: (text: string) => void;
  /** HLT #0xF000 semihosting (default on, like `qemu -semihosting`); off makes it UNDEFINED. */
  semihosting?: boolean;
  /** String returned by SYS_GET_CMDLINE. */
  cmdline?: string;
  /** Called once per unknown device register offset (a log line); default: ignored. */
  onLog?: (msg: string) => void;
  /** Timing profile (src/cpu/timing.ts): 'a57' (default) or 'functional'. */
  timing?: string;
  /** CPU model (src/cpu/profile.ts): 'a57' (default, Armv8.0 + CRC32/LSE/FP16) or 'max' (every implemented feature). */
  cpu?: string;
  /** Execution engine (src/cpu/README.md): 'interp' or 'jit'; default A64HV_ENGINE or interp. */
  engine?: EngineName;
  /**
   * The GIC's virtualization frames (GICH at 0x0803_0000, GICV at 0x0804_0000), as QEMU maps them
   * with virtualization=on: the hypervisor's board. The bare board has none.
   */
  gicVirtualization?: boolean;
  /** virtio-blk drives backed by host files, in virtio-mmio slots 0, 1, ... (--drive). */
  drives?: { path: string; readonly?: boolean }[];
  /** A virtio-rng device (deterministic bytes from this seed, or the default seed with true). */
  virtioRng?: boolean | number;
  /** A virtio-console device (its output goes where the PL011's goes). */
  virtioConsole?: boolean;
  /** The memory-to-memory DMA engine at 0x090f_0000 (default on). */
  dmaEngine?: boolean;
  /** 'smmuv3': an SMMUv3 at 0x0905_0000 in front of every bus master (qemu -M virt,iommu=smmuv3). */
  iommu?: 'smmuv3';
  /** PEs (1..8, default 1): --smp N. */
  smp?: number;
  /** Instructions each PE runs before the next one's turn (default DEFAULT_QUANTUM). */
  smpQuantum?: number;
}

/** A populated virtio-mmio slot. */
export interface VirtioSlot {
  slot: number;
  base: number;
  intid: number;
  mmio: VirtioMmio;
  backend: VirtioBackend;
}

export interface RunResult {
  /**
   * exit: the guest exited (semihosting SYS_EXIT); halt: it powered off or reset (PSCI);
   * limit: the instruction budget ran out; error: the emulation cannot continue (message).
   */
  reason: 'exit' | 'halt' | 'limit' | 'error';
  exitCode: number;
  /** Instructions retired by this call. */
  instructions: number;
  message?: string;
}

export class Machine {
  readonly bus: Bus;
  /** PE 0 (the boot CPU; the only one without --smp). */
  readonly cpu: Cpu;
  /** Every PE, by number (MPIDR_EL1.Aff0). */
  readonly pes: Cpu[];
  /** The scheduler and what lies between PEs, with more than one PE; null otherwise. */
  readonly smp: Smp | null;
  readonly uart: Pl011;
  /** PL031 real-time clock at 0x0901_0000. */
  readonly rtc: Pl031;
  readonly gic: Gic;
  /** The GIC's virtual CPU interface as mapped (with gicVirtualization), counting accesses. */
  readonly gicv: CountedDevice | null = null;
  readonly firmware: BoardFirmware;
  /** The DMA engine (null with dmaEngine: false). */
  readonly dma: DmaEngine | null = null;
  /** Populated virtio-mmio slots, in slot order. */
  readonly virtio: VirtioSlot[] = [];
  /** The SMMUv3 in front of the bus masters (iommu: 'smmuv3'), else null. */
  readonly smmu: Smmu | null = null;
  /** Every bus master's DMA port (the DMA engine's, then the virtio devices'). */
  readonly dmaPorts: DmaPort[] = [];
  /** The guest's console (PL011 and semihosting): the most recent CONSOLE_HISTORY characters. */
  readonly console: ConsoleHistory;
  /** What the guest printed, in order (the bounded history: see src/console-history.ts). */
  get output(): string {
    return this.console.toString();
  }
  /** Highest RAM address written by a loader (exclusive): SYS_HEAPINFO puts the heap above it. */
  imageEnd: number;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly onOutput: ((text: string) => void) | undefined;

  constructor(opts: MachineOptions = {}) {
    const ramSize = opts.ramSize ?? DEFAULT_RAM_SIZE;
    this.bus = new Bus(VIRT.RAM, ramSize);
    const profile = cpuProfile(opts.cpu);
    const n = opts.smp ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > MAX_PES) throw new Error(`smp: the number of PEs must be 1..${MAX_PES}, not ${n}`);
    this.pes = [];
    for (let i = 0; i < n; i++) {
      const pe = new Cpu(this.bus, profile.groups, idRegSlots(profile));
      pe.index = i;
      pe.reset(); // again, with its index (MPIDR_EL1)
      if (opts.timing !== undefined) pe.setTiming(opts.timing);
      if (opts.engine !== undefined) pe.engine = opts.engine;
      this.pes.push(pe);
    }
    this.cpu = this.pes[0];
    this.smp =
      n > 1
        ? new Smp(this.pes, opts.smpQuantum ?? DEFAULT_QUANTUM, {
            onSwitch: (i) => (this.gic.currentCpu = i),
            allAsleep: () => {
              // As the single-PE WFI: wait for host input if the stream is open, else stop.
              if (!this.firmware.hostInputOpen) return false;
              this.firmware.idleForInput = true;
              return true;
            },
            idle: (deadline) => {
              // As BoardFirmware.idle: interactive runs let the idle time pass in real time.
              if (!this.firmware.hostInputOpen) return false;
              this.firmware.idleDeadline = deadline;
              return true;
            },
          })
        : null;
    this.onOutput = opts.onOutput;
    this.console = new ConsoleHistory(opts.consoleHistory);
    this.imageEnd = VIRT.RAM;
    this.uart = new Pl011((b) => this.emit(new Uint8Array([b])));
    if (opts.onLog) this.uart.onUnknown = opts.onLog;
    this.bus.map(VIRT.UART0, 0x1000, this.uart);
    // GICv2 (IHI 0048B) with the timer PPIs and the UART's SPI wired to it.
    this.gic = new Gic({ cpus: n, onLines: (c, lines) => this.pes[c].setInterruptLines(lines) });
    this.bus.map(VIRT.GIC_DIST, 0x10000, this.gic.distributor);
    this.bus.map(VIRT.GIC_CPU, 0x10000, this.gic.cpuInterface);
    if (opts.gicVirtualization) {
      this.bus.map(VIRT.GIC_HYP, 0x10000, this.gic.hypInterface);
      this.gicv = new CountedDevice(this.gic.virtualCpuInterface);
      this.bus.map(VIRT.GIC_VCPU, 0x10000, this.gicv);
    }
    // The RTC counts modelled seconds (1 GHz) from 0: deterministic, unlike a host clock.
    this.rtc = new Pl031(() => this.cpu.cycles / 1e9);
    this.bus.map(VIRT.RTC, 0x1000, this.rtc);
    // RTCINTR on SPI 2 (QEMU virt); its match fires from the CPU's deadline check at that second.
    this.rtc.onIrq = (level) => this.gic.setLevel(INTID.RTC, level);
    this.rtc.onSchedule = (s) => this.cpu.scheduleDeviceEvent('pl031', s * 1e9, () => this.rtc.update());
    // Each PE's timers drive its own PPIs (banked per CPU interface).
    for (const pe of this.pes) pe.timer.onOutput = (t, level) => this.gic.setLevel(TIMER_PPI[t], level, pe.index);
    for (const pe of this.pes) pe.pmu.onIrq = (level) => this.gic.setLevel(PMU_PPI, level, pe.index); // pmu: overflow interrupt
    this.uart.onIrq = (level) => this.gic.setLevel(INTID.UART0, level);
    if (opts.uartInput) this.uart.feed(opts.uartInput);
    this.addBusMasters(opts);
    const ramEnd = VIRT.RAM + ramSize;
    this.firmware = new BoardFirmware(
      {
        write: (bytes) => this.emit(bytes),
        read: (n) => this.uart.takeInput(n),
        heapInfo: () => {
          // Heap from the end of the loaded image (16-byte aligned) to 1 MiB below the top of
          // RAM; the stack takes that top 1 MiB, growing down from the end of RAM.
          const stackLimit = ramEnd - 0x10_0000;
          const heapBase = Math.min(Math.ceil(this.imageEnd / 16) * 16, stackLimit);
          return { heapBase, heapLimit: stackLimit, stackBase: ramEnd, stackLimit };
        },
        cmdline: opts.cmdline ?? '',
      },
      opts.semihosting ?? true,
    );
    for (const pe of this.pes) pe.firmware = this.firmware;
    this.firmware.power = this.smp;
  }

  /** A DMA port whose writes to RAM drop decoded code and clear exclusive reservations (Cpu.dmaWritten). */
  private newPort(name: string, streamId: number): DmaPort {
    const p = new DmaPort(this.bus, name, this.smmu, streamId, (pa, len) => this.cpu.dmaWritten(pa, len));
    this.dmaPorts.push(p);
    return p;
  }

  private addBusMasters(opts: MachineOptions): void {
    const log = opts.onLog ?? ((): void => {});
    if (opts.dmaEngine ?? true) {
      const dma = new DmaEngine(
        this.newPort('dma-engine', STREAM_ID.DMA_ENGINE),
        (cycles) => (this.cpu.cycles += cycles),
        (level) => this.gic.setLevel(INTID.DMA_ENGINE, level),
      );
      dma.onUnknown = log;
      this.bus.map(VIRT.DMA_ENGINE, DMA_ENGINE_SIZE, dma);
      (this as { dma: DmaEngine | null }).dma = dma;
    }
    const backends: [string, VirtioBackend][] = [];
    for (const d of opts.drives ?? []) {
      const blk = new VirtioBlk(d.path, d.readonly ?? false);
      blk.onHostError = log;
      backends.push([`virtio-blk ${d.path}`, blk]);
    }
    if (opts.virtioRng !== undefined && opts.virtioRng !== false) {
      backends.push(['virtio-rng', new VirtioRng(typeof opts.virtioRng === 'number' ? opts.virtioRng : undefined)]);
    }
    if (opts.virtioConsole) backends.push(['virtio-console', new VirtioConsole((b) => this.emit(b))]);
    if (opts.iommu === 'smmuv3') this.addSmmu(log);
    else if (opts.iommu !== undefined) throw new UserError(`iommu '${String(opts.iommu)}': unknown (known: smmuv3)`);
    if (backends.length === 0) return;
    if (backends.length > VIRTIO_SLOTS) throw new UserError(`${backends.length} virtio devices: the board has ${VIRTIO_SLOTS} virtio-mmio slots`);
    const bank = new VirtioBank(VIRTIO_SLOTS);
    this.bus.map(VIRT.VIRTIO_MMIO, bank.size, bank);
    backends.forEach(([name, backend], slot) => {
      const base = VIRT.VIRTIO_MMIO + slot * VIRTIO_MMIO_SIZE;
      const intid = INTID.VIRTIO_MMIO_BASE + slot;
      const mmio = new VirtioMmio(backend, this.newPort(name, STREAM_ID.VIRTIO_BASE + slot), (level) => this.gic.setLevel(intid, level));
      mmio.onLog = log;
      bank.slots[slot] = mmio;
      this.virtio.push({ slot, base, intid, mmio, backend });
    });
  }

  /** The SMMU: its frame on the bus, its wired interrupts on the GIC, then in front of every master. */
  private addSmmu(log: (msg: string) => void): void {
    const smmu = new Smmu(this.bus, {
      // Pulses (rising then falling) on edge-configured SPIs.
      onIrq: (line, level) => this.gic.setLevel(SMMU_SPI[line], level),
      // Translation, IOTLB and walk costs: the transaction is synchronous with the CPU's access.
      charge: (cycles) => (this.cpu.cycles += cycles),
      onMemWrite: (pa, len) => this.cpu.dmaWritten(pa, len),
      onUnimplemented: log,
    });
    this.bus.map(VIRT.SMMU, SMMU_SIZE, smmu);
    (this as { smmu: Smmu | null }).smmu = smmu;
    this.setIommu(smmu);
  }

  /** Put an IOMMU in front of every bus master (each with its StreamID), or remove it (null). */
  setIommu(t: DmaTranslator | null): void {
    for (const p of this.dmaPorts) p.setTranslator(t);
  }

  /** What the device tree must describe of this machine (virt-dt.ts's board description). */
  dtBoard(): VirtDtBoard {
    return {
      ramBase: this.bus.ramBase,
      ramSize: this.bus.ramSize,
      gicVirtualization: this.gicv !== null,
      cpus: this.pes.length,
      dmaEngine: this.dma ? { base: VIRT.DMA_ENGINE, size: DMA_ENGINE_SIZE, intid: INTID.DMA_ENGINE, streamId: STREAM_ID.DMA_ENGINE } : undefined,
      virtio: this.virtio.map((v) => ({ base: v.base, size: VIRTIO_MMIO_SIZE, intid: v.intid, streamId: STREAM_ID.VIRTIO_BASE + v.slot })),
      smmu: this.smmu
        ? {
            base: VIRT.SMMU,
            size: SMMU_SIZE,
            intids: { eventq: INTID.SMMU_EVENTQ, priq: INTID.SMMU_PRIQ, cmdqSync: INTID.SMMU_CMDQ_SYNC, gerror: INTID.SMMU_GERROR },
          }
        : undefined,
    };
  }

  /** Close the host files behind virtio-blk drives (the machine is done). */
  close(): void {
    for (const v of this.virtio) if (v.backend instanceof VirtioBlk) v.backend.close();
  }

  private emit(bytes: Uint8Array): void {
    // One decoder for both paths keeps multi-byte UTF-8 sequences intact across single-byte writes.
    const text = this.decoder.decode(bytes, { stream: true });
    if (text === '') return;
    this.console.append(text);
    this.onOutput?.(text);
  }

  /** Record that a loader placed bytes up to `end` (exclusive physical address). */
  noteLoaded(end: number): void {
    if (end > this.imageEnd) this.imageEnd = end;
    // Loaders write RAM behind the CPU's back: drop any decoded code.
    this.cpu.invalidateAllCode();
  }

  /**
   * The state QEMU's -kernel leaves a bare-metal ELF in on `-M virt` without EL2/EL3 (checked
   * with qemu-system-aarch64 7.2 -d cpu): EL1h, PC = entry, DAIF all masked, X0..X30 and SP zero
   * (X0 carries the DTB address only for Linux Image files), NZCV = 0b0100 (QEMU's reset value
   * has Z set; the architecture leaves NZCV UNKNOWN), MMU and caches off.
   */
  boot(entry: bigint): void {
    const cpu = this.cpu;
    this.gic.reset();
    // The bus masters and the SMMU in front of them come out of reset too (statistics are kept).
    this.smmu?.reset();
    this.dma?.reset();
    for (const v of this.virtio) v.mmio.reset();
    for (const pe of this.pes) pe.reset();
    this.smp?.reset(); // PE 0 on, the others off until PSCI CPU_ON
    this.gic.currentCpu = 0;
    this.rtc.reset(); // after the CPUs: modelled time restarts at 0
    this.firmware.reset();
    cpu.setElSpsel(1, 1);
    cpu.daif = 0xf;
    cpu.nzcv = 0b0100;
    cpu.pc = entry;
  }

  /** Run until the guest stops or `maxInsns` instructions retire (default: no limit). */
  run(maxInsns = Infinity): RunResult {
    if (this.halted() !== null) {
      // Already stopped: report it again without running.
      return this.result(0);
    }
    const n = this.smp !== null ? this.smp.run(maxInsns) : this.cpu.run(maxInsns);
    if (this.halted() !== null) return this.result(n);
    return { reason: 'limit', exitCode: 0, instructions: n };
  }

  /** The PE that stopped the machine, or null. */
  private halted(): Cpu | null {
    return this.smp !== null ? this.smp.halted() : this.cpu.status === ST_HALT ? this.cpu : null;
  }

  private result(n: number): RunResult {
    const stop = this.firmware.stop;
    const cpu = this.halted() ?? this.cpu;
    if (stop !== null) return { reason: stop.kind, exitCode: stop.code, instructions: n, message: stop.message };
    return { reason: 'error', exitCode: cpu.exitCode || 1, instructions: n, message: cpu.haltReason };
  }

  /** Continue after a halt (the debugger's `continue` after SYSTEM_RESET, tests). */
  clearHalt(): void {
    for (const pe of this.pes) if (pe.status === ST_HALT) pe.status = 0;
    this.firmware.stop = null;
  }
}
