// MMIO accesses without an instruction syndrome (ISV=0: pairs, writeback forms, SIMD&FP registers;
// ARM ARM D17.2.37 ISV): per-VM policy "emulate" decodes the instruction from guest memory (its
// stage 1 + stage 2) and performs it; "inject" (and any instruction the decoder does not handle)
// gives the guest a synchronous external abort at EL1 (ESR_EL1 EC 0x25, FSC 0x10).
import { describe, it, expect } from 'vitest';
import { runVms, OFF, X, type VmRun } from './hyp-helpers.js';
import { decodeDataAbortIss } from '../../src/hyp/abort.js';
import { decodeMemOp } from '../../src/hyp/isv0.js';

const RAM = 0x4000_0000n;
/** x9 = scratch device; a vector table recording ESR/FAR/ELR_EL1 in x20-x22 then powering off. */
const guest = (body: string): string => `
  adr x1, vectors
  msr vbar_el1, x1
  isb
  movz x9, #0x0a10, lsl #16
  ldr x7, =0x0123456789abcdef
  ldr x8, =0xfedcba9876543210
  ${body}
  mov x6, #7
  ${OFF}
  .ltorg
  .balign 0x800
vectors:
  .space 0x200
  mrs x20, esr_el1
  mrs x21, far_el1
  mrs x22, elr_el1
  ${OFF}`;
const FIRST = [0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 1, 2, 3, 4, 5, 6, 7, 8];
/** The scratch device's bytes before the guest runs: FIRST, then 0x10, 0x11... */
const initial = (k: number): number => (k < 16 ? FIRST[k] : (k & 0xff));
const fill = (r: VmRun): void => {
  for (let k = 0; k < 0x100; k++) r.scratch[0].bytes[k] = initial(k);
};

async function emulate(body: string, isv0: 'emulate' | 'inject' = 'emulate'): Promise<VmRun> {
  const r = await runVms([guest(body)], { vms: [{ ramSize: 32 << 20, isv0 }] }, 10_000, fill);
  const e = r.exits.find((x) => x.ec === 0x24)!;
  expect(decodeDataAbortIss(e.esr).isv).toBe(false); // the architecture gives no syndrome for these
  return r;
}

const FP = 'mov x1, #0x300000\nmsr cpacr_el1, x1\nisb\n'; // CPACR_EL1.FPEN: no FP trap to EL1
const q = (r: VmRun, n: number): number[] => Array.from(r.hv.cpu.vr.subarray(4 * n, 4 * n + 4), (w) => w >>> 0);

describe('ISV=0 policy emulate', () => {
  it('LDP W: two words, upper halves zeroed', async () => {
    const r = await emulate('ldp w5, w10, [x9]');
    expect([X(r, 5), X(r, 10), X(r, 6)]).toEqual([0xccdd_eeffn, 0x8899_aabbn, 7n]);
    expect(r.vm.stats.get('isv0-emulated scratch')).toBe(1);
  });
  it('LDP X with pre-index writeback', async () => {
    const r = await emulate('sub x9, x9, #16\nldp x5, x10, [x9, #16]!');
    expect([X(r, 5), X(r, 10), X(r, 9)]).toEqual([0x8899_aabb_ccdd_eeffn, 0x0807_0605_0403_0201n, 0x0a10_0000n]);
  });
  it('LDPSW sign-extends both words', async () => {
    const r = await emulate('ldpsw x5, x10, [x9]');
    expect([X(r, 5), X(r, 10)]).toEqual([0xffff_ffff_ccdd_eeffn, 0xffff_ffff_8899_aabbn]);
  });
  it('STP X with post-index writeback writes both registers, then the base', async () => {
    const r = await emulate('stp x7, x8, [x9], #32');
    expect(r.scratch[0].log).toEqual(['w4@0=89abcdef', 'w4@4=1234567', 'w4@8=76543210', 'w4@c=fedcba98']);
    expect(X(r, 9)).toBe(0x0a10_0020n);
  });
  it('STP with XZR stores zeros', async () => {
    const r = await emulate('stp wzr, w7, [x9, #8]');
    expect(r.scratch[0].log).toEqual(['w4@8=0', 'w4@c=89abcdef']);
  });
  it('LDR post-index (writeback: ISV=0) and LDRSB pre-index', async () => {
    let r = await emulate('ldr w5, [x9], #4');
    expect([X(r, 5), X(r, 9)]).toEqual([0xccdd_eeffn, 0x0a10_0004n]);
    r = await emulate('ldrsb x5, [x9, #1]!');
    expect([X(r, 5), X(r, 9)]).toEqual([0xffff_ffff_ffff_ffeen, 0x0a10_0001n]);
  });
  it('LDR Q: sixteen bytes as two doubleword accesses', async () => {
    const r = await emulate(`${FP}ldr q3, [x9]`);
    expect(q(r, 3)).toEqual([0xccdd_eeff, 0x8899_aabb, 0x0403_0201, 0x0807_0605]);
    expect(r.scratch[0].log).toEqual(['r4@0', 'r4@4', 'r4@8', 'r4@c']);
  });
  it('LDR S / LDR B zero the rest of the Q register; post-index writeback', async () => {
    let r = await emulate(`${FP}movi v3.16b, #0xff\nldr s3, [x9, #8]`);
    expect(q(r, 3)).toEqual([0x0403_0201, 0, 0, 0]);
    r = await emulate(`${FP}movi v3.16b, #0xff\nldr b3, [x9], #3`);
    expect([...q(r, 3), Number(X(r, 9) & 0xfffn)]).toEqual([0xff, 0, 0, 0, 3]);
  });
  it('STR D, STR H and STP Q write the low bytes of the registers', async () => {
    let r = await emulate(`${FP}fmov d1, x7\nstr d1, [x9]`);
    expect(r.scratch[0].log).toEqual(['w4@0=89abcdef', 'w4@4=1234567']);
    r = await emulate(`${FP}fmov d1, x7\nstr h1, [x9, #2]`);
    expect(r.scratch[0].log).toEqual(['w2@2=cdef']);
    r = await emulate(`${FP}fmov d1, x7\nfmov d2, x8\nstp q1, q2, [x9]`);
    expect(r.scratch[0].log).toEqual(['w4@0=89abcdef', 'w4@4=1234567', 'w4@8=0', 'w4@c=0', 'w4@10=76543210', 'w4@14=fedcba98', 'w4@18=0', 'w4@1c=0']);
  });
  it('LDP D with pre-index writeback', async () => {
    const r = await emulate(`${FP}ldp d4, d5, [x9, #0]!`);
    expect([...q(r, 4), ...q(r, 5)]).toEqual([0xccdd_eeff, 0x8899_aabb, 0, 0, 0x0403_0201, 0x0807_0605, 0, 0]);
  });
  it('LDR/STR (SIMD&FP, register offset): address = Xn + (extend(Xm) << scale), no writeback', async () => {
    // ARM ARM C7.2 LDR (register, SIMD&FP): offset = ExtendReg(m, option, shift), shift = S ? scale : 0.
    let r = await emulate(`${FP}mov x10, #1\nldr q3, [x9, x10, lsl #4]`);
    expect(q(r, 3)).toEqual([0x1312_1110, 0x1716_1514, 0x1b1a_1918, 0x1f1e_1d1c]);
    expect(r.scratch[0].log).toEqual(['r4@10', 'r4@14', 'r4@18', 'r4@1c']);
    expect(X(r, 9)).toBe(0x0a10_0000n);
    // SXTW of a negative W register: 0x20 + (-4 << 2) = 0x10.
    r = await emulate(`${FP}add x9, x9, #0x20\nmov w10, #-4\nfmov s1, w7\nstr s1, [x9, w10, sxtw #2]`);
    expect(r.scratch[0].log).toEqual(['w4@10=89abcdef']);
    r = await emulate(`${FP}mov x10, #5\nldr b2, [x9, x10]`);
    expect(q(r, 2)).toEqual([0xaa, 0, 0, 0]);
  });
});

/** The 16 bytes of Vn. */
const vb = (r: VmRun, n: number): number[] => Array.from(new Uint8Array(r.hv.cpu.vr.buffer, r.hv.cpu.vr.byteOffset + 16 * n, 16));
/** The scratch device's initial bytes [from, from + n). */
const mem = (from: number, n: number): number[] => Array.from({ length: n }, (_, k) => initial(from + k));

describe('ISV=0 emulate: Advanced SIMD structures (ARM ARM C7.2 LD1..LD4, ST1..ST4)', () => {
  it('LD1 {v0.16b}: sixteen byte accesses, in element order', async () => {
    const r = await emulate(`${FP}ld1 {v0.16b}, [x9]`);
    expect(vb(r, 0)).toEqual(mem(0, 16));
    expect(r.scratch[0].log).toEqual(mem(0, 16).map((_, k) => `r1@${k.toString(16)}`));
    expect([X(r, 6), X(r, 9)]).toEqual([7n, 0x0a10_0000n]); // resumed after it; no writeback
    expect(r.vm.stats.get('isv0-emulated scratch')).toBe(1);
  });
  it('LD1 {v1.4s, v2.4s}, [x9], #32: two registers, post-index by the bytes transferred', async () => {
    const r = await emulate(`${FP}ld1 {v1.4s, v2.4s}, [x9], #32`);
    expect([...vb(r, 1), ...vb(r, 2)]).toEqual(mem(0, 32));
    expect(r.scratch[0].log.length).toBe(8); // one access per 32-bit element
    expect(X(r, 9)).toBe(0x0a10_0020n);
  });
  it('LD1 {v3.8b}: a 64-bit form zeroes bits [127:64]; post-index by register adds Xm', async () => {
    const r = await emulate(`${FP}movi v3.16b, #0xff\nmov x10, #-8\nadd x9, x9, #8\nld1 {v3.8b}, [x9], x10`);
    expect(vb(r, 3)).toEqual([...mem(8, 8), 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(X(r, 9)).toBe(0x0a10_0000n);
  });
  it('LD1 {v30.2d, v31.2d, v0.2d}: registers wrap from V31 to V0', async () => {
    const r = await emulate(`${FP}ld1 {v30.2d, v31.2d, v0.2d}, [x9]`);
    expect([...vb(r, 30), ...vb(r, 31), ...vb(r, 0)]).toEqual(mem(0, 48));
  });
  it('LD2 {v4.8h, v5.8h}: de-interleaves (even halfwords to V4, odd to V5)', async () => {
    const r = await emulate(`${FP}ld2 {v4.8h, v5.8h}, [x9]`);
    const h = (k: number): number[] => mem(2 * k, 2);
    expect(vb(r, 4)).toEqual([0, 2, 4, 6, 8, 10, 12, 14].flatMap(h));
    expect(vb(r, 5)).toEqual([1, 3, 5, 7, 9, 11, 13, 15].flatMap(h));
    expect(r.scratch[0].log.slice(0, 3)).toEqual(['r2@0', 'r2@2', 'r2@4']);
  });
  it('ST4 {v0.4s-v3.4s}: interleaves, member order within each structure', async () => {
    const setup = [0, 1, 2, 3].map((n) => `movi v${n}.4s, #${n + 1}\nmov v${n}.s[2], w7`).join('\n');
    const r = await emulate(`${FP}${setup}\nst4 {v0.4s, v1.4s, v2.4s, v3.4s}, [x9], #64`);
    expect(r.scratch[0].log.slice(0, 8)).toEqual(['w4@0=1', 'w4@4=2', 'w4@8=3', 'w4@c=4', 'w4@10=1', 'w4@14=2', 'w4@18=3', 'w4@1c=4']);
    expect(r.scratch[0].log.slice(8, 12)).toEqual(['w4@20=89abcdef', 'w4@24=89abcdef', 'w4@28=89abcdef', 'w4@2c=89abcdef']);
    expect(r.scratch[0].log.length).toBe(16);
    expect(X(r, 9)).toBe(0x0a10_0040n);
  });
  it('ST1 {v1.1d, v2.1d}: 64-bit elements as doubleword accesses', async () => {
    const r = await emulate(`${FP}fmov d1, x7\nfmov d2, x8\nst1 {v1.1d, v2.1d}, [x9]`);
    expect(r.scratch[0].log).toEqual(['w4@0=89abcdef', 'w4@4=1234567', 'w4@8=76543210', 'w4@c=fedcba98']);
  });
  it('LD1 {v5.h}[5] (single structure) replaces one lane and keeps the others, upper half included', async () => {
    const r = await emulate(`${FP}movi v5.16b, #0x5a\nld1 {v5.h}[5], [x9]`);
    const want = Array(16).fill(0x5a);
    want[10] = initial(0);
    want[11] = initial(1);
    expect(vb(r, 5)).toEqual(want);
    expect(r.scratch[0].log).toEqual(['r2@0']);
  });
  it('ST3 {v0.b-v2.b}[15] with post-index by register; LD3 {v0.s-v2.s}[1]', async () => {
    const setup = [0, 1, 2].map((n) => `movi v${n}.16b, #0x${n + 1}${n + 1}\nmov w1, #0x${n + 7}0\nmov v${n}.b[15], w1`).join('\n');
    let r = await emulate(`${FP}${setup}\nmov x10, #0x100\nst3 {v0.b, v1.b, v2.b}[15], [x9], x10`);
    expect(r.scratch[0].log).toEqual(['w1@0=70', 'w1@1=80', 'w1@2=90']);
    expect(X(r, 9)).toBe(0x0a10_0100n);
    r = await emulate(`${FP}ld3 {v0.s, v1.s, v2.s}[1], [x9], #12`);
    expect([vb(r, 0).slice(4, 8), vb(r, 1).slice(4, 8), vb(r, 2).slice(4, 8)]).toEqual([mem(0, 4), mem(4, 4), mem(8, 4)]);
    expect(X(r, 9)).toBe(0x0a10_000cn);
  });
  it('LD1R {v6.8h} replicates to every lane of the low 64 bits; LD2R {v7.2d, v8.2d}', async () => {
    let r = await emulate(`${FP}movi v6.16b, #0xff\nld1r {v6.4h}, [x9]`);
    expect(vb(r, 6)).toEqual([...mem(0, 2), ...mem(0, 2), ...mem(0, 2), ...mem(0, 2), 0, 0, 0, 0, 0, 0, 0, 0]);
    r = await emulate(`${FP}ld2r {v7.2d, v8.2d}, [x9]`);
    expect([...vb(r, 7), ...vb(r, 8)]).toEqual([...mem(0, 8), ...mem(0, 8), ...mem(8, 8), ...mem(8, 8)]);
  });
  it('elements that leave the faulting 4 KiB page are not emulated: external abort, nothing touched', async () => {
    const r = await emulate(`${FP}add x9, x9, #0xff0\nld1 {v0.16b, v1.16b}, [x9]`);
    expect(X(r, 20)).toBe(0x9600_0010n);
    expect(r.scratch[0].log).toEqual([]);
    expect(r.vm.stats.get('isv0-unsupported scratch')).toBe(1);
  });
});

describe('ISV=0 emulate: exclusives and atomics stay external aborts', () => {
  // A device cannot be given single-copy-atomic read-modify-write or an exclusive monitor one
  // trapped access at a time (ARM ARM B2.2, B2.9): like KVM, the guest gets an external abort.
  // (A STXR with no LDXR before it may fail without an access: ExclusiveMonitorsPass.)
  for (const [what, body] of [
    ['LDXR', 'ldxr x5, [x9]'],
    ['LDAXP', 'ldaxp x5, x10, [x9]'],
    ['LDADD', '.long 0xf8270125 // ldadd x7, x5, [x9]'],
    ['STADD', '.long 0xf827013f // stadd x7, [x9]'],
    ['SWP', '.long 0xf8278125 // swp x7, x5, [x9]'],
    ['CAS', '.long 0xc8a57d27 // cas x5, x7, [x9]'],
  ] as const) {
    it(`${what} on MMIO: EC 0x25, FSC 0x10, the device untouched, Xt unchanged`, async () => {
      const r = await emulate(`mov x5, #0x55\n${body}`);
      const esr = X(r, 20);
      expect(esr >> 26n).toBe(0x25n);
      expect(esr & 0x3fn).toBe(0x10n); // synchronous external abort
      expect(X(r, 21)).toBe(0x0a10_0000n); // FAR_EL1 = the VA
      expect(X(r, 5)).toBe(0x55n);
      expect(r.scratch[0].log).toEqual([]);
      expect(r.vm.stats.get('isv0-unsupported scratch')).toBe(1);
    });
  }
});

describe('ISV=0 policy inject', () => {
  it('LDP on MMIO: synchronous external abort at EL1, FAR_EL1 = the VA, ELR_EL1 = the LDP', async () => {
    const r = await emulate('ldp x5, x10, [x9, #8]', 'inject');
    expect(X(r, 20)).toBe(0x9600_0010n);
    expect(X(r, 21)).toBe(0x0a10_0008n);
    const ldp = r.exits[0].elr;
    expect(X(r, 22)).toBe(ldp);
    expect(ldp > RAM).toBe(true);
    expect(r.scratch[0].log).toEqual([]); // the device was not touched
    expect(r.vm.stats.get('isv0-injected scratch')).toBe(1);
  });
  it('STP on MMIO: WnR set in ESR_EL1', async () => {
    const r = await emulate('stp x7, x8, [x9]', 'inject');
    expect(X(r, 20)).toBe(0x9600_0050n);
  });
});

describe('decodeMemOp', () => {
  it('structures: registers, lanes and post-index (C4.1.93, C7.2 LD1..ST4 shared decode)', () => {
    // ld1 {v0.16b}, [x9]
    expect(decodeMemOp(0x4c40_7120)).toMatchObject({ load: true, size: 1, rt: 0, rn: 9, mode: 'offset', struct: { kind: 'multiple', rpt: 1, selem: 1, q: true } });
    // st4 {v0.4s-v3.4s}, [x9], #64
    expect(decodeMemOp(0x4c9f_0920)).toMatchObject({ load: false, size: 4, mode: 'post', imm: 64, struct: { kind: 'multiple', rpt: 1, selem: 4 } });
    // ld1 {v5.h}[5], [x9]: index = Q:S:size<1> = 1:0:1
    expect(decodeMemOp(0x4d40_4925)).toMatchObject({ size: 2, struct: { kind: 'single', selem: 1, index: 5 } });
    // ld3 {v0.s-v2.s}[1], [x9], x10
    expect(decodeMemOp(0x0dca_b120)).toMatchObject({ size: 4, mode: 'post', rm: 10, struct: { kind: 'single', selem: 3, index: 1 } });
    // ld4r {v0.2d-v3.2d}, [x9]
    expect(decodeMemOp(0x4d60_ed20)).toMatchObject({ size: 8, struct: { kind: 'replicate', selem: 4, q: true } });
    // ldr q3, [x9, x10, lsl #4]
    expect(decodeMemOp(0x3cea_7923)).toMatchObject({ size: 16, rm: 10, extend: 3, shift: 4, mode: 'offset' });
  });

  it('refuses what it does not emulate', () => {
    expect(decodeMemOp(0xc85f_7d25)).toBeNull(); // ldxr x5, [x9]
    expect(decodeMemOp(0xf8e0_0125)).toBeNull(); // ldaddal x0, x5, [x9]
    expect(decodeMemOp(0xc8a0_7d25)).toBeNull(); // cas x0, x5, [x9]
    expect(decodeMemOp(0x0c40_8d20)).toBeNull(); // LD2 with size=11, Q=0 (.1d) is reserved
    expect(decodeMemOp(0x4c40_5120)).toBeNull(); // multiple structures opcode 0101 is unallocated
    expect(decodeMemOp(0x0d40_d520)).toBeNull(); // LD1R with S=1 is unallocated
    expect(decodeMemOp(0x3c69_2820)).toBeNull(); // register offset with option UXTH is reserved
    expect(decodeMemOp(0x6840_2925)).toBeNull(); // LDPSW with opc=01, L=1, idx=0 is unallocated (LDNP form)
  });
});
