// Watchpoints (ARM ARM D2 "Watchpoint exceptions"; pseudocode AArch64.WatchpointMatch,
// AArch64.WatchpointByteMatch, AArch64.StateMatch, AArch64.CheckWatchpoint).
import { describe, it, expect } from 'vitest';
import { runDebugGuest, movImm, esrOf, WDATA } from './debug-guest.js';
import { JIT_THRESHOLD } from '../../src/cpu/jit/engine.js'; // the loop must get hot enough to compile (threshold: instructions run by the block, 3 per iteration)
import { X } from '../helpers.js';
import { runVec } from './vec-helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';

const KDE = 1 << 13;
const MDE = 1 << 15;
const D = 1n << 9n;
const W = BigInt(WDATA);
/** DBGWCR: MASK[28:24], WT[20], LBN[19:16], SSC[15:14], HMC[13], BAS[12:5], LSC[4:3], PAC[2:1], E[0]. */
const wcr = (o: { bas?: number; lsc?: number; pac?: number; mask?: number } = {}): number =>
  ((o.mask ?? 0) << 24) | ((o.bas ?? 0xff) << 5) | ((o.lsc ?? 3) << 3) | ((o.pac ?? 1) << 1) | 1;
const WP_STORE = esrOf(0x35, 0x22 | (1 << 6)); // EC 0x35 (same EL), WnR = 1, DFSC = Debug exception
const WP_LOAD = esrOf(0x35, 0x22);

/** The kvm-unit-tests wp body, after a hot loop that the JIT compiles before the watchpoints fire. */
function kutWpBody(): string {
  let body = `msr daifset, #8\n${movImm('x9', W)}\n${movImm('x1', wcr())}\n`;
  for (let i = 0; i < 4; i++) body += `add x2, x9, #${i}\nmsr dbgwcr${i}_el1, x1\nmsr dbgwvr${i}_el1, x2\n`;
  body += `isb\n${movImm('x5', Math.ceil(JIT_THRESHOLD / 3) + 2000)}\nwarm: strb w5, [x9, #8]\nsubs x5, x5, #1\nb.ne warm\n`;
  body += `msr daifclr, #8\n${movImm('x3', KDE | MDE)}\nmsr mdscr_el1, x3\nisb\n`;
  // The same loop again, now with the watchpoints armed (its store is not watched).
  body += `${movImm('x5', 12000)}\nwarm2: strb w5, [x9, #8]\nsubs x5, x5, #1\nb.ne warm2\n`;
  for (let i = 0; i < 4; i++) body += `mov w4, #${i + 0x40}\nstrb w4, [x9, #${i}]\nmsr daifclr, #8\n`;
  return body;
}

describe('watchpoints: the kvm-unit-tests debug-wp sequence', () => {
  it('both engines: identical instructions, cycles and records; the JIT compiled the loop, then interprets while the watchpoints are armed', async () => {
    const a = await runDebugGuest(kutWpBody(), { orSpsr: D, engine: 'interp', maxInsns: JIT_THRESHOLD + 1_000_000 });
    const b = await runDebugGuest(kutWpBody(), { orSpsr: D, engine: 'jit', maxInsns: JIT_THRESHOLD + 1_000_000 });
    expect(b.m.cpu.jit.regionsCompiled).toBeGreaterThan(0);
    expect(b.recs).toEqual(a.recs);
    expect(a.recs.length).toBe(4);
    expect([b.m.cpu.instret, b.m.cpu.cycles]).toEqual([a.m.cpu.instret, a.m.cpu.cycles]);
  });
  for (const engine of ['interp', 'jit'] as const) {
    it(`each of the 4 watchpoints on write_data[i] fires on its byte store with FAR = that byte; the store completes after return (${engine})`, async () => {
      let body = `msr daifset, #8\n${movImm('x9', W)}\n${movImm('x1', wcr())}\n`;
      for (let i = 0; i < 4; i++) body += `add x2, x9, #${i}\nmsr dbgwcr${i}_el1, x1\nmsr dbgwvr${i}_el1, x2\n`;
      body += `isb\nmsr daifclr, #8\n${movImm('x3', KDE | MDE)}\nmsr mdscr_el1, x3\nisb\n`;
      // A hot loop first (JIT: compiled before the watchpoints can fire), then the stores.
      body += `${movImm('x5', 12000)}\nwarm: subs x5, x5, #1\nb.ne warm\n`;
      for (let i = 0; i < 4; i++) body += `mov w4, #${i + 0x40}\nstrb w4, [x9, #${i}]\nmsr daifclr, #8\n`;
      const { m, recs } = await runDebugGuest(body, { orSpsr: D, engine });
      expect(m.cpu.haltReason).toBe('done');
      expect(recs.map((r) => r.far)).toEqual([0n, 1n, 2n, 3n].map((i) => W + i));
      for (const r of recs) expect(r.esr).toBe(WP_STORE);
      const dv = m.bus.dv;
      for (let i = 0; i < 4; i++) expect(dv.getUint8(WDATA - m.bus.ramBase + i)).toBe(0x40 + i);
    });
  }
});

/** One watchpoint (0) programmed with `w` at DBGWVR = x9 (= WDATA + wvrOff), then `access`. */
async function oneWp(w: number, access: string, wvrOff = 0, mdscr = KDE | MDE, pre = '') {
  const body = [
    pre,
    movImm('x8', W),
    movImm('x9', W + BigInt(wvrOff)),
    'msr dbgwvr0_el1, x9',
    movImm('x1', w),
    'msr dbgwcr0_el1, x1',
    movImm('x1', mdscr),
    'msr mdscr_el1, x1',
    'isb',
    'msr daifclr, #8',
    'mov x4, #0x77',
    access,
    'nop',
  ].join('\n');
  return runDebugGuest(body, { orSpsr: D });
}

describe('watchpoints: what matches', () => {
  it('LSC = 0b01 (load) ignores stores and fires on loads with WnR = 0; 0b10 (store) the reverse', async () => {
    expect((await oneWp(wcr({ lsc: 1 }), 'str x4, [x8]')).recs).toEqual([]);
    const ld = await oneWp(wcr({ lsc: 1 }), 'ldr x5, [x8]');
    expect(ld.recs.map((r) => [r.esr, r.far])).toEqual([[WP_LOAD, W]]);
    expect((await oneWp(wcr({ lsc: 2 }), 'ldr x5, [x8]')).recs).toEqual([]);
    expect((await oneWp(wcr({ lsc: 2 }), 'str x4, [x8]')).recs.map((r) => r.esr)).toEqual([WP_STORE]);
    expect((await oneWp(wcr({ lsc: 0 }), 'str x4, [x8]')).recs).toEqual([]); // reserved: no match
  });
  it('BAS selects bytes of the doubleword: BAS = 0b00010000 watches byte 4 only; a wider access overlapping it fires with FAR = its own address', async () => {
    const bas = wcr({ bas: 0x10 });
    expect((await oneWp(bas, 'strb w4, [x8, #3]')).recs).toEqual([]);
    expect((await oneWp(bas, 'strb w4, [x8, #5]')).recs).toEqual([]);
    expect((await oneWp(bas, 'strb w4, [x8, #4]')).recs.map((r) => r.far)).toEqual([W + 4n]);
    expect((await oneWp(bas, 'str x4, [x8]')).recs.map((r) => r.far)).toEqual([W]);
    expect((await oneWp(bas, 'strh w4, [x8, #4]')).recs.map((r) => r.far)).toEqual([W + 4n]);
  });
  it('DBGWVR[2] = 1: BAS[3:0] select bytes of the word at DBGWVR', async () => {
    const w = wcr({ bas: 0x1 });
    expect((await oneWp(w, 'strb w4, [x8]', 4)).recs).toEqual([]);
    expect((await oneWp(w, 'strb w4, [x8, #4]', 4)).recs.map((r) => r.far)).toEqual([W + 4n]);
  });
  it('MASK = 12 watches the aligned 4 KiB block (BAS all ones); outside it nothing', async () => {
    const w = wcr({ mask: 12 });
    expect((await oneWp(w, 'str x4, [x8, #0x800]')).recs.map((r) => r.far)).toEqual([W + 0x800n]);
    expect((await oneWp(w, 'add x7, x8, #0x1000\nstr x4, [x7]')).recs).toEqual([]);
    expect((await oneWp(wcr({ mask: 2 }), 'str x4, [x8]')).recs).toEqual([]); // MASK 1, 2 reserved
  });
  it('a pair (STP) reports the access that matched; vector (Q) and exclusive/atomic accesses are watched too', async () => {
    const stp = await oneWp(wcr(), 'sub x7, x8, #8\nstp x4, x4, [x7]');
    expect(stp.recs.map((r) => r.far)).toEqual([W]);
    const q = await oneWp(wcr({ lsc: 1 }), 'mov x7, #0x300000\nmsr cpacr_el1, x7\nisb\nldr q0, [x8]');
    expect(q.recs.map((r) => [r.esr, r.far])).toEqual([[WP_LOAD, W]]);
    const ldxr = await oneWp(wcr({ lsc: 1 }), 'ldxr x5, [x8]');
    expect(ldxr.recs.map((r) => r.far)).toEqual([W]);
    const swp = await oneWp(wcr({ lsc: 2 }), '.long 0xf8248105 // swp x4, x5, [x8]');
    expect(swp.recs.length).toBe(1);
  });
  it('PAC = 0b10 (EL0) catches an unprivileged STTR at EL1 (ispriv FALSE); PAC = 0b01 (EL1) does not', async () => {
    expect((await oneWp(wcr({ pac: 2 }), 'sttr x4, [x8]')).recs.map((r) => r.far)).toEqual([W]);
    expect((await oneWp(wcr({ pac: 1 }), 'sttr x4, [x8]')).recs).toEqual([]);
    expect((await oneWp(wcr({ pac: 2 }), 'str x4, [x8]')).recs).toEqual([]);
  });
  it('a watchpoint linked (WT = 1, LBN = 4) to a linked CONTEXTIDR_EL1 breakpoint fires only with that CONTEXTIDR_EL1', async () => {
    const linked = (cid: number) =>
      oneWp(
        wcr() | (1 << 20) | (4 << 16),
        'str x4, [x8]',
        0,
        KDE | MDE,
        `${movImm('x6', cid)}\nmsr contextidr_el1, x6\n${movImm('x6', 0x77)}\nmsr dbgbvr4_el1, x6\n${movImm('x6', (3 << 20) | (0xf << 5) | (1 << 1) | 1)}\nmsr dbgbcr4_el1, x6`,
      );
    expect((await linked(0x77)).recs.map((r) => r.far)).toEqual([W]);
    expect((await linked(0x78)).recs).toEqual([]);
  });
  it('needs MDE, and KDE with PSTATE.D = 0 at EL1', async () => {
    expect((await oneWp(wcr(), 'str x4, [x8]', 0, KDE)).recs).toEqual([]);
    expect((await oneWp(wcr(), 'str x4, [x8]', 0, MDE)).recs).toEqual([]);
  });
  it('taken before the access: a watched store leaves memory unchanged, a watched load leaves Xt unchanged', async () => {
    // The stopping vector table (vec-helpers): the state is what the watchpoint left.
    const run = (access: string, lsc: number) =>
      runVec(
        [
          movImm('x8', W),
          'msr oslar_el1, xzr',
          'msr dbgwvr0_el1, x8',
          movImm('x1', wcr({ lsc })),
          'msr dbgwcr0_el1, x1',
          movImm('x1', KDE | MDE),
          'msr mdscr_el1, x1',
          'isb',
          'mov x5, #0x99',
          'msr daifclr, #8',
          access,
          'hlt #1',
        ].join('\n'),
        { setup: (m) => m.bus.dv.setBigUint64(WDATA - m.bus.ramBase, 0x1234n, true) },
      );
    const ld = await run('ldr x5, [x8]', 1);
    expect(ld.cpu.haltReason).toBe('vector 0x200');
    expect(X(ld.cpu, 5)).toBe(0x99n);
    const st = await run('str x5, [x8]', 2);
    expect(st.cpu.haltReason).toBe('vector 0x200');
    expect(st.bus.dv.getBigUint64(WDATA - st.bus.ramBase, true)).toBe(0x1234n);
    expect(st.cpu.sys64(SYS.FAR_EL1)).toBe(W);
  });
});
