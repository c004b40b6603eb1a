// Commands (IHI 0070 chapter 4): configuration invalidation against the configuration cache,
// prefetch, CMD_SYNC completion signalling (wired IRQ, MSI write), and command errors (7.1:
// GERROR.CMDQ_ERR with CMDQ_CONS.ERR, CONS left on the failing command, resume after GERRORN).
import { describe, expect, it } from 'vitest';
import { rig, cmds, SYNC, writeSte, writeWords, cdWords, s1Builder, drainEvents, CDS, RAM, CMDQ } from './helpers.js';
import { s1Leaf } from '../../src/mmu/builder.js';
import * as R from '../../src/smmu/regs.js';
import * as C from '../../src/smmu/commands.js';

const PAGE = RAM + 0x80_0000;

describe('configuration cache and CFGI_*', () => {
  it('a changed STE is not seen until CMD_CFGI_STE (stale configuration persists)', () => {
    const r = rig();
    writeSte(r, 3, { config: 0b100 });
    expect(r.smmu.translate(3, 0x4000_0000, false)).toBe(0x4000_0000);
    writeSte(r, 3, { config: 0b000 });
    expect(r.smmu.translate(3, 0x4000_0000, false)).toBe(0x4000_0000);
    cmds(r, [C.CMD_CFGI_STE, 4], SYNC); // another StreamID: no effect
    expect(r.smmu.translate(3, 0x4000_0000, false)).toBe(0x4000_0000);
    cmds(r, [C.CMD_CFGI_STE, 3], SYNC);
    expect(r.smmu.translate(3, 0x4000_0000, false)).toBe(-1);
    expect(r.smmu.stats().config).toMatchObject({ steFetches: 2, hits: 2 });
  });

  it('CMD_CFGI_STE_RANGE invalidates 2^(Range+1) aligned StreamIDs; Range=31 is CFGI_ALL', () => {
    const r = rig();
    for (let s = 3; s <= 8; s++) writeSte(r, s, { config: 0b100 });
    for (let s = 3; s <= 8; s++) r.smmu.translate(s, 0x4000_0000, false);
    for (let s = 3; s <= 8; s++) writeSte(r, s, { config: 0b000 });
    cmds(r, [C.CMD_CFGI_STE_RANGE, 5, 1], SYNC); // Range=1: StreamIDs 4..7
    const seen = () => [3, 4, 5, 6, 7, 8].map((s) => r.smmu.translate(s, 0x4000_0000, false) >= 0);
    expect(seen()).toEqual([true, false, false, false, false, true]);
    cmds(r, [C.CMD_CFGI_STE_RANGE, 0, 31], SYNC);
    expect(seen()).toEqual([false, false, false, false, false, false]);
  });

  it('a changed CD is not seen until CMD_CFGI_CD / CFGI_CD_ALL; CFGI_STE also drops the CD', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3);
    writeWords(r.bus, CDS, cdWords({ ttb0: b.root, asid: 1 }));
    writeSte(r, 1, { config: 0b101, cdPtr: CDS });
    expect(r.smmu.translate(1, 0x1000, false)).toBe(PAGE);
    writeWords(r.bus, CDS, cdWords({ ttb0: b.root, asid: 1, epd0: true }));
    cmds(r, [C.CMD_TLBI_NH_ALL, 0], SYNC); // the IOTLB forgets, the CD cache does not
    expect(r.smmu.translate(1, 0x1000, false)).toBe(PAGE);
    for (const op of [C.CMD_CFGI_CD, C.CMD_CFGI_CD_ALL, C.CMD_CFGI_STE]) {
      writeWords(r.bus, CDS, cdWords({ ttb0: b.root, asid: 1 }));
      cmds(r, [op, 1], [C.CMD_TLBI_NH_ALL, 0], SYNC);
      expect(r.smmu.translate(1, 0x1000, false)).toBe(PAGE);
      writeWords(r.bus, CDS, cdWords({ ttb0: b.root, asid: 1, epd0: true }));
      cmds(r, [op, 1], [C.CMD_TLBI_NH_ALL, 0], SYNC);
      expect(r.smmu.translate(1, 0x1000, false)).toBe(-1);
    }
  });

  it('CMD_PREFETCH_CONFIG loads the STE and CD (later edits are then stale); a bad STE prefetch records nothing', () => {
    const r = rig();
    const b = s1Builder(r);
    b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3);
    writeWords(r.bus, CDS, cdWords({ ttb0: b.root }));
    writeSte(r, 1, { config: 0b101, cdPtr: CDS });
    writeSte(r, 2, { v: false, config: 0 });
    cmds(r, [C.CMD_PREFETCH_CONFIG, 1], [C.CMD_PREFETCH_CONFIG, 2], [C.CMD_PREFETCH_ADDR, 1], SYNC);
    expect(drainEvents(r)).toEqual([]);
    writeWords(r.bus, CDS, cdWords({ v: false }));
    writeSte(r, 1, { config: 0 });
    expect(r.smmu.translate(1, 0x1000, false)).toBe(PAGE);
    expect(r.smmu.stats().config.cdFetches).toBe(1);
  });
});

describe('CMD_SYNC', () => {
  it('CS=SIG_IRQ without an MSI address pulses cmdq-sync; CS=SIG_NONE signals nothing', () => {
    const r = rig();
    cmds(r, [C.CMD_SYNC]);
    expect(r.irqs).toEqual([]);
    cmds(r, [C.CMD_SYNC | (C.CS_SIG_IRQ << 12)]);
    expect(r.irqs).toEqual(['cmdq-sync']);
    expect(r.smmu.read(R.CMDQ_CONS, 4)).toBe(2);
  });

  it('CS=SIG_IRQ with MSIAddress writes MSIData there (Linux polls its own SYNC entry this way)', () => {
    const r = rig();
    const target = CMDQ; // the command's own first word, as MSI polling does
    cmds(r, [C.CMD_SYNC | (C.CS_SIG_IRQ << 12), 0, target + 0, 0]);
    expect(r.bus.read(target, 4)).toBe(0); // MSIData 0 overwrote the opcode word
    expect(r.writes).toEqual([[target, 4]]);
    cmds(r, [C.CMD_SYNC | (C.CS_SIG_IRQ << 12), 0xcafe, RAM + 0x100, 0]);
    expect(r.bus.read(RAM + 0x100, 4)).toBe(0xcafe);
    expect(r.irqs).toEqual([]);
  });

  it('an MSI write that aborts activates GERROR.MSI_CMDQ_ABT_ERR', () => {
    const r = rig();
    cmds(r, [C.CMD_SYNC | (C.CS_SIG_IRQ << 12), 1, 0x2000_0000, 0]);
    expect(r.smmu.read(R.GERROR, 4)).toBe(R.GERROR_MSI_CMDQ_ABT_ERR);
    expect(r.irqs).toEqual(['gerror']);
  });
});

describe('command errors', () => {
  const illegal: [string, number[]][] = [
    ['an unknown opcode', [0x7f]],
    ['CMD_ATC_INV (no ATS)', [C.CMD_ATC_INV]],
    ['CMD_PRI_RESP (no PRI)', [C.CMD_PRI_RESP]],
    ['CMD_RESUME (no stalls)', [C.CMD_RESUME]],
    ['CMD_STALL_TERM (no stalls)', [C.CMD_STALL_TERM]],
    ['CMD_TLBI_EL3_ALL (no Secure state)', [C.CMD_TLBI_EL3_ALL]],
    ['CMD_SYNC with CS=0b11', [C.CMD_SYNC | (3 << 12)]],
  ];
  for (const [name, cmd] of illegal) {
    it(`${name} is CERROR_ILL: GERROR.CMDQ_ERR, CONS stays on it, later commands wait`, () => {
      const r = rig();
      cmds(r, SYNC, cmd, [C.CMD_SYNC | (C.CS_SIG_IRQ << 12)]);
      const cons = r.smmu.read(R.CMDQ_CONS, 4);
      expect(cons & 0xff).toBe(1);
      expect((cons >>> 24) & 0x7f).toBe(C.CERROR_ILL);
      expect(r.smmu.read(R.GERROR, 4) & R.GERROR_CMDQ_ERR).toBe(1);
      expect(r.irqs).toEqual(['gerror']);
      expect(r.smmu.stats().commandErrors).toBe(1);
      // Software replaces the command with a CMD_SYNC and acknowledges: processing resumes.
      writeWords(r.bus, CMDQ + 16, [C.CMD_SYNC, 0, 0, 0]);
      r.smmu.write(R.GERRORN, 4, r.smmu.read(R.GERROR, 4));
      expect(r.smmu.read(R.CMDQ_CONS, 4) & 0xff).toBe(3);
      expect(r.irqs).toEqual(['gerror', 'cmdq-sync']);
    });
  }

  it('GERROR.CMDQ_ERR is toggled (not set): a second error after acknowledgement toggles it back', () => {
    const r = rig();
    cmds(r, [0x7f]);
    expect(r.smmu.read(R.GERROR, 4) & 1).toBe(1);
    writeWords(r.bus, CMDQ, [0x7e, 0, 0, 0]);
    r.smmu.write(R.GERRORN, 4, 1); // acknowledge: the same slot is retried and fails again
    expect(r.smmu.read(R.GERROR, 4) & 1).toBe(0);
    expect(r.smmu.read(R.GERRORN, 4) & 1).toBe(1);
  });
});

describe('statistics by command kind', () => {
  it('commandsByKind counts each consumed command under its IHI 0070 name, an illegal one under its opcode', () => {
    const r = rig();
    cmds(r, [C.CMD_CFGI_STE, 3], [C.CMD_TLBI_NH_ALL, 0], [C.CMD_TLBI_NH_ALL, 0], [C.CMD_TLBI_S2_IPA, 0], SYNC);
    const s = r.smmu.stats();
    expect(s.commandsByKind).toEqual({ CFGI_STE: 1, TLBI_NH_ALL: 2, TLBI_S2_IPA: 1, SYNC: 1 });
    expect(Object.values(s.commandsByKind).reduce((a, b) => a + b, 0)).toBe(s.commands);
    cmds(r, [0x7f, 0]); // not a command: CERROR_ILL, counted as consumed once
    expect(r.smmu.stats().commandsByKind['0x7f']).toBe(1);
  });
});
