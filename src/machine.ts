// A machine: the QEMU-virt-compatible board (RAM, devices) with 1..8 PEs (src/cpu/smp.ts) and its
// firmware.
import { Bus, CountedDevice } from './devices/bus.js';
import { Cpu } from './cpu/cpu.js';
import { a64 } from './cpu/isa/index.js';
import { Pl011 } from './devices/pl011.js';
import { Gic } from './devices/gic/gic.js';
import { Pl031 } from './devices/pl031.js';
import { TIMER_HYP, TIMER_PHYS, TIMER_VIRT } from './cpu/timer.js';
import { BoardFirmware } from './hyp/firmware.js';
import { ST_HALT } from './cpu/state.js';
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
} as const;
/** Timer outputs (TIMER_PHYS, TIMER_VIRT, TIMER_HYP) to their PPIs. */
const TIMER_PPI: Record<number, number> = { [TIMER_PHYS]: INTID.CNTP, [TIMER_VIRT]: INTID.CNTV, [TIMER_HYP]: INTID.CNTHP };

export const DEFAULT_RAM_SIZE = 128 * 1024 * 1024;

export interface MachineOptions {
  ramSize?: number;
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
  /** Execution engine (src/cpu/README.md): 'interp' or 'jit'; default A64HV_ENGINE or interp. */
  engine?: EngineName;
  /**
   * The GIC's virtualization frames (GICH at 0x0803_0000, GICV at 0x0804_0000), as QEMU maps them
   * with virtualization=on: the hypervisor's board. The bare board has none.
   */
  gicVirtualization?: boolean;
  /** PEs (1..8, default 1): --smp N. */
  smp?: number;
  /** Instructions each PE runs before the next one's turn (default DEFAULT_QUANTUM). */
  smpQuantum?: number;
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
  /** Everything the guest printed (PL011 and semihosting), in order. */
  output = '';
  /** Highest RAM address written by a loader (exclusive): SYS_HEAPINFO puts the heap above it. */
  imageEnd: number;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly onOutput: ((text: string) => void) | undefined;

  constructor(opts: MachineOptions = {}) {
    const ramSize = opts.ramSize ?? DEFAULT_RAM_SIZE;
    this.bus = new Bus(VIRT.RAM, ramSize);
    const n = opts.smp ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > MAX_PES) throw new Error(`smp: the number of PEs must be 1..${MAX_PES}, not ${n}`);
    this.pes = [];
    for (let i = 0; i < n; i++) {
      const pe = new Cpu(this.bus, a64);
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
    // Each PE's timers drive its own PPIs (banked per CPU interface).
    for (const pe of this.pes) pe.timer.onOutput = (t, level) => this.gic.setLevel(TIMER_PPI[t], level, pe.index);
    this.uart.onIrq = (level) => this.gic.setLevel(INTID.UART0, level);
    if (opts.uartInput) this.uart.feed(opts.uartInput);
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

  private emit(bytes: Uint8Array): void {
    // One decoder for both paths keeps multi-byte UTF-8 sequences intact across single-byte writes.
    const text = this.decoder.decode(bytes, { stream: true });
    if (text === '') return;
    this.output += text;
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
    for (const pe of this.pes) pe.reset();
    this.smp?.reset(); // PE 0 on, the others off until PSCI CPU_ON
    this.gic.currentCpu = 0;
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
