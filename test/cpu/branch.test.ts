// Branches (ARM ARM C4.1.87; C6.2 B, BL, B.cond, CBZ, CBNZ, TBZ, TBNZ, BR, BLR, RET).
import { describe, it, expect } from 'vitest';
import { runAsm, X, CODE_BASE } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { Machine } from '../../src/machine.js';
import { Insn } from '../../src/cpu/decode.js';
import { branchRel } from '../../src/cpu/isa/branch.js';

const B = BigInt(CODE_BASE);

/** Runs `insn` (which may branch to `t`) followed by `add x1, x1, #1`; returns true if taken. */
async function taken(insn: string, x: Record<number, bigint> = {}, nzcv?: number): Promise<boolean> {
  const m = await runAsm(`${insn}\nadd x1, x1, #1\nt: hlt #1`, { x: { 1: 0n, ...x }, nzcv });
  expect(m.cpu.haltReason).toBe('done');
  return X(m.cpu, 1) === 0n;
}

describe('B and BL', () => {
  it('B skips forward and its offset is relative to the B itself', async () => {
    const m = await runAsm('add x0, x0, #1\nb over\nadd x0, x0, #16\nover: add x0, x0, #2\nhlt #1');
    expect(X(m.cpu, 0)).toBe(3n);
    expect(m.cpu.pc).toBe(B + 0x14n);
  });
  it('B backward (negative imm26)', async () => {
    const m = await runAsm('b fwd\nback: add x0, x0, #4\nhlt #1\nfwd: add x0, x0, #1\nb back');
    expect(X(m.cpu, 0)).toBe(5n);
  });
  it('BL writes X30 = PC + 4 (the address after the BL)', async () => {
    const m = await runAsm('add x0, x0, #1\nbl f\nhlt #2\nf: hlt #1');
    expect(X(m.cpu, 30)).toBe(B + 8n);
    expect(m.cpu.pc).toBe(B + 0x10n);
  });
  it('imm26 is sign-extended: the most negative offset is -128 MiB', () => {
    const m = new Machine();
    const ins = new Insn(() => {});
    m.cpu.decoder.decode(0x16000000, ins); // B with imm26 = 0x2000000
    expect(ins.name).toBe('B');
    expect(ins.imm).toBe(-0x8000000);
    m.cpu.decoder.decode(0x95ffffff, ins); // BL with imm26 = 0x1ffffff
    expect(ins.name).toBe('BL');
    expect(ins.imm).toBe(0x7fffffc);
  });
  it('branchRel carries into and borrows from the high word (PC = npc - 4)', () => {
    const cpu = new Machine().cpu;
    // Branch at 0x0_FFFF_FFFC (npc 0x1_0000_0000) by +8 -> 0x1_0000_0004.
    cpu.npcLo = 0;
    cpu.npcHi = 1;
    branchRel(cpu, 8);
    expect([cpu.npcLo >>> 0, cpu.npcHi]).toEqual([4, 1]);
    // Branch at 0x1_0000_0000 by -8 -> 0x0_FFFF_FFF8.
    cpu.npcLo = 4;
    cpu.npcHi = 1;
    branchRel(cpu, -8);
    expect([cpu.npcLo >>> 0, cpu.npcHi]).toEqual([0xfffffff8, 0]);
  });
});

describe('B.cond (ConditionHolds)', () => {
  // Reference from the ARM ARM's ConditionHolds table, written out per condition.
  const holds = (cond: number, f: number): boolean => {
    const n = (f >> 3) & 1, z = (f >> 2) & 1, c = (f >> 1) & 1, v = f & 1;
    const r = [z === 1, c === 1, n === 1, v === 1, c === 1 && z === 0, n === v, n === v && z === 0, true][cond >> 1];
    return cond === 15 ? true : cond & 1 ? !r : r; // NV (0b1111) behaves as AL
  };
  const names = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
  for (let cond = 0; cond < 16; cond++) {
    it(`b.${names[cond]} over all 16 NZCV values`, async () => {
      for (let f = 0; f < 16; f++) {
        // keystone refuses b.nv: encode B.cond with imm19 = 2 (to t) by hand.
        const raw = 0x54000000 | (2 << 5) | cond;
        expect(await taken(`.long ${raw}`, {}, f), `cond ${cond} nzcv ${f}`).toBe(holds(cond, f));
      }
    });
  }
  it('BC.cond (o0=1, FEAT_HBC) is not implemented: UNDEFINED', async () => {
    const m = await runAsm('.long 0x54000050\n.balign 0x800\n.space 0x200\nhlt #1', {
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    expect(m.cpu.sys64(SYS.ESR_EL1)).toBe(1n << 25n);
  });
});

describe('CBZ/CBNZ', () => {
  const v = 0x1_0000_0000n; // low word zero, high word not
  it('CBZ W tests only the low 32 bits', async () => {
    expect(await taken('cbz w0, t', { 0: v })).toBe(true);
    expect(await taken('cbz w0, t', { 0: v | 1n })).toBe(false);
  });
  it('CBZ X tests all 64 bits', async () => {
    expect(await taken('cbz x0, t', { 0: v })).toBe(false);
    expect(await taken('cbz x0, t', { 0: 0n })).toBe(true);
  });
  it('CBNZ W / X', async () => {
    expect(await taken('cbnz w0, t', { 0: v })).toBe(false);
    expect(await taken('cbnz x0, t', { 0: v })).toBe(true);
    expect(await taken('cbnz x0, t', { 0: 0n })).toBe(false);
  });
  it('Rt = 31 is XZR, not SP', async () => {
    expect(await taken('cbz xzr, t', { 31: 0x1000n })).toBe(true);
    expect(await taken('cbnz wzr, t', { 31: 0x1000n })).toBe(false);
  });
  it('a backward CBNZ loop (negative imm19)', async () => {
    const m = await runAsm('loop: add x1, x1, #1\nsub x0, x0, #1\ncbnz x0, loop\nhlt #1', { x: { 0: 5n } });
    expect(X(m.cpu, 1)).toBe(5n);
  });
});

describe('TBZ/TBNZ (bit number b5:b40)', () => {
  const v = 0x8000_0001_8000_0001n; // bits 0, 31, 32, 63 set
  for (const bit of [0, 31, 32, 63]) {
    it(`bit ${bit} set: TBNZ taken, TBZ not`, async () => {
      const r = bit < 32 ? 'w0' : 'x0';
      expect(await taken(`tbnz ${r}, #${bit}, t`, { 0: v })).toBe(true);
      expect(await taken(`tbz ${r}, #${bit}, t`, { 0: v })).toBe(false);
    });
  }
  for (const bit of [1, 30, 33, 62]) {
    it(`bit ${bit} clear: TBZ taken, TBNZ not`, async () => {
      const r = bit < 32 ? 'w0' : 'x0';
      expect(await taken(`tbz ${r}, #${bit}, t`, { 0: v })).toBe(true);
      expect(await taken(`tbnz ${r}, #${bit}, t`, { 0: v })).toBe(false);
    });
  }
  it('a backward TBZ (negative imm14)', async () => {
    const m = await runAsm('b start\nt: hlt #1\nstart: add x1, x1, #1\ntbz x0, #40, t\nhlt #2');
    expect(m.cpu.haltReason).toBe('done');
    expect(m.cpu.pc).toBe(B + 8n);
  });
});

describe('BR, BLR, RET', () => {
  it('BR jumps to Xn and does not link', async () => {
    const m = await runAsm('br x2\nhlt #2\nhlt #1', { x: { 2: B + 8n, 30: 7n } });
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 30)).toBe(7n);
  });
  it('BLR links X30 = PC + 4', async () => {
    const m = await runAsm('add x0, x0, #0\nblr x2\nhlt #2\nhlt #1', { x: { 2: B + 12n } });
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 30)).toBe(B + 8n);
  });
  it('BLR X30 reads the target before writing the link', async () => {
    const m = await runAsm('blr x30\nhlt #2\nhlt #1', { x: { 30: B + 8n } });
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 30)).toBe(B + 4n);
  });
  it('RET defaults to X30; RET Xn uses Xn', async () => {
    let m = await runAsm('ret\nhlt #2\nhlt #1', { x: { 30: B + 8n } });
    expect(m.cpu.haltReason).toBe('done');
    m = await runAsm('ret x5\nhlt #2\nhlt #1', { x: { 5: B + 8n, 30: B + 4n } });
    expect(m.cpu.haltReason).toBe('done');
  });
  it('a call and return round trip', async () => {
    const m = await runAsm('bl f\nadd x0, x0, #2\nhlt #1\nf: add x0, x0, #1\nret');
    expect(X(m.cpu, 0)).toBe(3n);
  });
  it('BR XZR: register 31 is XZR, so the target is address 0 (no memory there: instruction abort)', async () => {
    // keystone refuses `br xzr`: BR with Rn = 31.
    const m = await runAsm('.long 0xd61f03e0\n.balign 0x800\n.space 0x200\nhlt #1', {
      x: { 31: B + 0x10n },
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    expect(m.cpu.sys64(SYS.ESR_EL1) >> 26n).toBe(0x21n); // Instruction Abort, same EL
    expect(m.cpu.sys64(SYS.ELR_EL1)).toBe(0n);
  });
  it('a misaligned BR target takes a PC alignment fault (EC 0x22) at the target, FAR = target', async () => {
    const m = await runAsm('br x2\n.balign 0x800\n.space 0x200\nhlt #1', {
      x: { 2: B + 0x102n },
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    expect(m.cpu.sys64(SYS.ESR_EL1)).toBe((0x22n << 26n) | (1n << 25n));
    expect(m.cpu.sys64(SYS.ELR_EL1)).toBe(B + 0x102n);
    expect(m.cpu.sys64(SYS.FAR_EL1)).toBe(B + 0x102n);
  });
  it('the pointer-authenticated forms (RETAA) are UNDEFINED without FEAT_PAuth', async () => {
    const m = await runAsm('.long 0xd65f0bff\n.balign 0x800\n.space 0x200\nhlt #1', {
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    expect(m.cpu.sys64(SYS.ESR_EL1)).toBe(1n << 25n);
    expect(m.cpu.sys64(SYS.ELR_EL1)).toBe(B);
  });
});
