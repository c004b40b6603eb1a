// GICv2 CPU interface (ARM IHI 0048B 3.2-3.3, 4.4) and interrupt signalling.
import { describe, it, expect } from 'vitest';
import * as R from '../../../src/devices/gic/regs.js';
import { rig, openCpu, enable, setPending } from './helpers.js';

const C = (r: ReturnType<typeof rig>) => r.g.cpuInterface;

describe('GICC registers', () => {
  it('GICC_IIDR is the GIC-400 value 0x0202143B (4.4.14)', () => {
    const r = rig();
    expect(r.rd(C(r), R.GICC_IIDR)).toBe(0x0202143b);
  });

  it('GICC_CTLR keeps bits [9:0]; reserved bits RAZ/WI (4.4.1)', () => {
    const r = rig();
    r.wr(C(r), R.GICC_CTLR, 0xffffffff);
    expect(r.rd(C(r), R.GICC_CTLR)).toBe(0x3ff);
  });

  it('GICC_PMR implements 5 bits (4.4.2)', () => {
    const r = rig();
    r.wr(C(r), R.GICC_PMR, 0xff);
    expect(r.rd(C(r), R.GICC_PMR)).toBe(0xf8);
  });

  it('GICC_BPR/ABPR reset to and clamp at their minimums 2 and 3 for 5 priority bits (3.3.3, 4.4.3)', () => {
    const r = rig();
    expect(r.rd(C(r), R.GICC_BPR)).toBe(2);
    expect(r.rd(C(r), R.GICC_ABPR)).toBe(3);
    r.wr(C(r), R.GICC_BPR, 0);
    r.wr(C(r), R.GICC_ABPR, 1);
    expect(r.rd(C(r), R.GICC_BPR)).toBe(2);
    expect(r.rd(C(r), R.GICC_ABPR)).toBe(3);
    r.wr(C(r), R.GICC_BPR, 5);
    expect(r.rd(C(r), R.GICC_BPR)).toBe(5);
  });

  it('the CPU interface registers are banked per CPU', () => {
    const r = rig({ cpus: 2 });
    r.wr(C(r), R.GICC_PMR, 0xf0);
    r.g.currentCpu = 1;
    expect(r.rd(C(r), R.GICC_PMR)).toBe(0);
  });

  it('RPR reads 0xFF when idle (4.4.6)', () => {
    const r = rig();
    expect(r.rd(C(r), R.GICC_RPR)).toBe(0xff);
  });

  it('wrong-size accesses are RAZ/WI and logged', () => {
    const r = rig();
    r.wr(C(r), R.GICC_PMR, 0xff, 1);
    expect(r.rd(C(r), R.GICC_PMR)).toBe(0);
    expect(r.logs[0]).toMatch(/GICC\+0x4: 1-byte write/);
  });
});

describe('signalling (3.3.1, 3.6)', () => {
  it('nothing is signalled while the CPU interface group is disabled', () => {
    const r = rig();
    r.wr(r.g.distributor, R.GICD_CTLR, 3);
    r.wr(C(r), R.GICC_PMR, 0xff);
    enable(r, 33);
    setPending(r, 33);
    expect(r.g.lines(0)).toBe(0);
    r.wr(C(r), R.GICC_CTLR, 1);
    expect(r.g.lines(0)).toBe(R.LINE_IRQ);
  });

  it('Group 0 with FIQEn=1 is signalled as FIQ, Group 1 always as IRQ', () => {
    const r = rig();
    openCpu(r);
    r.wr(C(r), R.GICC_CTLR, 3 | R.GICC_CTLR_FIQEN);
    enable(r, 33);
    setPending(r, 33);
    expect(r.g.lines(0)).toBe(R.LINE_FIQ);
    r.wr(r.g.distributor, R.GICD_IGROUPR + 4, 2);
    expect(r.g.lines(0)).toBe(R.LINE_IRQ);
  });

  it('PMR masks: only priorities strictly higher (lower value) than PMR are signalled (3.3.2)', () => {
    const r = rig();
    openCpu(r);
    enable(r, 33, 0x80);
    setPending(r, 33);
    r.wr(C(r), R.GICC_PMR, 0x80);
    expect(r.g.lines(0)).toBe(0);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(1023);
    r.wr(C(r), R.GICC_PMR, 0x88);
    expect(r.g.lines(0)).toBe(R.LINE_IRQ);
  });

  it('onLines is called on every change of the lines and only then', () => {
    const r = rig();
    openCpu(r);
    enable(r, 33);
    expect(r.calls).toEqual([]);
    r.g.setLevel(33, true);
    r.g.setLevel(34, true); // disabled: no change in lines
    r.wr(C(r), R.GICC_PMR, 0xf0); // still signalled: no call
    expect(r.calls).toEqual([[0, R.LINE_IRQ]]);
    r.g.setLevel(33, false);
    expect(r.calls).toEqual([[0, R.LINE_IRQ], [0, 0]]);
  });

  it('reset() drops the lines and restores reset values', () => {
    const r = rig();
    openCpu(r);
    enable(r, 33);
    setPending(r, 33);
    r.g.reset();
    expect(r.calls.at(-1)).toEqual([0, 0]);
    expect(r.rd(r.g.distributor, R.GICD_ISENABLER + 4)).toBe(0);
    expect(r.rd(C(r), R.GICC_BPR)).toBe(2);
  });
});

describe('acknowledge and end of interrupt (3.2.4, 4.4.4, 4.4.5)', () => {
  it('IAR returns the highest priority pending interrupt and makes it active; spurious 1023 when none', () => {
    const r = rig();
    openCpu(r);
    enable(r, 40, 0x80);
    enable(r, 41, 0x40);
    setPending(r, 40);
    setPending(r, 41);
    expect(r.rd(C(r), R.GICC_HPPIR)).toBe(41);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(41);
    expect(r.rd(r.g.distributor, R.GICD_ISACTIVER + 4)).toBe(1 << 9);
    expect(r.rd(r.g.distributor, R.GICD_ISPENDR + 4)).toBe(1 << 8);
    expect(r.rd(C(r), R.GICC_RPR)).toBe(0x40);
    // 40 (0x80) cannot preempt the running priority 0x40.
    expect(r.g.lines(0)).toBe(0);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(1023);
    r.wr(C(r), R.GICC_EOIR, 41);
    expect(r.rd(r.g.distributor, R.GICD_ISACTIVER + 4)).toBe(0);
    expect(r.rd(C(r), R.GICC_RPR)).toBe(0xff);
    expect(r.g.lines(0)).toBe(R.LINE_IRQ);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(40);
    r.wr(C(r), R.GICC_EOIR, 40);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(1023);
  });

  it('equal priorities: the lowest INTID wins (3.3.1)', () => {
    const r = rig();
    openCpu(r);
    enable(r, 50);
    enable(r, 45);
    setPending(r, 50);
    setPending(r, 45);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(45);
  });

  it('level-sensitive: active and pending while the input stays high, pending again after deactivation', () => {
    const r = rig();
    openCpu(r);
    enable(r, 33);
    r.g.setLevel(33, true);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(33);
    expect(r.rd(r.g.distributor, R.GICD_ISPENDR + 4)).toBe(2);
    expect(r.rd(r.g.distributor, R.GICD_ISACTIVER + 4)).toBe(2);
    expect(r.g.lines(0)).toBe(0);
    r.wr(C(r), R.GICC_EOIR, 33);
    expect(r.g.lines(0)).toBe(R.LINE_IRQ);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(33);
    r.g.setLevel(33, false);
    r.wr(C(r), R.GICC_EOIR, 33);
    expect(r.g.lines(0)).toBe(0);
  });

  it('edge-triggered: acknowledge clears pending; a new edge while active makes it active and pending', () => {
    const r = rig();
    openCpu(r);
    r.wr(r.g.distributor, R.GICD_ICFGR + 8, 1 << 3);
    enable(r, 33);
    r.g.setLevel(33, true);
    r.g.setLevel(33, false);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(33);
    expect(r.rd(r.g.distributor, R.GICD_ISPENDR + 4)).toBe(0);
    r.g.setLevel(33, true);
    expect(r.rd(r.g.distributor, R.GICD_ISPENDR + 4)).toBe(2);
    r.wr(C(r), R.GICC_EOIR, 33);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(33);
  });

  it('EOImode=1: EOIR only drops priority, DIR deactivates (4.4.1, 4.4.15)', () => {
    const r = rig();
    openCpu(r);
    r.wr(C(r), R.GICC_CTLR, 3 | R.GICC_CTLR_EOIMODE);
    enable(r, 33, 0x80);
    enable(r, 34, 0xa0);
    setPending(r, 33);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(33);
    r.wr(C(r), R.GICC_EOIR, 33);
    expect(r.rd(C(r), R.GICC_RPR)).toBe(0xff);
    expect(r.rd(r.g.distributor, R.GICD_ISACTIVER + 4)).toBe(2);
    // Still active: 33 is not signalled again even though pending.
    setPending(r, 33);
    setPending(r, 34);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(34);
    r.wr(C(r), R.GICC_EOIR, 34);
    r.wr(C(r), R.GICC_DIR, 34);
    r.wr(C(r), R.GICC_DIR, 33);
    expect(r.rd(r.g.distributor, R.GICD_ISACTIVER + 4)).toBe(0);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(33);
  });

  it('EOImode=0: GICC_DIR is ignored (UNPREDICTABLE)', () => {
    const r = rig();
    openCpu(r);
    enable(r, 33);
    setPending(r, 33);
    r.rd(C(r), R.GICC_IAR);
    r.wr(C(r), R.GICC_DIR, 33);
    expect(r.rd(r.g.distributor, R.GICD_ISACTIVER + 4)).toBe(2);
  });

  it('IAR of an SGI returns the source CPU in bits [12:10] and HPPIR shows it too', () => {
    const r = rig({ cpus: 4 });
    r.g.currentCpu = 3;
    r.wr(r.g.distributor, R.GICD_SGIR, (1 << 16) | 9);
    r.g.currentCpu = 0;
    openCpu(r);
    expect(r.rd(C(r), R.GICC_HPPIR)).toBe(9 | (3 << 10));
    expect(r.rd(C(r), R.GICC_IAR)).toBe(9 | (3 << 10));
    expect(r.rd(r.g.distributor, R.GICD_SPENDSGIR + 8)).toBe(0);
  });
});

describe('groups: AckCtl and the aliased registers (4.4.4, 4.4.10-4.4.12)', () => {
  function grp1Pending() {
    const r = rig();
    openCpu(r);
    enable(r, 33);
    r.wr(r.g.distributor, R.GICD_IGROUPR + 4, 2);
    setPending(r, 33);
    return r;
  }

  it('GICC_IAR with a Group 1 interrupt and AckCtl=0 returns 1022 and does not acknowledge', () => {
    const r = grp1Pending();
    expect(r.rd(C(r), R.GICC_HPPIR)).toBe(1022);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(1022);
    expect(r.rd(r.g.distributor, R.GICD_ISACTIVER + 4)).toBe(0);
  });

  it('GICC_AIAR acknowledges Group 1 and sets GICC_NSAPR0; AEOIR drops it', () => {
    const r = grp1Pending();
    expect(r.rd(C(r), R.GICC_AHPPIR)).toBe(33);
    expect(r.rd(C(r), R.GICC_AIAR)).toBe(33);
    expect(r.rd(C(r), R.GICC_NSAPR0)).toBe(1 << (0x80 >> 3));
    expect(r.rd(C(r), R.GICC_APR0)).toBe(0);
    r.wr(C(r), R.GICC_AEOIR, 33);
    expect(r.rd(C(r), R.GICC_NSAPR0)).toBe(0);
    expect(r.rd(r.g.distributor, R.GICD_ISACTIVER + 4)).toBe(0);
  });

  it('AckCtl=1: GICC_IAR acknowledges Group 1 too', () => {
    const r = grp1Pending();
    r.wr(C(r), R.GICC_CTLR, 3 | R.GICC_CTLR_ACKCTL);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(33);
  });

  it('GICC_AIAR does not acknowledge Group 0 (1023)', () => {
    const r = rig();
    openCpu(r);
    enable(r, 33);
    setPending(r, 33);
    expect(r.rd(C(r), R.GICC_AIAR)).toBe(1023);
    expect(r.rd(C(r), R.GICC_AHPPIR)).toBe(1023);
  });
});

describe('preemption and binary point (3.3.3, 3.3.4)', () => {
  function twoActive(bpr: number, first: number, second: number) {
    const r = rig();
    openCpu(r);
    r.wr(C(r), R.GICC_BPR, bpr);
    enable(r, 33, first);
    enable(r, 34, second);
    setPending(r, 33);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(33);
    setPending(r, 34);
    return r;
  }

  it('BPR=2: group priority [7:3]; 0x70 preempts a running 0x78', () => {
    const r = twoActive(2, 0x78, 0x70);
    expect(r.g.lines(0)).toBe(R.LINE_IRQ);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(34);
    expect(r.rd(C(r), R.GICC_APR0)).toBe((1 << 0xe) | (1 << 0xf));
    expect(r.rd(C(r), R.GICC_RPR)).toBe(0x70);
    // EOI drops the highest active priority first.
    r.wr(C(r), R.GICC_EOIR, 34);
    expect(r.rd(C(r), R.GICC_RPR)).toBe(0x78);
  });

  it('BPR=4: group priority [7:5]; 0x70 does not preempt 0x78 (same group priority 0x60)', () => {
    const r = twoActive(4, 0x78, 0x70);
    expect(r.rd(C(r), R.GICC_RPR)).toBe(0x60);
    expect(r.g.lines(0)).toBe(0);
    expect(r.rd(C(r), R.GICC_IAR)).toBe(1023);
  });

  it('Group 1 uses GICC_ABPR (group priority [7:ABPR]) unless CBPR=1, which applies GICC_BPR ([7:BPR+1])', () => {
    function run(cbpr: boolean) {
      const r = rig();
      openCpu(r);
      r.wr(C(r), R.GICC_CTLR, 3 | R.GICC_CTLR_ACKCTL | (cbpr ? R.GICC_CTLR_CBPR : 0));
      r.wr(r.g.distributor, R.GICD_IGROUPR + 4, 6); // 33, 34 Group 1
      r.wr(C(r), R.GICC_ABPR, 4); // Group 1: group priority [7:4]
      r.wr(C(r), R.GICC_BPR, 4); // with CBPR: group priority [7:5]
      enable(r, 33, 0x78);
      enable(r, 34, 0x68);
      setPending(r, 33);
      expect(r.rd(C(r), R.GICC_IAR)).toBe(33);
      setPending(r, 34);
      return r;
    }
    // ABPR=4: 0x68 -> 0x60 preempts 0x78 -> 0x70.
    const a = run(false);
    expect(a.rd(C(a), R.GICC_RPR)).toBe(0x70);
    expect(a.g.lines(0)).toBe(R.LINE_IRQ);
    // CBPR=1, BPR=4: both are group priority 0x60: no preemption.
    const b = run(true);
    expect(b.rd(C(b), R.GICC_RPR)).toBe(0x60);
    expect(b.g.lines(0)).toBe(0);
  });
});

describe('dump (debugging aid)', () => {
  it('lists enabled, pending and active INTIDs and valid List registers without side effects', () => {
    const r = rig();
    openCpu(r);
    enable(r, 33);
    setPending(r, 33);
    r.wr(r.g.hypInterface, R.GICH_LR0 + 4, (1 << 28) | (20 << 23) | 40);
    const text = r.g.dump(0).join('\n');
    expect(text).toMatch(/enabled: 33\n/);
    expect(text).toMatch(/pending: 33\n/);
    expect(text).toMatch(/LR1=0x1a000028: vINTID=40 pending prio=0xa0 grp0/);
    expect(r.rd(r.g.distributor, R.GICD_ISPENDR + 4)).toBe(2); // still pending: dump acknowledged nothing
  });
});
