// The PMU reads the detailed cycle model's events (src/cpu/pmu/events.ts, src/cpu/timing/model.ts):
// PMCEID0/1 advertise the cache, branch-prediction and stall events only while a detailed timing
// profile runs (ARM ARM D12.11: PMCEID<n> says which common events are implemented), and a counter
// selecting one counts what the model counted over the same instructions.
import { describe, it, expect } from 'vitest';
import { runPmu } from './pmu-helpers.js';
import { X } from '../helpers.js';

const MODEL_EVENTS0 = [0x01, 0x03, 0x04, 0x10, 0x12, 0x14, 0x15, 0x16, 0x17, 0x18];
const MODEL_EVENTS1 = [0x23, 0x24];

// BR_PRED (0x12) on counter 0 and L1I_CACHE (0x14) on counter 1 around a 50-iteration loop.
const LOOP = `
    mrs x5, pmceid0_el0
    mrs x6, pmceid1_el0
    mov x1, #0x12
    msr pmevtyper0_el0, x1
    mov x1, #0x14
    msr pmevtyper1_el0, x1
    mov x1, #3
    msr pmcntenset_el0, x1
    mov x1, #1
    msr pmcr_el0, x1
    mov x2, #50
loop:
    subs x2, x2, #1
    b.ne loop
    mrs x3, pmevcntr0_el0
    mrs x4, pmevcntr1_el0
    hlt #1`;

describe('PMU events of the detailed cycle model', () => {
  it('absent under the simple a57 profile: not in PMCEID0/1, a counter selecting one stays 0', async () => {
    const { cpu, end } = await runPmu(LOOP);
    expect(end).toBe('done');
    for (const e of MODEL_EVENTS0) expect((X(cpu, 5) >> BigInt(e)) & 1n).toBe(0n);
    for (const e of MODEL_EVENTS1) expect((X(cpu, 6) >> BigInt(e - 32)) & 1n).toBe(0n);
    expect(X(cpu, 3)).toBe(0n);
    expect(X(cpu, 4)).toBe(0n);
  });

  it('present under cortex-a57: advertised, and the counters follow the model', async () => {
    const { cpu, end } = await runPmu(LOOP, { machine: { timing: 'cortex-a57' } });
    expect(end).toBe('done');
    for (const e of MODEL_EVENTS0) expect((X(cpu, 5) >> BigInt(e)) & 1n).toBe(1n);
    for (const e of MODEL_EVENTS1) expect((X(cpu, 6) >> BigInt(e - 32)) & 1n).toBe(1n);
    // 50 conditional branches (B.NE) were predicted between enabling and reading.
    expect(X(cpu, 3)).toBeGreaterThanOrEqual(50n);
    // L1I_CACHE counts I-cache lookups, one per new line fetched (model.ts retireInfo): the loop
    // sits in the lines already fetched before counting began, so at most the model's total.
    const counts = cpu.timed!.counts();
    expect(Number(X(cpu, 4))).toBeLessThanOrEqual(counts.l1iAccesses);
    expect(Number(X(cpu, 3))).toBeLessThanOrEqual(counts.branchesPredicted);
  });
});
