// The debugger's view of the PEs (`info cpus`, `cpu N`): one line per PE with its MPIDR_EL1
// affinity, power/sleep state, Exception level, PC and instructions, the selected one marked.
import type { Session } from './session.js';
import { SYS } from '../cpu/sysregs.js';
import { fmt } from './session.js';

/** `info cpus`: every PE, `*` on the one the commands look at (as GDB's `info threads`). */
export function cpusView(s: Session, where: (pc: bigint) => string): string {
  const out: string[] = [];
  s.pes.forEach((p, i) => {
    const mpidr = p.sysLo(SYS.MPIDR_EL1) >>> 0;
    const state = s.peState(i);
    const at = state === 'off' ? '' : `  EL${p.el}  ${where(p.pc)}`;
    out.push(`${i === s.pe ? '*' : ' '} PE ${i}  MPIDR ${fmt(BigInt(mpidr))}  ${state.padEnd(7)}  ${p.instret} insns${at}`);
  });
  return out.join('\n');
}

/** Parse `cpu N`'s argument: a PE number of this machine. */
export function parsePe(s: Session, arg: string): number {
  const n = /^\d+$/.test(arg) ? Number(arg) : NaN;
  if (!(n >= 0 && n < s.pes.length)) throw new Error(`cpu: expected a PE number 0..${s.pes.length - 1}, got '${arg}'`);
  return n;
}
