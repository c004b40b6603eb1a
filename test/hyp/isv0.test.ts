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
const fill = (r: VmRun): void => [0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 1, 2, 3, 4, 5, 6, 7, 8].forEach((b, k) => (r.scratch[0].bytes[k] = b));

async function emulate(body: string, isv0: 'emulate' | 'inject' = 'emulate'): Promise<VmRun> {
  const r = await runVms([guest(body)], { vms: [{ ramSize: 32 << 20, isv0 }] }, 10_000, fill);
  const e = r.exits.find((x) => x.ec === 0x24)!;
  expect(decodeDataAbortIss(e.esr).isv).toBe(false); // the architecture gives no syndrome for these
  return r;
}

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
  const FP = 'mov x1, #0x300000\nmsr cpacr_el1, x1\nisb\n'; // CPACR_EL1.FPEN: no FP trap to EL1
  const q = (r: VmRun, n: number): number[] => Array.from(r.hv.cpu.vr.subarray(4 * n, 4 * n + 4), (w) => w >>> 0);
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
  it('a form the decoder does not handle (LD1 multiple structures) gets an external abort', async () => {
    const r = await emulate(`${FP}ld1 {v0.16b}, [x9]`);
    expect(X(r, 20)).toBe(0x9600_0010n); // EC 0x25 (same EL), IL, FSC 0x10
    expect(X(r, 21)).toBe(0x0a10_0000n);
    expect(X(r, 6)).toBe(0n); // never resumed after the instruction
    expect(r.vm.stats.get('isv0-unsupported scratch')).toBe(1);
  });
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
  it('refuses what it does not emulate', () => {
    expect(decodeMemOp(0x4c40_7120)).toBeNull(); // ld1 {v0.16b}, [x9]
    expect(decodeMemOp(0x3c69_6820)).toBeNull(); // ldr b0, [x1, x9] (register offset)
    expect(decodeMemOp(0xc85f_7d25)).toBeNull(); // ldxr x5, [x9]
    expect(decodeMemOp(0x6840_2925)).toBeNull(); // LDPSW with opc=01, L=1, idx=0 is unallocated (LDNP form)
  });
});
