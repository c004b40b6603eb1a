// The committed coverage table (docs/coverage.md, linked from the README) is generated from the
// decoder; this fails when an encoding is added or removed without regenerating it.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { compilePattern } from '../../src/cpu/decode.js';
import { A64_CLASSES } from '../../src/cpu/isa/classes.js';
import { measureCoverage } from '../../src/cpu/isa/coverage.js';
import { coverageDoc, coverageTable } from '../../src/cpu/isa/coverage-doc.js';

describe('A64 coverage table', () => {
  it('every class pattern is a valid 32-bit pattern', () => {
    for (const c of A64_CLASSES) expect(() => compilePattern(c.pattern), c.name).not.toThrow();
  });
  it('docs/coverage.md is up to date (npm run coverage)', () => {
    expect(readFileSync(new URL('../../docs/coverage.md', import.meta.url), 'utf8')).toBe(coverageDoc());
  });
  it('counts encodings implemented per class: RET\'s class shows its 4 encodings, not a 0% of encoding space', () => {
    const rows = measureCoverage();
    const br = rows.find((x) => x.name === 'Unconditional branch (register)')!;
    expect(br.encodings).toEqual(expect.arrayContaining(['BR', 'BLR', 'RET', 'ERET']));
    const line = coverageTable(rows).split('\n').find((l) => l.includes('| Unconditional branch (register) |'))!;
    expect(line).toMatch(new RegExp(`\\| ${br.encodings.length}[^|]*\\| [^|]*RET[^|]*\\| \\d+% \\|$`));
    const sve = coverageTable(rows).split('\n').find((l) => l.includes('| SVE | SVE |'))!;
    expect(sve).toBe('| SVE | SVE | 0 | — | 0% |');
  });
  it('classes with nothing implemented decode nothing (SVE, SME); AES is decoded by --cpu max only', () => {
    const rows = measureCoverage();
    const aes = rows.find((x) => x.name === 'Cryptographic AES')!;
    expect(aes.encodings).toEqual(['AESE/AESD/AESMC/AESIMC (max)']);
    expect(aes.decoded).toBeGreaterThan(0);
    for (const name of ['SVE', 'SME']) {
      const r = rows.find((x) => x.name === name)!;
      expect(r.decoded, name).toBe(0);
      expect(r.encodings, name).toEqual([]);
    }
    // and a fully implemented one decodes every word: ADD/SUB (immediate) has no reserved values.
    expect(rows.find((x) => x.name === 'Add/subtract (immediate)')!.decoded).toBe(2048);
  });
});
