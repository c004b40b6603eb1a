// The PMU under the hypervisor: each VM has its own view (counters and controls switched with the
// vCPU, src/hyp/vm.ts VcpuContext), so time-sliced VMs count only their own instructions, and the
// world switches between their turns count for neither.
import { describe, it, expect } from 'vitest';
import { runVms, OFF, SCRATCH_IPA } from '../hyp/hyp-helpers.js';

// Count INST_RETIRED from the enabling MSR to the reading MRS: the MSR, MOV and 2 x N loop
// instructions (the MRS starts its block, so the count is exact): 2N + 2.
const guest = (n: number): string => `
    mov x1, #8
    msr pmevtyper0_el0, x1
    mov x1, #1
    msr pmcntenset_el0, x1
    msr pmcr_el0, x1
    mov x9, #${n}
loop:
    subs x9, x9, #1
    b.ne loop
    mrs x0, pmevcntr0_el0
    movz x5, #${SCRATCH_IPA >>> 16}, lsl #16
    str x0, [x5]
    ${OFF}`;

describe('a per-VM PMU view', () => {
  it('two VMs time-sliced every 300 instructions each count exactly their own instructions', async () => {
    const r = await runVms([guest(1000), guest(3000)], { slice: 300 });
    expect(r.hv.vms.map((v) => v.stop?.message)).toEqual(['PSCI SYSTEM_OFF', 'PSCI SYSTEM_OFF']);
    expect(r.hv.switches).toBeGreaterThan(10);
    const read = (k: number): number => new DataView(r.scratch[k].bytes.buffer).getUint32(0, true);
    expect([read(0), read(1)]).toEqual([2 * 1000 + 2, 2 * 3000 + 2]);
  });
});
