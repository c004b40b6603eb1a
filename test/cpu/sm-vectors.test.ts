// FEAT_SM3/FEAT_SM4 (src/cpu/isa/sm.ts) against unicorn's MAX model: the cases recorded by
// sm-vectors-gen.py compared bit for bit (V0, X0, NZCV, FPSR); every word UNDEFINED on a57.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Machine } from '../../src/machine.js';
import { Insn } from '../../src/cpu/decode.js';
import { replayVectorCases, mismatchReport, type VectorCase } from './vector-replay.js';

const cases: VectorCase[] = JSON.parse(gunzipSync(readFileSync(new URL('./sm-vectors.json.gz', import.meta.url))).toString());

describe('SM3/SM4 (--cpu max) vs unicorn', () => {
  it(`${cases.length} recorded cases agree bit for bit`, () => {
    expect(mismatchReport(replayVectorCases(cases, { cpu: 'max' }))).toBe('\n(0 mismatches)');
  });

  it('every one of these encodings is UNDEFINED on --cpu a57', () => {
    const a57 = new Machine({ ramSize: 1 << 20 }).cpu.decoder;
    const ins = new Insn(() => {});
    const words = [...new Set(cases.filter((c) => c[5] !== 'undef').map((c) => c[0]))];
    expect(words.length).toBe(1 + 16 + 3 + 1);
    for (const w of words) expect(a57.decode(w, ins), w.toString(16)).toBeNull();
  });
});
