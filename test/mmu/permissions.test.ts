// Stage-1 permissions for the EL1&0 regime (ARM ARM D8.4 "Memory access control",
// AArch64.S1ComputePermissions): AP[2:1], UXN/PXN, SCTLR_EL1.WXN, the implicit PXN of EL0-writable
// memory, and the hierarchical APTable/UXNTable/PXNTable controls.
import { describe, it, expect } from 'vitest';
import { machine, setS1, probe, RAM } from './mmu-helpers.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { ACC_READ, ACC_WRITE, ACC_FETCH, s1Perms } from '../../src/mmu/translate.js';
import { SYS } from '../../src/cpu/sysregs.js';

const POOL = RAM + 0x0100_0000;

/** 'rwx' string of what EL `el` may do at va ('-' for a permission fault). */
function rights(cpu: import('../../src/cpu/cpu.js').Cpu, va: bigint, el: number): string {
  const ok = (acc: number): boolean => {
    const r = probe(cpu, va, acc, el);
    if (r.pa < 0) expect(r.fsc & 0x3c).toBe(0x0c); // only Permission faults expected here
    return r.pa >= 0;
  };
  return (ok(ACC_READ) ? 'r' : '-') + (ok(ACC_WRITE) ? 'w' : '-') + (ok(ACC_FETCH) ? 'x' : '-');
}

function setup(sctlrExtra = 0, tableHi = 0) {
  const { m, cpu } = machine();
  const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: POOL, tableHi });
  setS1(cpu, { ttbr0: b.root, sctlr: 0x30d00800 | 1 | (1 << 2) | (1 << 12) | sctlrExtra });
  return { cpu, b };
}

describe('stage-1 permissions', () => {
  it('AP[2:1]: 00 EL1 RW; 01 EL1+EL0 RW; 10 EL1 RO; 11 EL1+EL0 RO', () => {
    const { cpu, b } = setup();
    for (let ap = 0; ap < 4; ap++) b.map(0x1000 * (ap + 1), RAM + 0x1000 * ap, 0x1000, s1Leaf({ ap }), 3);
    // EL0-writable memory (AP=01) is implicitly PXN at EL1.
    expect([1, 2, 3, 4].map((k) => rights(cpu, BigInt(0x1000 * k), 1))).toEqual(['rwx', 'rw-', 'r-x', 'r-x']);
    expect([1, 2, 3, 4].map((k) => rights(cpu, BigInt(0x1000 * k), 0))).toEqual(['--x', 'rwx', '--x', 'r-x']);
  });
  it('UXN forbids EL0 execution, PXN EL1 execution', () => {
    const { cpu, b } = setup();
    b.map(0x1000, RAM, 0x1000, s1Leaf({ ap: 3, uxn: true }), 3);
    b.map(0x2000, RAM, 0x1000, s1Leaf({ ap: 3, pxn: true }), 3);
    expect(rights(cpu, 0x1000n, 0)).toBe('r--');
    expect(rights(cpu, 0x1000n, 1)).toBe('r-x');
    expect(rights(cpu, 0x2000n, 0)).toBe('r-x');
    expect(rights(cpu, 0x2000n, 1)).toBe('r--');
  });
  it('SCTLR_EL1.WXN makes writable memory execute-never', () => {
    const { cpu, b } = setup(1 << 19);
    b.map(0x1000, RAM, 0x1000, s1Leaf({ ap: 0 }), 3);
    b.map(0x2000, RAM, 0x1000, s1Leaf({ ap: 2 }), 3);
    expect(rights(cpu, 0x1000n, 1)).toBe('rw-');
    expect(rights(cpu, 0x2000n, 1)).toBe('r-x');
  });
  it('APTable[0] removes EL0 access, APTable[1] write access, UXN/PXNTable execution', () => {
    // APTable=0b11 in table descriptors: bits 62:61 of the upper word.
    const { cpu, b } = setup(0, 3 << 29);
    b.map(0x1000, RAM, 0x1000, s1Leaf({ ap: 1 }), 3);
    expect(rights(cpu, 0x1000n, 1)).toBe('r-x');
    // APTable limits data access only: EL0 may still execute (execute-only memory, UXN=0).
    expect(rights(cpu, 0x1000n, 0)).toBe('--x');
    const t = setup(0, (1 << 28) | (1 << 27)); // UXNTable | PXNTable
    t.b.map(0x1000, RAM, 0x1000, s1Leaf({ ap: 3 }), 3);
    expect(rights(t.cpu, 0x1000n, 0)).toBe('r--');
    expect(rights(t.cpu, 0x1000n, 1)).toBe('r--');
  });
  it('a permission fault reports the leaf level, WnR, and EC by EL and access', () => {
    const { cpu, b } = setup();
    b.map(0x20_0000, RAM, 0x20_0000, s1Leaf({ ap: 2 }), 2);
    const w = probe(cpu, 0x20_0010n, ACC_WRITE, 1);
    expect(w.ec).toBe(0x25);
    expect(w.iss).toBe(0x40 | 0x0e); // WnR, permission fault level 2
    expect(w.far).toBe(0x20_0010n);
    const r0 = probe(cpu, 0x20_0010n, ACC_READ, 0);
    expect(r0.ec).toBe(0x24);
    expect(r0.iss).toBe(0x0e);
  });
  it('s1Perms agrees with the AP table for every AP/UXN/PXN/WXN combination', () => {
    for (let ap = 0; ap < 4; ap++) {
      for (const wxn of [false, true]) {
        const p = s1Perms(ap, 0, 0, wxn);
        const w1 = (ap & 2) === 0;
        const w0 = ap === 1;
        expect(!!(p & 2)).toBe(w1);
        expect(!!(p & 16)).toBe(w0);
        expect(!!(p & 4)).toBe(!w0 && !(wxn && w1));
        expect(!!(p & 32)).toBe(!(wxn && w0));
      }
    }
  });
  it('MSR-visible state is not changed by a permission probe', () => {
    const { cpu, b } = setup();
    b.map(0x1000, RAM, 0x1000, s1Leaf({ ap: 2 }), 3);
    probe(cpu, 0x1000n, ACC_WRITE, 1);
    expect(cpu.sys64(SYS.ESR_EL1)).toBe(0n); // pending only: delivered by the run loop
  });
});
