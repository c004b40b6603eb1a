// Differential vectors (written by tools/difftest/gen.py from unicorn runs): reading the binary
// format and replaying a case on the real Machine. Shared by test/cpu/vectors.test.ts and
// tools/difftest/live.ts. BigInt is fine here: this is a test tool, not the per-instruction path.
import { gunzipSync, gzipSync } from 'node:zlib';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';

export const FORMAT_VERSION = 2;
const M64 = (1n << 64n) - 1n;
/**
 * The exception vector table the replay installs: `nop; hlt #2` pairs, so an exception stops the
 * run. The NOP retires first: the run loop clears its "no instruction retired since the last
 * exception" streak only when a block completes, and cpu.reset() does not clear it, so 9 cases
 * in a row ending in HLT right after an exception would otherwise look like a lost guest.
 */
const VBAR = 0x4008_0000;
const NOP = 0xd503201f;
const HLT2 = 0xd4400040;

export interface VectorCase {
  index: number;
  seed: number;
  nzcvIn: number;
  words: number[];
  /** Initial register overrides: 0..30 = Xn, 31 = SP. */
  over: Map<number, bigint>;
  /** Instructions the reference executed (branches may skip some words). */
  count: number;
  nzcvOut: number;
  /** Final PC as a byte offset from the code base. */
  pcOut: number;
  /** Registers whose final value differs from the initial one. */
  changed: Map<number, bigint>;
  /** Buffer bytes that differ from the initial buffer: [offset, bytes]. */
  mem: [number, Uint8Array][];
  /** FP classes only: FPCR, V register overrides (V0..V31 as 16 little-endian bytes), the final
   * FPSR (it starts at 0) and the V registers whose value changed. */
  fp?: { fpcr: number; vover: Map<number, Uint8Array>; fpsr: number; vchanged: Map<number, Uint8Array> };
  /** The case ends in an Undefined Instruction exception at pcOut (unicorn took it as UNDEFINED). */
  expectUndef?: boolean;
}

export interface VectorFile {
  cls: string;
  codeBase: number;
  bufBase: number;
  bufSize: number;
  cases: VectorCase[];
}

export function parseVectors(gz: Uint8Array): VectorFile {
  const b = gunzipSync(gz);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  const magic = String.fromCharCode(b[0], b[1], b[2], b[3]);
  if (magic !== 'A64V') throw new Error(`not a vector file (magic ${JSON.stringify(magic)})`);
  if (b[4] !== FORMAT_VERSION) throw new Error(`vector format version ${b[4]}, expected ${FORMAT_VERSION}`);
  const nameLen = b[5];
  p = 6;
  const cls = new TextDecoder().decode(b.subarray(p, p + nameLen));
  p += nameLen;
  const n = dv.getUint32(p, true);
  const codeBase = dv.getUint32(p + 4, true);
  const bufBase = dv.getUint32(p + 8, true);
  const bufSize = dv.getUint32(p + 12, true);
  const hasFp = b[p + 16] & 1;
  const expectUndef = (b[p + 16] & 2) !== 0;
  p += 17;
  const u64 = (q: number): bigint => dv.getBigUint64(q, true);
  const cases: VectorCase[] = [];
  for (let index = 0; index < n; index++) {
    const seed = dv.getUint32(p, true);
    const nzcvIn = b[p + 4];
    const nw = b[p + 5];
    p += 6;
    const words: number[] = [];
    for (let k = 0; k < nw; k++, p += 4) words.push(dv.getUint32(p, true));
    const over = new Map<number, bigint>();
    const no = b[p++];
    for (let k = 0; k < no; k++, p += 9) over.set(b[p], u64(p + 1));
    const count = b[p];
    const nzcvOut = b[p + 1];
    const pcOut = dv.getUint16(p + 2, true);
    const nc = b[p + 4];
    p += 5;
    const changed = new Map<number, bigint>();
    for (let k = 0; k < nc; k++, p += 9) changed.set(b[p], u64(p + 1));
    const nr = dv.getUint16(p, true);
    p += 2;
    const mem: [number, Uint8Array][] = [];
    for (let k = 0; k < nr; k++) {
      const off = dv.getUint16(p, true);
      const len = b[p + 2];
      mem.push([off, b.slice(p + 3, p + 3 + len)]);
      p += 3 + len;
    }
    let fp: VectorCase['fp'];
    if (hasFp) {
      const fpcr = dv.getUint32(p, true);
      const nv = b[p + 4];
      p += 5;
      const vover = new Map<number, Uint8Array>();
      for (let k = 0; k < nv; k++, p += 17) vover.set(b[p], b.slice(p + 1, p + 17));
      const fpsr = dv.getUint32(p, true);
      const nvc = b[p + 4];
      p += 5;
      const vchanged = new Map<number, Uint8Array>();
      for (let k = 0; k < nvc; k++, p += 17) vchanged.set(b[p], b.slice(p + 1, p + 17));
      fp = { fpcr, vover, fpsr, vchanged };
    }
    cases.push({ index, seed, nzcvIn, words, over, count, nzcvOut, pcOut, changed, mem, fp, expectUndef });
  }
  if (p !== b.length) throw new Error(`${cls}: ${b.length - p} trailing bytes after ${n} cases`);
  return { cls, codeBase, bufBase, bufSize, cases };
}

/** The xorshift32 of gen.py: registers X0..X30, SP (lo then hi word each), then the buffer. */
export function initialState(seed: number, bufSize: number, withV = false): { regs: bigint[]; buf: Uint8Array; v: Uint32Array } {
  let s = seed >>> 0;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const regs: bigint[] = [];
  for (let k = 0; k < 32; k++) {
    const lo = next();
    const hi = next();
    regs.push((BigInt(hi) << 32n) | BigInt(lo));
  }
  const buf = new Uint8Array(bufSize);
  const w = new Uint32Array(buf.buffer);
  for (let k = 0; k < bufSize / 4; k++) w[k] = next();
  // V0..V31 (FP classes): the next 128 draws, V0's lowest word first.
  const v = new Uint32Array(withV ? 128 : 0);
  for (let k = 0; k < v.length; k++) v[k] = next();
  return { regs, buf, v };
}

export interface Mismatch {
  what: string;
  expected: string;
  actual: string;
}

export interface CaseResult {
  ok: boolean;
  mismatches: Mismatch[];
  /** Set when the run stopped in an exception (EC, ELR) rather than completing. */
  exception?: string;
}

/** FPSR as hex with its cumulative flags named (QC, IDC, IXC, UFC, OFC, DZC, IOC). */
function fpsrText(f: number): string {
  const names: [number, string][] = [[27, 'QC'], [7, 'IDC'], [4, 'IXC'], [3, 'UFC'], [2, 'OFC'], [1, 'DZC'], [0, 'IOC']];
  const set = names.filter(([b]) => (f >>> b) & 1).map(([, n]) => n);
  return `0x${f.toString(16)}${set.length ? ` (${set.join(' ')})` : ''}`;
}

const hex = (v: bigint, w = 16): string => '0x' + v.toString(16).padStart(w, '0');
const regName = (k: number): string => (k === 31 ? 'SP' : `X${k}`);

/** One Machine reused across cases: reset, load, run exactly `count` instructions, compare. */
export class Replayer {
  readonly m: Machine;
  private lastWords = 0;
  constructor(
    readonly codeBase: number,
    readonly bufBase: number,
    readonly bufSize: number,
  ) {
    this.m = new Machine({ ramSize: 2 * 1024 * 1024 });
    this.m.cpu.firmware = {
      el2Exception: (c) => c.halt(`EL2 exception EC=0x${c.excEC.toString(16)}`),
      hlt: (c, imm) => {
        if (imm !== 2) return false;
        c.halt('exception', 0);
        return true;
      },
    };
    const vt = new Uint8Array(0x800);
    const dv = new DataView(vt.buffer);
    for (let k = 0; k < 0x800; k += 8) {
      dv.setUint32(k, NOP, true);
      dv.setUint32(k + 4, HLT2, true);
    }
    this.m.bus.load(VBAR, vt);
  }

  /** `extra`: instructions allowed beyond the case's count (the engine comparison runs on to the vector's HLT). */
  run(c: VectorCase, extra = 0): CaseResult {
    const { m, codeBase, bufBase, bufSize } = this;
    const cpu = m.cpu;
    cpu.reset();
    cpu.setSys(SYS.VBAR_EL1, VBAR, 0);
    // Clear the previous case's code so nothing stale can execute, then load this one.
    if (this.lastWords > c.words.length) m.bus.load(codeBase, new Uint8Array(4 * this.lastWords));
    const code = new Uint8Array(4 * c.words.length);
    const cdv = new DataView(code.buffer);
    c.words.forEach((w, k) => cdv.setUint32(4 * k, w, true));
    m.bus.load(codeBase, code);
    this.lastWords = c.words.length;
    cpu.invalidateAllCode(); // bus.load bypasses the decoded-block cache
    const { regs, buf, v } = initialState(c.seed, bufSize, c.fp !== undefined);
    for (const [k, val] of c.over) regs[k] = val;
    m.bus.load(bufBase, buf);
    if (c.fp) {
      const v8 = new Uint8Array(v.buffer);
      for (const [k, bytes] of c.fp.vover) v8.set(bytes, 16 * k);
      cpu.vr.set(new Int32Array(v.buffer));
      cpu.fpcr = c.fp.fpcr;
      cpu.fpsr = 0;
    }
    for (let k = 0; k < 31; k++) cpu.writeX(k, regs[k]);
    cpu.writeX(32, regs[31]);
    cpu.nzcv = c.nzcvIn;
    cpu.setSys(SYS.CPACR_EL1, 3 << 20, 0); // CPACR_EL1.FPEN = 0b11, as on unicorn: no FP traps
    cpu.pc = BigInt(codeBase);
    // An expected UNDEFINED retires nothing; the handler's NOP and HLT #2 then retire and halt.
    // (An unexpected exception with no budget left ends with the PC in the vector table.)
    cpu.run((c.expectUndef ? c.count + 2 : c.count) + extra);

    const mismatches: Mismatch[] = [];
    let exception: string | undefined;
    const inVectors = cpu.pc >= BigInt(VBAR) && cpu.pc < BigInt(VBAR + 0x800);
    if (cpu.haltReason === 'exception' || inVectors) {
      const ec = Number((cpu.sys64(SYS.ESR_EL1) >> 26n) & 0x3fn);
      const elr = cpu.sys64(SYS.ELR_EL1);
      const k = Number((elr - BigInt(codeBase)) / 4n);
      const w = k >= 0 && k < c.words.length ? ` (word ${c.words[k].toString(16).padStart(8, '0')})` : '';
      exception = `exception EC=0x${ec.toString(16)} at ELR=${hex(elr, 8)}${w}`;
    } else if (cpu.haltReason !== '') {
      exception = `halted: ${cpu.haltReason}`;
    }
    let ecOf: number | undefined;
    if (exception !== undefined && (cpu.haltReason === 'exception' || inVectors)) ecOf = Number((cpu.sys64(SYS.ESR_EL1) >> 26n) & 0x3fn);
    if (c.expectUndef) {
      const elr = cpu.sys64(SYS.ELR_EL1);
      const at = BigInt(codeBase + c.pcOut);
      if (ecOf === 0 && elr === at) exception = undefined;
      else if (exception === undefined) mismatches.push({ what: 'UNDEFINED', expected: `EC=0x0 at ${hex(at, 8)}`, actual: `executed (PC ${hex(cpu.pc, 8)})` });
      else mismatches.push({ what: 'UNDEFINED', expected: `EC=0x0 at ${hex(at, 8)}`, actual: exception });
      exception = undefined;
    }
    for (let k = 0; k < 32; k++) {
      const exp = (c.changed.get(k) ?? regs[k]) & M64;
      const act = cpu.readX(k === 31 ? 32 : k);
      if (exp !== act) mismatches.push({ what: regName(k), expected: hex(exp), actual: hex(act) });
    }
    if (cpu.nzcv !== c.nzcvOut) {
      mismatches.push({ what: 'NZCV', expected: c.nzcvOut.toString(2).padStart(4, '0'), actual: cpu.nzcv.toString(2).padStart(4, '0') });
    }
    const pcExp = BigInt(codeBase + c.pcOut);
    if (!c.expectUndef && cpu.pc !== pcExp) mismatches.push({ what: 'PC', expected: hex(pcExp, 8), actual: hex(cpu.pc, 8) });
    if (c.fp) {
      const exp = new Uint8Array(v.buffer);
      for (const [k, bytes] of c.fp.vover) exp.set(bytes, 16 * k);
      for (const [k, bytes] of c.fp.vchanged) exp.set(bytes, 16 * k);
      const act = new Uint8Array(cpu.vr.buffer, cpu.vr.byteOffset, 512);
      const q = (a: Uint8Array, k: number): string =>
        '0x' + [...a.subarray(16 * k, 16 * k + 16)].reverse().map((x) => x.toString(16).padStart(2, '0')).join('');
      for (let k = 0; k < 32; k++) {
        let same = true;
        for (let j = 16 * k; j < 16 * k + 16; j++) if (exp[j] !== act[j]) same = false;
        if (!same) mismatches.push({ what: `V${k}`, expected: q(exp, k), actual: q(act, k) });
      }
      if ((cpu.fpsr >>> 0) !== c.fp.fpsr) {
        mismatches.push({ what: 'FPSR', expected: fpsrText(c.fp.fpsr), actual: fpsrText(cpu.fpsr >>> 0) });
      }
    }
    for (const [off, bytes] of c.mem) buf.set(bytes, off);
    const after = m.bus.readBytes(bufBase, bufSize);
    const e32 = new Uint32Array(buf.buffer);
    const a32 = new Uint32Array(after.buffer, after.byteOffset, bufSize / 4);
    for (let k = 0; k < bufSize / 4; k++) {
      if (e32[k] !== a32[k]) {
        mismatches.push({
          what: `mem[buf+0x${(4 * k).toString(16)}]`,
          expected: '0x' + e32[k].toString(16).padStart(8, '0'),
          actual: '0x' + a32[k].toString(16).padStart(8, '0'),
        });
        if (mismatches.length > 12) break;
      }
    }
    return { ok: mismatches.length === 0 && exception === undefined, mismatches, exception };
  }
}

/** A readable description of a case and its mismatches (disassembly supplied by the caller). */
export function describeCase(c: VectorCase, r: CaseResult, disasm: (w: number, addr: number) => string, codeBase: number): string {
  const lines: string[] = [];
  lines.push(`case #${c.index} seed=0x${c.seed.toString(16)} nzcv=${c.nzcvIn.toString(2).padStart(4, '0')} executed=${c.count}`);
  c.words.forEach((w, k) => {
    const a = codeBase + 4 * k;
    lines.push(`  ${a.toString(16)}: ${w.toString(16).padStart(8, '0')}  ${disasm(w, a)}`);
  });
  // Initial values of every register a 5-bit operand field (Rd/Rt, Rn, Rt2/Ra, Rm/Rs) names.
  const { regs } = initialState(c.seed, 4);
  for (const [k, v] of c.over) regs[k] = v;
  const used = new Set<number>();
  for (const w of c.words) for (const sh of [0, 5, 10, 16]) used.add((w >>> sh) & 31);
  lines.push('  inputs: ' + [...used].sort((a, b) => a - b).map((k) => `${regName(k)}=${hex(regs[k])}`).join(' '));
  if (c.fp) {
    const { v } = initialState(c.seed, 4096, true);
    const v8 = new Uint8Array(v.buffer);
    for (const [k, bytes] of c.fp.vover) v8.set(bytes, 16 * k);
    const vused = new Set<number>();
    for (const w of c.words) for (const sh of [0, 5, 10, 16]) vused.add((w >>> sh) & 31);
    const d = (k: number): string =>
      '0x' + [...v8.subarray(16 * k, 16 * k + 8)].reverse().map((x) => x.toString(16).padStart(2, '0')).join('');
    lines.push(`  FPCR=0x${c.fp.fpcr.toString(16)} (RMode ${(c.fp.fpcr >>> 22) & 3}, FZ ${(c.fp.fpcr >>> 24) & 1}, DN ${(c.fp.fpcr >>> 25) & 1}, AHP ${(c.fp.fpcr >>> 26) & 1})`);
    lines.push('  V inputs (low 64 bits): ' + [...vused].sort((a, b) => a - b).map((k) => `D${k}=${d(k)}`).join(' '));
  }
  if (r.exception) lines.push(`  ${r.exception}`);
  for (const mm of r.mismatches.slice(0, 8)) lines.push(`  ${mm.what}: expected ${mm.expected}, got ${mm.actual}`);
  return lines.join('\n');
}

/** Write cases back in the vector format (used to keep the cases a live run found). */
export function encodeVectors(v: VectorFile): Uint8Array {
  const out: number[] = [];
  const u8 = (x: number): void => void out.push(x & 0xff);
  const u16 = (x: number): void => (u8(x), u8(x >>> 8));
  const u32 = (x: number): void => (u16(x & 0xffff), u16(x >>> 16));
  const u64 = (x: bigint): void => (u32(Number(x & 0xffffffffn)), u32(Number((x >> 32n) & 0xffffffffn)));
  const bytes = (b: Uint8Array): void => b.forEach((x) => u8(x));
  const hasFp = v.cases.some((c) => c.fp);
  const undef = v.cases.some((c) => c.expectUndef);
  bytes(new TextEncoder().encode('A64V'));
  u8(FORMAT_VERSION);
  const name = new TextEncoder().encode(v.cls);
  u8(name.length);
  bytes(name);
  u32(v.cases.length);
  u32(v.codeBase);
  u32(v.bufBase);
  u32(v.bufSize);
  u8((hasFp ? 1 : 0) | (undef ? 2 : 0));
  for (const c of v.cases) {
    u32(c.seed);
    u8(c.nzcvIn);
    u8(c.words.length);
    c.words.forEach(u32);
    u8(c.over.size);
    for (const [k, x] of [...c.over].sort((a, b) => a[0] - b[0])) (u8(k), u64(x));
    u8(c.count);
    u8(c.nzcvOut);
    u16(c.pcOut);
    u8(c.changed.size);
    for (const [k, x] of c.changed) (u8(k), u64(x));
    u16(c.mem.length);
    for (const [off, b] of c.mem) (u16(off), u8(b.length), bytes(b));
    if (hasFp) {
      const f = c.fp!;
      u32(f.fpcr);
      u8(f.vover.size);
      for (const [k, b] of f.vover) (u8(k), bytes(b));
      u32(f.fpsr);
      u8(f.vchanged.size);
      for (const [k, b] of f.vchanged) (u8(k), bytes(b));
    }
  }
  return gzipSync(new Uint8Array(out), { level: 9 });
}
