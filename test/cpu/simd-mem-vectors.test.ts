// SIMD&FP loads/stores against unicorn (test/cpu/simd-mem-vectors-gen.py): every LD1-LD4/ST1-ST4
// multiple- and single-structure encoding (with and without post-index by immediate or register),
// LD1R-LD4R, and LDR/STR/LDP/STP of B/H/S/D/Q. Compares V0-V4, V30, V31 (register wrap-around),
// the written-back base and every byte of a 256-byte buffer. An encoding unicorn rejects must be
// UNDEFINED here too.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { setV, V } from './fp-helpers.js';

type Case = [number, number, string, string, (number | string)[], string, [number, number][], number];
const cases: Case[] = JSON.parse(gunzipSync(readFileSync(new URL('./simd-mem-vectors.json.gz', import.meta.url))).toString());
const BASE = 0x4000_0000;
const BUF = 0x4000_1000;
const VREGS = [0, 1, 2, 3, 4, 30, 31];

const vinit = (seed: number, k: number): bigint => {
  let r = 0n;
  for (let j = 15; j >= 0; j--) r = (r << 8n) | BigInt((seed * 7 + k * 31 + j * 13) & 255);
  return r;
};
const minit = (seed: number): Uint8Array => Uint8Array.from({ length: 256 }, (_, j) => (seed * 11 + j * 29 + 5) & 255);

describe('SIMD&FP loads and stores vs unicorn', () => {
  it(`${cases.length} recorded cases agree (registers, writeback, memory)`, () => {
    const m = new Machine();
    const cpu = m.cpu;
    cpu.firmware = {
      el2Exception: (c) => c.halt('el2'),
      hlt: (c, imm) => (imm === 1 ? (c.halt('done', 0), true) : imm === 2 ? (c.halt('undef', 0), true) : false),
    };
    const code = new Uint8Array(0xa08);
    const dv = new DataView(code.buffer);
    dv.setUint32(4, 0xd4400020, true); // hlt #1
    dv.setUint32(0xa00, 0x14000001, true); // VBAR_EL1 + 0x200: b .+4
    dv.setUint32(0xa04, 0xd4400040, true); // hlt #2
    const bad: string[] = [];
    let unimpl = 0;
    for (const [word, seed, x1, x2, vo, x1o, diff, undef] of cases) {
      dv.setUint32(0, word, true);
      m.bus.load(BASE, code);
      const mem = minit(seed);
      m.bus.load(BUF, mem);
      cpu.reset();
      cpu.setSys(SYS.CPACR_EL1, 0x300000, 0);
      cpu.setSys(SYS.VBAR_EL1, BASE + 0x800, 0);
      VREGS.forEach((r, k) => setV(cpu, r, vinit(seed, k)));
      cpu.writeX(1, BigInt(x1));
      cpu.writeX(2, BigInt(x2));
      cpu.pc = BigInt(BASE);
      cpu.run(4);
      const w = word.toString(16).padStart(8, '0');
      if (cpu.haltReason === 'undef') {
        if (undef) continue;
        unimpl++;
        bad.push(`${w}: UNDEFINED here, executed on unicorn`);
        continue;
      }
      if (undef) {
        bad.push(`${w}: executed here, UNDEFINED on unicorn`);
        continue;
      }
      const errs: string[] = [];
      if (cpu.haltReason !== 'done') errs.push(cpu.haltReason);
      VREGS.forEach((r, k) => {
        const want = typeof vo[k] === 'number' ? vinit(seed, vo[k] as number) : BigInt(vo[k] as string);
        if (V(cpu, r) !== want) errs.push(`V${r}=${V(cpu, r).toString(16)} want ${want.toString(16)}`);
      });
      if (cpu.readX(1) !== BigInt(x1o)) errs.push(`X1=${cpu.readX(1).toString(16)} want ${x1o}`);
      const after = m.bus.u8.subarray(BUF - m.bus.ramBase, BUF - m.bus.ramBase + 256);
      const want = mem.slice();
      for (const [k, b] of diff) want[k] = b;
      for (let k = 0; k < 256; k++) {
        if (after[k] !== want[k]) {
          errs.push(`mem[${k}]=${after[k]} want ${want[k]}`);
          break;
        }
      }
      if (errs.length) bad.push(`${w} seed=${seed} x1=${x1} x2=${x2}: ${errs.join('; ')}`);
    }
    expect(bad.slice(0, 25).join('\n') + `\n(${bad.length} mismatches, ${unimpl} unimplemented)`).toBe('\n(0 mismatches, 0 unimplemented)');
  });
});
