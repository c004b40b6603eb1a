// Instructions that must start their decoded block so that the PMU sees exact counts.
//
// The engines add a block's instructions and cycles when it completes (or stops), so in the
// middle of a block the running totals lag behind. A PMU register access is made the first
// instruction of its block: every instruction before it has then been added, and reads of
// PMCCNTR/PMEVCNTR<n> (and enabling or disabling a counter) are exact to the instruction. ERET
// starts its block too: it changes the EL, and the instructions before it must be counted at
// the EL they ran at (the ERET itself is counted ahead at its own EL: Pmu.retireAhead).
import type { Insn } from '../decode.js';
import { sysDefs } from '../sysregs.js';

let pmuSlots: Set<number> | null = null;
function slots(): Set<number> {
  if (pmuSlots === null) pmuSlots = new Set(sysDefs.filter((d) => /^PM/.test(d.name)).map((d) => d.slot));
  return pmuSlots;
}

/** Must `ins` be the first instruction of its block? */
export function startsBlock(ins: Insn): boolean {
  const n = ins.name;
  if (n === 'ERET') return true;
  return (n === 'MRS' || n === 'MSR (register)') && slots().has(ins.imm);
}
