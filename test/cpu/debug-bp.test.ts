// Hardware breakpoints (ARM ARM D2 "Breakpoint exceptions"; pseudocode AArch64.BreakpointMatch,
// AArch64.BreakpointValueMatch, AArch64.StateMatch, AArch64.GenerateDebugExceptionsFrom).
import { describe, it, expect } from 'vitest';
import { runDebugGuest, movImm, esrOf, type GuestOpts } from './debug-guest.js';
import { X } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';

const KDE = 1 << 13;
const MDE = 1 << 15;
const D = 1n << 9n;
/** DBGBCR: BT[23:20], LBN[19:16], SSC[15:14], HMC[13], PMC[2:1], E[0]; BAS (RES1) written as ones. */
const bcr = (o: { bt?: number; lbn?: number; ssc?: number; pmc?: number; e?: number } = {}): number =>
  ((o.bt ?? 0) << 20) | ((o.lbn ?? 0) << 16) | ((o.ssc ?? 0) << 14) | (0xf << 5) | ((o.pmc ?? 1) << 1) | (o.e ?? 1);
const BP_SAME = esrOf(0x31, 0x22); // EC 0x31, IL=1, IFSC=0b100010 (Debug exception)
const BP_LOWER = esrOf(0x30, 0x22);

describe('breakpoints: the kvm-unit-tests debug-bp sequence', () => {
  // Every implemented breakpoint on consecutive `msr daifclr, #8`; each handler returns with
  // SPSR.D set, the instruction then clears D and the next breakpoint fires (arm/debug.c "bp").
  const body = (n: number): string => {
    let s = 'msr daifset, #8\nmsr osdlr_el1, xzr\nmsr oslar_el1, xzr\nisb\nadr x9, bp0\nmov x2, x9\n';
    s += movImm('x1', bcr());
    for (let i = 0; i < n; i++) s += `\nmsr dbgbcr${i}_el1, x1\nmsr dbgbvr${i}_el1, x2\nadd x2, x2, #4`;
    s += `\nisb\nmsr daifclr, #8\nmrs x3, mdscr_el1\n${movImm('x4', KDE | MDE)}\norr x3, x3, x4\nmsr mdscr_el1, x3\nisb\n`;
    s += 'bp0:\n' + 'msr daifclr, #8\n'.repeat(16);
    return s;
  };
  for (const engine of ['interp', 'jit'] as const) {
    it(`all 6 advertised breakpoints fire in order, EC 0x31, ELR = the address, FAR untouched (${engine})`, async () => {
      const { m, recs } = await runDebugGuest(body(6), {
        orSpsr: D,
        engine,
        setup: (mm) => mm.cpu.setSys(SYS.FAR_EL1, 0x5a5a, 0),
      });
      expect(m.cpu.haltReason).toBe('done');
      const bp0 = X(m.cpu, 9);
      expect(recs.map((r) => r.elr)).toEqual([0, 1, 2, 3, 4, 5].map((i) => bp0 + BigInt(4 * i)));
      for (const r of recs) {
        expect(r.esr).toBe(BP_SAME);
        // AArch64.BreakpointException: FAR is UNKNOWN (this model leaves it unwritten).
        expect(r.far).toBe(0x5a5an);
        expect(r.spsr & D).toBe(0n); // taken with PSTATE.D = 0: the debug exception was enabled
      }
    });
  }
  it('ID_AA64DFR0_EL1.BRPs says 6: a guest reading it programs exactly the registers that exist', async () => {
    const { m } = await runDebugGuest('mrs x0, id_aa64dfr0_el1\nubfx x1, x0, #12, #4\nubfx x2, x0, #28, #4');
    expect(X(m.cpu, 1)).toBe(5n);
    expect(X(m.cpu, 2)).toBe(1n);
  });
});

/** One breakpoint (n) at `target`, with the given MDSCR/BCR and prologue; returns the records. */
async function oneBp(o: { mdscr?: number; bcr?: number; n?: number; pre?: string; daifclr?: boolean; keepOsLock?: boolean; setup?: GuestOpts['setup']; bvr?: string }) {
  const n = o.n ?? 0;
  const body = [
    o.pre ?? '',
    'adr x8, target',
    'adr x9, target',
    o.bvr ?? '',
    `msr dbgbvr${n}_el1, x9`,
    movImm('x1', o.bcr ?? bcr()),
    `msr dbgbcr${n}_el1, x1`,
    movImm('x1', o.mdscr ?? KDE | MDE),
    'msr mdscr_el1, x1',
    'isb',
    o.daifclr === false ? '' : 'msr daifclr, #8',
    'nop',
    'target: nop',
    'nop',
  ].join('\n');
  return runDebugGuest(body, { orSpsr: D, keepOsLock: o.keepOsLock, setup: o.setup });
}

describe('breakpoints: when they may fire (DebugExceptionsEnabled, StateMatch)', () => {
  it('control: an enabled address breakpoint at EL1 with KDE, MDE, D=0 fires once at its address', async () => {
    const { m, recs } = await oneBp({});
    expect(recs.length).toBe(1);
    expect(recs[0].elr).toBe(X(m.cpu, 9));
  });
  it('MDSCR_EL1.MDE = 0: no breakpoint exceptions (AArch64.CheckBreakpoint needs MDE)', async () => {
    expect((await oneBp({ mdscr: KDE })).recs).toEqual([]);
  });
  it('MDSCR_EL1.KDE = 0: none at EL1, the debug target itself (GenerateDebugExceptionsFrom)', async () => {
    expect((await oneBp({ mdscr: MDE })).recs).toEqual([]);
  });
  it('PSTATE.D = 1 masks them at the target EL', async () => {
    expect((await oneBp({ pre: 'msr daifset, #8', daifclr: false })).recs).toEqual([]);
  });
  it('the OS lock is set at cold reset (OSLSR_EL1 = 0b1010) and disables them until OSLAR_EL1 clears it', async () => {
    const r = await oneBp({ keepOsLock: true, pre: 'mrs x5, oslsr_el1' });
    expect(X(r.m.cpu, 5)).toBe(0xan);
    expect(r.recs).toEqual([]);
    const u = await oneBp({ pre: 'mrs x5, oslsr_el1' });
    expect(X(u.m.cpu, 5)).toBe(0x8n);
    expect(u.recs.length).toBe(1);
  });
  it('the OS double lock (OSDLR_EL1.DLK with DBGPRCR_EL1.CORENPDRQ = 0) disables them; CORENPDRQ = 1 lifts it (DoubleLockStatus)', async () => {
    expect((await oneBp({ pre: 'mov x5, #1\nmsr osdlr_el1, x5' })).recs).toEqual([]);
    expect((await oneBp({ pre: 'mov x5, #1\nmsr osdlr_el1, x5\nmsr dbgprcr_el1, x5' })).recs.length).toBe(1);
  });
  it('PMC = 0b10 (EL0 only) does not match at EL1; SSC = 0b10 (Secure only) never matches here (Non-secure)', async () => {
    expect((await oneBp({ bcr: bcr({ pmc: 2 }) })).recs).toEqual([]);
    expect((await oneBp({ bcr: bcr({ ssc: 2 }) })).recs).toEqual([]);
    expect((await oneBp({ bcr: bcr({ ssc: 1 }) })).recs.length).toBe(1); // SSC 0b01: Non-secure
  });
  it('from EL0 to EL1 a breakpoint fires whatever KDE and PSTATE.D (target above), EC 0x30; PMC selects EL0', async () => {
    const el0 = (pmc: number) =>
      runDebugGuest(
        [
          'adr x9, target',
          'msr dbgbvr0_el1, x9',
          movImm('x1', bcr({ pmc })),
          'msr dbgbcr0_el1, x1',
          movImm('x1', MDE),
          'msr mdscr_el1, x1',
          'adr x2, el0code',
          'msr elr_el1, x2',
          'mov x2, #0x3c0', // EL0t with D, A, I, F masked
          'msr spsr_el1, x2',
          'eret',
          'el0code: nop',
          'target: nop',
          'hlt #1',
        ].join('\n'),
        { clearMdscr: true },
      );
    const hit = await el0(2);
    expect(hit.m.cpu.haltReason).toBe('done');
    expect(hit.recs.length).toBe(1);
    expect(hit.recs[0].esr).toBe(BP_LOWER);
    expect(hit.recs[0].elr).toBe(X(hit.m.cpu, 9));
    expect((await el0(1)).recs).toEqual([]);
  });
});

describe('breakpoints: context matching (BT types, context-aware breakpoints 4 and 5, linking)', () => {
  const cid = (v: number) => `${movImm('x6', v)}\nmsr contextidr_el1, x6\n`;
  it('unlinked CONTEXTIDR_EL1 match (BT 0b0010) on breakpoint 4 fires at the first instruction it can', async () => {
    const r = await oneBp({ n: 4, bcr: bcr({ bt: 2 }), pre: cid(0x1234), bvr: movImm('x9', 0x1234) });
    expect(r.recs.length).toBe(1);
    expect(r.recs[0].esr).toBe(BP_SAME);
    // The first instruction after `msr daifclr, #8` (which made the exception possible).
    expect(r.recs[0].elr).toBe(X(r.m.cpu, 8) - 4n);
    const other = await oneBp({ n: 4, bcr: bcr({ bt: 2 }), pre: cid(0x1235), bvr: movImm('x9', 0x1234) });
    expect(other.recs).toEqual([]);
  });
  it('context types on a breakpoint that is not context-aware (0..3) are reserved: no match', async () => {
    expect((await oneBp({ n: 0, bcr: bcr({ bt: 2 }), pre: cid(0x1234), bvr: movImm('x9', 0x1234) })).recs).toEqual([]);
  });
  const linked = (ctx: number, withAddr = true) =>
    runDebugGuest(
      [
        cid(0x55),
        'adr x9, target',
        withAddr ? 'msr dbgbvr0_el1, x9' : '',
        withAddr ? `${movImm('x1', bcr({ bt: 1, lbn: 4 }))}\nmsr dbgbcr0_el1, x1` : '',
        movImm('x2', ctx),
        'msr dbgbvr4_el1, x2',
        movImm('x1', bcr({ bt: 3 })),
        'msr dbgbcr4_el1, x1',
        movImm('x1', KDE | MDE),
        'msr mdscr_el1, x1',
        'isb',
        'msr daifclr, #8',
        'nop',
        'target: nop',
        'nop',
      ].join('\n'),
      { orSpsr: D },
    );
  it('a linked address breakpoint (BT 0b0001, LBN = 4) fires only where its linked context breakpoint (BT 0b0011) matches', async () => {
    const hit = await linked(0x55);
    expect(hit.recs.map((r) => r.elr)).toEqual([X(hit.m.cpu, 9)]);
    expect((await linked(0x56)).recs).toEqual([]);
  });
  it('a linked context breakpoint alone never fires', async () => {
    expect((await linked(0x55, false)).recs).toEqual([]);
  });
  it('VMID match (BT 0b1000, DBGBVR[47:32] = VTTBR_EL2.VMID) on breakpoint 5', async () => {
    const vm = (vmid: number) =>
      oneBp({ n: 5, bcr: bcr({ bt: 8 }), bvr: movImm('x9', 7n << 32n), setup: (m) => m.cpu.setSys(SYS.VTTBR_EL2, 0, vmid << 16) });
    expect((await vm(7)).recs.length).toBe(1);
    expect((await vm(8)).recs).toEqual([]);
  });
});
