// The detailed pipeline model (src/cpu/timing/model.ts) fed instruction by instruction: the
// dependency scoreboard (load-to-use), the A53's dual-issue pairing rules, the out-of-order
// dispatch width and reorder buffer, the misprediction penalty and the taken-branch bubble, and
// the operand decode behind them (operands.ts). Each expected cycle count is derived beside it.
import { describe, it, expect } from 'vitest';
import { assemble } from '../helpers.js';
import { DetailedModel } from '../../src/cpu/timing/model.js';
import { DETAILED, Cls } from '../../src/cpu/timing/profiles.js';
import { classify, REG_NZCV, BR_COND, BR_RET, BR_CALL } from '../../src/cpu/timing/operands.js';
import { Insn } from '../../src/cpu/decode.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const BASE = 0x4000_0000;

interface Step {
  /** Where the instruction went next (default: the next one). */
  next?: number;
  /** Data access level of a load/store: the PA it touched. */
  pa?: number;
  write?: boolean;
}

/** Feed `src` (one instruction per line) to a fresh model of `profile`; returns the model's cycles. */
async function cycles(profile: string, src: string, steps: Record<number, Step> = {}, model?: DetailedModel): Promise<number> {
  const m = model ?? new DetailedModel(null as unknown as Cpu, profile, DETAILED[profile]);
  const code = await assemble(src, BASE);
  const words = new Uint32Array(code.buffer, code.byteOffset, code.length / 4);
  for (let k = 0; k < words.length; k++) {
    const ins = new Insn(() => {});
    ins.raw = words[k] | 0;
    const s = steps[k] ?? {};
    m.memLat = 0;
    if (s.pa !== undefined) m.data(s.pa, s.write === true, true, true);
    const pc = BASE + 4 * k;
    m.retire(ins, pc | 0, pc, (s.next ?? pc + 4) | 0);
  }
  return m.now();
}

/** A model whose L1D and L1I already hold the lines used below (so loads hit, fetch never misses). */
async function warm(profile: string): Promise<DetailedModel> {
  const m = new DetailedModel(null as unknown as Cpu, profile, DETAILED[profile]);
  m.caches.access(m.caches.l1d, 0x4010_0000, false);
  for (let pa = BASE; pa < BASE + 0x800; pa += 64) m.caches.access(m.caches.l1i, pa, false);
  return m;
}

describe('operand decode (the scoreboard inputs)', () => {
  it('finds sources, destinations and flags of the common encodings', async () => {
    const w = async (s: string) => {
      const c = await assemble(s, BASE);
      return classify(new DataView(c.buffer, c.byteOffset).getUint32(0, true));
    };
    expect(await w('add x1, x2, x3')).toMatchObject({ cls: Cls.ALU, src: [2, 3], dst: [1] });
    expect(await w('add x1, x2, x3, lsl #2')).toMatchObject({ cls: Cls.ALU_SHIFT });
    expect(await w('subs x1, x2, #4')).toMatchObject({ src: [2], dst: [1, REG_NZCV] });
    expect(await w('ldr x1, [x2, x3]')).toMatchObject({ cls: Cls.LOAD, src: [2, 3], dst: [1] });
    expect(await w('ldp x1, x4, [x2], #16')).toMatchObject({ cls: Cls.LOAD, src: [2], dst: [1, 4, 2] });
    expect(await w('str w5, [x6, #8]')).toMatchObject({ cls: Cls.STORE, src: [6, 5], dst: [] });
    expect(await w('madd x1, x2, x3, x4')).toMatchObject({ cls: Cls.MUL_X, src: [2, 3, 4], dst: [1] });
    expect(await w('udiv w1, w2, w3')).toMatchObject({ cls: Cls.DIV_W });
    expect(await w('csel x1, x2, x3, eq')).toMatchObject({ src: [2, 3, REG_NZCV] });
    expect(await w('b.ne #0x40')).toMatchObject({ cls: Cls.BRANCH, br: BR_COND, src: [REG_NZCV] });
    expect(await w('bl #0x40')).toMatchObject({ br: BR_CALL, dst: [30] });
    expect(await w('ret')).toMatchObject({ br: BR_RET, src: [30] });
    expect(await w('fmadd d0, d1, d2, d3')).toMatchObject({ cls: Cls.FP_FMA, src: [33, 34, 35], dst: [32] });
    expect(await w('fdiv d0, d1, d2')).toMatchObject({ cls: Cls.FP_DIV_D });
    expect(await w('ldr q3, [x1]')).toMatchObject({ cls: Cls.LOAD, src: [1], dst: [35] });
  });
});

describe('Cortex-A53 (in-order, dual issue)', () => {
  it('load-to-use: a dependent ALU op waits the 3-cycle L1 hit latency; an independent one pairs', async () => {
    // ldr issues in cycle 0, x1 ready at 3: the add issues in cycle 3, the model ends after it (4).
    const dep = await cycles('cortex-a53', 'ldr x1, [x0]\nadd x2, x1, #1', { 0: { pa: 0x4010_0000 } }, await warm('cortex-a53'));
    expect(dep).toBe(4);
    // Independent: load (LS pipe) and add (ALU) issue together in cycle 0.
    const ind = await cycles('cortex-a53', 'ldr x1, [x0]\nadd x2, x3, #1', { 0: { pa: 0x4010_0000 } }, await warm('cortex-a53'));
    expect(ind).toBe(1);
  });
  it('multiplies take 4 cycles (LLVM AArch64SchedA53.td WriteIM32/WriteIM64 = 4)', async () => {
    // mul issues at 0, the dependent mul at 4, the add at 8; the model ends after the add (9).
    const c = await cycles('cortex-a53', 'mul w1, w2, w3\nmul x4, x1, x3\nadd x5, x4, #1', {}, await warm('cortex-a53'));
    expect(c).toBe(4 + 4 + 1);
  });
  it('a load that misses L1 and L2 makes its user wait the DRAM latency', async () => {
    const m = await warm('cortex-a53');
    const c = await cycles('cortex-a53', 'ldr x1, [x0]\nadd x2, x1, #1', { 0: { pa: 0x4800_0000 } }, m);
    expect(c).toBe(DETAILED['cortex-a53'].dramLatency + 1);
  });
  it('pairing: two ALU ops pair, two loads or two multiplies do not, a third instruction waits (width 2)', async () => {
    const w = async (s: string, steps: Record<number, Step> = {}) => cycles('cortex-a53', s, steps, await warm('cortex-a53'));
    expect(await w('add x1, x2, x3\nadd x4, x5, x6')).toBe(1);
    expect(await w('add x1, x2, x3\nadd x4, x5, x6\nadd x7, x8, x9')).toBe(2);
    expect(await w('ldr x1, [x0]\nldr x2, [x0, #8]', { 0: { pa: 0x4010_0000 }, 1: { pa: 0x4010_0008 } })).toBe(2);
    expect(await w('mul x1, x2, x3\nmul x4, x5, x6')).toBe(2);
    // A dependent pair cannot issue together (no same-cycle forwarding): 1 + 1.
    expect(await w('add x1, x2, x3\nadd x4, x1, x6')).toBe(2);
    // A system instruction issues alone.
    expect(await w('add x1, x2, x3\nmrs x4, tpidr_el0\nadd x5, x6, x7')).toBe(3);
  });
  it('a mispredicted branch costs the refill penalty after it resolves; a predicted one pairs', async () => {
    const p = DETAILED['cortex-a53'];
    // cbz predicted not taken (fresh counters) and not taken: cbz + add pair in cycle 0.
    expect(await cycles('cortex-a53', 'cbz x0, #0x40\nadd x1, x2, x3', {}, await warm('cortex-a53'))).toBe(1);
    // Taken (next = +0x40): mispredicted; it resolves at 0 + 1, the next instruction issues at 1 + penalty.
    const m = await warm('cortex-a53');
    expect(await cycles('cortex-a53', 'cbz x0, #0x40\nadd x1, x2, x3', { 0: { next: BASE + 0x40 } }, m)).toBe(1 + p.mispredictPenalty + 1);
    expect(m.bp.mispredicted).toBe(1);
  });
});

describe('Cortex-A57 (out of order, 3-wide)', () => {
  it('dispatches and retires three independent instructions per cycle', async () => {
    const six = Array.from({ length: 6 }, (_, i) => `add x${i + 1}, x10, x11`).join('\n');
    // Dispatch cycles 0,0,0,1,1,1; results at 1,1,1,2,2,2; retire 3 per cycle: the last at 2.
    expect(await cycles('cortex-a57', six, {}, await warm('cortex-a57'))).toBe(2);
  });
  it('a dependency chain runs at its latency; independent work hides under it', async () => {
    // mul x chain: 5 + 5 = 10 cycles; the adds after it finish early but retire in order after it.
    const src = 'mul x1, x2, x3\nmul x4, x1, x3\nadd x5, x6, x7\nadd x8, x6, x7';
    expect(await cycles('cortex-a57', src, {}, await warm('cortex-a57'))).toBe(10);
  });
  it('FP divide latencies are those of LLVM AArch64SchedA57.td (FDIVSrr 17, FDIVDrr 32); FADD 5', async () => {
    // Dependent chains: the fadd waits for the divide, then adds its own 5.
    expect(await cycles('cortex-a57', 'fdiv s0, s1, s2\nfadd s3, s0, s1', {}, await warm('cortex-a57'))).toBe(17 + 5);
    expect(await cycles('cortex-a57', 'fdiv d0, d1, d2\nfadd d3, d0, d1', {}, await warm('cortex-a57'))).toBe(32 + 5);
  });
  it('Cortex-A72: FMUL 4 then a dependent FADD 3 (OSACA a72.yml)', async () => {
    expect(await cycles('cortex-a72', 'fmul d0, d1, d2\nfadd d3, d0, d1', {}, await warm('cortex-a72'))).toBe(4 + 3);
  });
  it('load-to-use is 4 cycles on an L1 hit', async () => {
    const c = await cycles('cortex-a57', 'ldr x1, [x0]\nadd x2, x1, #1', { 0: { pa: 0x4010_0000 } }, await warm('cortex-a57'));
    expect(c).toBe(4 + 1);
  });
  it('the reorder buffer bounds how far a second miss can run ahead of a first', async () => {
    const p = DETAILED['cortex-a57'];
    const adds = Array.from({ length: 200 }, () => 'add x1, x2, x3').join('\n');
    const m = await warm('cortex-a57');
    const c = await cycles('cortex-a57', `ldr x9, [x0]\n${adds}\nldr x10, [x0, #0x1000]`, { 0: { pa: 0x4800_0000 }, 201: { pa: 0x4800_1000 } }, m);
    // The first load retires at dram (with adds 1-2 in its retire cycle, then 3 per cycle: add k
    // at dram + ceil((k - 2) / 3)). The second load (instruction 201) needs the ROB entry of
    // instruction 201 - 128 = 73, free at dram + 24: it dispatches then and completes a DRAM
    // latency later. An unbounded window would dispatch it at cycle 67 and overlap the two misses.
    expect(c).toBe(2 * p.dramLatency + Math.ceil((73 - 2) / 3));
    expect(p.rob).toBe(128);
  });
  it('a mispredict delays dispatch by the penalty from resolution; a predicted taken branch costs its bubble', async () => {
    const p = DETAILED['cortex-a57'];
    const m = await warm('cortex-a57');
    // cbz dispatched at 0, resolves at 1 (mispredicted: taken), the add dispatches at 1 + 15 and completes 1 later.
    expect(await cycles('cortex-a57', 'cbz x0, #0x40\nadd x1, x2, x3', { 0: { next: BASE + 0x40 } }, m)).toBe(1 + p.mispredictPenalty + 1);
    // Unconditional b: always predicted; the next instruction dispatches at 0 + 1 + takenBubble.
    const b = await cycles('cortex-a57', 'b #0x40\nadd x1, x2, x3', { 0: { next: BASE + 0x40 } }, await warm('cortex-a57'));
    expect(b).toBe(1 + p.takenBubble + 1);
  });
  it('the same instruction stream gives the same cycles every time (determinism)', async () => {
    const src = 'ldr x1, [x0]\nmul x2, x1, x1\ncbz x2, #0x40\nadd x3, x2, #1\nstr x3, [x0, #8]';
    const steps = { 0: { pa: 0x4010_0000 }, 4: { pa: 0x4010_0008, write: true } };
    const a = await cycles('cortex-a72', src, steps);
    const b = await cycles('cortex-a72', src, steps);
    expect(a).toBe(b);
  });
});
