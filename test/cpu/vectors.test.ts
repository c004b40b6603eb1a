// Differential vectors: short random A64 streams run on unicorn (tools/difftest/gen.py) and
// replayed here on the real Machine; every X register, SP, NZCV, the PC and the data buffer must
// agree. One test per instruction class; a failure prints the first mismatching cases.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Capstone, Const, loadCapstone } from 'capstone-wasm';
import { parseVectors, Replayer, describeCase, initialState, type VectorFile, type VectorCase } from '../../tools/difftest/replay.js';

const dir = fileURLToPath(new URL('../vectors/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bin.gz'))
  .sort();

let cs: Capstone | null = null;
function disasm(w: number, addr: number): string {
  if (cs === null) return '';
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, w, true);
  try {
    const out = cs.disasm(bytes, { address: addr });
    return out.length ? `${out[0].mnemonic} ${out[0].opStr}` : '(capstone: invalid)';
  } catch {
    return '(capstone cannot decode)';
  }
}

describe('differential vectors (unicorn reference)', () => {
  beforeAll(async () => {
    await loadCapstone();
    cs = new Capstone(Const.CS_ARCH_ARM64, Const.CS_MODE_ARM);
  });

  it('vector files are present', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  // The comparator itself: a hand-made case (ADD X0, X0, #1) passes with the right expectation
  // and reports X0 when the expectation is off by one, so a green class is not a vacuous pass.
  it('the replay detects a wrong expectation', () => {
    const seed = 0x1234567;
    const x0 = initialState(seed, 4).regs[0];
    const rep = new Replayer(0x4000_0000, 0x4010_0000, 0x1000);
    const c: VectorCase = {
      index: 0, seed, nzcvIn: 0b0110, words: [0x91000400], over: new Map(), count: 1,
      nzcvOut: 0b0110, pcOut: 4, changed: new Map([[0, (x0 + 1n) & ((1n << 64n) - 1n)]]), mem: [],
    };
    expect(rep.run(c).ok).toBe(true);
    c.changed.set(0, x0 + 2n);
    const bad = rep.run(c);
    expect(bad.ok).toBe(false);
    expect(bad.mismatches.map((m) => m.what)).toEqual(['X0']);
    c.changed.set(0, x0 + 1n);
    c.mem = [[8, new Uint8Array([1])]]; // a store the emulator did not do
    expect(rep.run(c).mismatches.map((m) => m.what)).toEqual(['mem[buf+0x8]']);
  });

  for (const f of files) {
    it(f.replace('.bin.gz', ''), () => {
      const v: VectorFile = parseVectors(readFileSync(dir + f));
      expect(v.cases.length).toBeGreaterThan(0);
      const rep = new Replayer(v.codeBase, v.bufBase, v.bufSize);
      const failures: string[] = [];
      let failed = 0;
      for (const c of v.cases) {
        const r = rep.run(c);
        if (!r.ok) {
          failed++;
          if (failures.length < 4) failures.push(describeCase(c, r, disasm, v.codeBase));
        }
      }
      const msg = `${v.cls}: ${failed} of ${v.cases.length} cases disagree with unicorn\n` + failures.join('\n');
      expect(failed, msg).toBe(0);
    });
  }
});
