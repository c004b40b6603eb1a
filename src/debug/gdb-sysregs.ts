// System registers for GDB: every EL1 and EL2 register the CPU implements (sysregs.ts), numbered
// after the core and FP registers of target-xml.ts, read with the `p` packet (they are not in the
// `g` packet, so GDB fetches each one only when asked: `info registers SCTLR_EL1`, `p $TTBR0_EL1`,
// `info registers system`). Read-only from GDB: a write (`P`) is refused, because a system
// register write has side effects (translation regime, timers, interrupts) that only MSR applies.
import { sysDefs, type SysRegDef } from '../cpu/sysregs.js';
import type { Cpu } from '../cpu/cpu.js';

/** The registers described, in register-number order. */
export const GDB_SYSREGS: readonly SysRegDef[] = sysDefs.filter((d) => !d.wo && /_EL[12]$/.test(d.name));

/** The value MRS would read, without its traps or side effects (tmpHi kept). */
export function readSysreg(cpu: Cpu, d: SysRegDef): bigint {
  if (d.read) {
    const t = cpu.tmpHi;
    const lo = d.read(cpu);
    const v = (BigInt(cpu.tmpHi >>> 0) << 32n) | BigInt(lo >>> 0);
    cpu.tmpHi = t;
    return v;
  }
  return cpu.sys64(d.slot);
}
