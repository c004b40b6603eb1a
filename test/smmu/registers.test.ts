// The register frame (IHI 0070 chapter 6): ID values, enables with their ACK registers, 64-bit
// registers as two 32-bit halves, page-1 aliases, writes ignored where the architecture says so,
// unknown offsets RAZ/WI.
import { describe, expect, it } from 'vitest';
import { rig, r64, w64, STRTAB, CMDQ } from './helpers.js';
import * as R from '../../src/smmu/regs.js';

const field = (v: number, hi: number, lo: number) => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);

describe('ID registers', () => {
  it('IDR0 advertises what the model implements', () => {
    const { smmu } = rig();
    const v = smmu.read(R.IDR0, 4);
    expect(field(v, 0, 0)).toBe(1); // S2P
    expect(field(v, 1, 1)).toBe(1); // S1P
    expect(field(v, 3, 2)).toBe(2); // TTF: AArch64
    expect(field(v, 4, 4)).toBe(1); // COHACC
    expect(field(v, 5, 5)).toBe(0); // BTM
    expect(field(v, 7, 6)).toBe(0); // HTTU
    expect(field(v, 9, 9)).toBe(1); // HYP
    expect(field(v, 10, 10)).toBe(0); // ATS
    expect(field(v, 12, 12)).toBe(1); // ASID16
    expect(field(v, 13, 13)).toBe(1); // MSI
    expect(field(v, 16, 16)).toBe(0); // PRI
    expect(field(v, 18, 18)).toBe(1); // VMID16
    expect(field(v, 19, 19)).toBe(0); // CD2L
    expect(field(v, 22, 21)).toBe(2); // TTENDIAN: little-endian
    expect(field(v, 25, 24)).toBe(1); // STALL_MODEL: no stalls
    expect(field(v, 28, 27)).toBe(1); // ST_LEVEL: two-level
  });

  it('IDR1 queue sizes and SIDSIZE, IDR5 OAS and granules, AIDR v3.0', () => {
    const { smmu } = rig();
    const i1 = smmu.read(R.IDR1, 4);
    expect(field(i1, 5, 0)).toBe(16);
    expect(field(i1, 10, 6)).toBe(0);
    expect(field(i1, 20, 16)).toBe(R.EVENTQS);
    expect(field(i1, 25, 21)).toBe(R.CMDQS);
    expect(R.CMDQS).toBeGreaterThan(6); // Linux refuses queues of <= 64 commands
    const i5 = smmu.read(R.IDR5, 4);
    expect(field(i5, 2, 0)).toBe(4); // 44 bits
    expect(field(i5, 6, 4)).toBe(7); // 4K, 16K, 64K
    expect(smmu.read(R.AIDR, 4)).toBe(0);
    smmu.write(R.IDR0, 4, 0);
    expect(smmu.read(R.IDR0, 4)).toBe(R.IDR0_VALUE);
  });
});

describe('control registers', () => {
  it('CR0ACK follows CR0 at once; bits of unsupported features read 0', () => {
    const { smmu } = rig({ enable: false });
    smmu.write(R.CR0, 4, R.CR0_SMMUEN | R.CR0_EVENTQEN | R.CR0_PRIQEN | (1 << 4));
    expect(smmu.read(R.CR0, 4)).toBe(R.CR0_SMMUEN | R.CR0_EVENTQEN);
    expect(smmu.read(R.CR0ACK, 4)).toBe(R.CR0_SMMUEN | R.CR0_EVENTQEN);
    smmu.write(R.CR0ACK, 4, 0);
    expect(smmu.read(R.CR0ACK, 4)).toBe(R.CR0_SMMUEN | R.CR0_EVENTQEN);
  });

  it('IRQ_CTRLACK follows IRQ_CTRL; PRIQ_IRQEN is RES0', () => {
    const { smmu } = rig();
    smmu.write(R.IRQ_CTRL, 4, 7);
    expect(smmu.read(R.IRQ_CTRL, 4)).toBe(5);
    expect(smmu.read(R.IRQ_CTRLACK, 4)).toBe(5);
  });

  it('CR1 and CR2 keep their fields; GERROR is read-only', () => {
    const { smmu } = rig();
    smmu.write(R.CR1, 4, 0xffff_ffff);
    expect(smmu.read(R.CR1, 4)).toBe(0xfff);
    smmu.write(R.CR2, 4, 7);
    expect(smmu.read(R.CR2, 4)).toBe(6);
    smmu.write(R.GERROR, 4, 1);
    expect(smmu.read(R.GERROR, 4)).toBe(0);
  });
});

describe('64-bit registers and queue pointers', () => {
  it('STRTAB_BASE, CMDQ_BASE, EVENTQ_BASE and IRQ_CFG0 read back as two halves', () => {
    const { smmu } = rig({ enable: false });
    expect(r64(smmu, R.STRTAB_BASE)).toBe(STRTAB);
    w64(smmu, R.STRTAB_BASE, 0x4000_0000_0000 + 0x1234_5640 + 2 ** 62);
    expect(r64(smmu, R.STRTAB_BASE)).toBe(0x4000_0000_0000 + 0x1234_5640 + 2 ** 62);
    w64(smmu, R.CMDQ_BASE, 0xab_0000_1000 + 6);
    expect(r64(smmu, R.CMDQ_BASE)).toBe(0xab_0000_1000 + 6);
    w64(smmu, R.GERROR_IRQ_CFG0, 0x8_0000_0040);
    expect(r64(smmu, R.GERROR_IRQ_CFG0)).toBe(0x8_0000_0040);
    w64(smmu, R.EVENTQ_IRQ_CFG0, 0x9_0000_0080);
    expect(r64(smmu, R.EVENTQ_IRQ_CFG0)).toBe(0x9_0000_0080);
  });

  it('base registers are ignored while their unit is enabled', () => {
    const { smmu } = rig();
    w64(smmu, R.STRTAB_BASE, 0x4800_0000);
    w64(smmu, R.CMDQ_BASE, 0x4800_0000);
    w64(smmu, R.EVENTQ_BASE, 0x4800_0000);
    expect(r64(smmu, R.STRTAB_BASE)).toBe(STRTAB);
    expect(r64(smmu, R.CMDQ_BASE)).toBe(CMDQ | 4);
    smmu.write(R.CMDQ_CONS, 4, 3);
    expect(smmu.read(R.CMDQ_CONS, 4)).toBe(0);
    smmu.write(R.EVENTQ_PROD, 4, 3);
    expect(smmu.read(R.EVENTQ_PROD, 4)).toBe(0);
  });

  it('EVENTQ_PROD/CONS live in page 1 with page-0 aliases', () => {
    const { smmu } = rig({ enable: false });
    smmu.write(R.EVENTQ_PROD, 4, 5);
    expect(smmu.read(R.EVENTQ_PROD_P0, 4)).toBe(5);
    smmu.write(R.EVENTQ_CONS_P0, 4, 3 | (1 << 31));
    expect(smmu.read(R.EVENTQ_CONS, 4)).toBe((3 | (1 << 31)) >>> 0);
    expect(R.EVENTQ_PROD).toBe(0x100a8);
    expect(R.EVENTQ_CONS).toBe(0x100ac);
  });
});

describe('unknown offsets', () => {
  it('read as zero, ignore writes, report each offset once; sub-word writes are ignored', () => {
    const r = rig();
    expect(r.smmu.read(0xe0, 4)).toBe(0); // GATOS_CTRL: not implemented
    r.smmu.write(0xe0, 4, 1);
    expect(r.smmu.read(0xe0, 4)).toBe(0);
    r.smmu.read(0xe0, 4);
    expect(r.unimpl.filter((m) => m.includes('0xe0')).length).toBe(1); // reported once
    r.smmu.write(R.IRQ_CTRL, 1, 0);
    expect(r.smmu.read(R.IRQ_CTRL, 4)).toBe(5);
    expect(r.smmu.read(R.IDR1, 2)).toBe(R.IDR1_VALUE & 0xffff);
    expect(r.smmu.read(R.IDR1 + 2, 2)).toBe(R.IDR1_VALUE >>> 16);
    expect(r.smmu.read(0x1fffc, 4)).toBe(0);
  });
});

describe('reset', () => {
  it('returns the registers to their reset values and empties the caches; statistics stay', () => {
    const r = rig();
    r.smmu.translate(3, 0x1000, false); // C_BAD_STE (zeroed STE): one translation counted
    r.smmu.reset();
    for (const off of [R.CR0, R.CR0ACK, R.CR2, R.IRQ_CTRL, R.GERROR, R.STRTAB_BASE, R.STRTAB_BASE_CFG, R.CMDQ_BASE, R.CMDQ_PROD, R.EVENTQ_BASE, R.EVENTQ_PROD]) {
      expect(r.smmu.read(off, 4)).toBe(0);
    }
    expect(r.smmu.read(R.GBPA, 4) & R.GBPA_ABORT).toBe(0);
    expect(r.smmu.translate(3, 0x4000_1000, false)).toBe(0x4000_1000); // SMMUEN=0: bypass
    expect(r.smmu.stats().translations).toBe(2);
  });
});
