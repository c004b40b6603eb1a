// Replays recorded single-instruction FP/SIMD cases (the format of fp16-vectors and v8x-vectors,
// written by their *-gen.py scripts against unicorn): each case runs one word followed by HLT #1 on
// a small machine and compares V0, X0, NZCV and FPSR bit for bit; a case unicorn refused ("undef")
// must not decode here. Returns the mismatches (the first 40 described, the rest counted).
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { Insn } from '../../src/cpu/decode.js';
import { setV, V } from './fp-helpers.js';

/** [word, V1.. inputs, X1, FPCR, NZCV in, V0 out | 'undef', X0 out, NZCV out, FPSR out, V0 in?] */
export type VectorCase = [number, string[], string, number, number, string, string, number, number, string?];

const BASE = 0x4000_0000;
const HLT1 = 0xd4400020; // hlt #1

export interface ReplayOptions {
  /** CPU model (src/cpu/profile.ts). */
  cpu?: string;
  /** A documented reference bug: may replace `got` FPSR by the recorded one for this word. */
  acceptFpsr?: (word: number, got: number, want: number) => boolean;
}

export function replayVectorCases(cases: VectorCase[], o: ReplayOptions = {}): string[] {
  const m = new Machine({ cpu: o.cpu, ramSize: 1 << 20 });
  const cpu = m.cpu;
  cpu.firmware = {
    el2Exception: (c) => c.halt('el2'),
    hlt: (c, imm) => (imm === 1 ? (c.halt('done', 0), true) : false),
  };
  cpu.setSys(SYS.CPACR_EL1, 0x300000, 0);
  const code = new Uint8Array(8);
  const dv = new DataView(code.buffer);
  dv.setUint32(4, HLT1, true);
  const bad: string[] = [];
  let prevWord = -1;
  for (const [word, vin, x1, fpcr, nzcv, v0, x0, nzcvOut, fpsr, v0in] of cases) {
    if (word !== prevWord) {
      dv.setUint32(0, word, true);
      m.bus.load(BASE, code);
      cpu.invalidateAllCode();
      prevWord = word;
    }
    cpu.vr.fill(0);
    if (v0in) setV(cpu, 0, BigInt(v0in));
    vin.forEach((h, k) => setV(cpu, k + 1, BigInt(h)));
    cpu.writeX(0, 0n);
    cpu.writeX(1, BigInt(x1));
    cpu.fpcr = fpcr;
    cpu.fpsr = 0;
    cpu.nzcv = nzcv;
    cpu.status = 0;
    cpu.haltReason = '';
    cpu.pc = BigInt(BASE);
    if (v0 === 'undef') {
      // unicorn refused the encoding: it must decode as UNALLOCATED here too
      if (cpu.decoder.decode(word, new Insn(() => {})) !== null) bad.push(`${word.toString(16)}: not UNDEFINED`);
      continue;
    }
    cpu.run(2);
    const got = [V(cpu, 0), cpu.readX(0), cpu.nzcv, cpu.fpsr];
    const want = [BigInt(v0), BigInt(x0), nzcvOut, fpsr];
    if (o.acceptFpsr?.(word, cpu.fpsr, fpsr)) got[3] = fpsr;
    if (cpu.haltReason !== 'done' || got.some((g, k) => g !== want[k])) {
      bad.push(
        bad.length >= 40
          ? ''
          : `${word.toString(16)} in=[${vin.join(',')}] v0in=${v0in} x1=${x1} fpcr=${fpcr.toString(16)} nzcv=${nzcv}: ` +
              `got v0=${got[0].toString(16)} x0=${got[1].toString(16)} nzcv=${got[2]} fpsr=${got[3].toString(16)} ${cpu.haltReason}; ` +
              `want v0=${want[0].toString(16)} x0=${want[1].toString(16)} nzcv=${want[2]} fpsr=${want[3].toString(16)}`,
      );
    }
  }
  return bad;
}

/** The assertion both vector tests make: no mismatch (the first 40 shown otherwise). */
export function mismatchReport(bad: string[]): string {
  return bad.filter((b) => b).slice(0, 40).join('\n') + `\n(${bad.length} mismatches)`;
}
