// The VMs' stage 2: a 40-bit IPA space with the 4 KiB granule starts at level 1 with two
// concatenated tables (ARM ARM D8.2 "Concatenated translation tables"; VTCR_EL2.SL0 = 0b01 means
// level 1 for TG0 = 4KB, T0SZ = 24), as KVM sets it up, rather than at level 0 with a two-entry
// table: one descriptor read fewer per stage-2 walk, which is what the TLB figures are about.
import { describe, it, expect } from 'vitest';
import { runVms, OFF } from './hyp-helpers.js';

describe('VM stage 2: 40-bit IPA, 4K granule, start level 1', () => {
  it('VTCR_EL2 says T0SZ = 24, SL0 = 1, TG0 = 4K; the root is two concatenated tables, 8 KiB aligned', async () => {
    const r = await runVms([OFF]);
    const vtcr = r.vm.s2.vtcr();
    expect(vtcr & 63).toBe(24);
    expect((vtcr >>> 6) & 3).toBe(1);
    expect((vtcr >>> 14) & 3).toBe(0);
    expect(r.vm.s2.root % 0x2000).toBe(0);
  });

  it('a stage-2 walk of a RAM IPA (2 MiB blocks) reads two descriptors: level 1, then the level-2 block', async () => {
    // Touch four 2 MiB blocks of RAM with the MMU off: each first touch is a stage-2 walk.
    const src = `
      movz x1, #0x4040, lsl #16
      ldr x2, [x1]
      movz x1, #0x4060, lsl #16
      ldr x2, [x1]
      movz x1, #0x4080, lsl #16
      ldr x2, [x1]
      movz x1, #0x40a0, lsl #16
      ldr x2, [x1]
      ${OFF}`;
    const r = await runVms([src]);
    const w = r.hv.cpu.mmu.tlb.walks;
    expect(w.s2Walks).toBeGreaterThanOrEqual(5); // the code's block and the four data blocks
    expect(w.s2DescReads).toBe(2 * w.s2Walks);
  });
});
