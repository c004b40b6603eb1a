// Software step (ARM ARM D2 "Software Step exceptions"; pseudocode AArch64.CheckSoftwareStep,
// SSAdvance, DebugExceptionReturnSS, AArch64.SoftwareStepException).
import { describe, it, expect } from 'vitest';
import { runDebugGuest, movImm, esrOf, WDATA } from './debug-guest.js';
import { X } from '../helpers.js';

const SS = 1 << 0;
const KDE = 1 << 13;
const SPSR_SS = 1n << 21n;
const ISV = 1 << 24;
const EX = 1 << 6;
const STEP_NOT_STEPPED = esrOf(0x33, 0x22); // ISV = 0: entered active-pending without stepping
const STEP_STEPPED = esrOf(0x33, ISV | 0x22);

const enable = `${movImm('x1', KDE | SS)}\nmsr mdscr_el1, x1\nisb\n`;

describe('software step', () => {
  for (const engine of ['interp', 'jit'] as const) {
    it(`the kvm-unit-tests debug-sstep sequence: the first step exception is at ss_start, then one per stepped instruction, until PSTATE.D masks it (${engine})`, async () => {
      // MDSCR_EL1.SS with KDE while PSTATE.D = 1 (step inactive, PSTATE.SS = 0). `msr daifclr, #8`
      // makes it active-pending: the exception comes before ss_start, with ISV = 0. The handler
      // returns with SPSR.SS = 1 (active-not-pending): one instruction runs, then the next exception.
      const body = `msr daifset, #8\n${enable}msr daifclr, #8\nss_start: mrs x0, esr_el1\nadd x0, x0, #1\nmsr daifset, #8\nadr x9, ss_start\n`;
      const { m, recs } = await runDebugGuest(body, { orSpsr: SPSR_SS, engine });
      expect(m.cpu.haltReason).toBe('done');
      const s = X(m.cpu, 9);
      expect(recs.map((r) => r.elr)).toEqual([s, s + 4n, s + 8n]);
      expect(recs.map((r) => r.esr)).toEqual([STEP_NOT_STEPPED, STEP_STEPPED, STEP_STEPPED]);
      // Taken in active-pending state: SPSR.SS = PSTATE.SS = 0.
      for (const r of recs) expect(r.spsr & SPSR_SS).toBe(0n);
    });
  }
  it('a stepped load-exclusive sets ISS.EX; the next, ordinary instruction clears it', async () => {
    const body = `${movImm('x5', WDATA)}\nmsr daifset, #8\n${enable}msr daifclr, #8\nldxr x0, [x5]\nnop\nmsr daifset, #8\n`;
    const { recs } = await runDebugGuest(body, { orSpsr: SPSR_SS });
    expect(recs.map((r) => r.esr)).toEqual([STEP_NOT_STEPPED, esrOf(0x33, ISV | EX | 0x22), STEP_STEPPED]);
  });
  it('stepping SVC: SSAdvance before the exception (SPSR.SS = 0), so the step exception follows the handler\'s ERET at the next instruction (ISV = 0)', async () => {
    const body = `msr daifset, #8\n${enable}adr x9, a0\nmsr daifclr, #8\na0: nop\nsvc #7\nmsr daifset, #8\n`;
    const { m, recs } = await runDebugGuest(body, { orSpsr: SPSR_SS });
    expect(m.cpu.haltReason).toBe('done');
    const a0 = X(m.cpu, 9);
    expect(recs.map((r) => [r.ec, r.elr])).toEqual([
      [0x33, a0],
      [0x33, a0 + 4n],
      [0x15, a0 + 8n],
      [0x33, a0 + 8n],
    ]);
    expect(recs[2].spsr & SPSR_SS).toBe(0n);
    expect(recs[3].esr).toBe(STEP_NOT_STEPPED);
  });
  it('an instruction that takes another exception was not stepped: SPSR.SS = 1, and after the return it is stepped again', async () => {
    // udf #0: UNDEFINED (EC 0); the handler skips it (ELR += 4) and returns with SPSR.SS = 1, so
    // the next instruction runs before the step exception (ISV = 1).
    const body = `msr daifset, #8\n${enable}adr x9, a0\nmsr daifclr, #8\na0: .long 0 // udf #0\nnop\nmsr daifset, #8\n`;
    const { m, recs } = await runDebugGuest(body, { orSpsr: SPSR_SS });
    const a0 = X(m.cpu, 9);
    expect(recs.map((r) => [r.ec, r.elr])).toEqual([
      [0x33, a0],
      [0x00, a0],
      [0x33, a0 + 8n],
    ]);
    expect(recs[1].spsr & SPSR_SS).toBe(SPSR_SS);
    expect(recs[2].esr).toBe(STEP_STEPPED);
  });
  it('from EL0: each EL0 instruction is stepped with EC 0x32, whatever KDE and PSTATE.D at EL1', async () => {
    const body = [
      movImm('x1', SS), // no KDE: EL0 is below the debug target
      'msr mdscr_el1, x1',
      'adr x9, el0code',
      'msr elr_el1, x9',
      movImm('x2', 0x3c0 | (1 << 21)), // EL0t, DAIF masked, SPSR.SS = 1
      'msr spsr_el1, x2',
      'eret',
      'el0code: nop',
      'nop',
      'hlt #1',
    ].join('\n');
    const { m, recs } = await runDebugGuest(body, { orSpsr: SPSR_SS });
    expect(m.cpu.haltReason).toBe('done');
    const e = X(m.cpu, 9);
    // The ERET came from EL1 where step was inactive (KDE = 0): SPSR.SS = 1 restored, one step each.
    expect(recs.map((r) => [r.esr, r.elr])).toEqual([
      [esrOf(0x32, ISV | 0x22), e + 4n],
      [esrOf(0x32, ISV | 0x22), e + 8n],
    ]);
  });
  it('DebugExceptionReturnSS: an ERET to a context where step is disabled (SPSR.D = 1 at EL1) restores PSTATE.SS = 0 and nothing is stepped', async () => {
    const body = [
      'msr daifset, #8',
      enable,
      'adr x9, there',
      'msr elr_el1, x9',
      movImm('x2', 0x3c5 | (1 << 21)), // EL1h, D masked, SS = 1
      'msr spsr_el1, x2',
      'eret',
      'there: nop',
      'nop',
    ].join('\n');
    const { m, recs } = await runDebugGuest(body, { orSpsr: SPSR_SS });
    expect(m.cpu.haltReason).toBe('done');
    expect(recs).toEqual([]);
    expect(m.cpu.pstateOther & (1 << 21)).toBe(0);
  });
  it('the OS lock disables stepping', async () => {
    const body = `msr daifset, #8\n${enable}msr daifclr, #8\nnop\nnop\n`;
    expect((await runDebugGuest(body, { orSpsr: SPSR_SS, keepOsLock: true })).recs).toEqual([]);
  });
  it('priority: the Software Step exception comes before the instruction abort of the next fetch', async () => {
    // A stepped BR to an address with nothing behind it: the step exception is taken first (ELR =
    // the target, ISV = 1); after its return (SS = 1) the fetch takes the instruction abort.
    const body = `msr daifset, #8\n${enable}${movImm('x5', 0x1000_0000)}\nmsr daifclr, #8\nbr x5\n`;
    const { recs } = await runDebugGuest(body, { orSpsr: SPSR_SS });
    expect(recs.slice(0, 3).map((r) => [r.ec, r.elr])).toEqual([
      [0x33, recs[0].elr],
      [0x33, 0x1000_0000n],
      [0x21, 0x1000_0000n],
    ]);
    expect(recs[1].esr).toBe(STEP_STEPPED);
  });
});
