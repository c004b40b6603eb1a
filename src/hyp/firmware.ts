// The board's firmware: what the guest finds above EL1 on QEMU's virt machine without EL2/EL3
// (PSCI over HVC, semihosting via HLT #0xF000). It implements the CPU's Firmware interface and
// records why the run stopped. The hypervisor replaces el2Exception for anything but HVC later.
import type { Cpu, Firmware } from '../cpu/cpu.js';
import { EC_HVC64 } from '../cpu/exceptions.js';
import { SYS } from '../cpu/sysregs.js';
import { psciCall, type PsciPower } from './psci.js';
import { Semihosting, type SemihostHost } from './semihosting.js';

/** Why the firmware stopped the machine. Absent when the CPU halted on its own (an error). */
export interface FirmwareStop {
  kind: 'exit' | 'halt';
  code: number;
  message: string;
}

/** The A64 semihosting trap: HLT #0xF000. */
export const SEMIHOST_HLT_IMM = 0xf000;

export class BoardFirmware implements Firmware {
  stop: FirmwareStop | null = null;
  readonly semihost: Semihosting;
  /** The board's PEs when there are several (CPU_ON/CPU_OFF/AFFINITY_INFO), else null. */
  power: PsciPower | null = null;

  constructor(
    host: SemihostHost,
    /** HLT #0xF000 is semihosting only when enabled (QEMU: -semihosting); otherwise UNDEFINED. */
    public semihosting = true,
  ) {
    this.semihost = new Semihosting(host);
  }

  reset(): void {
    this.stop = null;
    this.semihost.reset();
  }

  private end(cpu: Cpu, kind: 'exit' | 'halt', code: number, message: string): void {
    this.stop = { kind, code, message };
    cpu.halt(message, code);
  }

  el2Exception(cpu: Cpu): void {
    const ec = cpu.excEC;
    if (ec === EC_HVC64) {
      // PSCI on any HVC immediate (QEMU does not check it either); ELR_EL2 already points past the HVC.
      const s = psciCall(cpu, this.power, true);
      if (s === null) return;
      if (s.kind === 'off') this.end(cpu, 'halt', 0, 'PSCI SYSTEM_OFF');
      else if (s.kind === 'reset') this.end(cpu, 'halt', 0, 'reset (PSCI SYSTEM_RESET)');
      else this.end(cpu, 'halt', 0, 'PSCI CPU_OFF of the only CPU');
      return;
    }
    const elr = cpu.sys64(SYS.ELR_EL2);
    cpu.halt(
      `unhandled exception to EL2: EC 0x${ec.toString(16)}, ISS 0x${cpu.excISS.toString(16)}, ` +
        `ELR_EL2 0x${elr.toString(16)} (no hypervisor is running)`,
    );
  }

  hlt(cpu: Cpu, imm: number): boolean {
    if (imm !== SEMIHOST_HLT_IMM || !this.semihosting) return false;
    // Semihosting from EL0 is UNDEFINED, as with QEMU's default -semihosting (no userspace=on;
    // checked with QEMU 7.2): an application cannot stop the machine or reach the console.
    if (cpu.el === 0) return false;
    const s = this.semihost.call(cpu);
    if (s !== null) {
      const how = s.reason === 0x20026 ? `exit(${s.code})` : `exit with reason 0x${s.reason.toString(16)}`;
      this.end(cpu, 'exit', s.code, `semihosting ${how}`);
    }
    return true;
  }

  /**
   * Set while the host's input stream (interactive stdin) is open: a WFI that nothing in the
   * machine can wake then waits for the host instead of stopping the machine.
   */
  hostInputOpen = false;
  /** Set by such a WFI: run() returned early and the caller should wait for host input. */
  idleForInput = false;
  /**
   * Set (a cycle count) by a WFI with a timer armed while the host input is open: run() returned
   * so that the caller lets that idle time pass in real time, or until input arrives, as a board
   * on a desk would (idle()); -1 otherwise.
   */
  idleDeadline = -1;

  /** A WFI with a timer deadline ahead (Cpu.waitForInterrupt): interactive runs pace it. */
  idle(cpu: Cpu, deadline: number): boolean {
    if (!this.hostInputOpen) return false;
    this.idleDeadline = deadline;
    cpu.requestYield();
    return true;
  }

  /** A WFI with no interrupt pending and no timer armed (Cpu.waitForInterrupt). */
  wfi(cpu: Cpu): void {
    if (this.hostInputOpen) {
      this.idleForInput = true;
      cpu.requestYield();
      return;
    }
    cpu.halt('WFI with no interrupt source');
  }

  /** No EL3: SMC is UNDEFINED at EL1, as on QEMU's virt with the HVC PSCI conduit. */
  smc(_cpu: Cpu, _imm: number): boolean {
    return false;
  }
}
