// Debug exceptions a VM takes to EL2 (ARM ARM D2.4: with MDCR_EL2.TDE = 1, or HCR_EL2.TGE = 1,
// the debug target is EL2, so a guest's Breakpoint, Software Step, Watchpoint and BRK exceptions
// are taken here instead of by the guest's EL1). The hypervisor never sets TDE itself: each VM
// owns its self-hosted debug (MDCR_EL2 = 0, src/cpu/debug/README.md). TDE is for a debugger of
// the *host* side — the library user who programs the VM's debug registers (with TDE the guest's
// own accesses to them trap, as TDA does) to watch a guest that does not use them itself, as
// KVM's guest debugging does for a VMM's gdbstub.
// Decision: such an exception is a guest-debug *event* reported to that user
// (HypervisorOptions.onGuestDebug), who answers 'resume' (the vCPU returns to ELR_EL2 unchanged:
// the preferred return address, the instruction itself for a breakpoint, watchpoint or BRK — so
// the user must first disarm or step over what fired — and the next instruction after a software
// step) or 'stop' (the VM stops with the event as its message). With no handler the VM stops
// with a clear message: forwarding the exception to the guest's EL1 would hand it an exception
// its own debug state never asked for (from EL1 it needs KDE and PSTATE.D = 0, which TDE bypasses).
import type { Cpu } from '../cpu/cpu.js';
import { SYS } from '../cpu/sysregs.js';
import { EC_BREAKPOINT_LOWER, EC_SOFTWARE_STEP_LOWER, EC_WATCHPOINT_LOWER } from '../cpu/debug/unit.js';
import { EC_BRK64 } from '../cpu/exceptions.js';
import type { Vm } from './vm.js';

export type GuestDebugKind = 'breakpoint' | 'step' | 'watchpoint' | 'brk';

export interface GuestDebugEvent {
  vm: Vm;
  kind: GuestDebugKind;
  /** ESR_EL2 as taken. */
  esr: number;
  /** ELR_EL2: the preferred return address. */
  pc: bigint;
  /** The data address (FAR_EL2) of a watchpoint; the PC otherwise. */
  address: bigint;
  /** Watchpoint: the access was a write (ISS.WnR); cache maintenance (ISS.CM). */
  write: boolean;
  cacheMaint: boolean;
  /** BRK: its immediate (ISS[15:0]). */
  imm: number;
}

export type GuestDebugAction = 'resume' | 'stop';

/** The debug exception classes (from a lower EL: a guest is always below EL2) this module handles. */
export function isGuestDebugEc(ec: number): boolean {
  return ec === EC_BREAKPOINT_LOWER || ec === EC_SOFTWARE_STEP_LOWER || ec === EC_WATCHPOINT_LOWER || ec === EC_BRK64;
}

/** Decode the syndrome of a debug exception taken to EL2 (ESR_EL2, ELR_EL2, FAR_EL2). */
export function guestDebugEvent(vm: Vm, cpu: Cpu, esr: number): GuestDebugEvent {
  const ec = esr >>> 26;
  const kind: GuestDebugKind =
    ec === EC_BREAKPOINT_LOWER ? 'breakpoint' : ec === EC_SOFTWARE_STEP_LOWER ? 'step' : ec === EC_WATCHPOINT_LOWER ? 'watchpoint' : 'brk';
  const pc = cpu.sys64(SYS.ELR_EL2);
  const wp = kind === 'watchpoint';
  return {
    vm,
    kind,
    esr,
    pc,
    address: wp ? cpu.sys64(SYS.FAR_EL2) : pc,
    write: wp && (esr & (1 << 6)) !== 0,
    cacheMaint: wp && (esr & (1 << 8)) !== 0,
    imm: kind === 'brk' ? esr & 0xffff : 0,
  };
}

/** One line for the exit log and a stop message. */
export function describeGuestDebug(e: GuestDebugEvent): string {
  const pc = `0x${e.pc.toString(16)}`;
  switch (e.kind) {
    case 'watchpoint':
      return `watchpoint: ${e.cacheMaint ? 'DC IVAC' : e.write ? 'write' : 'read'} of 0x${e.address.toString(16)} at pc ${pc}`;
    case 'brk':
      return `BRK #0x${e.imm.toString(16)} at pc ${pc}`;
    case 'step':
      return `software step, next pc ${pc}`;
    default:
      return `breakpoint at pc ${pc}`;
  }
}
