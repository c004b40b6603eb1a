// The debug registers' own behaviour and the traps around them: OS lock, claim tags, DCC,
// DBGAUTHSTATUS, MDRAR, MDSCR_EL1.TDCC, MDCR_EL2.TDA/TDOSA/TDRA/TDE (ARM ARM D2, D19.3; the
// trap rules of the MSR/MRS pseudocode for these registers), and the debug state per VM.
import { describe, it, expect } from 'vitest';
import { runVec } from './vec-helpers.js';
import { runDebugGuest, movImm, esrOf } from './debug-guest.js';
import { X } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { Machine } from '../../src/machine.js';
import { VcpuContext } from '../../src/hyp/vm.js';
import { GD_BP, GD_SS, GD_WP } from '../../src/cpu/debug/unit.js';
import { sysTrapIss } from '../../src/cpu/isa/system.js';
import { assemble } from '../helpers.js';

const TDE = 1 << 8;
const TDA = 1 << 9;
const TDOSA = 1 << 10;
const TDRA = 1 << 11;
const TDCC = 1 << 12;
const KDE = 1 << 13;
const MDE = 1 << 15;

describe('debug registers', () => {
  it('OSLAR_EL1 sets and clears OSLSR_EL1.OSLK (OSLM = 0b10 always)', async () => {
    const m = await runVec('mrs x0, oslsr_el1\nmsr oslar_el1, xzr\nmrs x1, oslsr_el1\nmov x2, #1\nmsr oslar_el1, x2\nmrs x3, oslsr_el1\nhlt #1');
    expect([X(m.cpu, 0), X(m.cpu, 1), X(m.cpu, 3)]).toEqual([0xan, 0x8n, 0xan]);
  });
  it('OSLAR_EL1 is write-only and OSLSR_EL1 read-only: the other direction is UNDEFINED', async () => {
    expect((await runVec('.long 0xd5301080 // mrs x0, oslar_el1')).cpu.haltReason).toBe('vector 0x200');
    expect((await runVec('.long 0xd5101180 // msr oslsr_el1, x0')).cpu.haltReason).toBe('vector 0x200');
  });
  it('claim tags: DBGCLAIMSET_EL1 reads the 8 implemented tags, writes of 1 set; DBGCLAIMCLR_EL1 reads the tags, writes of 1 clear', async () => {
    const m = await runVec(
      'mrs x0, dbgclaimset_el1\nmov x1, #0x105\nmsr dbgclaimset_el1, x1\nmrs x2, dbgclaimclr_el1\nmov x1, #1\nmsr dbgclaimclr_el1, x1\nmrs x3, dbgclaimclr_el1\nhlt #1',
    );
    expect([X(m.cpu, 0), X(m.cpu, 2), X(m.cpu, 3)]).toEqual([0xffn, 0x5n, 0x4n]);
  });
  it('DBGAUTHSTATUS_EL1 = Non-secure debug implemented and enabled; MDRAR_EL1 = no ROM table', async () => {
    const m = await runVec('mrs x0, dbgauthstatus_el1\nmov x1, #5\nmrs x1, mdrar_el1\nhlt #1');
    expect([X(m.cpu, 0), X(m.cpu, 1)]).toEqual([0xfn, 0n]);
  });
  it('DCC: a DBGDTRTX_EL0 write sets TXfull in MDCCSR_EL0 and MDSCR_EL1; DBGDTR_EL0 writes DTRRX = Xt[63:32], DTRTX = Xt[31:0] and reads DTRTX:DTRRX', async () => {
    const m = await runVec(
      'mrs x0, mdccsr_el0\nmov x1, #0x42\nmsr dbgdtrtx_el0, x1\nmrs x2, mdccsr_el0\nmrs x3, mdscr_el1\n' +
        `${movImm('x4', 0x1111_2222_3333_4444n)}\nmsr dbgdtr_el0, x4\nmrs x5, dbgdtr_el0\nhlt #1`,
    );
    expect(X(m.cpu, 0)).toBe(0n);
    expect(X(m.cpu, 2)).toBe(1n << 29n);
    expect(X(m.cpu, 3) & (1n << 29n)).toBe(1n << 29n);
    expect(X(m.cpu, 5)).toBe(0x3333_4444_1111_2222n);
  });
  it('MDSCR_EL1.TDCC traps EL0 accesses to the DCC registers to EL1 (EC 0x18); without it EL0 may read MDCCSR_EL0', async () => {
    const trapped = await runVec('mrs x0, mdccsr_el0\nhlt #1', { el: 0, setup: (m) => m.cpu.setSys(SYS.MDSCR_EL1, TDCC, 0) });
    expect(trapped.cpu.haltReason).toBe('vector 0x400');
    expect(trapped.cpu.sys64(SYS.ESR_EL1) >> 26n).toBe(0x18n);
    const ok = await runVec('mrs x0, mdccsr_el0\nhlt #1', { el: 0 });
    expect(ok.cpu.haltReason).toBe('done');
    // The other debug registers stay EL1-only: UNDEFINED at EL0.
    expect((await runVec('mrs x0, mdscr_el1', { el: 0 })).cpu.haltReason).toBe('vector 0x400');
  });
});

describe('MDCR_EL2 debug traps (to the hypervisor, EC 0x18)', () => {
  const trap = (src: string, mdcr: number) =>
    runVec(`${src}\nhlt #1`, { setup: (m) => m.cpu.setSys(SYS.MDCR_EL2, mdcr, 0) });
  it('TDA traps MDSCR_EL1 and the breakpoint/watchpoint registers, not the OS lock registers', async () => {
    const code = await assemble('mrs x3, mdscr_el1');
    const word = new DataView(code.buffer, code.byteOffset).getUint32(0, true);
    const m = await trap('mrs x3, mdscr_el1', TDA);
    expect(m.cpu.haltReason).toBe('EL2 EC 0x18');
    expect(m.cpu.sys64(SYS.ESR_EL2)).toBe(esrOf(0x18, sysTrapIss(word)));
    expect((await trap('msr dbgbcr3_el1, xzr', TDA)).cpu.haltReason).toBe('EL2 EC 0x18');
    expect((await trap('msr dbgwvr1_el1, xzr', TDA)).cpu.haltReason).toBe('EL2 EC 0x18');
    expect((await trap('msr oslar_el1, xzr', TDA)).cpu.haltReason).toBe('done');
  });
  it('TDOSA traps OSLAR/OSLSR/OSDLR/DBGPRCR; TDRA traps MDRAR_EL1', async () => {
    for (const s of ['msr oslar_el1, xzr', 'mrs x0, oslsr_el1', 'msr osdlr_el1, xzr', 'mrs x0, dbgprcr_el1']) {
      expect((await trap(s, TDOSA)).cpu.haltReason).toBe('EL2 EC 0x18');
    }
    expect((await trap('mrs x0, mdscr_el1', TDOSA)).cpu.haltReason).toBe('done');
    expect((await trap('mrs x0, mdrar_el1', TDRA)).cpu.haltReason).toBe('EL2 EC 0x18');
    expect((await trap('mrs x0, mdrar_el1', TDA)).cpu.haltReason).toBe('done');
  });
  it('TDE makes TDA, TDOSA and TDRA behave as 1', async () => {
    for (const s of ['mrs x0, mdscr_el1', 'msr oslar_el1, xzr', 'mrs x0, mdrar_el1']) {
      expect((await trap(s, TDE)).cpu.haltReason).toBe('EL2 EC 0x18');
    }
  });
  it('TDE routes debug exceptions to EL2 (EC 0x30 from EL1, a lower EL), with neither KDE nor PSTATE.D = 0 needed', async () => {
    // The guest's breakpoint at EL1 with MDE only and PSTATE.D = 1; the HVC lets the "hypervisor"
    // set MDCR_EL2.TDE (after the prologue's OSLAR_EL1 write, which TDE would trap).
    const run = (tde: boolean) =>
      runDebugGuest(
        [
          'adr x9, target',
          'msr dbgbvr0_el1, x9',
          movImm('x1', (0xf << 5) | (1 << 1) | 1),
          'msr dbgbcr0_el1, x1',
          movImm('x1', MDE),
          'msr mdscr_el1, x1',
          'isb',
          'msr daifset, #8',
          'hvc #0',
          'target: nop',
        ].join('\n'),
        {
          fw: {
            el2Exception: (c) => {
              if (c.excEC === 0x16) {
                if (tde) c.setSys(SYS.MDCR_EL2, TDE, 0);
                return; // back past the HVC
              }
              c.halt(`EL2 EC 0x${c.excEC.toString(16)} ISS 0x${c.excISS.toString(16)} ELR 0x${c.sysLo(SYS.ELR_EL2).toString(16)}`);
            },
          },
        },
      );
    const local = await run(false);
    expect(local.m.cpu.haltReason).toBe('done'); // target EL1: KDE = 0 and D = 1, nothing fires
    expect(local.recs).toEqual([]);
    const routed = await run(true);
    const t = Number(X(routed.m.cpu, 9));
    expect(routed.m.cpu.haltReason).toBe(`EL2 EC 0x30 ISS 0x22 ELR 0x${t.toString(16)}`);
    expect(routed.recs).toEqual([]); // nothing reached EL1
  });
});

describe('debug state per VM and the run loop state', () => {
  it('the vCPU context switch saves and restores the debug registers, and contextChanged re-derives what can fire', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const c = m.cpu;
    c.setSys(SYS.OSLSR_EL1, 0x8, 0);
    c.setSys(SYS.MDSCR_EL1, MDE | KDE | 1, 0);
    c.setSys(SYS.DBGBCR5_EL1, 0x1e3, 0);
    c.setSys(SYS.DBGWCR3_EL1, 0x1ffb, 0);
    c.setSys(SYS.DBGWVR3_EL1, 0x4000_1000, 0);
    c.contextChanged();
    expect(c.guestDebug).toBe(GD_BP | GD_WP | GD_SS);
    expect(c.guestWatch).not.toBeNull();
    const ctx = new VcpuContext();
    ctx.save(c, 0, 0, 0x3c5);
    c.reset(); // another VM: nothing armed, OS lock set
    expect(c.guestDebug).toBe(0);
    expect(c.guestWatch).toBeNull();
    ctx.restore(c);
    c.contextChanged(); // what Hypervisor.enter does after restore
    expect(c.guestDebug).toBe(GD_BP | GD_WP | GD_SS);
    expect(c.sysLo(SYS.DBGWVR3_EL1)).toBe(0x4000_1000);
  });
  it('an enabled breakpoint without MDSCR_EL1.MDE, or anything under the OS lock, leaves the fast path on', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const c = m.cpu;
    c.setSys(SYS.DBGBCR0_EL1, 0x1e3, 0);
    c.setSys(SYS.MDSCR_EL1, KDE, 0);
    c.setSys(SYS.OSLSR_EL1, 0x8, 0);
    c.contextChanged();
    expect(c.guestDebug).toBe(0);
    c.setSys(SYS.MDSCR_EL1, KDE | MDE | 1, 0);
    c.setSys(SYS.OSLSR_EL1, 0xa, 0);
    c.contextChanged();
    expect(c.guestDebug).toBe(0);
  });
});
