// Queue pointers with wrap bits (IHI 0070 3.5.1): empty when index and wrap match, full when the
// indices match and the wraps differ; the command queue consumes across the wrap; the event queue
// fills, overflows (EVENTQ_PROD.OVFLG) and recovers.
import { describe, expect, it } from 'vitest';
import { Queue } from '../../src/smmu/queue.js';
import { rig, cmds, SYNC, drainEvents, EVTQ, CMDQ, w64 } from './helpers.js';
import * as R from '../../src/smmu/regs.js';

describe('Queue', () => {
  it('empty, full and used follow the wrap bit', () => {
    const q = new Queue(16, 8);
    q.baseLo = 2; // 4 entries
    expect(q.ptrMask).toBe(7);
    expect(q.empty()).toBe(true);
    q.prod = 4; // index 0, wrap 1
    expect(q.empty()).toBe(false);
    expect(q.full()).toBe(true);
    expect(q.used()).toBe(4);
    q.cons = 1; // index 1, wrap 0
    expect(q.full()).toBe(false);
    expect(q.used()).toBe(3);
    q.cons = 4;
    expect(q.empty()).toBe(true);
    expect(q.next(3)).toBe(4); // index 3 -> 0 with the wrap toggled
    expect(q.next(7)).toBe(0);
  });

  it('LOG2SIZE above the IDR1 maximum is the maximum; the base is aligned to the queue size', () => {
    const q = new Queue(32, 7);
    q.baseLo = 0x1000_0020 | 31;
    expect(q.log2).toBe(7);
    expect(q.base).toBe(0x1000_0000);
    expect(q.entryAddr(0x81)).toBe(0x1000_0000 + 32);
  });
});

describe('command queue', () => {
  it('consumes commands across the wrap of a 4-entry queue, CONS following PROD with its wrap bit', () => {
    const r = rig({ cmdLog2: 2 });
    for (let i = 0; i < 3; i++) cmds(r, SYNC, SYNC);
    expect(r.smmu.read(R.CMDQ_CONS, 4)).toBe(6); // index 2, wrap 1
    expect(r.smmu.read(R.CMDQ_PROD, 4)).toBe(6);
    expect(r.smmu.stats().syncs).toBe(6);
  });

  it('nothing is consumed while CMDQEN=0; enabling processes what is pending', () => {
    const r = rig({ enable: false });
    cmds(r, SYNC);
    expect(r.smmu.read(R.CMDQ_CONS, 4)).toBe(0);
    r.smmu.write(R.CR0, 4, R.CR0_CMDQEN);
    expect(r.smmu.read(R.CMDQ_CONS, 4)).toBe(1);
  });

  it('a command read that aborts stops the queue with CERROR_ABT', () => {
    const r = rig({ enable: false });
    w64(r.smmu, R.CMDQ_BASE, 0x2000_0000 | 2); // no memory there
    r.smmu.write(R.CR0, 4, R.CR0_CMDQEN);
    r.smmu.write(R.CMDQ_PROD, 4, 1);
    expect((r.smmu.read(R.CMDQ_CONS, 4) >>> 24) & 0x7f).toBe(2);
    expect(r.smmu.read(R.GERROR, 4) & 1).toBe(1);
    void CMDQ;
  });
});

describe('event queue', () => {
  function faulting(r: ReturnType<typeof rig>, n: number): void {
    // StreamID beyond STRTAB_BASE_CFG.LOG2SIZE: C_BAD_STREAMID (CR2.RECINVSID=1).
    for (let i = 0; i < n; i++) r.smmu.translate(0x200 + i, 0x1000, false);
  }

  it('records at PROD, wraps with the wrap bit, signals eventq on empty -> non-empty only', () => {
    const r = rig({ evtLog2: 2 });
    faulting(r, 3);
    expect(r.smmu.read(R.EVENTQ_PROD, 4)).toBe(3);
    expect(r.irqs).toEqual(['eventq']);
    const ev = drainEvents(r);
    expect(ev.map((e) => e.sid)).toEqual([0x200, 0x201, 0x202]);
    faulting(r, 2); // indices 3, then 0 with the wrap bit
    expect(r.smmu.read(R.EVENTQ_PROD, 4)).toBe(5);
    expect(r.irqs).toEqual(['eventq', 'eventq']);
    expect(drainEvents(r).map((e) => e.sid)).toEqual([0x200, 0x201]);
    expect(r.bus.read(EVTQ + 3 * 32 + 4, 4)).toBe(0x200);
    expect(r.bus.read(EVTQ + 0 * 32 + 4, 4)).toBe(0x201);
  });

  it('overflow: a full queue loses the event and toggles OVFLG once until CONS.OVACKFLG acknowledges it', () => {
    const r = rig({ evtLog2: 2 });
    faulting(r, 4);
    expect(r.smmu.eventq.full()).toBe(true);
    expect(r.smmu.read(R.EVENTQ_PROD, 4) >>> 31).toBe(0);
    faulting(r, 1);
    expect(r.smmu.read(R.EVENTQ_PROD, 4) >>> 31).toBe(1);
    faulting(r, 1); // still unacknowledged: no second toggle
    expect(r.smmu.read(R.EVENTQ_PROD, 4) >>> 31).toBe(1);
    expect(r.smmu.stats().eventsLost).toBe(2);
    const ev = drainEvents(r); // drainEvents writes CONS with OVACKFLG unchanged (0)
    expect(ev.length).toBe(4);
    r.smmu.write(R.EVENTQ_CONS, 4, (r.smmu.read(R.EVENTQ_CONS, 4) | (1 << 31)) >>> 0); // acknowledge
    faulting(r, 4);
    faulting(r, 1); // a new overflow toggles OVFLG back
    expect(r.smmu.read(R.EVENTQ_PROD, 4) >>> 31).toBe(0);
  });

  it('events are discarded while EVENTQEN=0; a write that aborts activates GERROR.EVENTQ_ABT_ERR', () => {
    const r = rig({ enable: false });
    r.smmu.write(R.CR0, 4, R.CR0_SMMUEN);
    faulting(r, 1);
    expect(r.smmu.read(R.EVENTQ_PROD, 4)).toBe(0);
    w64(r.smmu, R.EVENTQ_BASE, 0x2000_0000 | 2);
    r.smmu.write(R.CR0, 4, R.CR0_SMMUEN | R.CR0_EVENTQEN);
    faulting(r, 1);
    expect(r.smmu.read(R.GERROR, 4) & R.GERROR_EVENTQ_ABT_ERR).toBe(R.GERROR_EVENTQ_ABT_ERR);
    expect(r.irqs).toEqual(['gerror']);
    expect(r.smmu.stats().eventsLost).toBe(2);
  });
});
