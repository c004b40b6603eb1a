// FEAT_LRCPC2 (src/cpu/isa/rcpc2.ts) against unicorn's MAX model: the cases recorded by
// rcpc2-vectors-gen.py (every size:opc, random imm9, Rn = X1 or SP, Rt or XZR, addresses
// aligned or not inside a 16-byte quantity, which FEAT_LSE2 allows) replayed on --cpu max with
// the MMU on (Normal memory, so unaligned accesses are allowed at all); X0 and the 16-byte quantity compared.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Machine } from '../../src/machine.js';
import { Insn } from '../../src/cpu/decode.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { SP } from '../../src/cpu/state.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { setS1 } from '../mmu/mmu-helpers.js';

type Case = [number, string, string, string, string, string];
const cases: Case[] = JSON.parse(gunzipSync(readFileSync(new URL('./rcpc2-vectors.json.gz', import.meta.url))).toString());
const CODE = 0x4000_0000;
const BUF = 0x4010_0000;
const INIT = Uint8Array.from({ length: 1024 }, (_, k) => (k * 37 + 11) & 0xff);

function replay(): string[] {
  const m = new Machine({ cpu: 'max', ramSize: 4 << 20 });
  const cpu = m.cpu;
  const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: CODE + 0x20_0000 });
  b.map(CODE, CODE, 0x20_0000, s1Leaf({ ap: 0 }), 2); // code and buffer: Normal, EL1 read/write
  setS1(cpu, { ttbr0: b.root });
  cpu.firmware = { el2Exception: (c) => c.halt('el2'), hlt: (c, imm) => (c.halt(imm === 1 ? 'done' : 'exception', 0), true) };
  const code = new DataView(new ArrayBuffer(8));
  code.setUint32(4, 0xd4400020, true); // hlt #1
  const bad: string[] = [];
  const ins = new Insn(() => {});
  for (const [w, base, x0, x2, x0out, quantity] of cases) {
    if (x0out === 'undef') {
      if (cpu.decoder.decode(w, ins) !== null) bad.push(`${w.toString(16)}: not UNDEFINED`);
      continue;
    }
    code.setUint32(0, w, true);
    m.bus.load(CODE, new Uint8Array(code.buffer));
    m.bus.load(BUF, INIT);
    cpu.invalidateAllCode();
    cpu.writeX(0, BigInt(x0));
    cpu.writeX(2, BigInt(x2));
    cpu.writeX(((w >>> 5) & 31) === 31 ? SP : 1, BigInt(base));
    cpu.status = 0;
    cpu.haltReason = '';
    cpu.pc = BigInt(CODE);
    cpu.run(2);
    const imm = ((w >>> 12) << 23) >> 23;
    const q = (Number(BigInt(base)) + imm) & ~15;
    const got = Array.from({ length: 16 }, (_, k) => m.bus.read(q + k, 1).toString(16).padStart(2, '0')).join('');
    const gx0 = '0x' + cpu.readX(0).toString(16);
    if (cpu.haltReason !== 'done' || gx0 !== x0out || got !== quantity)
      bad.push(`${w.toString(16)} base ${base}: ${cpu.haltReason} esr ${cpu.sysLo(SYS.ESR_EL1).toString(16)} x0 ${gx0} (want ${x0out}) mem ${got} (want ${quantity})`);
  }
  return bad;
}

describe('LDAPUR*/STLUR* (--cpu max) vs unicorn MAX', () => {
  it(`${cases.length} recorded cases agree`, () => {
    const bad = replay();
    expect(bad.slice(0, 20).join('\n') + `\n(${bad.length} mismatches)`).toBe('\n(0 mismatches)');
  });

  it('every allocated word is UNDEFINED on --cpu a57', () => {
    const a57 = new Machine({ ramSize: 1 << 20 }).cpu.decoder;
    const ins = new Insn(() => {});
    const words = cases.filter((c) => c[4] !== 'undef').map((c) => c[0]);
    expect(words.length).toBe(1950);
    for (const w of words) expect(a57.decode(w, ins), w.toString(16)).toBeNull();
  });
});
