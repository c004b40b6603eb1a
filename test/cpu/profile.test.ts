// CPU models (src/cpu/profile.ts): the ID registers each advertises, and that the profile decides
// what decodes (an instruction of a feature the model lacks is UNDEFINED: EC 0x00 at EL1).
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { cpuProfile, CPU_PROFILES } from '../../src/cpu/profile.js';
import { isUserError } from '../../src/errors.js';

const BASE = 0x4000_0000;
const HLT1 = 0xd4400020;
/** MRS X0, ID_AA64ISAR0_EL1 / ID_AA64ISAR1_EL1 (op0=3 op1=0 CRn=0 CRm=6 op2=0/1). */
const MRS_ISAR0 = 0xd5380600;
const MRS_ISAR1 = 0xd5380620;

/** Run `words` then HLT #1 at EL1 on a fresh machine of the model; vector table at 0x4000_1000 halts. */
function run(cpuModel: string | undefined, words: number[], setup?: (m: Machine) => void): Machine {
  const m = new Machine({ cpu: cpuModel, ramSize: 1 << 20 });
  const code = new DataView(new ArrayBuffer(4 * words.length + 4));
  words.forEach((w, k) => code.setUint32(4 * k, w, true));
  code.setUint32(4 * words.length, HLT1, true);
  m.bus.load(BASE, new Uint8Array(code.buffer));
  const vec = new DataView(new ArrayBuffer(0x800));
  for (let off = 0; off < 0x800; off += 0x80) vec.setUint32(off, 0xd4400040, true); // hlt #2: an exception came
  m.bus.load(BASE + 0x1000, new Uint8Array(vec.buffer));
  const cpu = m.cpu;
  cpu.setSys(SYS.VBAR_EL1, BASE + 0x1000, 0);
  cpu.setSys(SYS.CPACR_EL1, 0x300000, 0);
  cpu.firmware = {
    el2Exception: (c) => c.halt('el2'),
    hlt: (c, imm) => (c.halt(imm === 1 ? 'done' : 'exception', 0), true),
  };
  setup?.(m);
  cpu.pc = BigInt(BASE);
  cpu.run(100);
  return m;
}
const field = (v: bigint, lo: number): number => Number((v >> BigInt(lo)) & 0xfn);

describe('CPU models', () => {
  it('a57 (the default) advertises Armv8.0 + CRC32, LSE, DPB, LRCPC: no AES/SHA/RDM/DotProd/JSCVT', () => {
    const cpu = run(undefined, [MRS_ISAR0, 0xaa0003e2, MRS_ISAR1]).cpu; // mrs x0; mov x2, x0; mrs x0
    expect(cpu.haltReason).toBe('done');
    const isar0 = cpu.readX(2);
    const isar1 = cpu.readX(0);
    expect(isar0).toBe(0x210000n); // CRC32[19:16]=1, Atomic[23:20]=2
    expect(isar1).toBe(0x100001n); // DPB[3:0]=1, LRCPC[23:20]=1
  });

  it('max advertises each implemented extension in its ID field (D19.2.61/62)', () => {
    const cpu = run('max', [MRS_ISAR0, 0xaa0003e2, MRS_ISAR1]).cpu;
    const isar0 = cpu.readX(2);
    const isar1 = cpu.readX(0);
    // ISAR0: AES=2 (with PMULL), SHA1=1, SHA2=2 (SHA512), CRC32=1, Atomic=2, RDM=1, SHA3=1, SM3=1, SM4=1, DP=1, FHM=1, TS=2 (FlagM2)
    expect([4, 8, 12, 16, 20, 28, 32, 36, 40, 44, 48, 52].map((lo) => field(isar0, lo))).toEqual([2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1, 2]);
    // ISAR1: DPB=1, APA=1 (PAuth, QARMA5), API=0, JSCVT=1, FCMA=1, LRCPC=2 (LRCPC2), GPA=1 (PACGA, QARMA5), GPI=0, FRINTTS=1
    expect([0, 4, 8, 12, 16, 20, 24, 28, 32].map((lo) => field(isar1, lo))).toEqual([1, 1, 0, 1, 1, 2, 1, 0, 1]);
  });

  it('the profile values survive Cpu.reset()', () => {
    const m = new Machine({ cpu: 'max', ramSize: 1 << 20 });
    m.cpu.setSys(SYS.ID_AA64ISAR0_EL1, 0, 0);
    m.cpu.reset();
    expect(m.cpu.sysHi(SYS.ID_AA64ISAR0_EL1)).toBe(CPU_PROFILES.max.idRegs.ID_AA64ISAR0_EL1[1]);
  });

  // One instruction of each new feature: executes on max, UNDEFINED (EC 0x00 to EL1) on a57.
  const samples: [string, number][] = [
    ['AESE v0.16b, v1.16b', 0x4e284820],
    ['PMULL v0.1q, v1.1d, v2.1d', 0x0ee2e020],
    ['SHA256H q0, q1, v2.4s', 0x5e024020],
    ['SHA512H q0, q1, v2.2d', 0xce628020],
    ['EOR3 v0.16b, v1.16b, v2.16b, v3.16b', 0xce020c20],
    ['SQRDMLAH v0.8h, v1.8h, v2.8h', 0x6e428420],
    ['SDOT v0.4s, v1.16b, v2.16b', 0x4e829420],
    ['FJCVTZS w0, d1', 0x1e7e0020],
    ['CFINV', 0xd500401f],
    ['AXFLAG', 0xd500405f],
    ['FRINT32Z s0, s1', 0x1e284020],
    ['FCADD v0.4s, v1.4s, v2.4s, #90', 0x6e82e420],
    ['FMLAL v0.2s, v1.2h, v2.2h', 0x0e22ec20],
    ['SETF8 w1', 0x3a00082d],
    ['RMIF x1, #0, #0', 0xba000420],
    ['SM4E v0.4s, v1.4s', 0xcec08420],
    ['SM3TT1A v0.4s, v1.4s, v2.s[0]', 0xce428020],
    ['PACIA x0, x1', 0xdac10020],
    ['AUTDZB x0', 0xdac13fe0],
    ['XPACI x0', 0xdac143e0],
    ['PACGA x0, x1, x2', 0x9ac23020],
    ['MRS x0, APIAKeyLo_EL1', 0xd5382100],
    ['MSR APGAKeyHi_EL1, x0', 0xd5182320],
  ];
  for (const [name, word] of samples) {
    it(`${name}: runs on max, UNDEFINED on a57`, () => {
      const a = run('max', [word]).cpu;
      expect(a.haltReason).toBe('done');
      const b = run('a57', [word]).cpu;
      expect(b.haltReason).toBe('exception');
      expect(b.sysLo(SYS.ESR_EL1) >>> 26).toBe(0); // EC 0x00: Unknown reason
    });
  }

  it('FJCVTZS gives JavaScript ToInt32 and Z only when exact (FPToFixedJS)', () => {
    const set = (bits: bigint) => (m: Machine) => {
      m.cpu.vr[4] = Number(bits & 0xffffffffn) | 0;
      m.cpu.vr[5] = Number(bits >> 32n) | 0;
    };
    const f64 = (x: number): bigint => new BigUint64Array(new Float64Array([x]).buffer)[0];
    let cpu = run('max', [0x1e7e0020], set(f64(-1.5))).cpu;
    expect([cpu.readX(0), cpu.nzcv]).toEqual([0xffffffffn, 0]);
    cpu = run('max', [0x1e7e0020], set(f64(2 ** 32 + 7))).cpu; // out of range: modulo 2^32, Z = 0, IOC
    expect([cpu.readX(0), cpu.nzcv, cpu.fpsr & 1]).toEqual([7n, 0, 1]);
    cpu = run('max', [0x1e7e0020], set(f64(-42))).cpu;
    expect([cpu.readX(0), cpu.nzcv]).toEqual([0xffffffd6n, 0b0100]);
  });

  it('an unknown model is a one-line user error naming the known ones', () => {
    expect(cpuProfile('max').name).toBe('max');
    let err: unknown;
    try {
      new Machine({ cpu: 'm1' });
    } catch (e) {
      err = e;
    }
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toBe('--cpu m1: unknown CPU model (known: a57, max)');
    expect(() => cpuProfile('__proto__')).toThrow(/unknown CPU model/);
  });
});
