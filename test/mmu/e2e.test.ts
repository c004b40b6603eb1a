// End to end with real instructions: the host fast cache in front of the TLB model must not
// outlive a TLB entry (TLBI), must not let a store through a read-only page, and must keep L1 TLB
// statistics exact (it only ever holds pages the L1 model holds).
import { describe, it, expect } from 'vitest';
import { runAsm, X } from '../helpers.js';
import { setS1, RAM } from './mmu-helpers.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { mmuOf, unprivilegedBegin, unprivilegedEnd } from '../../src/mmu/translate.js';
import { setS2 } from './mmu-helpers.js';
import { s2Leaf } from '../../src/mmu/builder.js';
import type { Cpu } from '../../src/cpu/cpu.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Machine } from '../../src/machine.js';

const POOL = RAM + 0x0100_0000;
const DATA_VA = 0x4020_0000; // a 2 MiB region mapped by pages; the rest of RAM by blocks
const PAGE_A = RAM + 0x30_0000;
const PAGE_B = RAM + 0x30_1000;

let tables: TableBuilder;
/** Identity-map 64 MiB of RAM at EL1 (blocks), with DATA_VA.. mapped by 4K pages. */
function mmuOn(m: Machine, dataLeaf = s1Leaf()): void {
  const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: POOL });
  b.map(RAM, RAM, 0x20_0000, s1Leaf(), 2);
  b.map(DATA_VA, DATA_VA, 0x20_0000, dataLeaf, 3);
  b.map(RAM + 0x40_0000, RAM + 0x40_0000, 0x3c0_0000, s1Leaf(), 2);
  b.map(DATA_VA, PAGE_A, 0x1000, dataLeaf, 3);
  m.bus.write(PAGE_A, 4, 0xaaaa);
  m.bus.write(PAGE_B, 4, 0xbbbb);
  setS1(m.cpu, { ttbr0: b.root });
  tables = b;
}

describe('fast cache vs the TLB model', () => {
  it('a remapped page reads the old frame until TLBI VAE1, then the new one', async () => {
    const m = await runAsm(
      `ldr x1, [x0]
       str x3, [x2]
       ldr x4, [x0]
       tlbi vae1, x5
       dsb ish
       isb
       ldr x6, [x0]
       hlt #1`,
      {
        setup: (mm) => {
          mmuOn(mm);
          const da = tables.descAddr(DATA_VA, 3);
          const [, hi] = tables.desc(DATA_VA, 3)!;
          const [lo] = tables.desc(DATA_VA, 3)!;
          const cpu = mm.cpu;
          cpu.writeX(0, BigInt(DATA_VA));
          cpu.writeX(2, BigInt(da));
          cpu.writeX(3, (BigInt(hi >>> 0) << 32n) | BigInt(((lo >>> 0) - PAGE_A + PAGE_B) >>> 0));
          cpu.writeX(5, BigInt(DATA_VA / 4096));
        },
      },
    );
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 1)).toBe(0xaaaan);
    expect(X(m.cpu, 4)).toBe(0xaaaan); // the TLB still holds the old translation
    expect(X(m.cpu, 6)).toBe(0xbbbbn);
  });
  it('a remapped code page runs the old code until TLBI VAE1, then the new one (fetch entries and block chains)', async () => {
    // DATA_VA -> PAGE_A holds "movz x7, #1; ret", PAGE_B "movz x7, #2; ret". The call is made
    // twice before the TLBI (the second time from a chained block) and once after.
    const m = await runAsm(
      `blr x0
       mov x8, x7
       str x3, [x2]
       blr x0
       mov x9, x7
       tlbi vae1, x5
       dsb ish
       isb
       blr x0
       hlt #1`,
      {
        setup: (mm) => {
          mmuOn(mm);
          mm.bus.write(PAGE_A, 4, 0xd2800027);
          mm.bus.write(PAGE_A + 4, 4, 0xd65f03c0);
          mm.bus.write(PAGE_B, 4, 0xd2800047);
          mm.bus.write(PAGE_B + 4, 4, 0xd65f03c0);
          const da = tables.descAddr(DATA_VA, 3);
          const [lo, hi] = tables.desc(DATA_VA, 3)!;
          const cpu = mm.cpu;
          cpu.writeX(0, BigInt(DATA_VA));
          cpu.writeX(2, BigInt(da));
          cpu.writeX(3, (BigInt(hi >>> 0) << 32n) | BigInt(((lo >>> 0) - PAGE_A + PAGE_B) >>> 0));
          cpu.writeX(5, BigInt(DATA_VA / 4096));
        },
      },
    );
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 8)).toBe(1n);
    expect(X(m.cpu, 9)).toBe(1n); // the TLB (and the fast cache behind it) still maps PAGE_A
    expect(X(m.cpu, 7)).toBe(2n);
  });
  it('a store to a read-only page faults even after loads filled the fast cache', async () => {
    const m = await runAsm(
      `ldr x1, [x0]
       ldr x1, [x0, #8]
       str x1, [x0]
       hlt #1
       .balign 0x800
       .space 0x200
       mrs x9, esr_el1
       hlt #1`,
      {
        setup: (mm) => {
          mmuOn(mm, s1Leaf({ ap: 2 }));
          mm.cpu.writeX(0, BigInt(DATA_VA));
          mm.cpu.setSys(SYS.VBAR_EL1, RAM + 0x800, 0);
        },
      },
    );
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 9)).toBe(0x9600004fn); // EC 0x25, IL, WnR, permission fault level 3
    expect(m.cpu.sys64(SYS.FAR_EL1)).toBe(BigInt(DATA_VA));
  });
  it('L1 DTLB misses stay exact: evicted entries leave the fast cache too', async () => {
    // 40 pages read twice: with a 32-entry round-robin L1 every access misses (80), even though
    // the 1024-entry host fast cache could have served the second pass.
    const m = await runAsm(
      `mov x3, #2
       outer: mov x0, x2
       mov x4, #40
       inner: ldr x1, [x0]
       add x0, x0, #4096
       subs x4, x4, #1
       b.ne inner
       subs x3, x3, #1
       b.ne outer
       hlt #1`,
      {
        setup: (mm) => {
          mmuOn(mm);
          tables.map(DATA_VA, RAM + 0x30_0000, 0x20_0000, s1Leaf(), 3);
          mm.cpu.writeX(2, BigInt(DATA_VA));
        },
      },
    );
    expect(m.cpu.haltReason).toBe('done');
    const t = mmuOf(m.cpu).tlb;
    expect(t.l1d.stats.misses).toBe(80);
    expect(t.l2.stats.hits).toBe(40);
    expect(t.l1i.stats.misses).toBe(1); // the code is in one 2 MiB block
  });
});

/** Stage 2 identity-maps 64 MiB of RAM by 2 MiB blocks (VMID 1); the EL2 firmware records the syndrome. */
function stage2(m: Machine, seen: Record<string, bigint>): TableBuilder {
  const b2 = new TableBuilder(m.bus, { inputSize: 44, poolBase: RAM + 0x0200_0000 });
  b2.map(RAM, RAM, 0x0400_0000, s2Leaf());
  setS2(m.cpu, b2);
  m.cpu.firmware = {
    el2Exception: (c: Cpu) => {
      for (const r of ['ESR_EL2', 'FAR_EL2', 'HPFAR_EL2', 'ELR_EL2']) seen[r] = c.sys64(SYS[r]);
      c.halt('el2');
    },
    hlt: (c: Cpu) => (c.halt('done', 0), true),
  };
  return b2;
}

describe('stage-2 aborts through the run loop', () => {
  it('a load from an unmapped IPA: ESR_EL2 with the instruction syndrome (ISV, SAS, SRT), FAR, HPFAR', async () => {
    const seen: Record<string, bigint> = {};
    const m = await runAsm('nop\nldr w5, [x0]\nhlt #1', {
      x: { 0: 0x5000_0010n },
      setup: (mm) => void stage2(mm, seen),
    });
    expect(m.cpu.haltReason).toBe('el2');
    // EC 0x24, IL, ISV, SAS=2 (word), SRT=5, SF=0, DFSC = translation fault level 2.
    expect(seen.ESR_EL2).toBe((0x24n << 26n) | (1n << 25n) | (1n << 24n) | (2n << 22n) | (5n << 16n) | 0x06n);
    expect(seen.FAR_EL2).toBe(0x5000_0010n);
    expect(seen.HPFAR_EL2).toBe((0x5000_0010n >> 12n) << 4n); // FIPA = IPA[47:12] at [43:4]
    expect(seen.ELR_EL2).toBe(BigInt(RAM + 4));
  });
  it('a store to a stage-2 read-only page: permission fault with WnR; a stage-1 walk fault has S1PTW and no ISV', async () => {
    const seen: Record<string, bigint> = {};
    const m = await runAsm('str x7, [x0]\nhlt #1', {
      x: { 0: BigInt(RAM + 0x30_0008) },
      setup: (mm) => {
        const b2 = stage2(mm, seen);
        b2.map(RAM + 0x20_0000, RAM + 0x20_0000, 0x20_0000, s2Leaf({ s2ap: 1 }), 2);
      },
    });
    expect(seen.ESR_EL2).toBe((0x24n << 26n) | (1n << 25n) | (1n << 24n) | (3n << 22n) | (7n << 16n) | (1n << 15n) | (1n << 6n) | 0x0en);
    const seen2: Record<string, bigint> = {};
    await runAsm('ldr x1, [x0]\nhlt #1', {
      x: { 0: 0x1000n },
      setup: (mm) => {
        stage2(mm, seen2);
        // Stage-1 tables at an IPA stage 2 does not map: the first descriptor fetch faults.
        mmuOn(mm);
        mm.cpu.setSys(SYS.TTBR0_EL1, 0x6000_0000, 0);
      },
    });
    // The first fault is the instruction fetch's walk: EC 0x20, S1PTW, level-2 translation fault.
    expect(seen2.ESR_EL2).toBe((0x20n << 26n) | (1n << 25n) | (1n << 7n) | 0x06n);
    expect(seen2.HPFAR_EL2).toBe(0x6000_0000n >> 8n);
  });
});

describe('unprivileged accesses (LDTR/STTR at EL1)', () => {
  it('are checked against EL0 permissions and use a separate fast-cache bank', async () => {
    const m = await runAsm('ldr x1, [x0]\nhlt #1', {
      x: { 0: BigInt(DATA_VA) },
      setup: (mm) => mmuOn(mm), // DATA_VA: EL1 RW, no EL0 access
    });
    const cpu = m.cpu;
    expect(X(cpu, 1)).toBe(0xaaaan); // EL1 read filled EL1's fast-cache bank
    unprivilegedBegin(cpu);
    cpu.ld32(DATA_VA, 0);
    unprivilegedEnd(cpu);
    expect([cpu.status, cpu.excEC, cpu.excISS]).toEqual([1, 0x25, 0x0f]); // taken from EL1
    cpu.status = 0;
    expect(cpu.ld32(DATA_VA, 0)).toBe(0xaaaa); // privileged again
    expect(cpu.status).toBe(0);
  });
});


describe('a guest enabling its MMU', () => {
  it('MSR-programmed stage 1, an Access flag fault fixed by the handler, then an EL0 permission fault', async () => {
    let dataDesc = 0;
    let ttbr = 0;
    const m = await runAsm(
      `msr mair_el1, x1
       msr tcr_el1, x2
       msr ttbr0_el1, x3
       msr vbar_el1, x5
       isb
       msr sctlr_el1, x4
       isb
       ldr x10, [x6]
       add x10, x10, #1
       msr elr_el1, x7
       msr spsr_el1, xzr
       eret
       .balign 0x800
       .space 0x200
       add x21, x21, #1
       ldr x11, [x20]
       orr x11, x11, #0x400
       str x11, [x20]
       dsb ish
       eret
       .balign 0x400
       mrs x22, esr_el1
       mrs x23, far_el1
       hlt #1
       .balign 0x1000
       str x9, [x8]
       b .`,
      {
        setup: (mm) => {
          const b = new TableBuilder(mm.bus, { inputSize: 48, poolBase: POOL });
          b.map(RAM, RAM, 0x1000, s1Leaf(), 3); // EL1 code and vectors
          b.map(RAM + 0x1000, RAM + 0x1000, 0x1000, s1Leaf({ ap: 3 }), 3); // EL0 code (read-only)
          b.map(RAM + 0x10_0000, RAM + 0x10_0000, 0x1000, s1Leaf({ af: false }), 3);
          b.map(RAM + 0x11_0000, RAM + 0x11_0000, 0x1000, s1Leaf({ ap: 3 }), 3);
          b.map(RAM + 0x20_0000, RAM + 0x20_0000, 0x1e0_0000, s1Leaf(), 2); // tables
          dataDesc = b.descAddr(RAM + 0x10_0000, 3);
          ttbr = b.root;
          mm.bus.write(RAM + 0x10_0000, 4, 41);
          const c = mm.cpu;
          c.writeX(1, 0x44_04_ffn);
          c.writeX(2, 16n | (16n << 16n) | (2n << 30n) | (4n << 32n) | (1n << 36n)); // 4K, IPS 44, AS
          c.writeX(3, BigInt(ttbr));
          c.writeX(4, BigInt(0x30d00800 | 1 | (1 << 2) | (1 << 12)));
          c.writeX(5, BigInt(RAM + 0x800));
          c.writeX(6, BigInt(RAM + 0x10_0000));
          c.writeX(7, BigInt(RAM + 0x1000));
          c.writeX(8, BigInt(RAM + 0x11_0008));
          c.writeX(20, BigInt(dataDesc));
        },
      },
    );
    const cpu = m.cpu;
    expect(cpu.haltReason).toBe('done');
    expect(X(cpu, 21)).toBe(1n); // one Access flag fault
    expect(X(cpu, 10)).toBe(42n); // the load retried after the handler set AF
    expect(X(cpu, 22)).toBe(0x9200004fn); // EC 0x24 from EL0, IL, WnR, permission fault level 3
    expect(X(cpu, 23)).toBe(BigInt(RAM + 0x11_0008));
    expect(mmuOf(cpu).tlb.walks.s1Faults).toBe(2);
  });
});

describe('LDTR/STTR at EL1 use EL0 permissions', () => {
  // ARM ARM D8 (AccessDescriptor.unpriv): an unprivileged access from EL1 is checked as EL0's.
  // The page is AP=00 (EL1 read/write, no EL0 access): LDR succeeds, LDTR faults from EL1.
  it('LDR reads an EL1-only page; LDTR at EL1 takes a permission fault (EC 0x25)', async () => {
    const m = await runAsm(
      `ldr x1, [x0]
       ldtr x2, [x0]
       hlt #1
       .balign 0x800
       .space 0x200
       mrs x9, esr_el1
       mrs x10, far_el1
       hlt #1`,
      {
        setup: (mm) => {
          mmuOn(mm, s1Leaf({ ap: 0 }));
          mm.cpu.writeX(0, BigInt(DATA_VA));
          mm.cpu.setSys(SYS.VBAR_EL1, RAM + 0x800, 0);
        },
      },
    );
    expect(X(m.cpu, 1)).toBe(0xaaaan);
    expect(X(m.cpu, 2)).toBe(0n); // not written
    // EC 0x25 (data abort, same EL), IL, DFSC = permission fault level 3 (0x0f).
    expect(X(m.cpu, 9)).toBe((0x25n << 26n) | (1n << 25n) | 0x0fn);
    expect(X(m.cpu, 10)).toBe(BigInt(DATA_VA));
  });
  it('STTR to a page EL0 may write succeeds at EL1, and LDTR then reads it back', async () => {
    const m = await runAsm(
      `mov x3, #0x1234
       sttr x3, [x0]
       ldtr x4, [x0]
       hlt #1`,
      {
        setup: (mm) => {
          mmuOn(mm, s1Leaf({ ap: 1, pxn: true })); // AP=01: EL1 and EL0 read/write
          mm.cpu.writeX(0, BigInt(DATA_VA));
        },
      },
    );
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 4)).toBe(0x1234n);
  });
});

describe('alignment faults by the stage that made the memory Device', () => {
  // AArch64.S2Translate: an unaligned data access to memory whose combined type is Device only
  // because of stage 2 is a stage-2 Alignment fault (EL2); Device at stage 1 faults at stage 1.
  const S2DEV = RAM + 0x0080_0000; // a 2 MiB IPA block stage 2 maps as Device-nGnRnE
  function s2DeviceBlock(mm: Machine, seen: Record<string, bigint>): void {
    mmuOn(mm); // stage 1: Normal WB everywhere in RAM (with DATA pages)
    const b2 = new TableBuilder(mm.bus, { inputSize: 44, poolBase: RAM + 0x0200_0000 });
    b2.map(RAM, RAM, 0x80_0000, s2Leaf());
    b2.map(S2DEV, S2DEV, 0x20_0000, s2Leaf({ memAttr: 0 }), 2);
    b2.map(RAM + 0xa0_0000, RAM + 0xa0_0000, 0x0360_0000, s2Leaf());
    setS2(mm.cpu, b2);
    mm.cpu.firmware = {
      el2Exception: (c: Cpu) => {
        for (const r of ['ESR_EL2', 'FAR_EL2']) seen[r] = c.sys64(SYS[r]);
        c.halt('el2');
      },
      hlt: (c: Cpu) => (c.halt('done', 0), true),
    };
  }
  it('stage 1 Normal, stage 2 Device: an unaligned LDR takes a stage-2 Alignment fault to EL2', async () => {
    const seen: Record<string, bigint> = {};
    const m = await runAsm('ldr x3, [x0]\nhlt #1', {
      x: { 0: BigInt(S2DEV + 0x11) },
      setup: (mm) => s2DeviceBlock(mm, seen),
    });
    expect(m.cpu.haltReason).toBe('el2');
    // EC 0x24, IL, ISV with SAS=3 SRT=3 SF=1, DFSC 0x21 (alignment).
    expect(seen.ESR_EL2).toBe((0x24n << 26n) | (1n << 25n) | (1n << 24n) | (3n << 22n) | (3n << 16n) | (1n << 15n) | 0x21n);
    expect(seen.FAR_EL2).toBe(BigInt(S2DEV + 0x11));
  });
  it('the same access aligned succeeds; with SCTLR_EL1.A=1 the unaligned one faults at stage 1 (EL1)', async () => {
    const seen: Record<string, bigint> = {};
    const ok = await runAsm('ldr x3, [x0]\nhlt #1', {
      x: { 0: BigInt(S2DEV + 0x10) },
      setup: (mm) => s2DeviceBlock(mm, seen),
    });
    expect(ok.cpu.haltReason).toBe('done');
    const m = await runAsm(`ldr x3, [x0]\nhlt #1\n.balign 0x800\n.space 0x200\nmrs x9, esr_el1\nhlt #1`, {
      x: { 0: BigInt(S2DEV + 0x11) },
      setup: (mm) => {
        s2DeviceBlock(mm, seen);
        mm.cpu.setSys(SYS.SCTLR_EL1, mm.cpu.sysLo(SYS.SCTLR_EL1) | 2, 0);
        mm.cpu.setSys(SYS.VBAR_EL1, RAM + 0x800, 0);
      },
    });
    expect(m.cpu.haltReason).toBe('done');
    expect(X(m.cpu, 9)).toBe((0x25n << 26n) | (1n << 25n) | 0x21n);
  });
});
