// Guest-controlled input can be anything: random STEs, CDs, table descriptors, commands and
// register writes never make the model throw, hang or return something that is neither -1 nor an
// address; the queues stay within their bounds. Deterministic (a fixed xorshift seed).
import { describe, expect, it } from 'vitest';
import { rig, cmds, STRTAB, CDS, POOL, RAM } from './helpers.js';
import * as R from '../../src/smmu/regs.js';

function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

describe('random structures and commands', () => {
  it('10k random translations over random STEs/CDs/tables: -1 or an address, never a throw', () => {
    const rnd = xorshift(0x5eed);
    const r = rig();
    const pick = <T,>(a: T[]): T => a[rnd() % a.length];
    // Random-ish words, biased towards valid-looking structures so the walks get deep.
    const word = () => pick([rnd(), rnd() & 0xfff, 0, 0xffff_ffff, rnd() | 1]);
    const ptr = () => pick([RAM + (rnd() % 0x60_0000), POOL + (rnd() % 0x40_0000), rnd() * 4096, 0x2000_0000]) & ~0xfff;
    for (let round = 0; round < 40; round++) {
      for (let sid = 0; sid < 16; sid++) {
        const w = Array.from({ length: 16 }, word);
        const config = rnd() % 8 === 0 ? rnd() % 8 : 4 + (rnd() % 4);
        w[0] = 1 | (config << 1) | (rnd() % 8 === 0 ? ptr() : CDS + sid * 64);
        w[1] = rnd() % 8 === 0 ? w[1] : 0;
        w[2] = rnd() % 8 === 0 ? w[2] : 0;
        const s2 = (16 + (rnd() % 24)) | ((rnd() % 3) << 6) | ((rnd() % 3) << 14) | ((rnd() % 6) << 16) | (1 << 19) | ((rnd() & 3) << 21) | (1 << 26);
        w[5] = rnd() % 8 === 0 ? w[5] : s2;
        w[6] = ptr();
        w[7] = rnd() % 8 === 0 ? rnd() : 0;
        for (let k = 0; k < 16; k++) r.bus.write(STRTAB + sid * 64 + 4 * k, 4, w[k] >>> 0);
        const cd = Array.from({ length: 16 }, word);
        cd[0] = rnd() % 8 === 0 ? cd[0] : (16 + (rnd() % 24)) | ((rnd() % 3) << 6) | (1 << 30) | (1 << 31);
        cd[1] = rnd() % 8 === 0 ? cd[1] : (rnd() % 6) | ((rnd() & 3) << 3) | (1 << 9) | (1 << 13) | (rnd() << 16);
        cd[2] = ptr();
        cd[3] = 0;
        for (let k = 0; k < 16; k++) r.bus.write(CDS + sid * 64 + 4 * k, 4, cd[k] >>> 0);
      }
      // Scribble over the table pool.
      for (let k = 0; k < 2000; k++) r.bus.write(POOL + (rnd() % 0x40_0000) * 1 - ((rnd() % 0x40_0000) % 4), 4, rnd() % 3 === 0 ? ptr() | 3 : word());
      cmds(r, [0x04, 0, 31], [0x30], [0x46]);
      for (let i = 0; i < 250; i++) {
        const sid = rnd() % 20;
        const iova = pick([rnd() * 4096, rnd(), (rnd() % 0x10000) * 2 ** 32 + rnd(), 2 ** 64 - 2 ** 39 + (rnd() & ~0x7ff), -5, 1.5]);
        const pa = r.smmu.translate(sid, iova, (rnd() & 1) === 1);
        expect(pa === -1 || (Number.isInteger(pa) && pa >= 0 && pa < 2 ** 64)).toBe(true);
      }
    }
    const st = r.smmu.stats();
    expect(st.translations).toBe(10_000);
    expect(st.walks.s1Walks + st.walks.s2Walks).toBeGreaterThan(100);
    expect(r.smmu.read(R.EVENTQ_PROD, 4) & 0xff).toBeLessThan(32);
  });

  it('random commands: each either runs or stops the queue with CERROR_ILL, and the queue always drains after acknowledgement', () => {
    const rnd = xorshift(0xc0de);
    const r = rig({ cmdLog2: 5 });
    let errors = 0;
    for (let i = 0; i < 2000; i++) {
      cmds(r, [rnd() & 0x7f, rnd(), rnd(), rnd()]);
      const gerror = r.smmu.read(R.GERROR, 4);
      if ((gerror ^ r.smmu.read(R.GERRORN, 4)) & R.GERROR_CMDQ_ERR) {
        errors++;
        expect((r.smmu.read(R.CMDQ_CONS, 4) >>> 24) & 0x7f).toBe(1);
        // Replace the command with a CMD_SYNC (as Linux does) and acknowledge.
        const cons = r.smmu.read(R.CMDQ_CONS, 4);
        const a = r.smmu.cmdq.entryAddr(cons);
        for (let k = 0; k < 4; k++) r.bus.write(a + 4 * k, 4, k === 0 ? 0x46 : 0);
        r.smmu.write(R.GERRORN, 4, gerror);
      }
      expect(r.smmu.cmdq.empty()).toBe(true);
    }
    expect(errors).toBeGreaterThan(1000); // most random opcodes are not commands
    expect(r.smmu.stats().commandErrors).toBe(errors);
  });

  it('random register writes over the whole frame never throw', () => {
    const rnd = xorshift(0xf00d);
    const r = rig();
    for (let i = 0; i < 20000; i++) {
      const off = (rnd() % 0x20000) & ~3;
      if ((rnd() & 1) === 0) r.smmu.write(off, [1, 2, 4][rnd() % 3], rnd());
      else r.smmu.read(off, 4);
      if (i % 100 === 0) r.smmu.translate(rnd() % 300, rnd() * 4096, false);
    }
    expect(r.unimpl.length).toBe(65);
    expect(r.unimpl[64]).toMatch(/not reported/);
  });
});
