// Trapped MSR/MRS/System instructions (EC 0x18) under the hypervisor: the ISS decode (ARM ARM
// D17.2.37, "ISS encoding for an exception from MSR, MRS, or System instruction execution in
// AArch64 state"), the per-VM policies (TID3 answered from a virtual ID register file; TVM/TRVM
// EL1 translation registers accessed on the guest's behalf; TTLB), ELR_EL2 += 4, UNDEFINED
// injected at EL1 for what is not emulated, and the exit counts.
import { describe, it, expect } from 'vitest';
import { runVms, OFF, X, type VmRun } from './hyp-helpers.js';
import { decodeSysregIss, emulateSysreg, parseSysregTraps, sysregName, idRegKey, type SysregIss, type SysEnv } from '../../src/hyp/sysreg.js';
import { sysTrapIss } from '../../src/cpu/isa/system.js';
import { SYS, sysByName } from '../../src/cpu/sysregs.js';

/** The hardware (reset) value of a register, as the CPU model advertises it. */
const hw = (name: string): bigint => BigInt(sysByName.get(name)!.reset![0] >>> 0) | (BigInt(sysByName.get(name)!.reset![1] >>> 0) << 32n);
import { parseHypConfig } from '../../src/hyp/cli-hyp.js';
import type { VmConfig } from '../../src/hyp/vm.js';
import { main } from '../../src/cli.js';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** x23 = address of the instruction at label `here`; vectors record ESR/ELR_EL1 in x20/x22. */
const guest = (body: string): string => `
  adr x1, vectors
  msr vbar_el1, x1
  isb
  ${body}
  mov x6, #7
  ${OFF}
  .ltorg
  .balign 0x800
vectors:
  .space 0x200
  mrs x20, esr_el1
  mrs x22, elr_el1
  ${OFF}`;

async function run(body: string, vm: Partial<VmConfig> = {}, setup?: (r: VmRun) => void): Promise<VmRun> {
  return runVms([guest(body)], { vms: [{ ramSize: 32 << 20, ...vm }] }, 100_000, setup);
}
const sysExits = (r: VmRun) => r.exits.filter((e) => e.ec === 0x18);

describe('EC 0x18 ISS decode (D17.2.37)', () => {
  it('every field at its position: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Direction[0]', () => {
    // MRS/MSR with distinct values in every field: o0=1 (Op0=3)/0 (Op0=2), op1=5, CRn=9, CRm=12, op2=6, Rt=17.
    const enc = (l: number, op0: number, op1: number, crn: number, crm: number, op2: number, rt: number): number =>
      (0xd5000000 | (l << 21) | (op0 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt) >>> 0;
    for (const [l, op0] of [[1, 3], [0, 2], [1, 2], [0, 3]]) {
      const i = decodeSysregIss(sysTrapIss(enc(l, op0, 5, 9, 12, 6, 17)));
      expect(i).toEqual({ op0, op2: 6, op1: 5, crn: 9, rt: 17, crm: 12, read: l === 1 });
    }
    // SYS (Op0=1): TLBI VAE1, x3 = SYS #0, C8, C7, #1, x3.
    expect(decodeSysregIss(sysTrapIss(enc(0, 1, 0, 8, 7, 1, 3)))).toEqual({ op0: 1, op2: 1, op1: 0, crn: 8, rt: 3, crm: 7, read: false });
    expect(decodeSysregIss(sysTrapIss(enc(0, 1, 0, 8, 7, 1, 31))).rt).toBe(31);
  });

  it('names: registers, SYS operations, and generic S<op0>_<op1>_C<n>_C<m>_<op2>', () => {
    const n = (op0: number, op1: number, crn: number, crm: number, op2: number): string => sysregName({ op0, op1, crn, crm, op2, rt: 0, read: true });
    expect(n(3, 0, 0, 6, 0)).toBe('ID_AA64ISAR0_EL1');
    expect(n(3, 0, 2, 0, 1)).toBe('TTBR1_EL1');
    expect(n(1, 0, 8, 7, 0)).toBe('TLBI VMALLE1');
    expect(n(1, 3, 7, 4, 1)).toBe('DC ZVA');
    expect(n(3, 1, 15, 2, 0)).toBe('S3_1_C15_C2_0');
  });
});

describe('TID3: ID registers from the VM virtual ID register file', () => {
  it('MRS X5, ID_AA64ISAR0_EL1: the exact ESR_EL2, the override in X5 (LSE hidden), ELR_EL2 += 4', async () => {
    const r = await run('mrs x5, id_aa64isar0_el1\n mrs x7, id_aa64mmfr0_el1', { idRegs: { ID_AA64ISAR0_EL1: 0x10000n } });
    expect(X(r, 5)).toBe(0x10000n); // Atomic [23:20] = 0: no LSE; CRC32 kept
    expect(X(r, 7)).toBe(hw('ID_AA64MMFR0_EL1')); // no override: the hardware's value, still trapped
    expect(X(r, 6)).toBe(7n); // resumed after the MRS and ran to the end
    const e = sysExits(r);
    // EC 0x18, IL=1, ISS = Op0 3<<20 | Rt 5<<5 | CRm 6<<1 | Direction 1.
    expect(e[0].esr >>> 0).toBe(0x623000ad);
    expect(e[0].cause).toBe('sysreg-read ID_AA64ISAR0_EL1');
    expect(e[1].cause).toBe('sysreg-read ID_AA64MMFR0_EL1');
    expect(e[1].elr).toBe(e[0].elr + 4n);
    expect(r.vm.stats.get('sysreg-read ID_AA64ISAR0_EL1')).toBe(1);
    expect(r.vm.stats.get('sysreg-read ID_AA64MMFR0_EL1')).toBe(1);
    expect(r.hv.cpu.sys64(SYS.ID_AA64ISAR0_EL1)).toBe(hw('ID_AA64ISAR0_EL1')); // the hardware register is untouched
  });

  it('a VM without the policy reads the hardware value with no exit', async () => {
    const r = await run('mrs x5, id_aa64isar0_el1');
    expect(X(r, 5)).toBe(hw('ID_AA64ISAR0_EL1'));
    expect((X(r, 5) >> 20n) & 0xfn).toBe(2n); // the hardware has LSE (Atomic = 2): what the override hides
    expect(sysExits(r)).toHaveLength(0);
  });

  it('reserved ID space: RAZ, or the override given by its generic name; MRS XZR discards', async () => {
    const r = await run('mrs x5, s3_0_c0_c3_7\n mrs x8, s3_0_c0_c3_6\n mov x9, #3\n mrs xzr, id_aa64isar0_el1', {
      sysregTraps: ['tid3'],
      idRegs: { S3_0_C0_C3_7: 0x1234_5678_9abc_def0n },
    });
    expect(X(r, 5)).toBe(0x123456789abcdef0n);
    expect(X(r, 8)).toBe(0n);
    expect(X(r, 9)).toBe(3n);
    const last = sysExits(r)[2];
    expect(decodeSysregIss(last.esr)).toMatchObject({ rt: 31, read: true });
    expect(last.detail).toContain('discarded (XZR)');
  });

  it('Rt=31 read leaves every register unchanged; Rt=n writes exactly Xn', async () => {
    const r = await run('nop');
    const cpu = r.hv.cpu;
    const before = Int32Array.from(cpu.r);
    const ids = r.vm.idRegs;
    ids.set(idRegKey('ID_AA64ISAR0_EL1'), { lo: 0x10000, hi: 0 });
    const iss: SysregIss = { op0: 3, op1: 0, crn: 0, crm: 6, op2: 0, rt: 31, read: true };
    expect(emulateSysreg(cpu, iss, ids)).not.toBeNull();
    expect(Array.from(cpu.r)).toEqual(Array.from(before));
    expect(emulateSysreg(cpu, { ...iss, rt: 4 }, ids)).not.toBeNull();
    expect(cpu.readX(4)).toBe(0x10000n);
    expect(Array.from(cpu.r).filter((v, k) => v !== before[k] && k !== 8 && k !== 9)).toEqual([]);
  });

  it('only ID group 3 registers can be overridden', () => {
    expect(() => idRegKey('TTBR0_EL1')).toThrow(/not an ID register/);
    expect(() => idRegKey('MIDR_EL1')).toThrow(/not an ID register/);
    expect(idRegKey('id_aa64pfr0_el1')).toBe(idRegKey('S3_0_C0_C4_0'));
  });
});

// Stage 1 for the TVM tests, written by the test into guest RAM (IPA = RAM PA window):
// table A (0x4010_0000): [0] 0-1G Device, [1] 1G-2G identity, [2] VA 2G-3G -> IPA 0x4000_0000 (1G block)
// table B (0x4010_1000): [0], [1] the same, [2] -> level 2 (0x4010_2000) whose [1] maps VA 0x8020_0000 -> IPA 0x4040_0000.
// So VA 0x8030_0000 reads IPA 0x4030_0000 under A and IPA 0x4050_0000 under B.
function tables(r: VmRun): void {
  const vm = r.vm;
  const d64 = (ipa: number, v: bigint): void => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    vm.load(ipa, b);
  };
  for (const t of [0x4010_0000, 0x4010_1000]) {
    d64(t, 0x401n); // Device-nGnRnE (AttrIndx 0), AF
    d64(t + 8, 0x4000_0000n | 0xf05n); // Normal (AttrIndx 1), inner shareable, AF, nG
  }
  d64(0x4010_0000 + 16, 0x4000_0000n | 0xf05n);
  d64(0x4010_1000 + 16, 0x4010_2000n | 3n);
  d64(0x4010_2000 + 8, 0x4040_0000n | 0xf05n);
  d64(0x4030_0000, 0xaaaan);
  d64(0x4050_0000, 0xbbbbn);
}
const TVM_BODY = `
  movz x1, #0xff00
  msr mair_el1, x1
  ldr x2, =0x200803519
  msr tcr_el1, x2
  ldr x3, =0x0001000040100000
  msr ttbr0_el1, x3
  isb
  mrs x2, sctlr_el1
  orr x2, x2, #1
  msr sctlr_el1, x2
  isb
  ldr x10, =0x80300000
  ldr x11, [x10]
  ldr x4, =0x0002000040101000
  msr ttbr0_el1, x4
  isb
  ldr x12, [x10]
  ldr x5, =0x1122334455667788
  msr contextidr_el1, x5
  mrs x13, contextidr_el1
  msr contextidr_el1, xzr
  mrs x14, contextidr_el1`;

describe('TVM: EL1 translation registers written on the guest behalf', () => {
  it('the writes reach the registers and a TTBR0 switch changes the translation at once', async () => {
    const r = await run(TVM_BODY, { sysregTraps: ['tvm'] }, tables);
    expect(X(r, 6)).toBe(7n);
    expect(X(r, 11)).toBe(0xaaaan); // through table A
    expect(X(r, 12)).toBe(0xbbbbn); // through table B: the fast cache and TLB saw the switch
    expect(X(r, 13)).toBe(0x55667788n); // CONTEXTIDR_EL1 keeps 32 bits (its writable mask)
    expect(X(r, 14)).toBe(0n); // MSR from XZR writes zero
    const cpu = r.hv.cpu;
    expect(cpu.sys64(SYS.TTBR0_EL1)).toBe(0x0002000040101000n);
    expect(cpu.sys64(SYS.TCR_EL1)).toBe(0x200803519n);
    expect(cpu.sys64(SYS.MAIR_EL1)).toBe(0xff00n);
    expect(cpu.sysLo(SYS.SCTLR_EL1) & 1).toBe(1);
    const s = r.vm.stats;
    expect(s.get('sysreg-write TTBR0_EL1')).toBe(2);
    expect(s.get('sysreg-write MAIR_EL1')).toBe(1);
    expect(s.get('sysreg-write TCR_EL1')).toBe(1);
    expect(s.get('sysreg-write SCTLR_EL1')).toBe(1);
    expect(s.get('sysreg-write CONTEXTIDR_EL1')).toBe(2);
    expect(s.sum('sysreg-read')).toBe(0); // TVM traps writes only
    // The decoded write: MSR TTBR0_EL1, X4 = Op0 3, Op1 0, CRn 2, CRm 0, Op2 0, Rt 4, Direction 0.
    const sw = sysExits(r).filter((e) => e.cause === 'sysreg-write TTBR0_EL1')[1];
    expect(decodeSysregIss(sw.esr)).toEqual({ op0: 3, op1: 0, crn: 2, crm: 0, op2: 0, rt: 4, read: false });
    expect(sw.detail).toContain('TTBR0_EL1 = 0x2000040101000 (was 0x1000040100000)');
    const z = sysExits(r).filter((e) => e.cause === 'sysreg-write CONTEXTIDR_EL1')[1];
    expect(decodeSysregIss(z.esr).rt).toBe(31);
  });

  it('the same guest without traps: same results, no EC 0x18 exits', async () => {
    const r = await run(TVM_BODY, {}, tables);
    expect([X(r, 11), X(r, 12), X(r, 13), X(r, 14)]).toEqual([0xaaaan, 0xbbbbn, 0x55667788n, 0n]);
    expect(sysExits(r)).toHaveLength(0);
  });

  it('TRVM: reads answered from the live vCPU register', async () => {
    const r = await run('ldr x3, =0x0001000040100000\n msr ttbr0_el1, x3\n mrs x4, ttbr0_el1', { sysregTraps: ['trvm'] });
    expect(X(r, 4)).toBe(0x0001000040100000n);
    expect(r.vm.stats.get('sysreg-read TTBR0_EL1')).toBe(1);
    expect(r.vm.stats.sum('sysreg-write')).toBe(0);
  });
});

describe('System instructions and what is not emulated', () => {
  it('TTLB: TLBI performed, counted per operation', async () => {
    const r = await run('tlbi vmalle1\n mov x3, #0x1000\n tlbi vae1, x3\n dsb sy', { sysregTraps: ['ttlb'] });
    expect(X(r, 6)).toBe(7n);
    expect(r.vm.stats.get('sys TLBI VMALLE1')).toBe(1);
    expect(r.vm.stats.get('sys TLBI VAE1')).toBe(1);
  });

  it('TTLB: the trapped TLBI really invalidates (a remapped VA reads the new page only after it)', async () => {
    // Table A's entry [2] is rewritten to B's level-2 table: without the TLBI the old 1 GiB block would stay in use.
    const body = `
  movz x1, #0xff00
  msr mair_el1, x1
  ldr x2, =0x200803519
  msr tcr_el1, x2
  ldr x3, =0x0001000040100000
  msr ttbr0_el1, x3
  isb
  mrs x2, sctlr_el1
  orr x2, x2, #1
  msr sctlr_el1, x2
  isb
  ldr x10, =0x80300000
  ldr x11, [x10]
  ldr x4, =0x40102003
  ldr x5, =0x40100010
  str x4, [x5]
  dsb sy
  ldr x12, [x10]
  tlbi vmalle1
  dsb sy
  isb
  ldr x13, [x10]`;
    const r = await run(body, { sysregTraps: ['ttlb'] }, tables);
    expect([X(r, 11), X(r, 12), X(r, 13)]).toEqual([0xaaaan, 0xaaaan, 0xbbbbn]); // stale until the TLBI, as the architecture allows
    expect(r.vm.stats.get('sys TLBI VMALLE1')).toBe(1);
  });

  it('TID2, TACR, TPU: CTR_EL0 read, ACTLR_EL1 written, IC IALLU completed', async () => {
    const r = await run('mrs x3, ctr_el0\n mov x4, #0x5a\n msr actlr_el1, x4\n mrs x5, actlr_el1\n ic iallu\n isb', { sysregTraps: ['tid2', 'tacr', 'tpu'] });
    expect(X(r, 3)).toBe(hw('CTR_EL0'));
    expect(X(r, 5)).toBe(0x5an);
    expect(X(r, 6)).toBe(7n);
    const s = r.vm.stats;
    expect([s.get('sysreg-read CTR_EL0'), s.get('sysreg-write ACTLR_EL1'), s.get('sysreg-read ACTLR_EL1'), s.get('sys IC IALLU')]).toEqual([1, 1, 1, 1]);
  });

  it('an unknown register in a trapped ISS: not emulated, Xt untouched', async () => {
    const r = await run('nop');
    const cpu = r.hv.cpu;
    cpu.r[10] = 0x55;
    const iss: SysregIss = { op0: 3, op1: 1, crn: 15, crm: 2, op2: 0, rt: 5, read: true }; // IMPLEMENTATION DEFINED space
    expect(emulateSysreg(cpu, iss, r.vm.idRegs)).toBeNull();
    expect(emulateSysreg(cpu, { ...iss, read: false }, r.vm.idRegs)).toBeNull();
    expect(emulateSysreg(cpu, { op0: 3, op1: 4, crn: 1, crm: 1, op2: 0, rt: 5, read: false }, r.vm.idRegs)).toBeNull(); // HCR_EL2: never the guest's
    expect(cpu.r[10]).toBe(0x55);
  });
});

// DC ZVA trapped by HCR_EL2.TDZ (ARM ARM C5.3 DC ZVA; D19.2 HCR_EL2.TDZ): zeroed on the guest's
// behalf through its stage 1 and stage 2; its faults reported as the instruction's own.
const MMU_ON = TVM_BODY.slice(0, TVM_BODY.indexOf('  ldr x10, =0x80300000'));
/** IPA 0x4030_0000 (VA 0x8030_0000 under table A) filled with 0xcc, then the tables. */
function zvaSetup(r: VmRun): void {
  tables(r);
  r.vm.load(0x4030_0000, new Uint8Array(0x100).fill(0xcc));
}
/** The VM's RAM at an IPA. */
function ipaBytes(r: VmRun, ipa: number, n: number): number[] {
  const bus = r.hv.machine.bus;
  const off = bus.ramOffset(r.vm.ramPaOf(ipa));
  return Array.from(bus.u8.subarray(off, off + n));
}
const ZVA = (rt: number): SysregIss => ({ op0: 1, op1: 3, crn: 7, crm: 4, op2: 1, rt, read: false });
/** What the hypervisor lends DC ZVA: first touch of the VM's lazily mapped RAM (as its data aborts do). */
const envOf = (r: VmRun): SysEnv => ({
  pageIn: (ipa) => r.vm.config.ram === 'lazy' && r.vm.ramPaOf(ipa) >= 0 && !r.vm.isMapped(ipa) && r.vm.mapRamPage(ipa),
});

describe('TDZ: DC ZVA emulated', () => {
  const BODY = `${MMU_ON}
  ldr x10, =0x80300048
  dc zva, x10
  ldr x11, [x10]
  ldr x12, =0x8030003f
  ldrb w12, [x12]`;

  it('zeroes the aligned 64-byte block holding Xt (DCZID_EL0.BS=4), nothing around it; ELR_EL2 += 4', async () => {
    const r = await run(BODY, { sysregTraps: ['tdz'] }, zvaSetup);
    expect(X(r, 6)).toBe(7n);
    expect(ipaBytes(r, 0x4030_0000, 0xc0)).toEqual([...Array(0x40).fill(0xcc), ...Array(0x40).fill(0), ...Array(0x40).fill(0xcc)]);
    expect([X(r, 11), X(r, 12)]).toEqual([0n, 0xccn]);
    const e = sysExits(r).find((x) => x.cause === 'sys DC ZVA')!;
    expect(decodeSysregIss(e.esr)).toEqual(ZVA(10));
    expect(e.detail).toMatch(/DC ZVA, Xt = 0x80300048: zeroed PA 0x[0-9a-f]+040\.\.0x[0-9a-f]+07f, ELR_EL2 \+= 4/);
    expect(r.vm.stats.get('sys DC ZVA')).toBe(1);
    // The same guest without the trap: the bare instruction leaves the same memory.
    const bare = await run(BODY, {}, zvaSetup);
    expect(ipaBytes(bare, 0x4030_0000, 0xc0)).toEqual(ipaBytes(r, 0x4030_0000, 0xc0));
    expect(bare.vm.stats.get('sys DC ZVA')).toBe(0);
  });

  it('on lazily mapped RAM the first touch happens inside the emulation (s2-ram-fault counted), then the zeroing', async () => {
    // VA 0x8060_0040 -> IPA 0x4060_0040: a page nothing loaded or touched.
    const r = await run(BODY.replace('0x80300048', '0x80600040'), { sysregTraps: ['tdz'], ram: 'lazy' }, zvaSetup);
    expect(X(r, 6)).toBe(7n);
    const e = sysExits(r).find((x) => x.cause === 'sys DC ZVA')!;
    expect(e.detail).toMatch(/zeroed PA 0x[0-9a-f]+040\.\.0x[0-9a-f]+07f, 1 page mapped, ELR_EL2 \+= 4/);
    expect(r.vm.isMapped(0x4060_0000)).toBe(true);
    expect(r.vm.stats.get('s2-ram-fault')).toBeGreaterThan(0);
  });

  it('zeroing a block of code drops its decoded copy: the next call runs the zeros (UDF)', async () => {
    const body = `${MMU_ON}
  bl blk
  adr x10, blk
  dc zva, x10
  isb
  adr x23, blk
  bl blk
  b .
  .balign 64
blk:
  mov x15, #1
  ret`;
    const r = await run(body, { sysregTraps: ['tdz'] }, zvaSetup);
    expect(X(r, 15)).toBe(1n); // ran once
    expect(X(r, 20)).toBe(0x0200_0000n); // then the zeroed word: UDF #0, EC 0x00
    expect(X(r, 22)).toBe(X(r, 23));
  });
});

describe('TDZ: DC ZVA faults, as the instruction would take them (emulateSysreg with the hypervisor env)', () => {
  /** A VM stopped with its stage 1 on (table A); the CPU as if DC ZVA had just trapped from EL1h. */
  async function trapped(vm: Partial<VmConfig> = {}): Promise<VmRun> {
    const r = await run(MMU_ON, vm, zvaSetup);
    expect(X(r, 6)).toBe(7n);
    const cpu = r.hv.cpu;
    cpu.setSys(SYS.SPSR_EL2, 0x3c5, 0);
    cpu.setSys(SYS.ELR_EL2, 0x4000_1234, 0);
    return r;
  }
  const vbar = (r: VmRun): bigint => r.hv.cpu.sys64(SYS.VBAR_EL1);

  it('stage-1 translation fault: data abort at EL1, EC 0x25, WnR=1, CM=0, FSC level 1, FAR_EL1 = Xt', async () => {
    const r = await trapped();
    const cpu = r.hv.cpu;
    cpu.writeX(10, 0xc000_0040n); // table A entry [3]: invalid
    const res = emulateSysreg(cpu, ZVA(10), r.vm.idRegs, envOf(r))!;
    expect(res.resume).toBe('fault');
    expect(cpu.sys64(SYS.ESR_EL1)).toBe(0x9600_0045n); // EC 0x25, IL, WnR [6], DFSC 0b000101
    expect(cpu.sys64(SYS.FAR_EL1)).toBe(0xc000_0040n);
    expect(cpu.sys64(SYS.ELR_EL1)).toBe(0x4000_1234n); // the DC itself
    expect(cpu.sys64(SYS.ELR_EL2)).toBe(vbar(r) + 0x200n); // the ERET enters the current-EL SPx vector
  });

  it('Device memory at stage 1 (table A entry [0]): Alignment fault 0x21 before any stage-2 lookup', async () => {
    const r = await trapped();
    const cpu = r.hv.cpu;
    cpu.writeX(10, 0x0900_0000n); // the UART: Device at stage 1, unmapped at stage 2
    const res = emulateSysreg(cpu, ZVA(10), r.vm.idRegs, envOf(r))!;
    expect(res.resume).toBe('fault');
    expect(cpu.sys64(SYS.ESR_EL1)).toBe(0x9600_0061n);
    expect(cpu.sys64(SYS.FAR_EL1)).toBe(0x0900_0000n);
  });

  it('from EL0: EC 0x24 and the lower-EL vector (VBAR_EL1 + 0x400)', async () => {
    const r = await trapped();
    const cpu = r.hv.cpu;
    cpu.setSys(SYS.SPSR_EL2, 0, 0); // EL0t
    cpu.writeX(10, 0x8030_0000n); // AP[2:1] = 00: no EL0 access -> permission fault, level 1
    expect(emulateSysreg(cpu, ZVA(10), r.vm.idRegs, envOf(r))!.resume).toBe('fault');
    expect(cpu.sys64(SYS.ESR_EL1)).toBe(0x9200_004dn); // EC 0x24, WnR, DFSC 0b001101
    expect(cpu.sys64(SYS.ELR_EL2)).toBe(vbar(r) + 0x400n);
    expect(ipaBytes(r, 0x4030_0000, 4)).toEqual([0xcc, 0xcc, 0xcc, 0xcc]);
  });

  it('stage-2 fault outside the VM (an IPA hole): synchronous external abort, WnR=1, FAR_EL1 = Xt', async () => {
    const r = await trapped();
    const cpu = r.hv.cpu;
    cpu.writeX(3, 0x8000_0000n + 0x3fff_f000n); // IPA 0x7fff_f000: beyond the VM's 32 MiB of RAM
    expect(emulateSysreg(cpu, ZVA(3), r.vm.idRegs, envOf(r))!.resume).toBe('fault');
    expect(cpu.sys64(SYS.ESR_EL1)).toBe(0x9600_0050n); // EC 0x25, IL, WnR, FSC 0x10
    expect(cpu.sys64(SYS.FAR_EL1)).toBe(0xbfff_f000n);
  });

  it('lazily mapped RAM: the stage-2 translation fault pages in, then the block is zeroed', async () => {
    const r = await trapped({ ram: 'lazy' });
    const cpu = r.hv.cpu;
    expect(r.vm.isMapped(0x4077_7000)).toBe(false);
    cpu.writeX(10, 0x8077_7fc0n);
    const res = emulateSysreg(cpu, ZVA(10), r.vm.idRegs, envOf(r))!;
    expect(res.resume).toBe('next');
    expect(res.detail).toContain('1 page mapped');
    expect(r.vm.isMapped(0x4077_7000)).toBe(true);
    expect(cpu.sys64(SYS.ELR_EL2)).toBe(0x4000_1234n); // untouched: the caller steps over the DC
  });

  it('without an env (a caller that cannot take the fault) a faulting DC ZVA is not emulated: UNDEFINED', async () => {
    const r = await trapped();
    r.hv.cpu.writeX(10, 0xc000_0040n);
    expect(emulateSysreg(r.hv.cpu, ZVA(10), r.vm.idRegs)).toBeNull();
    expect(r.hv.cpu.sys64(SYS.ELR_EL2)).toBe(0x4000_1234n);
  });
});

describe('policy configuration', () => {
  it('trap names, and --hyp-config sysregTraps/idRegs', () => {
    expect(parseSysregTraps('tid3, TVM,tid3')).toEqual(['tid3', 'tvm']);
    expect(() => parseSysregTraps('tid3,bogus')).toThrow(/unknown trap 'bogus'/);
    const size = (s: string): number => Number(s);
    const c = parseHypConfig('{"vms":[{"sysregTraps":["tvm"],"idRegs":{"ID_AA64ISAR0_EL1":"0x10000"}}]}', 'f.json', size);
    expect(c.vms[0]).toEqual({ sysregTraps: ['tvm'], idRegs: { ID_AA64ISAR0_EL1: 0x10000n } });
    expect(() => parseHypConfig('{"vms":[{"sysregTraps":["nope"]}]}', 'f.json', size)).toThrow(/unknown trap/);
    expect(() => parseHypConfig('{"vms":[{"idRegs":{"SCTLR_EL1":"0x1"}}]}', 'f.json', size)).toThrow(/not an ID register/);
    expect(() => parseHypConfig('{"vms":[{"idRegs":{"ID_AA64ISAR0_EL1":65536}}]}', 'f.json', size)).toThrow(/hex string/);
  });
});

describe('from the command line', () => {
  const G = new URL('../../guests/', import.meta.url).pathname;
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
    return { code, out, err };
  }

  it('--hyp-traps tvm: a guest switching address spaces shows up decoded in --hyp-trace and counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-sys-'));
    const r = await cli(['run', `${G}asm/hyp-asid.S`, `${G}asm/hyp-asid.S`, '--hyp', '-q', '--hyp-traps', 'tvm', '--hyp-trace', '--stats-json', `${dir}/s.json`]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('[vm0] vm1: round 3 ok');
    expect(r.out).toContain('[vm1] vm2: round 3 ok');
    expect(r.err).toMatch(
      /\[vm1\] ELR_EL2=0x[0-9a-f]+ EC=0x18 \(SYS\) ESR_EL2=0x62300840: sysreg-write TTBR0_EL1 \| Op0=3 Op1=0 CRn=2 CRm=0 Op2=0 Rt=2 \(x2\) Direction=0 \(write\): TTBR0_EL1 = 0x5000040100000 \(was 0x0\), ELR_EL2 \+= 4/,
    );
    const j = JSON.parse(readFileSync(`${dir}/s.json`, 'utf8'));
    for (const v of j.hyp.vms) {
      expect(v.hcrTraps).toBe('0x4000000');
      expect(v.exits.byCause['sysreg-write TTBR0_EL1']).toBe(1);
      expect(v.exits.byCause['sysreg-write SCTLR_EL1']).toBe(1);
      expect(v.exits.byCause['sysreg-read SCTLR_EL1']).toBeUndefined(); // TVM traps writes only
    }
  });

  it('--hyp-config idRegs hides LSE from one VM only; bad trap names are usage errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyp-sys-'));
    writeFileSync(`${dir}/m.json`, JSON.stringify({ vms: [{ idRegs: { ID_AA64ISAR0_EL1: '0x10000' } }, {}] }));
    const r = await cli(['run', `${G}build/hello.elf`, `${G}build/hello.elf`, '--hyp', '-q', '--hyp-config', `${dir}/m.json`, '--stats-json', `${dir}/s.json`]);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(`${dir}/s.json`, 'utf8'));
    expect(j.hyp.vms[0].hcrTraps).toBe('0x40000'); // TID3, implied by the override
    expect(j.hyp.vms[0].idRegs).toEqual({ ID_AA64ISAR0_EL1: '0x10000' });
    expect(j.hyp.vms[1].hcrTraps).toBe('0x0');
    const bad = await cli(['run', `${G}build/hello.elf`, '--hyp', '--hyp-traps', 'tvm,nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--hyp-traps: unknown trap 'nope'");
  });
});

describe('DC ZVA fault injected from EL0', () => {
  it('an EL0 DC ZVA trapped by TDZ, MMU off (Device memory): Alignment fault at VBAR_EL1 + 0x400, EC 0x24', async () => {
    // SCTLR_EL1.DZE=1 lets EL0 use DC ZVA, so HCR_EL2.TDZ is the trap that fires (to EL2). With the
    // MMU off every data access is Device-nGnRnE: DC ZVA takes an Alignment fault (C5.3 DC ZVA),
    // reported by the hypervisor as the instruction would be, from EL0.
    const body = `
  mrs x2, sctlr_el1
  orr x2, x2, #0x4000
  msr sctlr_el1, x2
  adr x3, el0
  msr elr_el1, x3
  msr spsr_el1, xzr
  adr x23, here
  mov x10, #0x40200000
  eret
el0:
here: dc zva, x10
  b .
  .balign 0x800
vec0:
  .space 0x400
  mrs x20, esr_el1
  mrs x22, elr_el1
  mrs x24, spsr_el1
  ${OFF}`;
    const src = `
  adr x1, vec0
  msr vbar_el1, x1
  isb
  ${body}`;
    const r = await runVms([src], { vms: [{ ramSize: 32 << 20, sysregTraps: ['tdz'] }] }, 100_000);
    const e = sysExits(r)[0];
    expect(e.cause).toBe('sys DC ZVA');
    expect(decodeSysregIss(e.esr)).toEqual({ op0: 1, op1: 3, crn: 7, crm: 4, op2: 1, rt: 10, read: false });
    expect(X(r, 20)).toBe(0x9200_0061n); // EC 0x24 (lower EL), IL, WnR, DFSC alignment
    expect(X(r, 22)).toBe(X(r, 23));
    expect(X(r, 24) & 0xfn).toBe(0n); // SPSR_EL1.M = EL0t: taken from EL0
    expect(e.detail).toContain('Device memory: alignment fault');
  });
});
