import { it, expect } from 'vitest';
import { runFp, V, S, Dbits, dbits, sbits } from './fp-helpers.js';
it('smoke', async () => {
  const m = await runFp('fadd d0, d1, d2\nfmul s3, s4, s5\nfmov x1, d0\nmovi v6.16b, #0x41\nadd v7.4s, v6.4s, v6.4s\nldr q8, [x2]\nstr q7, [x2, #16]\nldr q9, [x2, #16]', {
    v: { 1: dbits(1.5), 2: dbits(2.25), 4: BigInt(sbits(3)), 5: BigInt(sbits(0.5)) }, x: { 2: 0x40100000n },
  });
  console.log(m.cpu.haltReason, m.cpu.excEC);
  expect(Dbits(m.cpu, 0)).toBe(dbits(3.75));
  expect(S(m.cpu, 3)).toBe(sbits(1.5));
  expect(m.cpu.readX(1)).toBe(dbits(3.75));
  expect(V(m.cpu, 7)).toBe(0x82828282828282828282828282828282n);
  expect(V(m.cpu, 9)).toBe(0x82828282828282828282828282828282n);
});
