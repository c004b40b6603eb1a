// Watchpoints and the DC instructions (ARM ARM D2.9.6 "Watchpoint behavior for certain instruction
// classes", D2.9.6.2, D2.9.8.2.2; AArch64.CheckWatchpoint): only DC IVAC among the data cache
// maintenance instructions by VA generates a Watchpoint exception (ESR.CM = 1, WnR = 1), as a
// store of its cache line; DC CVAC/CVAU/CIVAC/CVAP never do; DC ZVA is a store of its 64-byte block
// (CM = 0). FAR is the base of the block.
import { describe, it, expect } from 'vitest';
import { runDebugGuest, movImm, esrOf, WDATA } from './debug-guest.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { setS1 } from '../mmu/mmu-helpers.js';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';

const KDE = 1 << 13;
const MDE = 1 << 15;
const D = 1n << 9n;
const W = BigInt(WDATA);
const wcr = (o: { bas?: number; lsc?: number } = {}): number => ((o.bas ?? 0xff) << 5) | ((o.lsc ?? 3) << 3) | (1 << 1) | 1;
const CM = 1 << 8;
const WNR = 1 << 6;
const WP_CM = esrOf(0x35, 0x22 | WNR | CM);
const WP_STORE = esrOf(0x35, 0x22 | WNR);

/** Normal memory for the whole test RAM (DC ZVA to Device memory is an Alignment fault). */
function mmuOn(m: Machine): void {
  const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: 0x4100_0000 });
  b.map(0x4000_0000, 0x4000_0000, 0x40_0000, s1Leaf({ ap: 0 }), 2);
  setS1(m.cpu, { ttbr0: b.root });
}

/** Watchpoint 0 on the byte at WDATA + 0x28 (BAS byte 0 of the doubleword there), then `access` with x8 = WDATA + x8off. */
async function wp(access: string, x8off: number, o: { lsc?: number; mmu?: boolean } = {}) {
  const body = [
    movImm('x8', W + BigInt(x8off)),
    movImm('x9', W + 0x28n),
    'msr dbgwvr0_el1, x9',
    movImm('x1', wcr({ bas: 1, lsc: o.lsc })),
    'msr dbgwcr0_el1, x1',
    movImm('x1', KDE | MDE),
    'msr mdscr_el1, x1',
    'isb',
    'msr daifclr, #8',
    access,
    'nop',
  ].join('\n');
  return runDebugGuest(body, { orSpsr: D, setup: o.mmu ? mmuOn : undefined });
}
const rec = (r: { esr: bigint; far: bigint }) => [r.esr, r.far];

describe('watchpoints on DC instructions', () => {
  it('DC IVAC on the watched cache line fires: CM = 1, WnR = 1, FAR = the line base (any byte of the 64-byte line)', async () => {
    for (const off of [0, 0x10, 0x28, 0x3f]) {
      const r = await wp('dc ivac, x8', off);
      expect(r.m.cpu.haltReason).toBe('done');
      expect(r.recs.map(rec)).toEqual([[WP_CM, W]]);
    }
  });

  it('DC IVAC elsewhere, or with LSC = load only, does not fire (it is a store for LSC)', async () => {
    expect((await wp('dc ivac, x8', 0x40)).recs).toEqual([]);
    expect((await wp('dc ivac, x8', 0x28, { lsc: 1 })).recs).toEqual([]);
    expect((await wp('dc ivac, x8', 0x28, { lsc: 2 })).recs.map(rec)).toEqual([[WP_CM, W]]);
  });

  it('DC CVAC, CVAU, CIVAC, CVAP never generate watchpoints, even on the watched byte', async () => {
    for (const op of ['dc cvac, x8', 'dc cvau, x8', 'dc civac, x8', 'sys #3, c7, c12, #1, x8' /* DC CVAP */]) {
      const r = await wp(op, 0x28);
      expect([op, r.m.cpu.haltReason, r.recs.length]).toEqual([op, 'done', 0]);
    }
  });

  it('DC ZVA is a store of its block: CM = 0, WnR = 1, FAR = the block base', async () => {
    const r = await wp('dc zva, x8', 0x10, { mmu: true });
    expect(r.m.cpu.haltReason).toBe('done');
    // The handler returns to the DC ZVA with PSTATE.D set, so the re-execution zeroes the block.
    expect(r.recs.map(rec)).toEqual([[WP_STORE, W]]);
    const far = await wp('dc zva, x8', 0x40, { mmu: true });
    expect(far.recs).toEqual([]);
  });

  it('a DC ZVA that fires writes nothing before the exception (the check covers the block first)', () => {
    // Bare harness: the vector is HLT #2, so the state is seen at the exception itself.
    const m = new Machine({ ramSize: 8 << 20 });
    const cpu = m.cpu;
    const RAM = 0x4000_0000;
    const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: RAM + 0x40_0000 });
    b.map(RAM, RAM, 0x20_0000, s1Leaf({ ap: 0 }), 2);
    setS1(cpu, { ttbr0: b.root });
    const words = [
      0xd510109f, // msr oslar_el1, xzr
      0xd51000c9, // msr dbgwvr0_el1, x9
      0xd51000e1, // msr dbgwcr0_el1, x1
      0xd5100243, // msr mdscr_el1, x3
      0xd5033fdf, // isb
      0xd50348ff, // msr daifclr, #8 (PSTATE.D = 0: debug exceptions at EL1 with KDE)
      0xd50b7428, // dc zva, x8
      0xd4400020, // hlt #1
    ];
    const code = new DataView(new ArrayBuffer(4 * words.length));
    words.forEach((w, k) => code.setUint32(4 * k, w, true));
    m.bus.load(RAM, new Uint8Array(code.buffer));
    const vec = new DataView(new ArrayBuffer(0x800));
    for (let v = 0; v < 0x800; v += 0x80) vec.setUint32(v, 0xd4400040, true);
    m.bus.load(RAM + 0x1000, new Uint8Array(vec.buffer));
    m.bus.load(RAM + 0x10_0000, new Uint8Array(64).fill(0xee));
    cpu.setSys(SYS.VBAR_EL1, RAM + 0x1000, 0);
    cpu.firmware = { el2Exception: (c) => c.halt('el2'), hlt: (c, imm) => (c.halt(imm === 1 ? 'done' : 'exception', 0), true) };
    cpu.writeX(8, BigInt(RAM + 0x10_0000 + 0x10));
    cpu.writeX(9, BigInt(RAM + 0x10_0038)); // the last doubleword of the block
    cpu.writeX(1, BigInt(wcr({ bas: 0x80 }))); // its byte 7: the block's last byte
    cpu.writeX(3, BigInt(KDE | MDE));
    cpu.pc = BigInt(RAM);
    cpu.run(100);
    expect(cpu.haltReason).toBe('exception');
    expect([cpu.sysLo(SYS.ESR_EL1) >>> 0, cpu.sys64(SYS.FAR_EL1)]).toEqual([(0x35 << 26 | 1 << 25 | 0x22 | WNR) >>> 0, BigInt(RAM + 0x10_0000)]);
    for (let k = 0; k < 64; k++) expect(m.bus.read(RAM + 0x10_0000 + k, 1)).toBe(0xee);
  });
});
