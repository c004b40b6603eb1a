// The EL1 exception model (ARM ARM D1.3): AArch64.TakeException (vector offsets, ESR/ELR/SPSR,
// PSTATE on entry, SP selection) and AArch64.ExceptionReturn / IllegalExceptionReturn (ERET,
// PSTATE.IL and the Illegal Execution state exception), with programs that set up their own
// vector table through MSR VBAR_EL1 and drop to EL0 with ERET.
import { describe, it, expect } from 'vitest';
import { runAsm, X, CODE_BASE, type RunOpts } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Machine } from '../../src/machine.js';

const VBAR = BigInt(CODE_BASE + 0x800);
const START = BigInt(CODE_BASE + 0x1000);
const EL0 = BigInt(CODE_BASE + 0x1100); // `el0:` after .balign 0x100
const SP_EL1 = 0x4010_0000n;
const SP_EL0 = 0x4020_0000n;
const ESR_IL = 1n << 25n;

/**
 * A program: `b start`, the vector table at CODE_BASE + 0x800 (entries given by offset; the others
 * stop with `hlt #(0x100 + offset/0x80)`), `start:` at +0x1000 and `el0:` at +0x1100.
 * x20 = VBAR, x22 = el0 are preset, SP = SP_EL1; the code sets VBAR_EL1 itself.
 */
async function program(vectors: Record<number, string>, start: string, el0 = 'hlt #2', opts: RunOpts = {}): Promise<Machine> {
  let src = 'b start\n.balign 0x800\n';
  for (let k = 0; k < 16; k++) src += `.balign 0x80\n${vectors[k * 0x80] ?? `hlt #${0x100 + k}`}\n`;
  src += `.balign 0x800\nstart:\nmsr vbar_el1, x20\n${start}\n.balign 0x100\nel0:\n${el0}\n`;
  return runAsm(src, {
    ...opts,
    x: { 20: VBAR, 22: EL0, 31: SP_EL1, ...opts.x },
    setup: (m) => {
      const fw = m.cpu.firmware!;
      const hlt = fw.hlt;
      fw.hlt = (c, imm) => {
        if (imm >= 0x100) {
          c.halt(`vector 0x${((imm - 0x100) * 0x80).toString(16)}`);
          return true;
        }
        return hlt(c, imm);
      };
      opts.setup?.(m);
    },
  });
}

/** ERET to el0 with SPSR_EL1 = x23 (default 0: EL0t, DAIF clear) and SP_EL0 = x21. */
const TO_EL0 = 'msr sp_el0, x21\nmsr spsr_el1, x23\nmsr elr_el1, x22\neret';

describe('exception entry from EL0 and return (SVC round trip)', () => {
  const handler = [
    'mrs x1, esr_el1',
    'mrs x2, elr_el1',
    'mrs x3, spsr_el1',
    'mrs x4, daif',
    'add x8, sp, #0',
    'mrs x9, sp_el0',
    'mrs x12, currentel',
    'cmp x1, #0', // clobber NZCV: ERET must restore it from SPSR_EL1
    'eret',
  ].join('\n');
  const el0 = [
    'add x7, sp, #0',
    'add sp, sp, #16',
    'msr nzcv, x24',
    'svc #0x2a', // at el0 + 12
    'add x10, sp, #0',
    'mrs x11, nzcv',
    'hlt #1',
  ].join('\n');

  it('takes SVC to VBAR+0x400 with ESR/ELR/SPSR per AArch64.TakeException and ERETs back to EL0', async () => {
    const m = await program({ 0x400: handler }, TO_EL0, el0, { x: { 21: SP_EL0, 23: 0n, 24: 0x6000_0000n } });
    const c = m.cpu;
    expect(c.haltReason).toBe('done');
    // ESR_EL1: EC 0x15, IL=1, ISS = imm16 (D17.2.37).
    expect(X(c, 1)).toBe((0x15n << 26n) | ESR_IL | 0x2an);
    // ELR_EL1: the preferred return address of SVC is the next instruction.
    expect(X(c, 2)).toBe(EL0 + 16n);
    // SPSR_EL1: NZCV = Z,C as set at EL0; M = EL0t; DAIF clear as it was at EL0.
    expect(X(c, 3)).toBe(0x6000_0000n);
    // On entry PSTATE.DAIF are all set and the EL is 1.
    expect(X(c, 4)).toBe(0x3c0n);
    expect(X(c, 12)).toBe(1n << 2n);
    // Back at EL0: the flags were restored from SPSR_EL1, DAIF clear, still EL0.
    expect(X(c, 11)).toBe(0x6000_0000n);
    expect(c.el).toBe(0);
    expect(c.daif).toBe(0);
    expect(c.pc).toBe(EL0 + 28n);
  });

  it('banks SP: EL0 uses SP_EL0, the handler SP_EL1, and both survive the round trip', async () => {
    const m = await program({ 0x400: handler }, TO_EL0, el0, { x: { 21: SP_EL0, 23: 0n, 24: 0n } });
    const c = m.cpu;
    expect(X(c, 7)).toBe(SP_EL0); // EL0 saw SP_EL0
    expect(X(c, 8)).toBe(SP_EL1); // the handler runs on SP_EL1
    expect(X(c, 9)).toBe(SP_EL0 + 16n); // and sees EL0's update in SP_EL0
    expect(X(c, 10)).toBe(SP_EL0 + 16n); // EL0 continues with its own SP
    expect(c.getSpEl(1)).toBe(SP_EL1);
    expect(c.getSpEl(0)).toBe(SP_EL0 + 16n);
  });

  it('SPSR_EL1 records EL0 DAIF and ERET restores it exactly', async () => {
    // SPSR = A and F masked (bits 8 and 6): EL0 runs with DAIF = 0b0101.
    const m = await program({ 0x400: handler }, TO_EL0, el0, { x: { 21: SP_EL0, 23: 0x140n, 24: 0x8000_0000n } });
    expect(X(m.cpu, 3)).toBe(0x8000_0140n);
    expect(X(m.cpu, 4)).toBe(0x3c0n);
    expect(m.cpu.daif).toBe(0b0101);
    expect(m.cpu.nzcv).toBe(0b1000);
  });

  it('an IRQ unmasked by the ERET to EL0 is taken at VBAR+0x480 before the first EL0 instruction', async () => {
    const m = await program({ 0x480: 'mrs x1, elr_el1\nmrs x2, spsr_el1\nhlt #1' }, TO_EL0, 'add x0, x0, #1\nhlt #2', {
      x: { 21: SP_EL0, 23: 0n },
      setup: (mm) => mm.cpu.setInterruptLines(1), // masked while EL1 runs with DAIF = 0xF
    });
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 1)).toBe(EL0);
    expect(X(m.cpu, 2)).toBe(0n);
    expect(X(m.cpu, 0)).toBe(0n);
  });
});

describe('vector offsets (D1.3.5 Table D1-7)', () => {
  const record = 'mrs x1, esr_el1\nmrs x2, elr_el1\nmrs x3, spsr_el1\nadd x4, sp, #0\nhlt #1';
  it('from EL1 with SPSel=0 (SP_EL0): +0x000, and the handler runs on SP_EL1', async () => {
    const m = await program({ 0x000: record }, 'msr sp_el0, x21\nmsr spsel, #0\nbrk #7', 'hlt #2', { x: { 21: SP_EL0 } });
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 1)).toBe((0x3cn << 26n) | ESR_IL | 7n);
    expect(X(m.cpu, 2)).toBe(START + 12n); // BRK: preferred return is the BRK itself
    expect(X(m.cpu, 3)).toBe(0x3c4n); // EL1t, DAIF as at reset
    expect(X(m.cpu, 4)).toBe(SP_EL1);
    expect(m.cpu.spsel).toBe(1);
  });
  it('from EL1 with SPSel=1: +0x200', async () => {
    const m = await program({ 0x200: record }, 'brk #8');
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 1)).toBe((0x3cn << 26n) | ESR_IL | 8n);
    expect(X(m.cpu, 3)).toBe(0x3c5n); // EL1h
  });
  it('BRK at EL0: +0x400, EC 0x3C, ELR = the BRK', async () => {
    const m = await program({ 0x400: record }, TO_EL0, 'add x0, x0, #1\nbrk #0xffff', { x: { 23: 0n } });
    expect(X(m.cpu, 1)).toBe((0x3cn << 26n) | ESR_IL | 0xffffn);
    expect(X(m.cpu, 2)).toBe(EL0 + 4n);
  });
  it('UNDEFINED at EL0 (an unallocated encoding): +0x400, EC 0, ELR = the instruction', async () => {
    const m = await program({ 0x400: record }, TO_EL0, '.long 0', { x: { 23: 0n } });
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 1)).toBe(ESR_IL);
    expect(X(m.cpu, 2)).toBe(EL0);
  });
  it('MRS of an EL1 register at EL0 is UNDEFINED (+0x400, EC 0)', async () => {
    const m = await program({ 0x400: record }, TO_EL0, 'mrs x5, vbar_el1', { x: { 5: 9n, 23: 0n } });
    expect(X(m.cpu, 1)).toBe(ESR_IL);
    expect(X(m.cpu, 2)).toBe(EL0);
    expect(X(m.cpu, 5)).toBe(9n);
  });
  it('MSR to a read-only ID register is UNDEFINED (+0x200 from EL1h)', async () => {
    // MSR ID_AA64PFR0_EL1, X0 (S3_0_C0_C4_0): keystone refuses the name.
    const m = await program({ 0x200: record }, 'msr s3_0_c0_c4_0, x0');
    expect(X(m.cpu, 1)).toBe(ESR_IL);
    expect(X(m.cpu, 2)).toBe(START + 4n);
    expect(m.cpu.sys64(SYS.ID_AA64PFR0_EL1)).toBe(0x00110011n); // unchanged: FP and AdvSIMD with FEAT_FP16
  });
  it('MRS ID_AA64ISAR0_EL1 gives the table value; a reserved ID encoding reads 0', async () => {
    const m = await program({}, 'mrs x1, id_aa64isar0_el1\nmrs x2, s3_0_c0_c6_7\nhlt #1', 'hlt #2', { x: { 2: 5n } });
    expect(X(m.cpu, 1)).toBe(0x00210000n);
    expect(X(m.cpu, 2)).toBe(0n);
  });
  it('a second exception inside an EL1 handler goes to the current-EL SPx vector', async () => {
    const m = await program({ 0x400: 'svc #1', 0x200: 'mrs x1, esr_el1\nmrs x2, elr_el1\nmrs x3, spsr_el1\nhlt #1' }, TO_EL0, 'svc #0', {
      x: { 23: 0n },
    });
    expect(X(m.cpu, 1)).toBe((0x15n << 26n) | ESR_IL | 1n);
    expect(X(m.cpu, 2)).toBe(VBAR + 0x404n);
    expect(X(m.cpu, 3)).toBe(0x3c5n); // EL1h, DAIF masked by the first entry
  });
});

describe('exception return (AArch64.ExceptionReturn, IllegalExceptionReturn)', () => {
  const record = 'mrs x1, esr_el1\nmrs x2, elr_el1\nmrs x3, spsr_el1\nhlt #1';
  // ERET from EL1 with SPSR_EL1 = x23 and ELR_EL1 = el0 (whose code must not run).
  const ERET = 'msr spsr_el1, x23\nmsr elr_el1, x22\neret';

  it('an illegal return (SPSR.M = EL2h from EL1) sets PSTATE.IL; the next instruction takes EC 0x0E', async () => {
    const m = await program({ 0x200: record }, ERET, 'add x0, x0, #1\nhlt #2', { x: { 23: 0x8000_0009n } });
    const c = m.cpu;
    expect(c.haltReason).toBe('done');
    expect(X(c, 0)).toBe(0n); // the target instruction did not execute
    expect(X(c, 1)).toBe((0x0en << 26n) | ESR_IL);
    expect(X(c, 2)).toBe(EL0); // PC = ELR even on an illegal return
    // SPSR: NZCV and DAIF were restored from the SPSR (N, DAIF=0), EL and SP were not (EL1h),
    // and IL (bit 20) is recorded. Entry then cleared PSTATE.IL.
    expect(X(c, 3)).toBe(0x8010_0005n);
    expect(c.el).toBe(1);
    expect(c.pstateOther & (1 << 20)).toBe(0);
  });
  for (const [m, why] of [
    [0x10n, 'AArch32 (M[4]=1)'],
    [0x1n, 'EL0 with M[0]=1'],
    [0x6n, 'M[1]=1'],
    [0xdn, 'EL3'],
  ] as const) {
    it(`SPSR.M = 0x${m.toString(16)} (${why}) is an illegal return`, async () => {
      const p = await program({ 0x200: record }, ERET, 'hlt #2', { x: { 23: m } });
      expect(X(p.cpu, 1)).toBe((0x0en << 26n) | ESR_IL);
      expect(X(p.cpu, 3) & 0x10001fn).toBe(0x100005n);
    });
  }
  it('HCR_EL2.TGE=1 makes a return to EL1 illegal', async () => {
    const p = await program({ 0x200: record }, ERET, 'hlt #2', {
      x: { 23: 0x5n },
      setup: (mm) => mm.cpu.setSys(SYS.HCR_EL2, 1 << 27, 0),
    });
    expect(X(p.cpu, 1)).toBe((0x0en << 26n) | ESR_IL);
  });
  it('a legal return restores PSTATE.IL from SPSR.IL (SetPSTATEFromPSR): EL0 then takes EC 0x0E', async () => {
    const p = await program({ 0x400: record }, ERET, 'add x0, x0, #1\nhlt #2', { x: { 23: 1n << 20n } });
    expect(p.cpu.haltReason).toBe('done');
    expect(X(p.cpu, 0)).toBe(0n);
    expect(X(p.cpu, 1)).toBe((0x0en << 26n) | ESR_IL);
    expect(X(p.cpu, 2)).toBe(EL0);
    expect(X(p.cpu, 3)).toBe(1n << 20n); // EL0t with IL
  });
  it('a legal return to EL1t selects SP_EL0 at EL1', async () => {
    const p = await program({}, 'msr sp_el0, x21\n' + ERET, 'add x5, sp, #0\nmrs x6, currentel\nmrs x7, spsel\nhlt #1', {
      x: { 21: SP_EL0, 23: 0x4n },
    });
    expect(p.cpu.haltReason).toBe('done');
    expect([X(p.cpu, 5), X(p.cpu, 6), X(p.cpu, 7)]).toEqual([SP_EL0, 4n, 0n]);
  });
  it('ERET clears the local exclusive monitor', async () => {
    const p = await program({}, ERET, 'hlt #1', { x: { 23: 0n }, setup: (mm) => (mm.cpu.exclValid = 1) });
    expect(p.cpu.haltReason).toBe('done');
    expect(p.cpu.exclValid).toBe(0);
  });
});

describe('exceptions to EL2 (the TypeScript firmware)', () => {
  it('HVC from EL1 reaches firmware.el2Exception with ESR_EL2 EC 0x16 / imm16, ELR_EL2 and SPSR_EL2', async () => {
    const seen: bigint[] = [];
    const m = await program({}, 'msr nzcv, x24\nhvc #0xabcd\nmrs x1, nzcv\nhlt #1', 'hlt #2', {
      x: { 24: 0x9000_0000n },
      setup: (mm) => {
        mm.cpu.firmware!.el2Exception = (c) => {
          seen.push(c.sys64(SYS.ESR_EL2), c.sys64(SYS.ELR_EL2), c.sys64(SYS.SPSR_EL2));
        };
      },
    });
    expect(m.cpu.haltReason).toBe('done');
    expect(seen).toEqual([(0x16n << 26n) | ESR_IL | 0xabcdn, START + 12n, 0x9000_03c5n]);
    expect(X(m.cpu, 1)).toBe(0x9000_0000n); // the firmware's return restored PSTATE
  });
});

describe('exception-entry observers (Cpu.excObservers: --log and the library hooks share them)', () => {
  it('every observer is told once per exception, before the state changes; removing one leaves the other; none left is null', async () => {
    const seen: string[] = [];
    const a = (c: Machine['cpu'], vec: number, target: number, lo: number): void => {
      seen.push(`a vec=${vec} el=${target} from=${c.el} ret=${(lo >>> 0).toString(16)} esr=${c.sysLo(SYS.ESR_EL1)}`);
    };
    const b = (_c: Machine['cpu'], vec: number, target: number): void => {
      seen.push(`b vec=${vec} el=${target}`);
    };
    // SVC #5 at EL0: a synchronous exception to EL1 (vector offset 0, target EL 1), return address
    // the instruction after the SVC (ARM ARM D1.10.1: preferred return address of an SVC).
    const m = await runAsm(
      `
      ldr x1, =vec
      msr vbar_el1, x1
      mov x2, #0
      msr spsr_el1, x2        // EL0t
      adr x3, el0
      msr elr_el1, x3
      eret
el0:
      svc #5
      hlt #2
      .balign 2048
vec:
      .rept 8
      hlt #1
      .balign 128
      .endr
      hlt #1
      .balign 128
      hlt #1
      .ltorg`,
      {
        setup: (mm) => {
          mm.cpu.addExcObserver(a);
          mm.cpu.addExcObserver(b);
          mm.cpu.addExcObserver(a); // added twice: still told once
        },
      },
    );
    const svcRet = (CODE_BASE + 4 * 8).toString(16);
    // ESR_EL1 is still the reset value (0) when the observers run: before the state changes.
    expect(seen).toEqual([`a vec=0 el=1 from=0 ret=${svcRet} esr=0`, 'b vec=0 el=1']);
    m.cpu.removeExcObserver(a);
    expect(m.cpu.excObservers).toEqual([b]);
    m.cpu.removeExcObserver(b);
    expect(m.cpu.excObservers).toBeNull();
  });
});
