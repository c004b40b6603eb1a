// Hooks (src/api/hooks.ts): each kind is called exactly where the architecture says the event
// happens, identically under both engines, costs nothing once removed, and stop() ends the run
// at the documented point with the counts of an uninterrupted run.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Machine, type MemAccess, type ExceptionInfo, type FaultInfo } from '../../src/api/index.js';

const RAM = 0x4000_0000n;
const OFF = `
  movz x0, #0x0008
  movk x0, #0x8400, lsl #16
  hvc #0`;
const ENGINES = ['interp', 'jit'] as const;

/** A loop hot enough for the JIT (it compiles after a few hundred block executions). */
const LOOP = `_start:
  movz x5, #0x4010, lsl #16      // data at 0x4010_0000
  mov x2, #0
loop:
  str x2, [x5, x2, lsl #3]
  ldr x3, [x5, x2, lsl #3]
  add x2, x2, #1
  cmp x2, #2000
  b.ne loop
body_end:
${OFF}`;

async function machine(engine: 'interp' | 'jit', src: string): Promise<{ m: Machine; sym: Record<string, bigint> }> {
  const m = new Machine({ ramSize: 4 << 20, engine });
  const p = await m.assemble(src, RAM);
  m.start(p.entry);
  return { m, sym: p.symbols };
}

function hooksOff(m: Machine): boolean {
  return m.board.pes.every((c) => c.tracer === null && c.watch === null && c.excObservers === null);
}

describe('instruction hooks', () => {
  it('are called before each instruction in the range, the same under both engines', async () => {
    const seen: Record<string, bigint[]> = {};
    for (const engine of ENGINES) {
      const { m, sym } = await machine(engine, LOOP);
      const calls: bigint[] = [];
      const h = m.hookCode((a) => calls.push(a), { begin: sym.loop + 8n, end: sym.loop + 12n });
      expect(m.run().reason).toBe('halt');
      expect(calls).toHaveLength(2 * 2000); // add and cmp, every iteration
      expect(calls.slice(0, 4)).toEqual([sym.loop + 8n, sym.loop + 12n, sym.loop + 8n, sym.loop + 12n]);
      seen[engine] = calls;
      h.remove();
      expect(hooksOff(m)).toBe(true);
    }
    expect(seen.jit).toEqual(seen.interp);
  });

  it('stop() stops before the instruction; the run resumes there with the counts of a straight run', async () => {
    for (const engine of ENGINES) {
      const { m, sym } = await machine(engine, LOOP);
      let n = 0;
      const calls: bigint[] = [];
      m.hookCode(
        (a) => {
          calls.push(a);
          if (++n === 3) m.stop();
        },
        { begin: sym.loop + 8n, end: sym.loop + 8n },
      );
      const r1 = m.run();
      expect(r1).toMatchObject({ reason: 'stopped', instructions: 2 + 5 + 5 + 2 });
      expect(m.pc).toBe(sym.loop + 8n);
      expect(m.reg('x2')).toBe(2n); // the add of the third iteration has not run
      const r2 = m.run();
      expect(r2.reason).toBe('halt');
      expect(r1.instructions + r2.instructions).toBe(2 + 5 * 2000 + 3);
      expect(calls).toHaveLength(2000); // the stopping call is not repeated on resume
      const straight = (await machine(engine, LOOP)).m;
      straight.run();
      expect(m.stats().cycles).toBe(straight.stats().cycles);
    }
  });
});

describe('memory hooks', () => {
  it('see each access in the range with its value, the same under both engines', async () => {
    const seen: Record<string, MemAccess[]> = {};
    for (const engine of ENGINES) {
      const { m } = await machine(engine, LOOP);
      const acc: MemAccess[] = [];
      // Elements 10..11 of the array: one 8-byte store and one load each.
      m.hookMemory((a) => acc.push({ ...a }), { begin: 0x4010_0000n + 80n, end: 0x4010_0000n + 95n });
      const writes: MemAccess[] = [];
      m.hookMemory((a) => writes.push(a), { write: true, read: false });
      m.run();
      expect(acc).toEqual([
        { kind: 'write', address: 0x4010_0050n, size: 8, value: 10n, pe: 0 },
        { kind: 'read', address: 0x4010_0050n, size: 8, pe: 0 },
        { kind: 'write', address: 0x4010_0058n, size: 8, value: 11n, pe: 0 },
        { kind: 'read', address: 0x4010_0058n, size: 8, pe: 0 },
      ]);
      expect(writes).toHaveLength(2000);
      seen[engine] = acc;
    }
    expect(seen.jit).toEqual(seen.interp);
  });

  it('take pages off the fast path while set (a page the CPU cached before is seen too), and nothing after removal', async () => {
    const { m, sym } = await machine('interp', LOOP);
    m.run({ until: sym.loop + 8n }); // the array page is in the fast cache now
    const acc: MemAccess[] = [];
    const h = m.hookMemory((a) => acc.push(a), { read: true, write: false });
    m.run({ maxInstructions: 5 });
    expect(acc).toEqual([{ kind: 'read', address: 0x4010_0008n, size: 8, pe: 0 }]);
    h.remove();
    expect(hooksOff(m)).toBe(true);
    m.run();
    expect(acc).toHaveLength(1);
  });

  it('do not change instructions, cycles or TLB misses (only the L1 lookup/hit counts of slow-path accesses)', async () => {
    const plain = (await machine('interp', LOOP)).m;
    plain.enableMmu();
    plain.run();
    const hooked = (await machine('interp', LOOP)).m;
    hooked.enableMmu();
    let n = 0;
    hooked.hookMemory(() => n++);
    hooked.run();
    expect(n).toBe(2 * 2000);
    const a = plain.stats();
    const b = hooked.stats();
    expect(b.instructions).toBe(a.instructions);
    expect(b.cycles).toBe(a.cycles);
    const t = (s: typeof a, k: string): { misses: number } => s.tlb[k] as { misses: number };
    for (const k of ['l1i', 'l1d', 'l2']) expect(t(b, k).misses).toBe(t(a, k).misses);
  });

  it('stop() ends the run before the next instruction', async () => {
    for (const engine of ENGINES) {
      const { m, sym } = await machine(engine, LOOP);
      m.hookMemory(() => m.stop(), { begin: 0x4010_0000n + 8n * 7n, end: 0x4010_0000n + 8n * 7n, write: true, read: false });
      const r = m.run();
      expect(r).toMatchObject({ reason: 'stopped', instructions: 2 + 5 * 7 + 1 });
      expect(m.pc).toBe(sym.loop + 4n); // the store completed, the load after it has not run
      expect(m.readU64(0x4010_0000n + 56n)).toBe(7n);
    }
  });
});

describe('exception, interrupt and fault hooks', () => {
  it('see SVC with its syndrome and return address, before the vector is taken', async () => {
    const src = `_start:
  adr x0, vectors
  msr vbar_el1, x0
  isb
  svc #0x42
after:
${OFF}
  .balign 0x800
vectors:
  .skip 0x200
  mrs x9, esr_el1          // current EL with SP_ELx, synchronous
  mrs x10, elr_el1
  eret`;
    for (const engine of ENGINES) {
      const { m, sym } = await machine(engine, src);
      const seen: ExceptionInfo[] = [];
      m.hookException((e) => seen.push(e));
      expect(m.run().reason).toBe('halt');
      expect(seen).toEqual([
        { kind: 'sync', targetEl: 1, fromEl: 1, ec: 0x15, iss: 0x42, returnAddress: sym.after, pe: 0 },
        // The PSCI call at the end: HVC is taken to EL2, where the board's firmware handles it.
        { kind: 'sync', targetEl: 2, fromEl: 1, ec: 0x16, iss: 0, returnAddress: sym.after + 12n, pe: 0 },
      ]);
      expect(m.reg('x9')).toBe(BigInt((0x15 << 26) | (1 << 25) | 0x42)); // what the guest saw agrees
    }
  });

  it('fault hooks classify unmapped VAs and bus errors, and can stop at the handler', async () => {
    const src = `_start:
  adr x0, vectors
  msr vbar_el1, x0
  isb
  movz x1, #0x1000, lsl #16   // PA 0x1000_0000: no RAM, no device
  ldr x2, [x1]
bad_load:
  nop
  .balign 0x800
vectors:
  .skip 0x200
  mrs x9, far_el1
  mrs x10, elr_el1
  add x10, x10, #4
  msr elr_el1, x10
  eret`;
    for (const engine of ENGINES) {
      const { m, sym } = await machine(engine, src);
      const faults: FaultInfo[] = [];
      m.hookFault((f) => {
        faults.push(f);
        m.stop();
      });
      const r = m.run();
      expect(r.reason).toBe('stopped');
      expect(faults).toHaveLength(1);
      expect(faults[0]).toMatchObject({ kind: 'sync', ec: 0x25, access: 'read', cause: 'bus-error', fsc: 0x10, far: 0x1000_0000n, returnAddress: sym.bad_load - 4n });
      expect(m.pc).toBe(sym.vectors + 0x200n); // stopped before the handler's first instruction
      expect(m.reg('x9')).toBe(0n);
    }
    // With the MMU on, a VA with no descriptor is a translation fault: 'unmapped'.
    const { m } = await machine('interp', src.replace('movz x1, #0x1000, lsl #16   // PA 0x1000_0000: no RAM, no device', 'movz x1, #0x100, lsl #32'));
    m.enableMmu();
    const faults: FaultInfo[] = [];
    m.hookFault((f) => faults.push(f));
    m.run({ maxInstructions: 50 });
    expect(faults[0]).toMatchObject({ cause: 'unmapped', access: 'read', far: 0x100_0000_0000n });
    expect(faults[0].fsc & 0x3c).toBe(0x04);
  });

  it('interrupt hooks see every IRQ the guest takes (the irq guest: timer, SGIs, UART)', () => {
    const elf = new Uint8Array(readFileSync(new URL('../../guests/build/irq.elf', import.meta.url)));
    const counts: Record<string, number> = {};
    for (const engine of ENGINES) {
      const m = new Machine({ ramSize: 16 << 20, engine, board: { uartInput: 'hello irq.' } });
      m.start(m.loadElf(elf).entry);
      const irqs: ExceptionInfo[] = [];
      m.hookInterrupt((e) => irqs.push(e));
      expect(m.run({ maxInstructions: 1_000_000 }).reason).toBe('exit');
      expect(irqs.length).toBe(m.stats().interrupts);
      expect(irqs.every((e) => e.kind === 'irq' && e.targetEl === 1 && e.ec === -1)).toBe(true);
      counts[engine] = irqs.length;
    }
    expect(counts.jit).toBe(counts.interp);
    expect(counts.interp).toBeGreaterThanOrEqual(10);
  });

  it('reject bad arguments', async () => {
    const { m } = await machine('interp', LOOP);
    expect(() => m.hookCode(null as unknown as () => void)).toThrow(/must be a function/);
    expect(() => m.hookCode(() => {}, { begin: 10n, end: 5n })).toThrow(/is above end/);
    expect(() => m.hookMemory(() => {}, { read: false, write: false })).toThrow(/never be called/);
    expect(() => m.hookException(() => {}, ['nmi' as 'irq'])).toThrow(/unknown kind 'nmi'/);
    expect(hooksOff(m)).toBe(true);
  });
});
