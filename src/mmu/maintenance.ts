// TLB maintenance (TLBI) and address translation instructions (AT), ARM ARM D8.13/D8.14 and C5.4/C5.5.
// Called by the SYS handler in src/cpu/isa/system.ts with the decoded operation and Xt.
import type { Cpu } from '../cpu/cpu.js';

/**
 * TLBI <op>, {Xt}. `op` is the ARM ARM name without prefix, e.g. 'VMALLE1IS', 'VAE1', 'ASIDE1'.
 * Until the TLB model exists, any TLBI drops every cached translation (always allowed: removing
 * more than the architecture requires is safe, removing less is not).
 */
export function tlbi(cpu: Cpu, _op: string, _xtLo: number, _xtHi: number): void {
  cpu.contextChanged();
}

/** AT <op>, Xt: translate Xt and write PAR_EL1. `op` e.g. 'S1E1R', 'S1E0W'. */
export function at(cpu: Cpu, op: string, xtLo: number, xtHi: number): void {
  void cpu;
  void op;
  void xtLo;
  void xtHi;
  throw new Error('AT is implemented with the MMU');
}
