// The committed coverage table (docs/coverage.md, copied into the README) is generated from the
// decoder; this fails when an encoding is added or removed without regenerating it.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { compilePattern } from '../../src/cpu/decode.js';
import { A64_CLASSES } from '../../src/cpu/isa/classes.js';
import { coverageDocument, measureCoverage } from '../../src/cpu/isa/coverage.js';

describe('A64 coverage table', () => {
  it('every class pattern is a valid 32-bit pattern', () => {
    for (const c of A64_CLASSES) expect(() => compilePattern(c.pattern), c.name).not.toThrow();
  });
  it('docs/coverage.md and the README are up to date (npm run coverage)', () => {
    const doc = coverageDocument();
    expect(readFileSync(new URL('../../docs/coverage.md', import.meta.url), 'utf8')).toBe(doc);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(doc.slice(doc.indexOf('| group')));
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
