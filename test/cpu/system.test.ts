// System instructions (ARM ARM C4.1.87, C5): exception generation, hints, barriers, MSR
// (immediate), MRS/MSR (register) with their access checks, SYS (DC, IC, TLBI, AT), ERET at EL0.
import { describe, it, expect, vi, beforeEach } from 'vitest';
import { runAsm, X, CODE_BASE } from '../helpers.js';
import { runVec, VBAR, type VecOpts } from './vec-helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Machine } from '../../src/machine.js';
import type { Cpu, Firmware } from '../../src/cpu/cpu.js';
import { TLBI_EL1_OPS, sysTrapIss } from '../../src/cpu/isa/system.js';

// Record the maintenance calls (the MMU is someone else's), and let a test pretend data memory is
// Normal (with the stage-1 MMU off every data access is Device-nGnRnE).
const h = vi.hoisted(() => ({
  tlbi: [] as [string, number, number][],
  at: [] as [string, number, number][],
  normalData: false,
}));
vi.mock('../../src/mmu/maintenance.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/mmu/maintenance.js')>();
  return {
    ...orig,
    tlbi: (cpu: Cpu, op: string, lo: number, hi: number) => {
      h.tlbi.push([op, lo >>> 0, hi >>> 0]);
      orig.tlbi(cpu, op, lo, hi);
    },
    at: (_cpu: Cpu, op: string, lo: number, hi: number) => void h.at.push([op, lo >>> 0, hi >>> 0]),
  };
});
vi.mock('../../src/mmu/translate.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/mmu/translate.js')>();
  return {
    ...orig,
    translate: (cpu: Cpu, lo: number, hi: number, acc: number, out: { pa: number; memType: number }) => {
      orig.translate(cpu, lo, hi, acc as never, out as never);
      if (h.normalData && out.pa >= 0) out.memType = orig.MT_NORMAL;
    },
  };
});
beforeEach(() => {
  h.tlbi.length = 0;
  h.at.length = 0;
  h.normalData = false;
});

const B = BigInt(CODE_BASE);
const ESR_IL = 1n << 25n;
const UNDEF = ESR_IL; // EC 0 (Unknown reason), IL=1
const SCTLR_RESET = 0x30d00800;

/** A system instruction word: L, op0, op1, CRn, CRm, op2, Rt. */
function sysInsn(l: number, op0: number, op1: number, crn: number, crm: number, op2: number, rt: number): number {
  return (0xd5000000 | (l << 21) | (op0 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt) >>> 0;
}

const esr = (m: Machine): bigint => m.cpu.sys64(SYS.ESR_EL1);
const elr = (m: Machine): bigint => m.cpu.sys64(SYS.ELR_EL1);

/** Expect an UNDEFINED (EC 0) exception taken from EL1 (SPx: +0x200) at instruction `at`. */
function expectUndef(m: Machine, at = B, vector = '0x200'): void {
  expect(m.cpu.haltReason).toBe(`vector ${vector}`);
  expect(esr(m)).toBe(UNDEF);
  expect(elr(m)).toBe(at);
}

describe('exception generating instructions', () => {
  it('SVC at EL1: EC 0x15, ISS = imm16, ELR = next instruction, current EL SPx vector', async () => {
    const m = await runVec('svc #0xbeef\nhlt #2');
    expect(m.cpu.haltReason).toBe('vector 0x200');
    expect(esr(m)).toBe((0x15n << 26n) | ESR_IL | 0xbeefn);
    expect(elr(m)).toBe(B + 4n);
  });
  it('BRK: EC 0x3C, ISS = imm16, ELR = the BRK itself', async () => {
    const m = await runVec('add x0, x0, #1\nbrk #0x1234');
    expect(esr(m)).toBe((0x3cn << 26n) | ESR_IL | 0x1234n);
    expect(elr(m)).toBe(B + 4n);
  });
  it('HVC from EL1 reaches the EL2 firmware with EC 0x16, imm16 and ELR_EL2 = next; the guest resumes', async () => {
    const seen: bigint[] = [];
    const m = await runVec('hvc #0x4242\nadd x0, x0, #1\nhlt #1', {
      fw: {
        el2Exception: (c) => {
          seen.push(c.sys64(SYS.ESR_EL2), c.sys64(SYS.ELR_EL2), BigInt(c.el));
          c.writeX(0, 100n);
        },
      },
    });
    expect(seen).toEqual([(0x16n << 26n) | ESR_IL | 0x4242n, B + 4n, 1n]);
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 0)).toBe(101n);
  });
  it('HVC at EL0 is UNDEFINED', async () => {
    const m = await runVec('hvc #1', { el: 0 });
    expectUndef(m, B, '0x400');
  });
  it('HVC with HCR_EL2.HCD=1 is UNDEFINED (no EL3: hvc_enable = !HCD)', async () => {
    const m = await runVec('hvc #1', { setup: (mm) => mm.cpu.setSys(SYS.HCR_EL2, 1 << 29, 0) });
    expectUndef(m);
  });
  it('SMC with no EL3 (no firmware smc hook) is UNDEFINED', async () => {
    expectUndef(await runVec('smc #0'));
  });
  it('SMC handled by the firmware continues at the next instruction', async () => {
    const imms: number[] = [];
    const m = await runVec('smc #7\nadd x0, x0, #1\nhlt #1', {
      fw: { smc: (c, imm) => (imms.push(imm), c.writeX(0, 41n), true) },
    });
    expect(imms).toEqual([7]);
    expect(X(m.cpu, 0)).toBe(42n);
  });
  it('SMC the firmware refuses is UNDEFINED; SMC at EL0 is UNDEFINED even with EL3', async () => {
    expectUndef(await runVec('smc #7', { fw: { smc: () => false } }));
    const called: number[] = [];
    const m = await runVec('smc #7', { el: 0, fw: { smc: (_c, imm) => (called.push(imm), true) } });
    expectUndef(m, B, '0x400');
    expect(called).toEqual([]);
  });
  it('SMC with HCR_EL2.TSC=1 stays UNDEFINED at EL1: no EL3 and no FEAT_NV (CheckForSMCUndefOrTrap)', async () => {
    const m = await runVec('add x0, x0, #0\nsmc #3', { setup: (mm) => mm.cpu.setSys(SYS.HCR_EL2, 1 << 19, 0) });
    expectUndef(m, B + 4n);
  });
  it('HLT other than the semihosting/harness call is UNDEFINED (no halting debug)', async () => {
    expectUndef(await runVec('hlt #5'));
  });
  it('DCPS1/2/3 are UNDEFINED outside Debug state', async () => {
    for (const raw of [0xd4a00001, 0xd4a00002, 0xd4a00003]) expectUndef(await runVec(`.long ${raw}`));
  });
});

describe('hints', () => {
  it('NOP, YIELD, SEV, SEVL, WFE and the unimplemented hint space (BTI, PACIASP, AUTIASP, ESB, CSDB, XPACLRI) are NOPs', async () => {
    // hint #34 = BTI c, #25 = PACIASP, #29 = AUTIASP, #16 = ESB, #20 = CSDB, #7 = XPACLRI, #127.
    const hints = ['nop', 'yield', 'sev', 'sevl', 'wfe', 'hint #34', 'hint #25', 'hint #29', 'hint #16', 'hint #20', 'hint #7', 'hint #127'];
    const m = await runVec(hints.map((s) => `${s}\nadd x0, x0, #1`).join('\n') + '\nhlt #1', {
      x: { 30: 0xffff_0000_4000_1234n },
      setup: (mm) => mm.cpu.setSys(SYS.SCTLR_EL1, SCTLR_RESET, 0),
    });
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 0)).toBe(BigInt(hints.length));
    expect(X(m.cpu, 30)).toBe(0xffff_0000_4000_1234n); // PAC hints did not sign or strip LR
  });
  it('WFI with no interrupt line and no firmware wfi hook stops the machine', async () => {
    const m = await runVec('wfi\nhlt #1');
    expect(m.cpu.haltReason).toBe('WFI with no interrupt source');
    expect(m.cpu.pc).toBe(B + 4n);
  });
  it('WFI completes when an interrupt line is pending, even if masked by PSTATE', async () => {
    const m = await runVec('wfi\nhlt #1', { setup: (mm) => mm.cpu.setInterruptLines(1) }); // DAIF = 0xf at reset
    expect(m.cpu.haltReason).toBe('done');
  });
  it('WFI calls the firmware wfi hook when there is one', async () => {
    let n = 0;
    const m = await runVec('wfi\nwfi\nhlt #1', { fw: { wfi: () => void n++ } });
    expect(m.cpu.haltReason).toBe('done');
    expect(n).toBe(2);
  });
  it('WFI/WFE at EL0 trap to EL1 with EC 0x01 when SCTLR_EL1.nTWI/nTWE = 0 (ISS CV=1 COND=0xE, TI)', async () => {
    let m = await runVec('wfi', { el: 0 });
    expect(m.cpu.haltReason).toBe('vector 0x400');
    expect(esr(m)).toBe((0x01n << 26n) | ESR_IL | (1n << 24n) | (0xen << 20n) | 0n);
    m = await runVec('wfe', { el: 0 });
    expect(esr(m)).toBe((0x01n << 26n) | ESR_IL | (1n << 24n) | (0xen << 20n) | 1n);
    expect(elr(m)).toBe(B);
    // nTWI = 1: EL0 may wait.
    m = await runVec('wfi', { el: 0, setup: (mm) => mm.cpu.setSys(SYS.SCTLR_EL1, SCTLR_RESET | (1 << 16), 0) });
    expect(m.cpu.haltReason).toBe('WFI with no interrupt source');
  });
  it('WFI with HCR_EL2.TWI=1 traps to EL2 with EC 0x01', async () => {
    const m = await runVec('wfi', { setup: (mm) => mm.cpu.setSys(SYS.HCR_EL2, 1 << 13, 0) });
    expect(m.cpu.haltReason).toBe('EL2 EC 0x1');
    expect(m.cpu.sys64(SYS.ELR_EL2)).toBe(B);
  });
  // The WFx traps apply only when the PE would otherwise enter a low-power state (HCR_EL2.TWI/TWE).
  it('WFE with HCR_EL2.TWE=1 and the Event Register set completes and clears it; the next WFE traps', async () => {
    const m = await runVec('sevl\nwfe\nwfe', { setup: (mm) => mm.cpu.setSys(SYS.HCR_EL2, 1 << 14, 0) });
    expect(m.cpu.haltReason).toBe('EL2 EC 0x1');
    expect(m.cpu.sys64(SYS.ELR_EL2)).toBe(B + 8n);
    expect(m.cpu.eventRegister).toBe(0);
  });
  it('WFI with HCR_EL2.TWI=1 and an interrupt pending (masked by PSTATE.I) completes without trapping', async () => {
    const m = await runVec('wfi\nhlt #1', {
      setup: (mm) => {
        mm.cpu.setSys(SYS.HCR_EL2, 1 << 13, 0);
        mm.cpu.irqLine = 1;
      },
    });
    expect(m.cpu.haltReason).toBe('done');
  });
});

describe('barriers', () => {
  it('DSB, DMB, ISB execute; CLREX clears the local exclusive monitor', async () => {
    const m = await runVec('dsb sy\ndmb ish\nisb\nclrex\nhlt #1', { setup: (mm) => (mm.cpu.exclValid = 1) });
    expect(m.cpu.haltReason).toBe('done');
    expect(m.cpu.exclValid).toBe(0);
  });
  it('SB is UNDEFINED (FEAT_SB not advertised in ID_AA64ISAR1_EL1)', async () => {
    expectUndef(await runVec('.long 0xd50330ff'));
  });
});

describe('MSR (immediate)', () => {
  it('MSR SPSel, #0 / #1 switch the live SP between SP_EL0 and SP_EL1', async () => {
    const m = await runVec('msr spsel, #0\nmov x0, sp\nmsr spsel, #1\nmov x1, sp\nhlt #1', {
      x: { 31: 0x1110n },
      setup: (mm) => mm.cpu.setSpEl(0, 0x2220n),
    });
    expect([X(m.cpu, 0), X(m.cpu, 1)]).toEqual([0x2220n, 0x1110n]);
  });
  it('MSR DAIFSet / DAIFClr set and clear exactly the CRm bits (D:A:I:F)', async () => {
    const m = await runVec('msr daifclr, #0xf\nmsr daifset, #0x5\nmrs x0, daif\nmsr daifclr, #0x4\nmrs x1, daif\nhlt #1');
    expect(X(m.cpu, 0)).toBe(0x5n << 6n);
    expect(X(m.cpu, 1)).toBe(0x1n << 6n);
  });
  it('MSR DAIFSet at EL0 with SCTLR_EL1.UMA=0 traps to EL1 with EC 0x18 (Op0=0 Op1=3 CRn=4 CRm Op2 Rt=31 write)', async () => {
    const m = await runVec('msr daifset, #2', { el: 0 });
    expect(m.cpu.haltReason).toBe('vector 0x400');
    const iss = (6 << 17) | (3 << 14) | (4 << 10) | (31 << 5) | (2 << 1) | 0;
    expect(esr(m)).toBe((0x18n << 26n) | ESR_IL | BigInt(iss));
  });
  it('MSR DAIFClr at EL0 with SCTLR_EL1.UMA=1 executes', async () => {
    const m = await runVec('msr daifclr, #2\nhlt #1', {
      el: 0,
      setup: (mm) => mm.cpu.setSys(SYS.SCTLR_EL1, SCTLR_RESET | (1 << 9), 0),
    });
    expect(m.cpu.haltReason).toBe('done');
    expect(m.cpu.daif).toBe(0xd);
  });
  it('MSR SPSel at EL0 is UNDEFINED', async () => {
    expectUndef(await runVec('msr spsel, #1', { el: 0 }), B, '0x400');
  });
  it('MSR PAN/UAO/SSBS/DIT/TCO (#imm) are UNDEFINED: not advertised', async () => {
    const pstate = (op1: number, op2: number, crm: number): number => sysInsn(0, 0, op1, 4, crm, op2, 31);
    for (const raw of [pstate(0, 4, 1), pstate(0, 3, 1), pstate(3, 1, 1), pstate(3, 2, 1), pstate(3, 4, 1), pstate(0, 0, 0)]) {
      expectUndef(await runVec(`.long ${raw}`));
    }
  });
});

describe('MRS / MSR (register)', () => {
  it('MRS ID_AA64ISAR0_EL1 returns the table value', async () => {
    const m = await runVec('mrs x0, id_aa64isar0_el1\nhlt #1', { x: { 0: -1n & 0xffff_ffff_ffff_ffffn } });
    expect(X(m.cpu, 0)).toBe(0x00210000n);
  });
  it('an unlisted encoding in the ID space (op0=3 op1=0 CRn=0 CRm=1..7) reads as zero', async () => {
    const m = await runVec(`.long ${sysInsn(1, 3, 0, 0, 7, 7, 1)}\n.long ${sysInsn(1, 3, 0, 0, 1, 0, 2)}\nhlt #1`, {
      x: { 1: 0x1234n, 2: 0x5678n },
    });
    expect([X(m.cpu, 1), X(m.cpu, 2)]).toEqual([0n, 0n]);
  });
  it('the RAZ ID space is not accessible at EL0 (UNDEFINED)', async () => {
    expectUndef(await runVec(`.long ${sysInsn(1, 3, 0, 0, 7, 7, 1)}`, { el: 0 }), B, '0x400');
  });
  it('TPIDRRO_EL0: EL1 writes it, EL0 reads it, an EL0 write is UNDEFINED and leaves it unchanged', async () => {
    const m1 = await runVec('mov x0, #0x55\nmsr tpidrro_el0, x0\nmrs x1, tpidrro_el0\nhlt #1');
    expect(X(m1.cpu, 1)).toBe(0x55n);
    const m0 = await runVec('mrs x1, tpidrro_el0\nmov x0, #7\nmsr tpidrro_el0, x0', { el: 0, setup: (mm) => mm.cpu.setSys(SYS.TPIDRRO_EL0, 0x66, 0) });
    expect(X(m0.cpu, 1)).toBe(0x66n);
    expectUndef(m0, B + 8n, '0x400');
    expect(m0.cpu.sys64(SYS.TPIDRRO_EL0)).toBe(0x66n);
  });
  it('other unknown encodings are UNDEFINED', async () => {
    expectUndef(await runVec(`.long ${sysInsn(1, 3, 0, 15, 0, 0, 1)}`)); // MRS S3_0_C15_C0_0
    expectUndef(await runVec(`.long ${sysInsn(0, 3, 0, 15, 0, 0, 1)}`)); // MSR S3_0_C15_C0_0
  });
  it('MSR to a read-only register (MIDR_EL1, an ID register, CurrentEL) is UNDEFINED', async () => {
    expectUndef(await runVec(`.long ${sysInsn(0, 3, 0, 0, 0, 0, 0)}`));
    expectUndef(await runVec(`.long ${sysInsn(0, 3, 0, 0, 6, 0, 0)}`));
    expectUndef(await runVec(`.long ${sysInsn(0, 3, 0, 4, 2, 2, 0)}`));
  });
  it('MSR to the RAZ ID space is UNDEFINED', async () => {
    expectUndef(await runVec(`.long ${sysInsn(0, 3, 0, 0, 7, 7, 0)}`));
  });
  it('MRS of a write-only register (OSLAR_EL1) is UNDEFINED', async () => {
    expectUndef(await runVec(`.long ${sysInsn(1, 2, 0, 1, 0, 4, 0)}`));
  });
  it('EL2 registers are UNDEFINED from EL1', async () => {
    expectUndef(await runVec('mrs x0, hcr_el2'));
    expectUndef(await runVec('msr vbar_el2, x0'));
  });
  it('MRS of an EL1 register at EL0 is UNDEFINED (EC 0, lower-EL vector)', async () => {
    expectUndef(await runVec('mrs x0, sctlr_el1', { el: 0 }), B, '0x400');
  });
  it('MRS CTR_EL0 at EL0 with SCTLR_EL1.UCT=0 traps with EC 0x18 and the full ISS; UCT=1 reads it', async () => {
    let m = await runVec('add x0, x0, #0\nmrs x3, ctr_el0', { el: 0 });
    expect(m.cpu.haltReason).toBe('vector 0x400');
    // Op0=3 [21:20], Op2=1 [19:17], Op1=3 [16:14], CRn=0 [13:10], Rt=3 [9:5], CRm=0 [4:1], read [0].
    const iss = (3 << 20) | (1 << 17) | (3 << 14) | (0 << 10) | (3 << 5) | (0 << 1) | 1;
    expect(esr(m)).toBe((0x18n << 26n) | ESR_IL | BigInt(iss));
    expect(elr(m)).toBe(B + 4n);
    m = await runVec('mrs x3, ctr_el0\nhlt #1', { el: 0, setup: (mm) => mm.cpu.setSys(SYS.SCTLR_EL1, SCTLR_RESET | (1 << 15), 0) });
    expect(X(m.cpu, 3)).toBe(0x8444c004n);
  });
  it('the EC 0x18 ISS puts every field where D17.2.37 says', () => {
    // MSR S2_5_C9_C6_3, X17: Op0=2 Op1=5 CRn=9 CRm=6 Op2=3 Rt=17, write.
    const iss = sysTrapIss(sysInsn(0, 2, 5, 9, 6, 3, 17));
    expect(iss).toBe((2 << 20) | (3 << 17) | (5 << 14) | (9 << 10) | (17 << 5) | (6 << 1) | 0);
  });
  it('MIDR_EL1/MPIDR_EL1 read at EL1 return VPIDR_EL2/VMPIDR_EL2 (EL2 enabled), which reset to the real values', async () => {
    let m = await runVec('mrs x0, midr_el1\nmrs x1, mpidr_el1\nhlt #1');
    expect([X(m.cpu, 0), X(m.cpu, 1)]).toEqual([0x411fd070n, 0x80000000n]);
    m = await runVec('mrs x0, midr_el1\nmrs x1, mpidr_el1\nhlt #1', {
      setup: (mm) => (mm.cpu.setSys(SYS.VPIDR_EL2, 0x410fd034, 0), mm.cpu.setSys(SYS.VMPIDR_EL2, 0x80000101, 0)),
    });
    expect([X(m.cpu, 0), X(m.cpu, 1)]).toEqual([0x410fd034n, 0x80000101n]);
  });
  it('MSR/MRS round trip a full 64-bit value; Xt=31 is XZR for both', async () => {
    const m = await runVec('msr tpidr_el1, x1\nmrs x2, tpidr_el1\nmrs xzr, tpidr_el1\nmsr tpidr_el0, xzr\nmrs x3, tpidr_el0\nhlt #1', {
      x: { 1: 0xfedc_ba98_7654_3210n, 3: 5n, 31: 0x777n },
      setup: (mm) => mm.cpu.setSys(SYS.TPIDR_EL0, 9, 9),
    });
    expect(X(m.cpu, 2)).toBe(0xfedc_ba98_7654_3210n);
    expect(X(m.cpu, 3)).toBe(0n);
    expect(X(m.cpu, 31)).toBe(0x777n);
  });
  it('ID_AA64DFR0_EL1 advertises the 6 breakpoints (2 context-aware) and 4 watchpoints src/cpu/debug implements (fields = n-1, D19.2 ID_AA64DFR0_EL1) and their DBGBVR/BCR/WVR/WCR<n>_EL1 exist', async () => {
    // DBGBCR1_EL1 is op0=2 op1=0 CRn=0 CRm=1 op2=5; DBGWVR0_EL1 op2=6 (ARM ARM D23.3 debug registers).
    const m = await runVec(
      `mrs x0, id_aa64dfr0_el1\n.long ${sysInsn(0, 2, 0, 0, 1, 5, 1)}\n.long ${sysInsn(1, 2, 0, 0, 1, 5, 2)}\n` +
        `.long ${sysInsn(0, 2, 0, 0, 0, 6, 3)}\n.long ${sysInsn(1, 2, 0, 0, 0, 6, 4)}\nhlt #1`,
      { x: { 1: 0xffff_ffffn, 3: 0xffff_0000_1234_567fn } },
    );
    expect(X(m.cpu, 0) & 0xf0f0f00fn).toBe(0x10305006n); // DebugVer=6, BRPs=5, WRPs=3, CTX_CMPs=1
    expect(X(m.cpu, 2)).toBe(0x00ffe1e7n); // DBGBCR RES0 bits (e.g. [4:3], [12:9]) read 0; BAS RES1 (no AArch32)
    expect(X(m.cpu, 4)).toBe(0xffff_0000_1234_567cn); // DBGWVR[1:0] RES0
  });
  it('a seventh breakpoint (DBGBVR6_EL1) and a fifth watchpoint (DBGWCR4_EL1) are not implemented: UNDEFINED', async () => {
    expectUndef(await runVec(`.long ${sysInsn(1, 2, 0, 0, 6, 4, 0)}`));
    expectUndef(await runVec(`.long ${sysInsn(0, 2, 0, 0, 4, 7, 0)}`));
  });
  it('MSR honours the writable mask (VBAR_EL1[10:0] are RES0)', async () => {
    const m = await runVec('msr vbar_el1, x1\nmrs x2, vbar_el1\nhlt #1', { x: { 1: 0x1234_4000_0fffn } });
    expect(X(m.cpu, 2)).toBe(0x1234_4000_0800n);
  });
  it('MSR/MRS NZCV at EL0 (always accessible)', async () => {
    const m = await runVec('msr nzcv, x1\nmrs x2, nzcv\nhlt #1', { el: 0, x: { 1: 0xa000_0000n } });
    expect(m.cpu.nzcv).toBe(0xa);
    expect(X(m.cpu, 2)).toBe(0xa000_0000n);
  });
  it('MSR SP_EL0 / MRS SP_EL0 reach the banked SP at EL1 with SPSel=1, and are UNDEFINED with SPSel=0', async () => {
    let m = await runVec('msr sp_el0, x1\nmrs x2, sp_el0\nhlt #1', { x: { 1: 0xabc0n, 31: 0x5000n } });
    expect(X(m.cpu, 2)).toBe(0xabc0n);
    expect(m.cpu.getSpEl(0)).toBe(0xabc0n);
    expect(X(m.cpu, 31)).toBe(0x5000n);
    m = await runVec('msr spsel, #0\nmrs x2, sp_el0');
    expect(m.cpu.haltReason).toBe('vector 0x0');
    expect(esr(m)).toBe(UNDEF);
  });
  it('MSR SCTLR_EL1 runs the register\'s after hook (translation context changed)', async () => {
    let gen = 0;
    const m = await runVec('msr sctlr_el1, x1\nhlt #1', { x: { 1: BigInt(SCTLR_RESET) }, setup: (mm) => (gen = mm.cpu.gen) });
    expect(m.cpu.gen).toBeGreaterThan(gen);
    expect(m.cpu.sys64(SYS.SCTLR_EL1)).toBe(BigInt(SCTLR_RESET));
  });
  it('DCZID_EL0: BS=4 (64 bytes); DZP reads 1 at EL0 while SCTLR_EL1.DZE=0', async () => {
    let m = await runVec('mrs x0, dczid_el0\nhlt #1');
    expect(X(m.cpu, 0)).toBe(4n);
    m = await runVec('mrs x0, dczid_el0\nhlt #1', { el: 0 });
    expect(X(m.cpu, 0)).toBe(0x14n);
    m = await runVec('mrs x0, dczid_el0\nhlt #1', { el: 0, setup: (mm) => mm.cpu.setSys(SYS.SCTLR_EL1, SCTLR_RESET | (1 << 14), 0) });
    expect(X(m.cpu, 0)).toBe(4n);
  });
  it('MRS/MSR end their block: a DAIF write is seen by the interrupt check before the next instruction', async () => {
    // IRQ line up, masked. Unmasking with MSR DAIF must take the IRQ (VBAR+0x280) before `hlt #1`.
    const m = await runVec('msr daif, xzr\nhlt #1', { setup: (mm) => mm.cpu.setInterruptLines(1) });
    expect(m.cpu.haltReason).toBe('vector 0x280');
    expect(elr(m)).toBe(B + 4n);
  });
  it('SYSL has no implemented encodings: UNDEFINED', async () => {
    expectUndef(await runVec('sysl x0, #0, c7, c5, #0'));
  });
});

describe('SYS: DC ZVA', () => {
  const MEM = 0x4008_0000;
  const fill = (mm: Machine): void => void mm.bus.u8.fill(0xaa, MEM - CODE_BASE, MEM - CODE_BASE + 0x100);
  const bytes = (m: Machine, off: number, n: number): number[] => Array.from(m.bus.u8.subarray(MEM - CODE_BASE + off, MEM - CODE_BASE + off + n));

  it('zeroes exactly the naturally aligned 64-byte block containing Xt (Normal memory)', async () => {
    h.normalData = true;
    const m = await runVec('dc zva, x0\nhlt #1', { x: { 0: BigInt(MEM + 0x47) }, setup: fill });
    expect(m.cpu.haltReason).toBe('done');
    expect(bytes(m, 0x3f, 1)).toEqual([0xaa]);
    expect(bytes(m, 0x40, 64)).toEqual(new Array(64).fill(0));
    expect(bytes(m, 0x80, 1)).toEqual([0xaa]);
    expect(X(m.cpu, 0)).toBe(BigInt(MEM + 0x47)); // Xt is not written back
  });
  it('on Device memory (every data access with the MMU off) takes an Alignment fault, FAR = Xt, WnR=1, CM=0', async () => {
    const m = await runVec('dc zva, x0\nhlt #1', { x: { 0: BigInt(MEM + 0x47) }, setup: fill });
    expect(m.cpu.haltReason).toBe('vector 0x200');
    expect(esr(m)).toBe((0x25n << 26n) | ESR_IL | (1n << 6n) | 0x21n);
    expect(m.cpu.sys64(SYS.FAR_EL1)).toBe(BigInt(MEM + 0x47));
    expect(bytes(m, 0x40, 64)).toEqual(new Array(64).fill(0xaa));
  });
  it('zeroing decoded code drops it (goes through the store path)', async () => {
    h.normalData = true;
    // f is decoded by the first call; DC ZVA zeroes it; the second call executes UDF #0.
    const m = await runVec('bl f\ndc zva, x2\nbl f\nhlt #1\n.balign 64\nf: add x0, x0, #1\nret', {
      x: { 2: B + 0x40n },
    });
    expect(X(m.cpu, 0)).toBe(1n);
    expectUndef(m, B + 0x40n);
  });
  it('at EL0: trapped to EL1 with EC 0x18 unless SCTLR_EL1.DZE=1', async () => {
    h.normalData = true;
    let m = await runVec('dc zva, x0', { el: 0, x: { 0: BigInt(MEM) }, setup: fill });
    expect(m.cpu.haltReason).toBe('vector 0x400');
    // Op0=1, Op2=1, Op1=3, CRn=7, Rt=0, CRm=4, write.
    expect(esr(m)).toBe((0x18n << 26n) | ESR_IL | BigInt((1 << 20) | (1 << 17) | (3 << 14) | (7 << 10) | (4 << 1)));
    expect(bytes(m, 0, 1)).toEqual([0xaa]);
    m = await runVec('dc zva, x0\nhlt #1', {
      el: 0,
      x: { 0: BigInt(MEM) },
      setup: (mm) => (fill(mm), mm.cpu.setSys(SYS.SCTLR_EL1, SCTLR_RESET | (1 << 14), 0)),
    });
    expect(m.cpu.haltReason).toBe('done');
    expect(bytes(m, 0, 64)).toEqual(new Array(64).fill(0));
  });
});

describe('SYS: DC, IC by VA and set/way', () => {
  const ops = ['dc civac, x0', 'dc cvac, x0', 'dc cvau, x0', 'dc ivac, x0', 'dc isw, x0', 'dc csw, x0', 'dc cisw, x0', 'ic ivau, x0', 'ic iallu', 'ic ialluis'];
  it('all execute at EL1 (no-ops on coherent memory), DC CVAP too (ID_AA64ISAR1_EL1.DPB=1)', async () => {
    const cvap = sysInsn(0, 1, 3, 7, 12, 1, 0);
    const m = await runVec(ops.join('\n') + `\n.long ${cvap}\nmrs x1, id_aa64isar1_el1\nhlt #1`);
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 1) & 0xfn).toBe(1n);
  });
  it('IC IALLU drops every decoded block', async () => {
    let calls = 0;
    await runVec('ic iallu\nhlt #1', {
      setup: (mm) => {
        const orig = mm.cpu.invalidateAllCode.bind(mm.cpu);
        mm.cpu.invalidateAllCode = () => (calls++, orig());
      },
    });
    expect(calls).toBe(1);
  });
  it('at EL0, DC CVAU/CVAC/CIVAC/CVAP and IC IVAU trap with EC 0x18 unless SCTLR_EL1.UCI=1', async () => {
    const el0 = ['dc civac, x0', 'dc cvac, x0', 'dc cvau, x0', 'ic ivau, x0', `.long ${sysInsn(0, 1, 3, 7, 12, 1, 0)}`];
    for (const op of el0) {
      const m = await runVec(op, { el: 0 });
      expect(m.cpu.haltReason, op).toBe('vector 0x400');
      expect(esr(m) >> 26n, op).toBe(0x18n);
    }
    const m = await runVec(el0.join('\n') + '\nhlt #1', {
      el: 0,
      setup: (mm) => mm.cpu.setSys(SYS.SCTLR_EL1, SCTLR_RESET | (1 << 26), 0),
    });
    expect(m.cpu.haltReason).toBe('done');
  });
  it('at EL0, DC IVAC/ISW/CSW/CISW and IC IALLU(IS) are UNDEFINED, whatever UCI says', async () => {
    for (const op of ['dc ivac, x0', 'dc isw, x0', 'dc csw, x0', 'dc cisw, x0', 'ic iallu', 'ic ialluis']) {
      const m = await runVec(op, { el: 0, setup: (mm) => mm.cpu.setSys(SYS.SCTLR_EL1, SCTLR_RESET | (1 << 26), 0) });
      expect(esr(m), op).toBe(UNDEF);
    }
  });
  it('unallocated DC encodings (DC GVA, CVADP) are UNDEFINED', async () => {
    expectUndef(await runVec(`.long ${sysInsn(0, 1, 3, 7, 4, 3, 0)}`));
    expectUndef(await runVec(`.long ${sysInsn(0, 1, 3, 7, 13, 1, 0)}`));
  });
});

describe('SYS: TLBI and AT', () => {
  it('every EL1 TLBI operation calls tlbi() with its ARM ARM name and Xt', async () => {
    const names = [...TLBI_EL1_OPS.values()];
    expect(names.length).toBe(12);
    const src = names.map((n) => `tlbi ${n.toLowerCase()}${n.startsWith('VMALL') ? '' : ', x3'}`).join('\n');
    const m = await runVec(src + '\nhlt #1', { x: { 3: 0x1234_0000_0567_89abn } });
    expect(m.cpu.haltReason).toBe('done');
    expect(h.tlbi.map((c) => c[0])).toEqual(names);
    expect(h.tlbi[1]).toEqual(['VAE1IS', 0x056789ab, 0x12340000]);
    expect(h.tlbi[0]).toEqual(['VMALLE1IS', 0, 0]); // Xt = XZR
  });
  it('the table decodes by encoding: VALE1IS is CRm=3 op2=5, VAAE1 is CRm=7 op2=3', async () => {
    await runVec(`.long ${sysInsn(0, 1, 0, 8, 3, 5, 3)}\n.long ${sysInsn(0, 1, 0, 8, 7, 3, 3)}\nhlt #1`);
    expect(h.tlbi.map((c) => c[0])).toEqual(['VALE1IS', 'VAAE1']);
  });
  it('EL2-only TLBI ops (IPAS2E1IS, ALLE1, VMALLS12E1) and the OS/range forms are UNDEFINED from EL1', async () => {
    for (const op of ['tlbi ipas2e1is, x0', 'tlbi alle1', 'tlbi vmalls12e1', `.long ${sysInsn(0, 1, 0, 8, 1, 0, 31)}`, `.long ${sysInsn(0, 1, 0, 8, 2, 1, 0)}`]) {
      expectUndef(await runVec(op));
    }
    expect(h.tlbi).toEqual([]);
  });
  it('TLBI at EL0 is UNDEFINED', async () => {
    expectUndef(await runVec('tlbi vmalle1is', { el: 0 }), B, '0x400');
    expect(h.tlbi).toEqual([]);
  });
  it('AT S1E1R/S1E1W/S1E0R/S1E0W call at() with the name and Xt; UNDEFINED at EL0', async () => {
    await runVec('at s1e1r, x1\nat s1e1w, x1\nat s1e0r, x1\nat s1e0w, x1\nhlt #1', { x: { 1: 0x4000_1000n } });
    expect(h.at).toEqual(['S1E1R', 'S1E1W', 'S1E0R', 'S1E0W'].map((n) => [n, 0x4000_1000, 0]));
    h.at.length = 0;
    expectUndef(await runVec('at s1e0r, x1', { el: 0 }), B, '0x400');
    expect(h.at).toEqual([]);
  });
});

describe('ERET', () => {
  it('ERET at EL0 is UNDEFINED', async () => {
    expectUndef(await runVec('eret', { el: 0 }), B, '0x400');
  });
});

describe('HCR_EL2 traps of system register accesses and SYS operations (to EL2, EC 0x18)', () => {
  /** Runs `src` with HCR_EL2 = hcr; returns [ESR_EL2, ELR_EL2] of the first EL2 exception, or null. */
  async function el2Trap(src: string, hcr: number, opts: VecOpts = {}): Promise<[bigint, bigint] | null> {
    let seen: [bigint, bigint] | null = null;
    await runVec(src + '\nhlt #1', {
      ...opts,
      setup: (mm) => (mm.cpu.setSys(SYS.HCR_EL2, hcr, 0), opts.setup?.(mm)),
      fw: { el2Exception: (c) => ((seen = [c.sys64(SYS.ESR_EL2), c.sys64(SYS.ELR_EL2)]), c.halt('el2')) },
    });
    return seen;
  }
  const sys18 = (raw: number): bigint => (0x18n << 26n) | ESR_IL | BigInt(sysTrapIss(raw));

  it('TVM traps writes of the EL1 VM controls and leaves the register unchanged; TRVM traps reads', async () => {
    let before = -1;
    const m = await runVec('msr sctlr_el1, x1', {
      x: { 1: 0x1234n },
      setup: (mm) => (mm.cpu.setSys(SYS.HCR_EL2, 1 << 26, 0), (before = mm.cpu.sysLo(SYS.SCTLR_EL1))),
      fw: { el2Exception: (c) => c.halt('el2') },
    });
    expect(m.cpu.haltReason).toBe('el2');
    expect(m.cpu.sysLo(SYS.SCTLR_EL1)).toBe(before);
    expect(m.cpu.sys64(SYS.ESR_EL2)).toBe(sys18(sysInsn(0, 3, 0, 1, 0, 0, 1)));
    expect(await el2Trap('mrs x2, mair_el1', 1 << 26)).toBeNull(); // TVM alone: reads are fine
    expect(await el2Trap('add x0, x0, #0\nmrs x2, mair_el1', 1 << 30)).toEqual([sys18(sysInsn(1, 3, 0, 10, 2, 0, 2)), B + 4n]);
    expect(await el2Trap('msr tpidr_el1, x1', (1 << 26) | (1 << 30))).toBeNull(); // not a VM control
  });
  it('TID3 traps reads of the ID group 3 registers, including the RAZ encodings', async () => {
    expect(await el2Trap('mrs x0, id_aa64isar0_el1', 1 << 18)).toEqual([sys18(sysInsn(1, 3, 0, 0, 6, 0, 0)), B]);
    const raz = sysInsn(1, 3, 0, 0, 7, 7, 4);
    expect(await el2Trap(`.long ${raz}`, 1 << 18)).toEqual([sys18(raz), B]);
    expect(await el2Trap('mrs x0, midr_el1', 1 << 18)).toBeNull(); // MIDR is not group 3
  });
  it('TID2 traps CTR_EL0 (after SCTLR_EL1.UCT allowed EL0), TID1 REVIDR, TACR ACTLR_EL1', async () => {
    const uct = { el: 0, setup: (mm: Machine) => mm.cpu.setSys(SYS.SCTLR_EL1, SCTLR_RESET | (1 << 15), 0) };
    expect(await el2Trap('mrs x0, ctr_el0', 1 << 17, uct)).toEqual([sys18(sysInsn(1, 3, 3, 0, 0, 1, 0)), B]);
    expect(await el2Trap('mrs x0, revidr_el1', 1 << 16)).not.toBeNull();
    expect(await el2Trap('msr actlr_el1, x0', 1 << 21)).not.toBeNull();
  });
  it('the EL1 trap of an EL0 access (UCT=0) wins over the EL2 trap', async () => {
    const m = await runVec('mrs x0, ctr_el0', { el: 0, setup: (mm) => mm.cpu.setSys(SYS.HCR_EL2, 1 << 17, 0) });
    expect(m.cpu.haltReason).toBe('vector 0x400');
    expect(esr(m) >> 26n).toBe(0x18n);
  });
  it('TSW (DC set/way), TPCP (DC to PoC), TPU (IC, DC CVAU), TTLB (TLBI), TDZ (DC ZVA)', async () => {
    expect(await el2Trap('dc cisw, x0', 1 << 22)).not.toBeNull();
    expect(await el2Trap('dc civac, x0', 1 << 22)).toBeNull();
    expect(await el2Trap('dc civac, x0', 1 << 23)).not.toBeNull();
    expect(await el2Trap('dc ivac, x0', 1 << 23)).not.toBeNull();
    expect(await el2Trap('dc cvau, x0', 1 << 23)).toBeNull();
    expect(await el2Trap('dc cvau, x0', 1 << 24)).not.toBeNull();
    expect(await el2Trap('ic iallu', 1 << 24)).not.toBeNull();
    expect(await el2Trap('tlbi vae1is, x3', 1 << 25)).toEqual([sys18(sysInsn(0, 1, 0, 8, 3, 1, 3)), B]);
    expect(h.tlbi).toEqual([]);
    expect(await el2Trap('dc zva, x0', 1 << 28, { x: { 0: 0x4008_0000n } })).toEqual([sys18(sysInsn(0, 1, 3, 7, 4, 1, 0)), B]);
  });
  it('DCZID_EL0.DZP reads 1 at EL1 while HCR_EL2.TDZ=1', async () => {
    const m = await runVec('mrs x0, dczid_el0\nhlt #1', { setup: (mm) => mm.cpu.setSys(SYS.HCR_EL2, 1 << 28, 0) });
    expect(X(m.cpu, 0)).toBe(0x14n);
  });
});
