// FEAT_PAuth against unicorn's MAX model (QARMA5): the cases recorded by pauth-vectors-gen.py run
// here on `--cpu max` (same keys, SCTLR_EL1 enables, TCR_EL1, registers; EL1, MMU off) and must
// give the same X0, X1, X17, X30 and PC, or take an exception where unicorn took one.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';

type Case = [number[], string[], string, string, Record<string, string>, string, string[] | 'exc'];
const cases: Case[] = JSON.parse(gunzipSync(readFileSync(new URL('./pauth-vectors.json.gz', import.meta.url))).toString());

const BASE = 0x4000_0000;
const DATA = 0x4000_8000;
const KEYS = ['APIAKeyLo_EL1', 'APIAKeyHi_EL1', 'APIBKeyLo_EL1', 'APIBKeyHi_EL1', 'APDAKeyLo_EL1', 'APDAKeyHi_EL1', 'APDBKeyLo_EL1', 'APDBKeyHi_EL1', 'APGAKeyLo_EL1', 'APGAKeyHi_EL1'];

/** Replays every case; returns the mismatches described. */
export function replayPauth(cpuModel = 'max'): string[] {
  const m = new Machine({ cpu: cpuModel, ramSize: 1 << 20 });
  const cpu = m.cpu;
  const nop = new DataView(new ArrayBuffer(0x300));
  for (let k = 0; k < 0x300; k += 4) nop.setUint32(k, 0xd503201f, true);
  m.bus.load(BASE + 0x100, new Uint8Array(nop.buffer));
  m.bus.load(DATA, Uint8Array.from({ length: 0x1000 }, (_, k) => (k * 7 + 3) & 0xff));
  const vec = new DataView(new ArrayBuffer(0x800));
  for (let off = 0; off < 0x800; off += 0x80) vec.setUint32(off, 0xd4400040, true); // hlt #2
  m.bus.load(BASE + 0x4000, new Uint8Array(vec.buffer));
  cpu.firmware = { el2Exception: (c) => c.halt('el2'), hlt: (c) => (c.halt('exception', 0), true) };
  const bad: string[] = [];
  for (const [words, keys, sctlr, tcr, x, sp, out] of cases) {
    const code = new DataView(new ArrayBuffer(4 * words.length));
    words.forEach((w, k) => code.setUint32(4 * k, w, true));
    m.bus.load(BASE, new Uint8Array(code.buffer));
    cpu.invalidateAllCode();
    cpu.setSys(SYS.VBAR_EL1, BASE + 0x4000, 0);
    keys.forEach((h, k) => cpu.setSys64(SYS[KEYS[k]], BigInt(h)));
    cpu.setSys64(SYS.SCTLR_EL1, BigInt(sctlr));
    cpu.setSys64(SYS.TCR_EL1, BigInt(tcr));
    cpu.contextChanged();
    cpu.r.fill(0);
    for (const [r, v] of Object.entries(x)) cpu.writeX(Number(r), BigInt(v));
    cpu.setElSpsel(1, 1);
    cpu.daif = 0xf;
    cpu.writeX(32, BigInt(sp));
    cpu.status = 0;
    cpu.haltReason = '';
    cpu.pc = BigInt(BASE);
    cpu.run(words.length);
    // An exception shows as the vector's HLT #2 having run (or, after a branch, as pending there).
    if (cpu.haltReason === '' && cpu.pc >= BigInt(BASE + 0x4000) && cpu.pc < BigInt(BASE + 0x4800)) cpu.run(1);
    // unicorn also fetches where a branch went: a non-canonical target faults there.
    if (out === 'exc' && cpu.haltReason === '') cpu.run(2);
    const tookExc = cpu.haltReason === 'exception';
    const desc = `${words.map((w) => w.toString(16)).join(' ')} tcr=${tcr} sctlr=${sctlr} x=${JSON.stringify(x)} sp=${sp}`;
    if (out === 'exc') {
      if (!tookExc) bad.push(`${desc}: no exception here (pc=${cpu.pc.toString(16)} x0=${cpu.readX(0).toString(16)})`);
      continue;
    }
    const got = [cpu.readX(0), cpu.readX(1), cpu.readX(17), cpu.readX(30), cpu.pc].map((v) => '0x' + v.toString(16));
    if (tookExc || got.some((g, k) => g !== out[k])) bad.push(`${desc}: got ${tookExc ? 'exception ESR=' + cpu.sys64(SYS.ESR_EL1).toString(16) + ' ' : ''}${got.join(',')} want ${out.join(',')}`);
  }
  return bad;
}

describe('PAuth vectors (unicorn MAX, QARMA5)', () => {
  it(`${cases.length} cases agree`, () => {
    const bad = replayPauth();
    expect(bad.slice(0, 20).join('\n') + `\n(${bad.length} mismatches)`).toBe(`\n(0 mismatches)`);
  });
});
